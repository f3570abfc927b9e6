"""The sheets the tool adds to the workbook (the review sheet, the Summary), as data.

`summary.py` and `review.py` decide what these sheets say; each xlsx writer turns
an `AddedSheet` into its own representation (openpyxl objects in xlsx.py, XML in
xlsx_stream.py), so both writers add the same cells, styles, links, widths,
frozen rows, filter and print settings.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils.cell import get_column_letter, quote_sheetname

from reconciler.messages.render import text
from reconciler.writers.annotation import display_width

# Excel's limits on a sheet name, and the characters it refuses in one.
_MAX_TITLE = 31
_REFUSED = str.maketrans({c: "_" for c in "[]:*?/\\"})
LINE_HEIGHT = 15.0  # points: one line of the default 11-point font


@dataclass(frozen=True, slots=True)
class AddedCell:
    value: Any
    bold: bool = False
    fill: str | None = None  # a solid RGB fill
    wrap: bool = False  # long text wraps inside the column's width, aligned to the top of its row
    link: str | None = None  # a place in this workbook ("'Sheet'!A5") the cell jumps to when clicked


@dataclass
class AddedSheet:
    """One new worksheet: rows of cells (None: nothing in that column), column widths,
    how many rows stay frozen (and repeat on every printed page), an autofilter."""

    title: str
    rows: list[list[AddedCell | None]] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)  # by column, from column A
    frozen_rows: int = 0
    filter_header: int | None = None  # the row whose columns get an autofilter
    landscape: bool = False

    @property
    def last_column(self) -> int:
        return max((len(r) for r in self.rows), default=1) or 1

    def heights(self) -> dict[int, float]:
        """Row heights (points) for rows with wrapped text, tall enough for its lines: Excel works
        them out itself, but LibreOffice and some viewers show a row as high as it was saved."""
        found = {}
        for number, row in enumerate(self.rows, start=1):
            lines = max((wrapped_lines(str(cell.value), self.widths[column] if column < len(self.widths) else 8.43)
                         for column, cell in enumerate(row) if cell is not None and cell.wrap), default=1)
            if lines > 1:
                found[number] = LINE_HEIGHT * lines
        return found

    def filter_ref(self) -> str | None:
        if self.filter_header is None or len(self.rows) <= self.filter_header:
            return None
        return f"A{self.filter_header}:{get_column_letter(self.last_column)}{len(self.rows)}"

    def cells(self):
        """(row, column, cell) for every cell that holds something, 1-based."""
        for number, row in enumerate(self.rows, start=1):
            for column, cell in enumerate(row, start=1):
                if cell is not None:
                    yield number, column, cell


@functools.lru_cache(maxsize=4096)  # a review sheet's notes repeat (60,000 wrapped cells, a third distinct)
def wrapped_lines(value: str, width: float) -> int:
    """About how many lines `value` takes in a wrapping column `width` characters wide."""
    per_line = max(int(width * 0.9) - 1, 1)  # words wrap whole: a line holds a little less than the width
    if 2 * len(value) <= per_line and "\n" not in value:
        return 1  # short: one line even if every character is a wide one
    return sum(max(1, -(-display_width(line) // per_line)) for line in value.split("\n"))


def link_to(sheet_title: str, column: int, row: int) -> str:
    """The location of a cell for a hyperlink inside the workbook."""
    return f"{quote_sheetname(sheet_title)}!{get_column_letter(column)}{row}"


def free_titles(existing: list[str], keys: list[str], locale: str) -> list[str]:
    """A title for each sheet the tool adds (catalogue `keys` in `locale`), none clashing
    with the workbook's own sheets or with each other (Excel compares names case-blind)."""
    taken = {name.lower() for name in existing}
    titles = []
    for key in keys:
        base = text(key, locale).translate(_REFUSED)[:_MAX_TITLE]
        candidates = [base, *(f"{base[:_MAX_TITLE - 5]} ({n})" for n in range(2, 100))]
        title = next(c for c in candidates if c.lower() not in taken)
        taken.add(title.lower())
        titles.append(title)
    return titles
