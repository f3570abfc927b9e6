"""What both xlsx writers (openpyxl and streaming) decide the same way.

Labels, status fills, where the output columns go, how wide an added column is,
and the rows of the Summary sheet: kept here so that the two writers cannot drift
apart in what they write, only in how they write it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from reconciler.errors import SheetError
from reconciler.messages.render import render, text
from reconciler.model import JOB_STATUSES, TALENT_STATUSES, WriteContext

# Summary sheet and comment labels: the catalogue's `label.*` keys (reconciler.messages).
LABEL_NAMES = ("recipe", "started_at", "input_file", "sheet", "rows", "talent_status", "job_status", "count", "requests",
               "requests_total", "cache_hits", "retries", "rate_limited", "seconds", "warnings", "none", "feishu", "blank")

# Fill colour (RGB) of a status cell; Excel's own good/neutral/bad tints where they fit.
STATUS_FILLS: dict[str, str] = {
    "matched": "C6EFCE",  # green
    "found": "C6EFCE",
    "partial": "FFEB9C",  # amber
    "mismatch": "FFEB9C",
    "not_found": "D9D9D9",  # grey
    "no_key": "EDEDED",  # light grey
    "ambiguous": "FCD5B4",  # light orange
    "conflict": "F8CBAD",  # orange
    "invalid": "FFC7CE",  # light red
    "error": "FF9B9B",  # red
}
MISMATCH_FILL = "FFF2CC"  # a subtle amber on a compare cell that differs from Feishu

MAX_ADDED_WIDTH = 50
SUMMARY_WIDTHS = {"A": 28, "B": 32}
HEADER, STATUS = "#header", "#status"  # marks of Summary rows: bold heading, status label with its fill


def labels_for(locale: str) -> dict[str, str]:
    """The Summary sheet's and the comments' labels in `locale` (zh* -> zh-CN, anything else en-US)."""
    return {name: text(f"label.{name}", locale) for name in LABEL_NAMES}


def display_width(text: str) -> int:
    """Columns a text takes in Excel: East Asian wide characters count twice."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def added_width(width: int) -> float:
    return min(max(width + 2, 10), MAX_ADDED_WIDTH)


EXCEL_MAX_COLUMNS = 16_384  # column XFD


@dataclass
class Placement:
    """Where each output column goes: header -> (1-based column, appended?)."""

    columns: dict[str, tuple[int, bool]]
    last_column: int  # the last column the sheet uses once the output columns are added
    style_column: int  # the last header's column (the added headers copy its style), 0 if none


def place_columns(ctx: WriteContext, used_columns: int) -> Placement:
    """An output column the sheet already has is filled in place; the others are appended
    after the last used column (`used_columns` counts cells beyond the header's width too:
    nothing there is overwritten)."""
    last_header = max((i + 1 for i, h in enumerate(ctx.sheet.headers) if h.strip()), default=0)
    next_column = max(used_columns, last_header, len(ctx.sheet.headers)) + 1
    placed: dict[str, tuple[int, bool]] = {}
    for column in ctx.columns:
        if column.header in placed:
            continue
        existing = ctx.sheet.column_index(column.header)
        if existing is not None:
            placed[column.header] = (existing + 1, False)
        else:
            placed[column.header] = (next_column, True)
            next_column += 1
    if next_column - 1 > EXCEL_MAX_COLUMNS:  # beyond XFD Excel refuses to open the file
        appended = sum(1 for _, added in placed.values() if added)
        raise SheetError("error.no_room_for_columns", sheet=ctx.sheet.name or Path(ctx.input_path).name,
                         needed=appended, last=get_column_letter(min(used_columns, EXCEL_MAX_COLUMNS)))
    return Placement(placed, max(next_column - 1, 1), last_header)


def summary_title(sheet_names: list[str]) -> str:
    taken = {name.lower() for name in sheet_names}
    candidates = ["Summary", "Summary (reconciler)"] + [f"Summary (reconciler) {n}" for n in range(2, 100)]
    return next(c for c in candidates if c.lower() not in taken)


def summary_rows(ctx: WriteContext, sheet_name: str) -> list[tuple[Any, ...]]:
    """The Summary sheet, row by row; a row starting with HEADER or STATUS is marked so."""
    labels = labels_for(ctx.locale)
    summary = ctx.summary
    started = summary.started_at.astimezone() if summary.started_at.tzinfo else summary.started_at
    has_job = bool(summary.job_counts) or "job_data" in ctx.status_columns
    has_talent = bool(summary.talent_counts) or "talent" in ctx.status_columns or not has_job
    rows: list[tuple[Any, ...]] = [
        (labels["recipe"], summary.recipe_name),
        (labels["started_at"], started.isoformat(timespec="seconds")),
        (labels["input_file"], Path(ctx.input_path).name),
        (labels["sheet"], sheet_name),
        (labels["rows"], summary.rows or len(ctx.outcomes)),
    ]
    for present, title, statuses, counts in (
        (has_talent, labels["talent_status"], TALENT_STATUSES, summary.talent_counts),
        (has_job, labels["job_status"], JOB_STATUSES, summary.job_counts),
    ):
        if present:
            extra = tuple(s for s in counts if s not in statuses)  # a plugin's own statuses
            rows += [(), (HEADER, title, labels["count"])]
            rows += [(STATUS, status, counts.get(status, 0)) for status in statuses + extra]
    rows += [(), (HEADER, labels["requests"], "")]
    rows += [(endpoint, count) for endpoint, count in summary.requests.items()]
    rows += [
        (labels["requests_total"], sum(summary.requests.values())),
        (labels["cache_hits"], summary.cache_hits),
        (labels["retries"], summary.retries),
        (labels["rate_limited"], summary.rate_limited),
        (labels["seconds"], round(summary.seconds, 2)),
        (),
        (HEADER, labels["warnings"], ""),
    ]
    rows += [(render(warning, ctx.locale),) for warning in summary.warnings] or [(labels["none"],)]
    return rows


def summary_cells(rows: list[tuple[Any, ...]]):
    """(row, column, value, bold, fill RGB or None) for every Summary cell."""
    for number, row in enumerate(rows, start=1):
        mark = row[0] if row and row[0] in (HEADER, STATUS) else None
        for index, value in enumerate(row[1:] if mark else row, start=1):
            fill = STATUS_FILLS.get(value) if mark == STATUS and index == 1 and isinstance(value, str) else None
            yield number, index, value, mark == HEADER, fill
