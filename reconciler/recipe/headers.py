"""The sheet headers a recipe maps, and checking them against a sheet's header row.

Only headers the recipe *reads* must exist; output column headers are created
by the writers if the sheet lacks them.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from reconciler.errors import RecipeIssue
from reconciler.messages.render import Message
from reconciler.recipe.models import Recipe
from reconciler.recipe.paths import Loc, format_loc


def mapped_headers(recipe: Recipe) -> list[tuple[Loc, str]]:
    """(location in the recipe, header) of every column the recipe reads, in recipe order."""
    found: list[tuple[Loc, str]] = []
    found.extend((("source", "label_columns", i), header) for i, header in enumerate(recipe.source.label_columns))
    if recipe.talent is not None:
        for kind, spec in recipe.talent.inputs.items():
            base: Loc = ("talent", "inputs", kind)
            found.append((base + ("column",), spec.column))
            if spec.code_column:
                found.append((base + ("code_column",), spec.code_column))
            if spec.type_column:
                found.append((base + ("type_column",), spec.type_column))
    if recipe.job_data is not None:
        job = recipe.job_data
        found.append((("job_data", "key", "column"), job.key.column))
        if job.as_of:
            found.append((("job_data", "as_of"), job.as_of))
        found.extend((("job_data", "compare", header), header) for header in job.compare)
    return found


def required_headers(recipe: Recipe) -> list[str]:
    """The distinct headers the sheet must have, in recipe order (for the header_row: auto search)."""
    return list(dict.fromkeys(header for _, header in mapped_headers(recipe)))


def validate_headers(recipe: Recipe, headers: Sequence[str], *, sheet_label: str) -> list[RecipeIssue]:
    """An issue, at the recipe key that names it, for every mapped header the sheet does not have."""
    present = set(headers)
    listing = [shown_header(h) for h in headers if h and h.strip()] or Message("recipe.no_headers")
    issues = []
    for loc, header in mapped_headers(recipe):
        if header in present:
            continue
        hint = _suggestion(header, headers)
        hint = Message("recipe.did_you_mean", name=shown_header(hint)) if hint else ""
        issues.append(recipe.issue_at(loc, "recipe.header_missing", header=shown_header(header), sheet=sheet_label, hint=hint,
                                      found=listing))
    return issues


def shown_header(header: str) -> str:
    """A header as a message shows it: a line break inside a cell (Alt+Enter) as \\n, so the
    sentence stays on one line and the person sees why the name does not match."""
    return header.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


def _suggestion(header: str, headers: Sequence[str]) -> str | None:
    # Stray spaces and letter case are the usual reasons a header "is missing".
    wanted = header.strip().casefold()
    for candidate in headers:
        if candidate and "".join(candidate.split()).casefold() == "".join(wanted.split()):
            return candidate
    close = difflib.get_close_matches(header, [h for h in headers if h], n=1, cutoff=0.75)
    return close[0] if close else None


def _plain_inputs(data: dict) -> list[tuple[Loc, str]]:
    found: list[tuple[Loc, str]] = []
    talent = data.get("talent") if isinstance(data.get("talent"), dict) else {}
    inputs = talent.get("inputs") if isinstance(talent.get("inputs"), dict) else {}
    for kind, spec in inputs.items():
        base: Loc = ("talent", "inputs", kind)
        if isinstance(spec, str):
            found.append((base, spec))
        elif isinstance(spec, dict):
            found += [(base + (k,), spec[k]) for k in ("column", "code_column", "type_column") if isinstance(spec.get(k), str)]
    return found


def mapped_headers_in_data(data: Any) -> list[tuple[Loc, str]]:
    """`mapped_headers` on a recipe's plain data that did not validate: every header it
    names where it names one, skipping whatever is malformed (that is reported already)."""
    if not isinstance(data, dict):
        return []
    found = _plain_inputs(data)
    source = data.get("source") if isinstance(data.get("source"), dict) else {}
    labels = source.get("label_columns")
    if isinstance(labels, list):
        found += [(("source", "label_columns", i), h) for i, h in enumerate(labels) if isinstance(h, str)]
    job = data.get("job_data") if isinstance(data.get("job_data"), dict) else {}
    key = job.get("key")
    if isinstance(key, dict) and isinstance(key.get("column"), str):
        found.append((("job_data", "key", "column"), key["column"]))
    elif isinstance(key, str):
        found.append((("job_data", "key"), key))
    if isinstance(job.get("as_of"), str):
        found.append((("job_data", "as_of"), job["as_of"]))
    if isinstance(job.get("compare"), dict):
        found += [(("job_data", "compare", h), h) for h in job["compare"] if isinstance(h, str)]
    return found


def header_issues_in_data(document, headers: Sequence[str], *, sheet_label: str) -> list[RecipeIssue]:
    """The missing-header issues of a recipe that did not validate, at their lines: reported
    together with its other problems, so that one `check` shows everything to fix."""
    present = set(headers)
    listing = [shown_header(h) for h in headers if h and h.strip()] or Message("recipe.no_headers")
    issues = []
    for loc, header in mapped_headers_in_data(document.data):
        if header in present:
            continue
        hint = _suggestion(header, headers)
        hint = Message("recipe.did_you_mean", name=shown_header(hint)) if hint else ""
        issues.append(RecipeIssue(document.file, _line(document.lines, loc), format_loc(loc), "recipe.header_missing",
                                  header=shown_header(header), sheet=sheet_label, hint=hint, found=listing))
    return issues


def _line(lines: dict, loc: Loc) -> int | None:
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return None
