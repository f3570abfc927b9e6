"""Plain data passed between the stages of a run.

recipe -> rows (`Sheet`, `SheetRow`, `Cell`) -> match decisions (`RowOutcome`)
-> writers (`WriteContext`). Nothing here does I/O; every stage imports its
inputs from here so that no stage needs to import another stage.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any

from reconciler.messages.render import Message, join

TALENT_STATUSES = ("matched", "partial", "not_found", "conflict", "ambiguous", "invalid", "error")
JOB_STATUSES = ("found", "mismatch", "not_found", "no_key", "error")


@dataclass(frozen=True, slots=True)
class Cell:
    """One input cell: the stored value and the text a person sees in Excel.

    `value` is what the file holds (str, int, float, bool, datetime, None);
    `text` is that value as displayed, e.g. 13800138000.0 -> "13800138000".
    `number_format` is the cell's Excel format code when known ("General", "@"...).
    `unsaved_formula` marks a formula cell with no saved value (the file was written by
    a program that does not calculate, and never opened and saved in Excel).
    """

    value: Any
    text: str
    number_format: str | None = None
    unsaved_formula: bool = False  # a formula Excel never calculated: no value was saved to read


    @property
    def is_blank(self) -> bool:
        return self.text.strip() == ""

    @property
    def is_number(self) -> bool:
        return isinstance(self.value, (int, float)) and not isinstance(self.value, bool)


BLANK = Cell(None, "")


@dataclass(slots=True)
class SheetRow:
    """A data row below the header row. `number` is the 1-based row number in the sheet."""

    number: int
    cells: dict[str, Cell]

    def get(self, header: str) -> Cell:
        return self.cells.get(header, BLANK)

    @property
    def is_blank(self) -> bool:
        return all(c.is_blank for c in self.cells.values())


@dataclass
class Sheet:
    """The sheet a recipe reconciles.

    `headers` lists the header row's texts by column (index 0 is column A; a blank
    header is ""). `rows` holds the non-blank rows below the header row, in order,
    each with its row number: a blank row is dropped when the sheet is read, and a
    writer writes nothing for a row number that is not there (it stays blank).
    `blank_formula_rows` holds the blank rows (before the last non-blank one) that
    have a formula without a saved value: not reconciled, but counted in the
    warning about such formulas.
    """

    path: Path
    name: str | None  # None for .csv
    header_row: int  # 1-based
    headers: list[str]
    rows: list[SheetRow]
    warnings: list[Message | str] = field(default_factory=list)
    blank_formula_rows: list[SheetRow] = field(default_factory=list)

    def rows_as_read(self) -> Iterator[SheetRow]:
        """`rows` and `blank_formula_rows` together, in row order."""
        if not self.blank_formula_rows:
            return iter(self.rows)
        return heapq.merge(self.rows, self.blank_formula_rows, key=attrgetter("number"))

    def column_index(self, header: str) -> int | None:
        """0-based column of the first column with this header, or None."""
        try:
            return self.headers.index(header)
        except ValueError:
            return None


@dataclass(slots=True)
class OutputColumn:
    """A column the run adds to (or fills in) the sheet.

    kind: "text" (always written as a text cell: IDs, phones), "value" (written as
    its Python type: bool -> TRUE/FALSE, numbers, dates), "status" (gets the status
    fill colour) or "note".
    """

    header: str
    kind: str = "value"
    section: str = "talent"  # "talent" | "job_data" | a plugin's name


@dataclass(slots=True)
class RowOutcome:
    """What the run decided for one non-blank row.

    `talent_notes` / `job_notes` are the row's notes as data (`Message`s; plain
    strings are shown as they are), rendered in output.locale by the writers.
    `talent_note` / `job_note` read as the en-US text; assigning one replaces the
    notes with that plain text.
    """

    row_number: int
    talent_status: str | None = None
    talent_notes: list[Message | str] = field(default_factory=list)
    job_status: str | None = None
    job_notes: list[Message | str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # output column header -> value
    mismatches: dict[str, str] = field(default_factory=dict)  # compare column header -> Feishu's value

    def __post_init__(self) -> None:
        if isinstance(self.talent_notes, (str, Message)):
            self.talent_notes = [self.talent_notes] if self.talent_notes else []
        if isinstance(self.job_notes, (str, Message)):
            self.job_notes = [self.job_notes] if self.job_notes else []

    @property
    def talent_note(self) -> str:
        return join(self.talent_notes)

    @talent_note.setter
    def talent_note(self, text: str) -> None:
        if text != self.talent_note:
            self.talent_notes = [text] if text else []

    @property
    def job_note(self) -> str:
        return join(self.job_notes)

    @job_note.setter
    def job_note(self, text: str) -> None:
        if text != self.job_note:
            self.job_notes = [text] if text else []


@dataclass
class RunSummary:
    recipe_name: str
    started_at: dt.datetime
    seconds: float = 0.0
    talent_counts: dict[str, int] = field(default_factory=dict)
    job_counts: dict[str, int] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)  # endpoint name -> requests sent
    cache_hits: int = 0
    retries: int = 0
    rate_limited: int = 0
    warnings: list[Message | str] = field(default_factory=list)  # plain strings are shown as they are
    rows: int = 0


@dataclass
class WriteContext:
    """Everything a writer needs; writers never talk to Feishu."""

    input_path: Path
    output_path: Path  # where this writer writes (suffix already the writer's own)
    sheet: Sheet
    columns: list[OutputColumn]
    outcomes: dict[int, RowOutcome]  # by row number; blank rows are absent
    summary: RunSummary
    locale: str = "zh-CN"
    status_columns: dict[str, str] = field(default_factory=dict)  # "talent"/"job_data" -> status column header
    label_columns: list[str] = field(default_factory=list)  # source.label_columns: who a row is (review sheet, frozen columns)
    status_labels: str = "locale"  # output.status_labels: status cells show labels in `locale`, or "keys"
