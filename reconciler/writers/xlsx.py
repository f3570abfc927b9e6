"""The annotated-copy writer (spec section 6).

An .xlsx/.xlsm input is loaded with openpyxl, the reconciled sheet gets the output
columns, status fills, mismatch comments, a frozen header row and an autofilter,
a Summary sheet is added, and the copy is saved under a temporary name and
renamed. A .csv input becomes a one-sheet workbook holding the text as read.

openpyxl does not keep everything a workbook can hold; what the input has that
the copy may lose is found up front (by part name) and reported as warnings on
the Summary sheet. The input itself is only ever read.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import math
import re
import warnings
import zipfile
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from reconciler.errors import SheetError
from reconciler.messages.render import Message
from reconciler.model import WriteContext
from reconciler.writers.added import AddedSheet
from reconciler.writers.annotation import MISMATCH_FILL, added_width, display_width, place_columns, shown_status
from reconciler.writers.common import atomic_output, check_output_path, looks_like_formula, outcome_value, text_of
from reconciler.writers.lost_parts import lost_parts_warning
from reconciler.writers.layout import (
    COMMENT_AUTHOR,
    EXCEL_SUFFIXES,
    add_warnings,
    auto_filter,
    comment_text,
    added_sheets,
    frozen_column,
    frozen_top_left,
    keeps_macros,
    merged_warnings,
    print_title_rows,
    table_at_header,
)

_INVALID_TITLE_CHARS = re.compile(r"[\[\]:*?/\\]")

# openpyxl warns while loading about what it discards; these words mark such warnings.
_LOSS_WORDS = ("removed", "lost", "dropped", "discarded")


def write_xlsx(ctx: WriteContext) -> Path:
    """Write the annotated copy of `ctx.input_path` to `ctx.output_path` and return that path.

    The streaming writer (xlsx_stream) handles .xlsx inputs and keeps every part of
    the input; what it cannot handle (a .csv input, a macro workbook saved as .xlsx,
    comments to add beside existing ones...) goes through openpyxl.
    """
    from reconciler.writers.xlsx_stream import write_streaming

    written = write_streaming(ctx)
    return written if written is not None else write_xlsx_openpyxl(ctx)


def write_xlsx_openpyxl(ctx: WriteContext) -> Path:
    """The annotated copy through openpyxl: the whole workbook loaded, changed and saved."""
    check_output_path(ctx)  # fail before the (possibly slow) load
    found: list[str] = []
    workbook, sheet = _open_copy(ctx, found)
    try:
        found.extend(_annotate(sheet, ctx))
        if Path(ctx.input_path).suffix.lower() in EXCEL_SUFFIXES:
            # Measured, not guessed: made in memory once, compared with the input part by part,
            # so the Summary names exactly what the copy lacks before the copy is written.
            trial = io.BytesIO()
            workbook.save(trial)
            found.extend(lost_parts_warning(Path(ctx.input_path), trial.getvalue()))
        add_warnings(ctx, found)
        for added in added_sheets(ctx, workbook.sheetnames, sheet.title):
            _add_sheet(workbook, added)
        with atomic_output(ctx) as tmp:
            workbook.save(tmp)
    finally:
        if workbook.vba_archive is not None:
            workbook.vba_archive.close()  # it holds the input open (Windows would keep it locked)
    return Path(ctx.output_path)


def _open_copy(ctx: WriteContext, found: list[str]) -> tuple[Workbook, Worksheet]:
    source = Path(ctx.input_path)
    suffix = source.suffix.lower()
    if suffix not in EXCEL_SUFFIXES:
        if suffix != ".csv":
            found.append(Message("warning.copy_as_text", suffix=suffix))
        return _workbook_from_rows(ctx)
    keep_vba = keeps_macros(suffix, Path(ctx.output_path).suffix)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            workbook = load_workbook(source, keep_vba=keep_vba, rich_text=True)
        except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
            raise SheetError("error.cannot_copy", path=source, reason=str(exc)) from exc
    for warning in caught:
        message = str(warning.message)
        if any(word in message for word in _LOSS_WORDS) and "DrawingML" not in message:  # shapes: lost_parts names them
            found.append(Message("warning.openpyxl_loss", detail=message))
    workbook.template = False  # the copy is a workbook, whatever the input was
    name = ctx.sheet.name
    if name is None:
        return workbook, workbook.worksheets[0]
    if name not in workbook.sheetnames:
        raise SheetError("error.sheet_gone", sheet=repr(name), name=source.name, sheets=", ".join(workbook.sheetnames))
    return workbook, workbook[name]


def sheet_title(stem: str) -> str:
    """A valid worksheet title for a file stem (Excel: <= 31 chars, no []:*?/\\, not quoted)."""
    title = _INVALID_TITLE_CHARS.sub("_", stem).strip("'")[:31]
    if title.lower() == "history":  # reserved by Excel
        title += "_"
    return title or "Sheet1"


def _workbook_from_rows(ctx: WriteContext) -> tuple[Workbook, Worksheet]:
    """A new workbook holding the input's header and rows as the text that was read."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(Path(ctx.input_path).stem)
    if Path(ctx.input_path).suffix.lower() == ".csv":
        _copy_title_rows(sheet, Path(ctx.input_path), ctx.sheet.header_row)
    headers = ctx.sheet.headers
    # A row's cells are keyed by header: a repeated header's first column holds them.
    columns = [(i, h) for i, h in enumerate(headers, start=1) if h and headers.index(h) == i - 1]
    for index, header in enumerate(headers, start=1):
        if header:
            _put(sheet.cell(ctx.sheet.header_row, index), header, "text")
    for row in ctx.sheet.rows:
        for index, header in columns:
            if not row.get(header).is_blank:
                _put(sheet.cell(row.number, index), row.get(header).text, "text")
    return workbook, sheet


def _copy_title_rows(sheet: Worksheet, source: Path, header_row: int) -> None:
    """The rows above a .csv file's header (a title, the date of the export...), cell for cell."""
    if header_row <= 1:
        return
    from reconciler.sheets.csvfile import CsvGrid

    grid = CsvGrid(source)
    try:
        for number, cells in enumerate(grid.rows(1, header_row - 1, None), start=1):
            for index, cell in enumerate(cells, start=1):
                if not cell.is_blank:
                    _put(sheet.cell(number, index), cell.text, "text")
    finally:
        grid.close()


def _put(cell: Cell, value: Any, kind: str) -> None:
    """Store `value` in `cell` as the type its column kind asks for."""
    if value is None:
        cell.value = None
        return
    if isinstance(value, bool) and kind == "value":
        cell.value = value
    elif isinstance(value, (int, float, decimal.Decimal)) and kind == "value" and math.isfinite(value):
        cell.value = value
    elif isinstance(value, dt.datetime) and kind == "value":
        cell.value = value.astimezone().replace(tzinfo=None) if value.tzinfo else value  # Excel has no time zones
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, dt.date) and kind == "value":
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    else:
        text = ILLEGAL_CHARACTERS_RE.sub("", text_of(value))[:32767]
        cell.value = text
        cell.data_type = "s"  # openpyxl makes "=..." a formula; the tool only ever writes text
        if kind == "text" or looks_like_formula(text):
            cell.number_format = "@"
        if looks_like_formula(text):
            cell.quotePrefix = True  # what Excel sets for '=...: stays text even when edited


def _annotate(sheet: Worksheet, ctx: WriteContext) -> list[str]:
    """Write the output columns, fills, comments, freeze panes and autofilter; return warnings."""
    found: list[str] = []
    header_row = ctx.sheet.header_row
    placement = place_columns(ctx, sheet.max_column)
    placed = placement.columns
    style_source = sheet.cell(header_row, placement.style_column) if placement.style_column else None
    for header, (index, appended) in placed.items():
        if appended:
            _write_header(sheet.cell(header_row, index), header, style_source)

    widths = {header: display_width(header) for header in placed}
    skipped: set[str] = set()
    for row_number, outcome in ctx.outcomes.items():
        for column in ctx.columns:
            index, appended = placed[column.header]
            value = outcome_value(column, outcome, ctx.status_columns, ctx.locale)
            if appended and value is None:
                continue  # don't create empty cells
            cell = sheet.cell(row_number, index)
            if isinstance(cell, MergedCell):
                skipped.add(column.header)
                continue
            fill = None
            if column.kind == "status":
                value, fill = shown_status(value, ctx)
            _put(cell, value, column.kind)
            widths[column.header] = max(widths[column.header], display_width(text_of(value)))
            if fill:
                cell.fill = PatternFill("solid", fgColor=fill)
            if column.kind == "note" and value is not None:
                cell.alignment = _wrapped(cell.alignment)
        _mark_mismatches(sheet, ctx, row_number, outcome.mismatches)
    found += merged_warnings(skipped, sheet.title)

    kinds = {column.header: column.kind for column in ctx.columns}
    for header, (index, appended) in placed.items():
        if appended:
            sheet.column_dimensions[get_column_letter(index)].width = added_width(widths[header], kinds[header])
    _freeze_header(sheet, ctx)
    _print_setup(sheet, header_row)
    has_table = table_at_header([table.ref for table in sheet.tables.values()], header_row)
    decision = auto_filter(sheet.title, header_row, placement.last_column, max(sheet.max_row, header_row),
                           existing=sheet.auto_filter.ref, table_at_header=has_table)
    if decision.ref is not None:
        sheet.auto_filter.ref = decision.ref
    return found + decision.warnings


def _write_header(cell: Cell, header: str, style_source: Cell | None) -> None:
    _put(cell, header, "value")
    if style_source is None or not style_source.has_style:
        cell.font = Font(bold=True)
        return
    font = copy(style_source.font)
    font.b = True
    cell.font = font
    cell.fill = copy(style_source.fill)
    cell.border = copy(style_source.border)
    cell.alignment = copy(style_source.alignment)


def _mark_mismatches(sheet: Worksheet, ctx: WriteContext, row_number: int, mismatches: dict[str, str]) -> None:
    for header, feishu_value in mismatches.items():
        index = ctx.sheet.column_index(header)
        if index is None:
            continue
        cell = sheet.cell(row_number, index + 1)
        if isinstance(cell, MergedCell):
            continue
        cell.comment = Comment(comment_text(feishu_value, ctx.locale), COMMENT_AUTHOR)
        cell.fill = PatternFill("solid", fgColor=MISMATCH_FILL)


def _wrapped(alignment: Alignment) -> Alignment:
    """The cell's alignment, wrapping (a long note shows in full, not cut at the column's edge)."""
    wrapped = copy(alignment)
    wrapped.wrap_text = True
    return wrapped


def _freeze_header(sheet: Worksheet, ctx: WriteContext) -> None:
    """Freeze the rows down to the header and the label columns (layout.frozen_column);
    keep frozen columns the sheet already had."""
    column = "A"
    if sheet.freeze_panes:
        column = coordinate_from_string(sheet.freeze_panes)[0]
    sheet.freeze_panes = frozen_top_left(frozen_column(ctx, column), ctx.sheet.header_row)


def _print_setup(sheet: Worksheet, title_rows: int) -> None:
    """One page wide, as many pages down as it takes, the header rows on every page."""
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    if sheet.page_setup.orientation is None:
        sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = print_title_rows(title_rows)


LINK_FONT = Font(underline="single", color="0563C1")  # Excel's own hyperlink look


def _add_sheet(workbook: Workbook, added: AddedSheet) -> None:
    sheet = workbook.create_sheet(added.title)
    for row, column, item in added.cells():
        cell = sheet.cell(row, column)
        _put(cell, item.value, "value")
        if item.bold:
            cell.font = Font(bold=True)
        if item.link:
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=item.link)
            cell.font = LINK_FONT
        if item.fill:
            cell.fill = PatternFill("solid", fgColor=item.fill)
        if item.wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(added.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row, height in added.heights().items():
        sheet.row_dimensions[row].height = height
    if added.frozen_rows:
        sheet.freeze_panes = f"A{added.frozen_rows + 1}"
        sheet.print_title_rows = print_title_rows(added.frozen_rows)
    if added.filter_ref():
        sheet.auto_filter.ref = added.filter_ref()
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    if added.landscape:
        sheet.page_setup.orientation = "landscape"
