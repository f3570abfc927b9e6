"""Names instead of IDs as cells (recipe spec 2a): which IDs a row needs, and how its names read.

A name is chosen from the i18n list: the entry in `output.locale`, else zh-CN,
else the first (a person's preferred_name is a single entry). A list field joins
its names with "; "; cost centres read "name:rate; name:rate". An ID with no
name leaves its place empty and the row's note says which ID; a kind the app has
no scope for leaves the cell empty without a note (the Summary names the scope).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reconciler.feishu import CostCenterRate, JobData
from reconciler.feishu.names import NameBook, failure_note
from reconciler.matching.feishu_values import as_text, render
from reconciler.messages.render import Message
from reconciler.recipe.namepaths import NAME_FIELDS, name_field

FALLBACK_LOCALE = "zh-CN"


def pick_name(names: Iterable[dict[str, Any]] | None, locale: str | None) -> str | None:
    """The value in `locale`, else zh-CN, else the first non-empty one; None when there is none."""
    entries = [n for n in names or () if n.get("value")]
    for want in (locale, FALLBACK_LOCALE):
        if want:
            for n in entries:
                if (n.get("lang") or "").lower() == want.lower():
                    return n["value"]
    return entries[0]["value"] if entries else None


def ids_of(job: JobData, id_field: str) -> list[str]:
    """The IDs an ID field of this job data holds (a list for managers' lists and cost centres)."""
    value = job.field(id_field)
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    out = []
    for item in value if isinstance(value, list) else [value]:
        the_id = item.cost_center_id if isinstance(item, CostCenterRate) else item
        if isinstance(the_id, str) and the_id.strip():
            out.append(the_id)
    return out


def name_needs(paths: Iterable[str], jobs: Iterable[JobData]) -> dict[str, set[str]]:
    """kind -> the distinct IDs whose names these paths need in these (chosen) job data."""
    fields = sorted({f for f in map(name_field, paths) if f})
    needs: dict[str, set[str]] = defaultdict(set)
    for f in fields:
        needs[NAME_FIELDS[f]]  # a kind the recipe asks for is planned even when no row has its ID
    for job in jobs:
        for f in fields:
            needs[NAME_FIELDS[f]].update(ids_of(job, f))
    return dict(needs)


@dataclass
class NameCell:
    value: Any = None
    notes: list[Message] = field(default_factory=list)
    comparable: bool = True  # False: a name is unknown (no scope, no name, lookup failed): not compared


def render_name(job: JobData, path: str, book: NameBook, locale: str | None, header: str) -> NameCell:
    """The cell of a `.name` path for this job data."""
    id_field = name_field(path)
    assert id_field is not None, path
    kind = NAME_FIELDS[id_field]
    if kind in book.missing_scopes:
        return NameCell(comparable=False)
    cell = NameCell()
    parts = []
    rates = job.field(id_field) if id_field == "cost_center_rate" else None
    for the_id in ids_of(job, id_field):
        if the_id in book.failed.get(kind, {}):
            cell.notes.append(failure_note(header, book.failed[kind][the_id]))
            cell.comparable = False
            continue
        name = pick_name(book.lookup(kind, the_id), locale)
        if name is None:
            # The status does not change for a missing name (spec 2a): nor does a compare against it.
            cell.notes.append(Message("note.no_name", field=header, id=the_id))
            cell.comparable = False
            continue
        if rates is not None:
            rate = next((r.rate for r in rates if r.cost_center_id == the_id), None)
            name = f"{name}:{as_text(render(rate, locale))}"
        parts.append(name)
    cell.value = "; ".join(parts) if parts else None
    return cell
