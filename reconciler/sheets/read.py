"""Read the sheet a recipe reconciles into `Sheet` / `SheetRow` / `Cell`.

Finding the header row (a number, or `auto`: the first of the first 20 rows
holding every mapped header) and building the rows, from a grid that
`reconciler.sheets.grid` opens (python-calamine, openpyxl or csv, rendering each
cell as the text a person sees).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from openpyxl.utils import get_column_letter

from reconciler.errors import SheetError
from reconciler.memory import gc_paused, give_back_memory
from reconciler.messages.render import Message
from reconciler.model import BLANK, Cell, Sheet, SheetRow
from reconciler.sheets.csvfile import CsvGrid
from reconciler.sheets.grid import (  # noqa: F401 - cell_text is re-exported
    _CalamineGrid,
    _ExcelGrid,
    _open,
    cell_text,
)

HEADER_SEARCH_ROWS = 20
HeaderRow = int | Literal["auto"]


def _texts(cells: list[Cell]) -> list[str]:
    texts = [c.text.strip() for c in cells]
    while texts and not texts[-1]:
        texts.pop()
    return texts


def _where(path: Path, name: str | None) -> Message | str:
    return Message("where.sheet", sheet=name, file=path.name) if name is not None else str(path.name)


def _find_header(
    grid: _ExcelGrid | _CalamineGrid | CsvGrid, path: Path, header_row: HeaderRow, required: list[str],
    closest: bool = False,
) -> tuple[int, list[str]]:
    """(1-based header row, header texts trimmed, trailing blanks dropped).

    With `closest`, a sheet where no row holds every required header answers the row
    holding the most of them instead of raising (to say which ones are missing)."""
    where = _where(path, grid.name)
    if header_row != "auto":
        if isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1:
            raise SheetError("error.header_row_value", value=repr(header_row))
        found = next(grid.rows(header_row, header_row, None), [])
        headers = _texts(found)
        if not headers:
            raise SheetError("error.header_row_empty", row=header_row, where=where)
        missing = [h for h in required if h not in headers]
        if missing and not closest:
            raise SheetError("error.header_row_lacks", row=header_row, where=where, missing=missing,
                             found=[h for h in headers if h])
        return header_row, headers
    widest: tuple[int, list[str]] | None = None
    best: tuple[int, int, list[str]] = (0, 0, [])  # (required headers held, row, headers)
    for number, cells in enumerate(grid.rows(1, HEADER_SEARCH_ROWS, None), start=1):
        headers = _texts(cells)
        if not headers:
            continue
        filled = sum(1 for h in headers if h)
        if widest is None or filled > sum(1 for h in widest[1] if h):
            # with none of the headers found, the row with the most cells is the header row a person
            # sees (a title row above it holds one cell)
            widest = (number, headers)
        held = sum(h in headers for h in required)
        if held == len(required):
            return number, headers
        if held > best[0]:
            best = (held, number, headers)
    if widest is None:
        if not any(_texts(cells) for cells in grid.rows(HEADER_SEARCH_ROWS + 1, None, None)):
            raise SheetError("error.sheet_empty", where=where)
        raise SheetError("error.nothing_in_first_rows", where=where, n=HEADER_SEARCH_ROWS)
    number, headers = best[1:] if best[0] else widest
    if closest:
        return number, headers
    which = Message("which.closest_row" if best[0] else "which.first_row")
    raise SheetError("error.header_not_found", n=HEADER_SEARCH_ROWS, where=where, required=list(required),
                     which=which, row=number, found=[h for h in headers if h])


def _duplicate_warnings(where: str, headers: list[str]) -> list[str]:
    first_column: dict[str, int] = {}
    warnings = []
    for index, header in enumerate(headers):
        if not header:
            continue
        if header in first_column:
            first = get_column_letter(first_column[header] + 1)
            warnings.append(Message("warning.duplicate_header", where=where, header=header, first=first,
                                    second=get_column_letter(index + 1)))
        else:
            first_column[header] = index
    return warnings


# ---------------------------------------------------------------- public API


def list_headers(
    path: str | Path, sheet: str | None = None, header_row: HeaderRow = "auto", required_headers: Sequence[str] = (),
    *, closest: bool = False,
) -> tuple[str | None, int, list[str]]:
    """(sheet name, 1-based header row, header texts) without reading the data rows.

    `closest`: when no row holds every required header, the row holding the most."""
    path = Path(path)
    grid = _open(path, sheet)
    try:
        number, headers = _find_header(grid, path, header_row, [h.strip() for h in required_headers], closest)
        return grid.name, number, headers
    finally:
        grid.close()


def read_sheet(
    path: str | Path,
    *,
    sheet: str | None = None,
    header_row: HeaderRow = "auto",
    required_headers: Sequence[str] = (),
    keep_layout: bool = False,
) -> Sheet:
    """Read one sheet: the header row and every non-blank row below it.

    A blank row (every cell under a header blank) is dropped here, once: no later
    stage looks at it, and the writers leave it blank. A header that appears twice
    is read from its first column, with a warning in `Sheet.warnings`. `keep_layout`:
    also learn the worksheet part's layout for a streaming copy of it
    (`reconciler.ooxml.worksheet`), when the sheet is read from its XML.
    """
    path = Path(path)
    grid = _open(path, sheet, keep_layout)
    try:
        number, headers = _find_header(grid, path, header_row, [h.strip() for h in required_headers])
        warnings = _duplicate_warnings(_where(path, grid.name), headers)
        with gc_paused():
            rows, blank_formula_rows = _data_rows(grid, number, headers)
        return Sheet(path, grid.name, number, headers, rows, warnings, blank_formula_rows)
    finally:
        grid.close()
        give_back_memory()  # the reader's own copy of the sheet


def _data_rows(
    grid: _ExcelGrid | _CalamineGrid | CsvGrid, header_row: int, headers: list[str]
) -> tuple[list[SheetRow], list[SheetRow]]:
    """(the non-blank rows, the blank rows holding a formula without a saved value)."""
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        if header:
            columns.setdefault(header, index)  # a repeated header reads its first column
    rows: list[SheetRow] = []
    formula_rows: list[SheetRow] = []
    # A blank row with an unsaved formula counts only if a non-blank row follows
    # (as every row did when blank rows were kept up to the last non-blank one).
    pending: list[SheetRow] = []
    indexes = list(columns.values())
    for row_number, cells in enumerate(grid.rows(header_row + 1, None, len(headers)), start=header_row + 1):
        if all(cells[index] is BLANK or cells[index].is_blank for index in indexes):
            if any(cells[index].unsaved_formula for index in indexes):
                pending.append(SheetRow._at_columns(row_number, columns, cells))
            continue
        if pending:
            formula_rows += pending
            pending.clear()
        rows.append(SheetRow._at_columns(row_number, columns, cells))
    return rows, formula_rows
