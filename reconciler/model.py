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
from typing import TYPE_CHECKING, Any

from reconciler.messages.render import Message, join

if TYPE_CHECKING:  # the recipe package does not import this module at run time either way
    from reconciler.recipe import Recipe

TALENT_STATUSES = ("matched", "partial", "not_found", "conflict", "ambiguous", "invalid", "error")
JOB_STATUSES = ("found", "mismatch", "not_found", "no_key", "error")


@dataclass(frozen=True, slots=True)
class Cell:
    """One input cell: the stored value and the text a person sees in Excel.

    Attributes:
        value: what the file holds: str, int, float, bool, datetime, or None for an empty cell.
        text: that value as displayed, e.g. 13800138000.0 -> "13800138000"; "" for an empty cell.
        number_format: the cell's Excel format code when known ("General", "@"...); None for .csv.
        unsaved_formula: a formula cell with no saved value (the file was written by a program
            that does not calculate, and never opened and saved in Excel): it looks blank.
    """

    value: Any
    text: str
    number_format: str | None = None
    unsaved_formula: bool = False  # a formula Excel never calculated: no value was saved to read


    @property
    def is_blank(self) -> bool:
        """True when the text is empty or only spaces."""
        return self.text.strip() == ""

    @property
    def is_number(self) -> bool:
        """True when the stored value is an int or float (not a bool): a number cell, not text."""
        return isinstance(self.value, (int, float)) and not isinstance(self.value, bool)


BLANK = Cell(None, "")


class SheetRow:
    """A data row below the header row.

    Attributes:
        number: the 1-based row number in the sheet, as Excel shows it (the key of `outcomes`).
        cells: header -> Cell; read a column with `row.get(header)`, which gives an empty Cell
            (value None, text "") for a header the row lacks. `cells` is made when asked
            (a new dict each time): change a row by making a new one.
    """

    # A row read from a sheet keeps its cells in a list and shares one header -> position
    # dict with every other row: a dict of its own per row took ~45 MB at 100,000 rows.
    __slots__ = ("number", "_columns", "_values")

    number: int

    def __init__(self, number: int, cells: dict[str, Cell]):
        self.number = number
        self._columns = {header: index for index, header in enumerate(cells)}
        self._values = list(cells.values())

    @classmethod
    def _at_columns(cls, number: int, columns: dict[str, int], values: list[Cell]) -> SheetRow:
        """A row whose cell under `header` is `values[columns[header]]` (`columns` shared by the rows of a sheet)."""
        row = cls.__new__(cls)
        row.number, row._columns, row._values = number, columns, values
        return row

    @property
    def cells(self) -> dict[str, Cell]:
        """header -> Cell, in column order; read one column with `row.get(header)`. Made when
        asked (a new dict each time): change a row by making a new one."""
        values = self._values
        return {header: values[index] for header, index in self._columns.items()}

    def get(self, header: str) -> Cell:
        """The row's cell under `header`; an empty Cell (value None, text "") when there is none."""
        index = self._columns.get(header)
        return BLANK if index is None else self._values[index]

    @property
    def is_blank(self) -> bool:
        """True when every cell of the row is blank."""
        values = self._values
        return all(values[index].is_blank for index in self._columns.values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SheetRow):
            return NotImplemented
        return self.number == other.number and self.cells == other.cells

    __hash__ = None  # type: ignore[assignment]  # as the dataclass it was: rows are compared, not hashed

    def __repr__(self) -> str:
        return f"SheetRow(number={self.number!r}, cells={self.cells!r})"

    def __getstate__(self):
        return (self.number, self.cells)

    def __setstate__(self, state) -> None:
        number, cells = state
        self.__init__(number, cells)


@dataclass
class Sheet:
    """The sheet a recipe reconciles.

    Attributes:
        path: the input file.
        name: the sheet's name; None for a .csv input.
        header_row: the 1-based row number of the header row.
        headers: the header row's texts by column (index 0 is column A; a blank header is "").
        rows: the non-blank rows below the header row, in order, each with its row number.
            A blank row is not there (it was dropped when the sheet was read) and has no
            outcome; a writer writes nothing for it.
        warnings: what reading the sheet found worth saying (Messages or plain text).
        blank_formula_rows: the blank rows (before the last non-blank one) that have a formula
            without a saved value: not reconciled, but counted in the warning about such formulas.
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

    Attributes:
        header: the column's header; the key of its value in `RowOutcome.values`.
        kind: "text" (always written as a text cell: IDs, phones), "value" (written as its
            Python type: bool -> TRUE/FALSE, numbers, dates), "status" (gets the status fill
            colour) or "note".
        section: "talent" or "job_data" for the recipe's columns, a plugin's name for the
            columns it declared with register_output_columns.
    """

    header: str
    kind: str = "value"
    section: str = "talent"  # "talent" | "job_data" | a plugin's name


@dataclass(slots=True)
class RowOutcome:
    """What the run decided for one non-blank row (blank rows have none).

    `talent_note` / `job_note` read the notes as one en-US text; assigning one replaces
    the notes with that plain text (prefer appending to `talent_notes`).

    Attributes:
        row_number: the row's 1-based number in the sheet (`SheetRow.number`).
        talent_status: one of TALENT_STATUSES (matched, partial, not_found, conflict,
            ambiguous, invalid, error); None when the recipe has no talent section.
        talent_notes: the talent note as data: Messages (rendered in output.locale by the
            writers; `notes_text(notes, locale)`) or plain strings, shown as they are.
        job_status: one of JOB_STATUSES (found, mismatch, not_found, no_key, error); None
            when the recipe has no job_data section.
        job_notes: the job-data note, like talent_notes.
        values: output column header -> value, for the recipe's talent and job_data columns
            and plugins' columns; an absent header is an empty cell. The status and note
            columns are not in it: read talent_status, job_status and the notes.
        mismatches: for a job-data mismatch, each differing compare column's header ->
            Feishu's value (the sheet's value is the row's cell); empty otherwise.
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
        """talent_notes as one en-US text; assigning replaces them with that plain text."""
        return join(self.talent_notes)

    @talent_note.setter
    def talent_note(self, text: str) -> None:
        if text != self.talent_note:
            self.talent_notes = [text] if text else []

    @property
    def job_note(self) -> str:
        """job_notes as one en-US text; assigning replaces them with that plain text."""
        return join(self.job_notes)

    @job_note.setter
    def job_note(self, text: str) -> None:
        if text != self.job_note:
            self.job_notes = [text] if text else []


@dataclass
class RunSummary:
    """The run as a whole: what the Summary sheet and the --report file show.

    Attributes:
        recipe_name: the recipe's `name`, else its file's stem.
        started_at: when the run started, local time with its UTC offset.
        seconds: how long the run took until the writers started.
        talent_counts: talent status -> rows, for the statuses that occurred; {} without a talent section.
        job_counts: job-data status -> rows; {} without a job_data section.
        requests: Feishu endpoint name -> requests sent.
        cache_hits: lookups answered without asking Feishu: by the HTTP cache, or remembered from earlier runs.
        retries: requests sent again after a transient failure.
        rate_limited: answers that said "too many requests".
        warnings: the run's warnings (Messages or plain text), as listed on the Summary sheet.
        rows: the rows reconciled (non-blank rows).
    """

    recipe_name: str
    started_at: dt.datetime
    seconds: float = 0.0
    talent_counts: dict[str, int] = field(default_factory=dict)
    job_counts: dict[str, int] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)  # endpoint name -> requests sent
    cache_hits: int = 0  # requests answered by the HTTP cache + identifiers remembered by the key store
    requests_from_cache: int = 0  # requests the HTTP cache answered (the same unit as `requests`)
    remembered: int = 0  # identifiers answered from earlier runs without any request
    retries: int = 0
    rate_limited: int = 0
    warnings: list[Message | str] = field(default_factory=list)  # plain strings are shown as they are
    rows: int = 0


@dataclass
class WriteContext:
    """Everything a writer needs; writers never talk to Feishu.

    Attributes:
        input_path: the input file (the sheet read).
        output_path: where this writer writes: the run's output path with the writer's suffix.
            Write it through `atomic_output(ctx)` and return it.
        sheet: the sheet as read: headers and the non-blank rows.
        columns: the output columns in order: the recipe's, then those plugins declared.
        outcomes: row number -> RowOutcome, for every non-blank row; blank rows are absent.
        summary: the run's counts, requests and warnings.
        locale: the reader's language, zh-CN or en-US: output.locale, else the system's.
            Render notes and labels in it (`notes_text`, `status_label`).
        status_columns: "talent" / "job_data" -> the header of that section's status column.
        recipe: the run's recipe (which columns are identifiers: recipe.talent.inputs; the
            output section); None only when a test builds a context without one.
        options: this writer's options from output.writers ({sqlite: {table: runs}} ->
            {"table": "runs"}), as its check_options accepted them; {} without options.
    """

    input_path: Path
    output_path: Path  # where this writer writes (suffix already the writer's own)
    sheet: Sheet
    columns: list[OutputColumn]
    outcomes: dict[int, RowOutcome]  # by row number; blank rows are absent
    summary: RunSummary
    locale: str = "zh-CN"
    status_columns: dict[str, str] = field(default_factory=dict)  # "talent"/"job_data" -> status column header
    recipe: Recipe | None = None  # the run's recipe: identifier columns, output section, name
    options: dict[str, Any] = field(default_factory=dict)  # this writer's options from output.writers ({} without)
    label_columns: list[str] = field(default_factory=list)  # source.label_columns: who a row is (review sheet, frozen columns)
    status_labels: str = "locale"  # output.status_labels: status cells show labels in `locale`, or "keys"
