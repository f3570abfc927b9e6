"""Opening a spreadsheet file as a grid of `Cell`s, as a person sees them in Excel.

`.xlsx` / `.xlsm` values are read with python-calamine (Rust; ~20x faster than
openpyxl's read-only mode on a 100,000-row sheet). Calamine does not give number
formats, needed to render what a person sees ("000000" pads with zeros), nor error
cells' texts, nor whether a formula was never calculated: those come from a byte
scan of the sheet's XML (`writers.ooxml.cell_marks`). A package calamine or the
scan cannot handle is read with openpyxl in read-only mode instead. `.csv` is read
with the csv module. The input file is only ever opened for reading.

Every cell is rendered to the text Excel shows (see `cell_text`), so "13800138000"
typed into a General cell reaches the normalisers as those digits, not
"13800138000.0" or "1.38E+10". `reconciler.sheets` finds the header row and builds
the rows from a grid.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Context, Decimal
from pathlib import Path
from typing import Any

import openpyxl

from reconciler.errors import SheetError
from reconciler.messages.render import Message
from reconciler.model import BLANK, Cell
from reconciler.ooxml import parts as ooxml, worksheet
from reconciler.sheets import early
from reconciler.sheets.csvfile import CsvGrid
from reconciler.sheets.zipcheck import check_package

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXCEL_DIGITS = Context(prec=15, rounding=ROUND_HALF_UP)  # Excel shows 15 significant digits
_ZERO_PADDED = re.compile(r"0+")  # number formats like "000000": Excel pads with zeros
_UNSUPPORTED = {  # suffix -> the catalogue key naming the format
    ".xls": "format.xls",
    ".xlsb": "format.xlsb",
    ".ods": "format.ods",
    ".numbers": "format.numbers",
    ".et": "format.et",
}


def cell_text(value: Any, number_format: str | None = None) -> str:
    """The text a person sees for a stored cell value.

    Whole numbers show their digits (13800138000.0 -> "13800138000", never "1.38E+10"),
    other numbers at most 15 significant digits like Excel (0.1 + 0.2 -> "0.3"), a
    zero-padded format such as "000000" pads like Excel (123 -> "000123"), booleans
    TRUE/FALSE, dates YYYY-MM-DD (plus HH:MM:SS when the time is not midnight).
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:-1] if value.endswith("\r") else value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _number_text(value, number_format)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return str(value)


def _number_text(value: int | float, number_format: str | None) -> str:
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        number = _EXCEL_DIGITS.plus(Decimal(repr(value)))  # repr: the shortest exact decimal
    else:
        number = Decimal(value)
    if number_format and _ZERO_PADDED.fullmatch(number_format):
        whole = number.to_integral_value(ROUND_HALF_UP)
        text = format(abs(whole), "f").zfill(len(number_format))
        return "-" + text if whole < 0 else text
    if number == number.to_integral_value():
        return format(number.to_integral_value(), "f")
    return format(number.normalize(), "f")


# ---------------------------------------------------------------- opening files


def _check_path(path: Path) -> None:
    if not path.exists():
        raise SheetError("error.file_missing", path=path)
    if path.is_dir():
        raise SheetError("error.is_folder", path=path)
    suffix = path.suffix.lower()
    if suffix in _UNSUPPORTED:
        raise SheetError("error.unsupported_format", name=path.name, kind=Message(_UNSUPPORTED[suffix]))
    if suffix not in EXCEL_SUFFIXES and suffix != ".csv":
        raise SheetError("error.not_spreadsheet", name=path.name)
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise SheetError("error.cannot_open", path=path, reason=exc.strerror) from exc
    if not head:
        raise SheetError("error.file_empty", path=path)


def _excel_failure(path: Path) -> SheetError:
    """Why a file named .xlsx is not one, in words the user can act on."""
    with path.open("rb") as handle:
        data = handle.read(1 << 20)
    if data.startswith(_OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            return SheetError("error.password", name=path.name)
        return SheetError("error.old_or_password", name=path.name, suffix=path.suffix)
    return SheetError("error.damaged", name=path.name, suffix=path.suffix)


class _ExcelGrid:
    """One worksheet of a workbook, read row by row."""

    def __init__(self, path: Path, sheet: str | None):
        if not zipfile.is_zipfile(path):
            raise _excel_failure(path)
        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
        except Exception as exc:  # openpyxl raises many types for a broken package
            raise _excel_failure(path) from exc
        worksheets = self._book.worksheets
        try:
            if not worksheets:
                raise SheetError("error.no_worksheets", name=path.name)
            self._sheet = _pick_sheet(path, worksheets, sheet, others=[c.title for c in self._book.chartsheets])
        except SheetError:
            self.close()  # read-only workbooks keep the file open until closed
            raise
        self._sheet.reset_dimensions()  # some writers store a wrong size; read to the real end
        self.name: str | None = self._sheet.title

    def rows(self, first: int, last: int | None, width: int | None) -> Iterator[list[Cell]]:
        for row in self._sheet.iter_rows(min_row=first, max_row=last, max_col=width):
            yield [BLANK if c.value is None else _excel_cell(c.value, c.number_format) for c in row]

    def close(self) -> None:
        self._book.close()


class _CalamineGrid:
    """One worksheet read with python-calamine, plus number formats and error texts from its XML."""

    def __init__(self, path: Path, sheet: str | None, keep_layout: bool = False):
        from python_calamine import CalamineWorkbook

        stamp = os.stat(path)  # the file as it was before it was read (a layout learned is of this file)
        with zipfile.ZipFile(path) as archive:
            info = ooxml.read_workbook(archive)
            worksheets = [_SheetRef(s.name, s.state, s.part) for s in info.sheets if s.part]
            if not worksheets:
                raise ooxml.PackageError("no worksheets")  # openpyxl words the error
            chosen = _pick_sheet(path, worksheets, sheet, others=[s.name for s in info.sheets if not s.part])
            styles = ooxml.styles_part(info)
            codes = ooxml.xf_number_formats(archive.read(styles) if styles in archive.namelist() else None)
            xml = archive.read(chosen.part)
        self._marks = ooxml.cell_marks(xml, codes)
        if keep_layout:  # while the values are parsed beside (sheets/early.py): see ooxml/worksheet.py
            try:
                worksheet.remember(worksheet.file_identity(path, chosen.part, stamp),
                                   worksheet.layout_of(xml))
            except worksheet.CannotStream:
                pass  # the streaming writer finds the same and leaves the copy to openpyxl's
        del xml
        self._sheet = early.take(path, chosen.title)  # parsed while the program loaded (reconciler run)
        if self._sheet is None:
            self._sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(chosen.title)
        self.name: str | None = chosen.title

    def rows(self, first: int, last: int | None, width: int | None) -> Iterator[list[Cell]]:
        start = self._sheet.start
        if start is None:
            return
        lead = [BLANK] * start[1]  # calamine's rows begin at the first used column
        formats, errors, formulas = self._marks.formats, self._marks.errors, self._marks.formulas
        shared = [_SharedCells() for _ in range(self._sheet.width)]
        for number, values in enumerate(self._sheet.iter_rows(), start=1):
            if number < first:
                continue
            if last is not None and number > last:
                return
            row_formats, row_errors, row_formulas = formats.get(number), errors.get(number), formulas.get(number)
            cells = lead + [BLANK if v == "" else column.cell(v) if type(v) is str and column.on else _calamine_cell(v)
                            for v, column in zip(values, shared)]
            if row_formulas:
                cells += [BLANK] * (max(row_formulas) - len(cells))
            if row_formats or row_errors or row_formulas:
                cells = [_marked(c, col, row_formats, row_errors, row_formulas) for col, c in enumerate(cells, start=1)]
            if width is not None:
                cells = cells[:width] + [BLANK] * (width - len(cells))
            yield cells

    def close(self) -> None:
        self._sheet = None


class _SharedCells:
    """One Cell object for all the equal text cells of a column (names, departments, dates...).

    Cells are immutable, so sharing is safe; on a 100,000-row sheet it saves ~100 MB.
    A column whose values are mostly distinct (mobiles, emails) stops sharing after
    SAMPLE cells: its dictionary would only cost memory.
    """

    SAMPLE = 2000

    def __init__(self) -> None:
        self.cells: dict[str, Cell] = {}
        self.seen = 0
        self.on = True

    def cell(self, value: str) -> Cell:
        found = self.cells.get(value)
        if found is None:
            found = Cell(value, value[:-1] if value[-1] == "\r" else value, "General")
            self.cells[value] = found
        self.seen += 1
        if self.seen == self.SAMPLE and len(self.cells) > self.SAMPLE // 2:
            self.on, self.cells = False, {}
        return found


class _SheetRef:
    """What _pick_sheet needs of a worksheet, without opening it."""

    def __init__(self, title: str, sheet_state: str, part: str):
        self.title, self.sheet_state, self.part = title, sheet_state, part


def _calamine_cell(value: Any) -> Cell:
    kind = type(value)
    if kind is str:
        return Cell(value, value[:-1] if value[-1] == "\r" else value, "General")
    if kind is float and value.is_integer() and -1e15 < value < 1e15:
        value = int(value)  # as openpyxl gives it: Excel stores whole numbers without ".0"
    elif kind is dt.date:
        value = dt.datetime.combine(value, dt.time())  # openpyxl gives dates as datetimes
    return Cell(value, cell_text(value), "General")


def _marked(cell: Cell, column: int, formats: dict | None, errors: dict | None, formulas: set | None = None) -> Cell:
    if formulas and column in formulas and cell.is_blank:
        return Cell(None, "", formats.get(column, "General") if formats else "General", unsaved_formula=True)
    if errors and column in errors:
        text = errors[column]
        return Cell(text, text, formats.get(column, "General") if formats else "General")
    fmt = formats.get(column) if formats else None
    if fmt is None or cell is BLANK:
        return cell
    return Cell(cell.value, cell_text(cell.value, fmt) if cell.is_number else cell.text, fmt)


def _excel_cell(value: Any, number_format: str) -> Cell:
    if type(value) is str:  # most cells: skip cell_text's dispatch (100k-row sheets)
        return Cell(value, value[:-1] if value[-1:] == "\r" else value, number_format)
    return Cell(value, cell_text(value, number_format), number_format)


def _pick_sheet(path: Path, worksheets: list, wanted: str | None, *, others: list[str] = ()):
    """The worksheet to read; `others` are the workbook's sheets that hold no cells (chart sheets)."""
    if wanted is None:  # the first tab a person sees, i.e. skip hidden sheets
        visible = [ws for ws in worksheets if ws.sheet_state == "visible"]
        return (visible or worksheets)[0]
    for ws in worksheets:
        if ws.title == wanted:
            return ws
    loose = [ws for ws in worksheets if ws.title.strip().casefold() == wanted.strip().casefold()]
    if len(loose) == 1:
        return loose[0]
    names = ", ".join(f"'{ws.title}'" for ws in worksheets)
    if wanted in others:
        raise SheetError("error.sheet_is_chart", name=path.name, sheet=wanted, sheets=names)
    raise SheetError("error.no_such_sheet", name=path.name, sheet=wanted, sheets=names)


def _open(path: Path, sheet: str | None, keep_layout: bool = False) -> _ExcelGrid | _CalamineGrid | CsvGrid:
    _check_path(path)
    if path.suffix.lower() == ".csv":
        return CsvGrid(path)
    if zipfile.is_zipfile(path):
        check_package(path)
        try:
            return _CalamineGrid(path, sheet, keep_layout)
        except SheetError:
            raise
        except Exception:  # noqa: BLE001 - anything calamine or the scan cannot read: openpyxl reads it or words why not
            pass
    return _ExcelGrid(path, sheet)


# ---------------------------------------------------------------- header row


open_grid = _open  # the public name: (path, sheet name or None) -> grid with .name, .rows(), .close()
