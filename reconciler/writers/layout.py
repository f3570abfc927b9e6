"""The layout decisions both xlsx writers take, made in one place.

The openpyxl writer (xlsx.py) and the streaming writer (xlsx_stream.py with
sheet_rows.py, sheetxml.py) hold the workbook differently (objects / bytes) but
must decide the same things the same way: which inputs each can copy (suffixes),
where the autofilter starts, whether an Excel table at the header row takes the
place of the sheet's filter, what a mismatch comment says, and the warnings for
cells left alone. Each writer reads what it needs from its own representation and
asks here. `CellChange` is what the streaming writer does to an existing cell.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries

from reconciler.messages.render import Message
from reconciler.model import WriteContext
from reconciler.writers.added import AddedSheet, free_titles
from reconciler.writers.annotation import labels_for
from reconciler.writers.review import review_sheet
from reconciler.writers.summary import summary_sheet
from reconciler.writers.common import text_of

# Workbooks a writer copies; any other input (.csv) becomes a new workbook of the rows read.
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm"})
# Workbooks that may hold macros: the copy keeps them only when it has one of these suffixes too.
MACRO_SUFFIXES = frozenset({".xlsm", ".xltm"})
COMMENT_AUTHOR = "reconciler"


@dataclass(frozen=True, slots=True)
class CellChange:
    """What a writer does to one cell in a column the sheet already has.

    `write`: the cell gets `value`, stored as its column `kind` asks ("text",
    "value", "status", "note"); False: its content stays as it is and only `fill`
    (a solid RGB, or None) is added to its style.
    """

    row: int
    column: int  # 1-based
    value: Any = None
    kind: str = "value"
    fill: str | None = None
    write: bool = True

    def filled(self, fill: str | None) -> CellChange:
        return replace(self, fill=fill)


def keeps_macros(input_suffix: str, output_suffix: str) -> bool:
    """Whether the copy can hold the input's macro project: Excel refuses an .xlsx
    whose content type says macro-enabled."""
    return input_suffix.lower() in MACRO_SUFFIXES and output_suffix.lower() in MACRO_SUFFIXES


def comment_text(feishu_value: Any, locale: str) -> str:
    """The comment on a compare cell that differs from Feishu: Feishu's value."""
    feishu, blank = _comment_labels(locale)
    shown = ILLEGAL_CHARACTERS_RE.sub("", text_of(feishu_value)) or blank
    return f"{feishu}: {shown}"


@functools.lru_cache(maxsize=8)  # one comment per mismatching cell: all the labels were rendered for each
def _comment_labels(locale: str) -> tuple[str, str]:
    labels = labels_for(locale)
    return labels["feishu"], labels["blank"]


def merged_warnings(skipped: Iterable[str], sheet_name: str) -> list[Message]:
    """One warning per output column whose cells a merge covers (those cells are left unchanged)."""
    return [Message("warning.merged_cells", header=repr(h), sheet=repr(sheet_name))
            for h in sorted(skipped)]


def table_at_header(table_refs: Iterable[str], header_row: int) -> bool:
    """Whether an Excel table's range (e.g. "A3:E9") spans the header row."""
    for ref in table_refs:
        _, min_row, _, max_row = range_boundaries(ref)
        if min_row <= header_row <= max_row:
            return True
    return False


def frozen_top_left(column: str, header_row: int) -> str:
    """The frozen pane's top-left cell: the rows down to the header frozen, columns
    left of `column` ("A" for none) frozen."""
    return f"{column}{header_row + 1}"


FREEZE_LABELS_WITHIN = 3  # spec 6a: label columns this far left are frozen with the header rows


def frozen_column(ctx: WriteContext, existing: str = "A") -> str:
    """The first column that scrolls. When the last of source.label_columns is within the
    first three columns, the columns up to it stay in view (a row's name beside its
    status, however far right one scrolls); the sheet's own frozen columns are kept
    when they reach further."""
    keep = column_index_from_string(existing) - 1
    if ctx.label_columns:
        last = ctx.sheet.column_index(ctx.label_columns[-1])
        if last is not None and last < FREEZE_LABELS_WITHIN:
            keep = max(keep, last + 1)
    return get_column_letter(keep + 1)


def print_title_rows(header_row: int) -> str:
    """The rows every printed page repeats: the title rows and the header row ("1:3")."""
    return f"1:{header_row}"


@dataclass(frozen=True)
class FilterDecision:
    ref: str | None  # the autofilter's range; None: the sheet gets no filter of its own
    warnings: list[Message]


def auto_filter(sheet_name: str, header_row: int, last_column: int, last_row: int, *,
                existing: str | None, table_at_header: bool) -> FilterDecision:
    """The autofilter over the header row and everything below it, out to the added columns.

    An Excel table at the header row (`table_at_header`) has a filter of its own: the
    sheet then gets none (Excel refuses both), with a warning. An existing filter on
    the header row keeps its first column, so that its criteria keep their columns.
    """
    if table_at_header:
        return FilterDecision(None, [Message("warning.table_filter", sheet=repr(sheet_name))])
    start = "A"
    if existing:
        min_col, min_row, _, _ = range_boundaries(existing)
        if min_row == header_row and min_col:
            start = get_column_letter(min_col)
    return FilterDecision(f"{start}{header_row}:{get_column_letter(last_column)}{last_row}", [])


def added_sheets(ctx: WriteContext, sheet_names: list[str], reconciled_title: str) -> list[AddedSheet]:
    """The sheets both writers add after the workbook's own, in tab order: the Summary,
    then the review sheet; titles in ctx.locale, clear of the workbook's own names."""
    summary_title, review_title = free_titles(sheet_names, ["sheet.summary", "sheet.review"], ctx.locale)
    review = review_sheet(ctx, review_title, reconciled_title)
    return [summary_sheet(ctx, summary_title, reconciled_title, review), review.sheet]


def add_warnings(ctx: WriteContext, warnings: Iterable[Message]) -> None:
    """Add warnings to the run's Summary, each once."""
    for warning in warnings:
        if warning not in ctx.summary.warnings:
            ctx.summary.warnings.append(warning)
