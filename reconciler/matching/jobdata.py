"""Joining job data onto a row: which version, which fields, and what differs.

Where an employee has several current job data, the primary one is joined.
With `as_of`, the primary version effective on the row's date is joined
(effective_time <= date < expiration_time, absent expiration = open-ended);
none is `not_found`, with no fallback to another version (spec section 4).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from reconciler.feishu import EmployeeJobData, JobData
from reconciler.model import Cell, SheetRow
from reconciler.feishu.names import NameBook
from reconciler.matching.feishu_values import as_text, render
from reconciler.matching.names import render_name
from reconciler.recipe.namepaths import name_field
from reconciler.messages.render import InvalidValue, Message, join

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y")


@dataclass
class JobDecision:
    status: str
    values: dict[str, Any] = field(default_factory=dict)  # output header -> value
    mismatches: dict[str, str] = field(default_factory=dict)  # compare header -> Feishu's text
    notes: list[Message | str] = field(default_factory=list)

    @property
    def note(self) -> str:
        """The notes as one en-US text."""
        return join(self.notes)


def parse_date(cell: Cell) -> dt.datetime | None:
    """A date cell or a date typed as text; None when blank. Raises ValueError when unreadable."""
    if isinstance(cell.value, dt.datetime):
        return cell.value
    if isinstance(cell.value, dt.date):
        return dt.datetime.combine(cell.value, dt.time())
    text = cell.text.strip()
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise InvalidValue("note.not_a_date", text=text)


def _time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


def _primary(items: list[JobData]) -> list[JobData]:
    flagged = [i for i in items if i.primary_job_data]
    if flagged:
        return flagged
    # No item says primary: only an unflagged single item can stand for it.
    return [i for i in items if i.primary_job_data is None]


def effective_on(items: list[JobData], when: dt.datetime) -> list[JobData]:
    chosen = []
    for item in items:
        start, end = _time(item.effective_time), _time(item.expiration_time)
        if (start is None or start <= when) and (end is None or when < end):
            chosen.append(item)
    return chosen


def choose_job_data(items: list[JobData], as_of: dt.datetime | None, *, all_versions: bool) -> tuple[JobData | None, Message | str]:
    """The job data to join, and a note when the choice needs explaining."""
    pool = items
    if all_versions:
        # Every version was fetched: keep those effective on the date (today when no date).
        pool = effective_on(items, as_of or dt.datetime.now())
    candidates = _primary(pool)
    if not candidates:
        if as_of is not None:
            return None, Message("note.none_effective", date=f"{as_of:%Y-%m-%d}")
        return None, Message("note.none_current")
    candidates.sort(key=lambda i: (i.effective_time or "", i.version_id or ""), reverse=True)
    note = Message("note.several_effective", count=len(candidates)) if len(candidates) > 1 else ""
    return candidates[0], note


def choose_for_row(*, key_cell: Cell, fetched: EmployeeJobData | None, as_of_cell: Cell | None,
                   memo: dict | None = None) -> tuple[JobData | None, JobDecision | None, list[Message | str]]:
    """The job data a row joins and the notes so far, or (None, the row's decision, []) when there is none.

    `memo` (a dict kept for one run) remembers each employee's choice when the rows have no
    as_of date: an employee's rows all join the same version (a sheet lists an employee
    on ~30 rows at 100,000 rows and 3,000 employees)."""
    if key_cell.is_blank:
        return None, JobDecision("no_key", notes=[Message("note.key_empty")]), []
    if fetched is None or fetched.error:
        return None, JobDecision("error", notes=[fetched.error if fetched else Message("note.job_not_looked_up")]), []
    if as_of_cell is not None or memo is None:
        return _choose(fetched, as_of_cell)
    found = memo.get(("choice", id(fetched)))
    if found is None or found[0] is not fetched:  # the object kept with its id: an id is reused once freed
        found = memo[("choice", id(fetched))] = (fetched, *_choose(fetched, None))
    _, chosen, decided, notes = found
    if decided is not None:  # each row gets its own decision: a plugin may change one row's
        decided = JobDecision(decided.status, notes=list(decided.notes))
    return chosen, decided, list(notes)


def _choose(fetched: EmployeeJobData, as_of_cell: Cell | None) -> tuple[JobData | None, JobDecision | None, list]:
    as_of = None
    notes: list[Message | str] = []
    if as_of_cell is not None:
        try:
            as_of = parse_date(as_of_cell)
        except InvalidValue as exc:
            return None, JobDecision("error", notes=[Message("note.as_of_invalid", reason=exc.message)]), []
        if as_of is None:
            notes.append(Message("note.as_of_empty"))
    if not fetched.items:
        return None, JobDecision("not_found", notes=[Message("note.no_job_data")]), []
    chosen, why = choose_job_data(list(fetched.items), as_of, all_versions=as_of_cell is not None)
    if chosen is None:
        return None, JobDecision("not_found", notes=[why, *notes]), []
    notes.append(why)
    return chosen, None, notes


def join_job_data(
    *,
    key_cell: Cell,
    fetched: EmployeeJobData | None,
    as_of_cell: Cell | None,
    columns: dict[str, str],
    compare: dict[str, str],
    row: SheetRow,
    locale: str,
    names: NameBook | None = None,
    memo: dict | None = None,
) -> JobDecision:
    """The row's job-data decision; `memo` (a dict kept for one run) remembers what each
    employee's chosen record gives every row (its choice, values and names)."""
    chosen, decided, notes = choose_for_row(key_cell=key_cell, fetched=fetched, as_of_cell=as_of_cell, memo=memo)
    if chosen is None:
        return decided  # type: ignore[return-value]
    found = memo.get(("view", id(chosen))) if memo is not None else None
    if found is None or found[0] is not chosen:
        found = (chosen, *_view(chosen, columns, compare, locale, names or NameBook()))
        if memo is not None:
            memo[("view", id(chosen))] = found
    _, values, column_notes, compared = found
    notes.extend(n for n in column_notes if n not in notes)
    mismatches: dict[str, str] = {}
    for header, (theirs, comparable, path_notes) in compared.items():
        mine = as_text(row.get(header).text)
        if not mine:
            continue  # a blank compare cell is not compared
        notes.extend(n for n in path_notes if n not in notes)
        if not comparable:
            continue  # Feishu's name is not known (no scope, lookup failed): nothing to compare with
        if mine != theirs:
            mismatches[header] = theirs
            notes.append(Message("note.differs", header=header, mine=mine, theirs=theirs or Message("note.empty_value")))
    status = "mismatch" if mismatches else "found"
    return JobDecision(status, values, mismatches, [n for n in notes if n])


def _view(chosen: JobData, columns: dict[str, str], compare: dict[str, str], locale: str, book: NameBook):
    """What a record gives every row joining it: (values by header, the notes of its names,
    compare header -> (Feishu's value as compared (`as_text`), comparable, the notes of its name))."""
    def value_of(path: str, header: str) -> tuple[Any, bool, list]:
        if name_field(path) is None:
            return render(chosen.field(path), locale), True, []
        cell = render_name(chosen, path, book, locale, header)
        return cell.value, cell.comparable, list(cell.notes)

    values: dict[str, Any] = {}
    column_notes: list = []
    for path, header in columns.items():
        value, _, path_notes = value_of(path, header)
        values[header] = value
        column_notes.extend(n for n in path_notes if n not in column_notes)
    compared = {}
    for header, path in compare.items():
        value, comparable, path_notes = value_of(path, header)
        compared[header] = (as_text(value), comparable, path_notes)
    return values, column_notes, compared
