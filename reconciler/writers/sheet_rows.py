"""The reconciled sheet's rows, annotated as they stream out (the streaming writer's core).

Same decisions as the openpyxl writer's `_annotate` (xlsx.py), made on the bytes
of the worksheet: output cells are appended to a row (after the last used column)
or replace the row's own cell in a column the sheet already has; status cells get
their fill; a compare cell that differs from Feishu gets the mismatch fill and a
comment; cells covered by a merge are left alone.

Two passes over the outcomes: `plan_rows` finds what the sheet's head and tail
need (widths of added columns, comments, the last row) without keeping any cell;
`write_rows` then renders each row's cells and writes them straight out, so a
100,000-row sheet never has its new cells in memory all at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from openpyxl.utils.cell import get_column_letter

from reconciler.model import OutputColumn, WriteContext
from reconciler.writers.annotation import (
    MISMATCH_FILL,
    Placement,
    added_width,
    display_width,
    place_columns,
    shown_status,
)
from reconciler.writers.cellxml import CellRenderer
from reconciler.writers.common import outcome_getter, text_of
from reconciler.writers.layout import CellChange, comment_text
from reconciler.ooxml.worksheet import row_number
from reconciler.writers.sheetxml import ExistingCell, WorksheetXml, cell_ref

CHUNK = 1 << 20  # bytes handed to the zip stream at a time
_STYLE_ATTRIBUTE = re.compile(rb"""\ss\s*=\s*["'][0-9]+["']""")


@dataclass(frozen=True)
class _Column:
    index: int  # 1-based column in the sheet
    appended: bool
    column: OutputColumn
    get: Any  # RowOutcome -> value


@dataclass
class RowsPlan:
    placement: Placement
    columns: list[_Column]
    merged: list[tuple[int, int, int, int]]
    widths: dict[int, float] = field(default_factory=dict)  # appended column -> width
    comments: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> text
    skipped: set[str] = field(default_factory=set)  # output columns crossing merged cells
    last_row: int = 1

    @property
    def last_column(self) -> int:
        return self.placement.last_column

    def covered(self, row: int, column: int) -> bool:
        """A cell a merge covers without being its top-left cell (openpyxl's MergedCell)."""
        return any(low_col <= column <= high_col and low_row <= row <= high_row and (row, column) != (low_row, low_col)
                   for low_col, low_row, high_col, high_row in self.merged)


def plan_rows(sheet: WorksheetXml, ctx: WriteContext) -> RowsPlan:
    merged_ranges = sheet.merged_ranges()
    # A merge counts as used, as in openpyxl (a title merged across A1:P1 uses column P).
    used_columns = max([sheet.max_column, *(r[2] for r in merged_ranges)])
    used_rows = max([sheet.max_row, *(r[3] for r in merged_ranges)])
    placement = place_columns(ctx, used_columns)
    columns = [_Column(*placement.columns[c.header], c, outcome_getter(c, ctx.status_columns, ctx.locale)) for c in ctx.columns]
    plan = RowsPlan(placement, columns, merged_ranges)
    header_row = ctx.sheet.header_row
    widths = {header: display_width(header) for header in placement.columns}
    merged = bool(plan.merged)
    for header, (index, appended) in placement.columns.items():
        if appended and merged and plan.covered(header_row, index):
            plan.skipped.add(header)
    kinds = {column.header: column.kind for column in ctx.columns}
    if not merged:  # the usual case: each appended column measured by its distinct values
        for col in columns:
            if col.appended:
                _measure(col, ctx, widths)
    # With merges, each cell is looked at: a merge may cover it.
    for number, outcome in ctx.outcomes.items() if merged else ():
        for col in columns:
            header = col.column.header
            value = col.get(outcome)
            if col.appended and value is None:
                continue
            if merged and plan.covered(number, col.index):
                plan.skipped.add(header)
            elif col.appended:
                if col.column.kind == "status":
                    value = shown_status(value, ctx)[0]
                width = display_width(value if type(value) is str else text_of(value))
                if width > widths[header]:
                    widths[header] = width
    for number, outcome in ctx.outcomes.items():
        for header, feishu_value in outcome.mismatches.items():
            found = ctx.sheet.column_index(header)
            if found is None or (merged and plan.covered(number, found + 1)):
                continue
            plan.comments[(number, found + 1)] = comment_text(feishu_value, ctx.locale)
    plan.widths = {index: added_width(widths[header], kinds[header])
                   for header, (index, appended) in placement.columns.items() if appended}
    plan.last_row = max(used_rows, header_row, max(ctx.outcomes, default=0))
    return plan


def _measure(col: _Column, ctx: WriteContext, widths: dict[str, int]) -> None:
    """Widen `widths[header]` to the widest text of an appended column, each distinct value once."""
    try:
        values: Any = {col.get(outcome) for outcome in ctx.outcomes.values()}
    except TypeError:  # a value that cannot be hashed (a list): measure them all
        values = [col.get(outcome) for outcome in ctx.outcomes.values()]
    header = col.column.header
    for value in values:
        if value is None:
            continue
        if col.column.kind == "status":
            value = shown_status(value, ctx)[0]
        width = display_width(value if type(value) is str else text_of(value))
        if width > widths[header]:
            widths[header] = width


class _RowWriter:
    """Renders the new content of one row at a time."""

    def __init__(self, sheet: WorksheetXml, ctx: WriteContext, renderer: CellRenderer, plan: RowsPlan):
        self.sheet, self.ctx, self.renderer, self.plan = sheet, ctx, renderer, plan
        self.close = sheet.row_close_tag()
        self.letters = {col.index: get_column_letter(col.index) for col in plan.columns}
        self.overwrote_formula = False
        self.header_cells: list[str] = []
        # The usual sheet (no merges): each appended column's getter, kind and cell start,
        # worked out once; a status's label and fill once per status.
        self.appended = [(col.get, col.column.kind, renderer.start(self.letters[col.index]))
                         for col in plan.columns if col.appended]
        self.in_place = [col for col in plan.columns if not col.appended]
        self.shown: dict[tuple, tuple[Any, str | None]] = {}

    def header(self, header_row: bytes | None) -> None:
        """The added headers, in the style of the sheet's last header (bold)."""
        source = None
        if header_row is not None and self.plan.placement.style_column:
            source = next((c.style for c in self.sheet.cells(header_row) if c.column == self.plan.placement.style_column),
                          None) or None
        style = self.renderer.styles.header_style(source)
        number = self.ctx.sheet.header_row
        self.header_cells = [
            self.renderer.cell(f"{get_column_letter(index)}{number}", header, "value", style)
            for header, (index, appended) in self.plan.placement.columns.items()
            if appended and not (self.plan.merged and self.plan.covered(number, index))
        ]

    def changes(self, number: int) -> tuple[list[str], dict[int, CellChange]]:
        """(cells appended at the row's end, {existing column: its change})."""
        appended = list(self.header_cells) if number == self.ctx.sheet.header_row else []
        changed: dict[int, CellChange] = {}
        outcome = self.ctx.outcomes.get(number)
        if outcome is None:
            return appended, changed
        plan = self.plan
        if plan.merged:
            self._changes_beside_merges(number, outcome, appended, changed)
        else:
            row, rest = str(number), self.renderer.rest
            for get, kind, start in self.appended:
                value = get(outcome)
                if value is None:
                    continue
                fill = None
                if kind == "status":
                    value, fill = self._shown(value)
                appended.append(start + row + rest(value, kind, 0, fill))
            for col in self.in_place:
                value, kind, fill = col.get(outcome), col.column.kind, None
                if kind == "status":
                    value, fill = self._shown(value)
                changed[col.index] = CellChange(number, col.index, value, kind, fill)
        for header in outcome.mismatches:
            found = self.ctx.sheet.column_index(header)
            if found is not None and (number, found + 1) in plan.comments:
                change = changed.get(found + 1)
                changed[found + 1] = (CellChange(number, found + 1, fill=MISMATCH_FILL, write=False) if change is None
                                      else change.filled(MISMATCH_FILL))
        return appended, changed

    def _shown(self, status: Any) -> tuple[Any, str | None]:
        key = (type(status), status)  # True and 1 are equal keys, and shown differently
        try:
            return self.shown[key]
        except KeyError:
            found = self.shown[key] = shown_status(status, self.ctx)
            return found
        except TypeError:  # a plugin's unhashable value
            return shown_status(status, self.ctx)

    def _changes_beside_merges(self, number: int, outcome, appended: list[str], changed: dict[int, CellChange]) -> None:
        """`changes` on a sheet with merged cells: a cell a merge covers is left alone."""
        plan, cell = self.plan, self.renderer.cell
        for col in plan.columns:
            value = col.get(outcome)
            if col.appended and value is None:
                continue
            if plan.covered(number, col.index):
                continue
            kind = col.column.kind
            fill = None
            if kind == "status":
                value, fill = self._shown(value)
            if col.appended:
                appended.append(cell(f"{self.letters[col.index]}{number}", value, kind, 0, fill))
            else:
                changed[col.index] = CellChange(number, col.index, value, kind, fill)

    def row(self, number: int, row: bytes | None) -> bytes | None:
        """The annotated row (a new row element if the sheet had none); None when it does not change."""
        appended, changed = self.changes(number)
        if not appended and not changed:
            return None
        sheet, close = self.sheet, self.close
        if row is None:
            cells = [self._render(change, None) for _, change in sorted(changed.items())]
            return (f'<{sheet.p}row r="{number}">' + "".join(cells + appended)).encode("utf-8") + close
        start_tag = sheet.row_start_tag(row)
        if not changed:  # the usual case: cells appended after the row's last cell
            body = row[row.find(b">") + 1 : -len(close)] if row.endswith(close) else b""  # <row/> has none
            return start_tag + body + "".join(appended).encode("utf-8") + close
        return self._rewrite(row, start_tag, appended, changed)

    def _rewrite(self, row: bytes, start_tag: bytes, appended: list[str], changed: dict[int, CellChange]) -> bytes:
        out, pos = [start_tag], row.find(b">") + 1
        pending = [change for _, change in sorted(changed.items())]
        for existing in self.sheet.cells(row):
            while pending and pending[0].column < existing.column:  # a changed column with no cell yet
                change = pending.pop(0)
                out += [row[pos:existing.start], self._render(change, None).encode("utf-8")]
                pos = existing.start
            if pending and pending[0].column == existing.column:
                change = pending.pop(0)
                out.append(row[pos:existing.start])
                if change.write:
                    self.overwrote_formula |= existing.has_formula
                    out.append(self._render(change, existing.style).encode("utf-8"))
                else:
                    out.append(self._restyled(row, existing, change.fill))
                pos = existing.end
        if row.endswith(self.close):
            out.append(row[pos:-len(self.close)])
        out += [self._render(change, None).encode("utf-8") for change in pending]
        out += ["".join(appended).encode("utf-8"), self.close]
        return b"".join(out)

    def _render(self, change: CellChange, style: int | None) -> str:
        ref = cell_ref(change.column, change.row)
        if change.write:
            return self.renderer.cell(ref, change.value, change.kind, style or 0, change.fill)
        return self.renderer.empty(ref, self.renderer.styles.derive(style or 0, fill=change.fill))

    def _restyled(self, row: bytes, cell: ExistingCell, fill: str | None) -> bytes:
        """The existing cell with the fill added to its style, its content kept byte for byte."""
        style = self.renderer.styles.derive(cell.style, fill=fill)
        tag = _STYLE_ATTRIBUTE.sub(b"", row[cell.start:cell.tag_end])
        cut = len(tag) - (2 if tag.endswith(b"/>") else 1)
        return tag[:cut].rstrip() + b' s="%d"' % style + tag[cut:] + row[cell.tag_end:cell.end]


def write_rows(sheet: WorksheetXml, ctx: WriteContext, renderer: CellRenderer, plan: RowsPlan,
               head: bytes, tail: bytes, out: BinaryIO) -> bool:
    """Write the whole sheet part (head, annotated rows, tail); True if a formula cell was overwritten."""
    writer = _RowWriter(sheet, ctx, renderer, plan)
    header_row = ctx.sheet.header_row
    writer.header(sheet.kept.get(header_row))
    needed = sorted(set(ctx.outcomes) | {header_row})
    buffer: list[bytes] = [head]
    size, j = 0, 0
    for kind, data in sheet.pieces():
        if kind == "row":
            number = row_number(data)
            while j < len(needed) and needed[j] < number:  # rows the sheet lacks go in their place
                buffer.append(writer.row(needed[j], None) or b"")
                j += 1
            if j < len(needed) and needed[j] == number:
                data = writer.row(number, data) or data
                j += 1
        elif kind != "gap":
            continue  # head and tail come from the edited skeleton
        buffer.append(data)
        size += len(data)
        if size >= CHUNK:
            out.write(b"".join(buffer))
            buffer, size = [], 0
    buffer += [writer.row(number, None) or b"" for number in needed[j:]]
    buffer.append(tail)
    out.write(b"".join(buffer))
    return writer.overwrote_formula
