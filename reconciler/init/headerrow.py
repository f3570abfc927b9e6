"""Finding the header row of a sheet nobody has described yet.

`header_row: auto` in a recipe looks for the row holding the headers the recipe
names; `init` has no names yet, so it takes the first row, within the first 20,
that looks like a header: at least half as many non-empty cells as the widest of
those rows, and mostly text that is not itself a value (a number, a date, an
email, a mobile). A title row ("2026年入职核对表") above the header has one cell,
so it is passed over; a sheet without a header row is refused, not guessed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import SheetError
from reconciler.messages.render import Message
from reconciler.model import Cell
from reconciler.matching.normalize import normalise_email, normalise_mobile

# One open for the first rows: list_headers() would open the workbook once per row tried.
from reconciler.sheets.grid import open_grid
from reconciler.sheets.read import HEADER_SEARCH_ROWS

_VALUE_LIKE = re.compile(r"[+\-]?[\d\s,.\-/:()年月日]+")
TEXT_SHARE = 0.75


@dataclass(frozen=True)
class HeaderRow:
    sheet: str | None  # None for .csv
    number: int  # 1-based
    headers: list[str]  # trimmed, by column; "" for a blank header cell


def _is_header_text(cell: Cell) -> bool:
    text = cell.text.strip()
    if not text or not isinstance(cell.value, str) or _VALUE_LIKE.fullmatch(text):
        return False
    return not (normalise_email(cell).valid or normalise_mobile(cell).valid)


def looks_like_header(cells: list[Cell], widest: int) -> bool:
    filled = [c for c in cells if not c.is_blank]
    if not filled or len(filled) < max(1, math.ceil(widest / 2)):
        return False
    return sum(_is_header_text(c) for c in filled) / len(filled) >= TEXT_SHARE


def where(path: Path, sheet: str | None) -> Message | str:
    return Message("where.sheet", sheet=sheet, file=path.name) if sheet is not None else path.name


def find_header_row(path: Path, sheet: str | None = None) -> HeaderRow:
    grid = open_grid(path, sheet)
    try:
        first = list(grid.rows(1, HEADER_SEARCH_ROWS, None))
        name = grid.name
    finally:
        grid.close()
    widest = max((sum(not c.is_blank for c in cells) for cells in first), default=0)
    if widest == 0:
        raise SheetError("init.no_rows", where=where(path, name), n=HEADER_SEARCH_ROWS)
    for number, cells in enumerate(first, start=1):
        if looks_like_header(cells, widest):
            headers = [c.text.strip() for c in cells]
            while headers and not headers[-1]:
                headers.pop()
            return HeaderRow(name, number, headers)
    raise SheetError("init.no_header", where=where(path, name), n=HEADER_SEARCH_ROWS)
