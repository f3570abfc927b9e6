"""One worksheet part, split for streaming: a small skeleton edited as text, and its rows.

A worksheet is `<worksheet> head <sheetData> rows </sheetData> tail </worksheet>`.
The head and tail (views, column widths, merges, filter, drawings...) are small:
they are kept as a "skeleton" document, with an empty `<sheetData/>` standing in
for the rows, and edited with `xmltext`. The rows (nearly all of the bytes on a
big sheet) are streamed from the zip, twice (`pieces()`; the first pass, and the splitting
into rows, are `reconciler.ooxml.worksheet`'s), and stay bytes: only the rows that change
are looked into, and `cells()` splits the few whose existing cells change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries

from reconciler.ooxml import xmltext
from reconciler.ooxml.parts import DOC_REL_NS, cell_coordinate, prefix_for
from reconciler.ooxml.worksheet import CannotStream, WorksheetLayout, first_rows, last_column, learn_layout, pieces
from reconciler.ooxml.xmltext import Element, XmlTextError

# CT_Worksheet's children, in schema order.
ORDER = ["sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
         "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
         "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks",
         "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties",
         "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF",
         "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst"]
_STYLE = re.compile(rb"""\ss\s*=\s*["']([0-9]+)["']""")
_SPANS = re.compile(rb"""\sspans\s*=\s*["'][^"']*["']""")
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")


@dataclass(frozen=True)
class ExistingCell:
    column: int
    start: int  # offsets within the row's bytes
    tag_end: int
    end: int
    style: int
    has_formula: bool


class WorksheetXml:
    """A worksheet part read twice as a stream: once to learn its shape, once to rewrite it.

    `open_part()` opens the part (decompressed) for reading. The first pass keeps
    the head and tail (the skeleton), the used width and height, and the bytes of
    the rows named in `keep` (the header row); the rows are never all in memory.
    A `layout` learned before (when the sheet was read) stands for the first pass.
    """

    def __init__(self, open_part: Callable[[], BinaryIO], keep: tuple[int, ...] = (),
                 layout: WorksheetLayout | None = None):
        self.open_part = open_part
        if layout is None:
            with open_part() as part:
                layout = learn_layout(part, keep)
        kept = {n: layout.kept[n] for n in keep if n in layout.kept}
        if len(kept) < len(keep):
            with open_part() as part:
                kept.update(first_rows(part, layout.prefix, tuple(n for n in keep if n not in kept)))
        self.p, self.kept = layout.prefix, kept
        self.max_column, self.max_row = layout.max_column, layout.max_row
        self.placeholder = f"<{self.p}sheetData/>"
        try:
            self.skeleton = layout.head.decode("utf-8") + self.placeholder + layout.tail.decode("utf-8")
            self.root = xmltext.root(self.skeleton)
            self.parts = {e.local: e for e in xmltext.kids(self.skeleton, self.root)}
        except (UnicodeDecodeError, XmlTextError) as exc:
            raise CannotStream(f"the worksheet's XML is unusual ({exc})") from exc
        self.edits: list[tuple[int, int, str]] = []

    # ------------------------------------------------------------------ rows and cells

    def pieces(self) -> Iterator[tuple[str, bytes]]:
        """("head" | "gap" | "row" | "tail", bytes) in document order; head and tail
        exclude the sheetData tags, gaps are what lies between rows."""
        with self.open_part() as part:
            yield from pieces(part, self.p, b"")

    def last_column(self, row: bytes) -> int:
        """The column of the row's last cell (cells are in column order), 0 for an empty row."""
        return last_column(row, self.p)

    def cells(self, row: bytes) -> list[ExistingCell]:
        """The cells of a row (its bytes), in column order."""
        p = self.p.encode()
        cell_open, cell_close = b"<" + p + b"c", b"</" + p + b"c>"
        found, pos = [], row.find(b">") + 1
        while True:
            start = row.find(cell_open, pos)
            if start < 0:
                return found
            if row[start + len(cell_open) : start + len(cell_open) + 1] not in (b" ", b"\t", b"\n", b"\r", b">", b"/"):
                pos = start + 1
                continue
            tag_end = row.find(b">", start) + 1
            where = cell_coordinate(row[start:tag_end])
            if where is None:
                raise CannotStream("a cell has no reference (r attribute)")
            end = tag_end if row[tag_end - 2 : tag_end] == b"/>" else row.find(cell_close, tag_end) + len(cell_close)
            style = _STYLE.search(row, start, tag_end)
            found.append(ExistingCell(where[1], start, tag_end, end, int(style.group(1)) if style else 0,
                                      _FORMULA.search(row, tag_end, end) is not None))
            pos = end

    def row_start_tag(self, row: bytes) -> bytes:
        """The row's start tag without `spans` (a hint that would no longer be right), as an open tag."""
        tag = row[: row.find(b">") + 1]
        if b"spans" in tag:  # Excel writes it on every row; openpyxl and others do not
            tag = _SPANS.sub(b"", tag)
        return tag[:-2].rstrip() + b">" if tag.endswith(b"/>") else tag

    def row_close_tag(self) -> bytes:
        return b"</" + self.p.encode() + b"row>"

    # ------------------------------------------------------------------ what the head and tail hold

    def merged_ranges(self) -> list[tuple[int, int, int, int]]:
        element = self.parts.get("mergeCells")
        if element is None:
            return []
        return [range_boundaries(e.attrs["ref"]) for e in xmltext.kids(self.skeleton, element)
                if e.local == "mergeCell" and ":" in e.attrs.get("ref", "")]

    def frozen_column(self) -> str:
        """Column letter of an existing frozen pane's top-left cell, else "A"."""
        pane = self._pane()
        if pane is not None and pane.attrs.get("topLeftCell"):
            letters = re.match(r"\$?([A-Z]{1,3})", pane.attrs["topLeftCell"])
            if letters:
                return letters.group(1)
        return "A"

    def _first_view(self) -> Element | None:
        views = self.parts.get("sheetViews")
        return None if views is None else xmltext.child(self.skeleton, views, "sheetView")

    def _pane(self) -> Element | None:
        view = self._first_view()
        return None if view is None else xmltext.child(self.skeleton, view, "pane")

    def auto_filter_ref(self) -> str | None:
        element = self.parts.get("autoFilter")
        return element.attrs.get("ref") if element is not None else None

    def table_rel_ids(self) -> list[str]:
        element = self.parts.get("tableParts")
        if element is None:
            return []
        return [_rel_id(e) for e in xmltext.kids(self.skeleton, element)]

    @property
    def has_legacy_drawing(self) -> bool:
        return "legacyDrawing" in self.parts

    # ------------------------------------------------------------------ skeleton edits

    def grown_dimension(self, last_column: int, last_row: int) -> str:
        """The used range, grown to the added columns (its start kept)."""
        element = self.parts.get("dimension")
        ref = element.attrs.get("ref", "A1") if element is not None else "A1"
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
        except (ValueError, TypeError):
            min_col = min_row = max_col = max_row = 1
        return (f"{get_column_letter(min_col or 1)}{min_row or 1}:"
                f"{get_column_letter(max(max_col or 1, last_column))}{max(max_row or 1, last_row)}")

    def set_dimension(self, ref: str) -> None:
        element = self.parts.get("dimension")
        tag = f'<{self.p}dimension ref="{ref}"/>'
        if element is None:
            self.edits.append(xmltext.insert_in_order(self.skeleton, self.root, tag, "dimension", ORDER))
        else:
            self.edits.append((element.start, element.end, tag))

    def freeze(self, top_left: str) -> None:
        """Freeze the rows above and the columns left of `top_left` in the first sheet view."""
        column, row = re.match(r"([A-Z]+)([0-9]+)", top_left).groups()
        x_split, y_split = column_index_from_string(column) - 1, int(row) - 1
        pane_name = "bottomRight" if x_split and y_split else "bottomLeft" if y_split else "topRight"
        p = self.p
        attrs = {"xSplit": str(x_split), "ySplit": str(y_split), "topLeftCell": top_left,
                 "activePane": pane_name, "state": "frozen"}
        if not x_split:
            del attrs["xSplit"]
        new = xmltext.start_tag(f"{p}pane", attrs, empty=True) + \
            f'<{p}selection pane="{pane_name}" activeCell="{top_left}" sqref="{top_left}"/>'
        view = self._first_view()
        if view is None:
            views = self.parts.get("sheetViews")
            block = f'<{p}sheetView workbookViewId="0">{new}</{p}sheetView>'
            if views is not None:  # <sheetViews/> or views without a sheetView
                self.edits.append((views.start, views.end, f"<{p}sheetViews>{block}</{p}sheetViews>"))
            else:
                self.edits.append(xmltext.insert_in_order(
                    self.skeleton, self.root, f"<{p}sheetViews>{block}</{p}sheetViews>", "sheetViews", ORDER))
            return
        kept = [self.skeleton[e.start:e.end] for e in xmltext.kids(self.skeleton, view)
                if e.local not in ("pane", "selection")]
        tag = self.skeleton[view.start:view.tag_end]
        if tag.endswith("/>"):
            tag = tag[:-2].rstrip() + ">"
        self.edits.append((view.start, view.end, tag + new + "".join(kept) + f"</{view.name}>"))

    def set_widths(self, widths: dict[int, float]) -> None:
        """Give columns (1-based) their own <col> with this width, splitting any range that covers them."""
        if not widths:
            return
        p = self.p
        element = self.parts.get("cols")
        ranges: list[tuple[int, int, dict[str, str]]] = []
        if element is not None:
            for col in xmltext.kids(self.skeleton, element):
                if col.local == "col":
                    ranges.append((int(col.attrs.get("min", "1")), int(col.attrs.get("max", "1")), col.attrs))
        for column, width in sorted(widths.items()):
            split = []
            for low, high, attrs in ranges:
                if low <= column <= high:
                    if low < column:
                        split.append((low, column - 1, attrs))
                    if column < high:
                        split.append((column + 1, high, attrs))
                else:
                    split.append((low, high, attrs))
            ranges = split + [(column, column, {"width": f"{width:g}", "customWidth": "1"})]
        body = "".join(xmltext.start_tag(f"{p}col", {**attrs, "min": str(low), "max": str(high)}, empty=True)
                       for low, high, attrs in sorted(ranges, key=lambda r: r[0]))
        block = f"<{p}cols>{body}</{p}cols>"
        if element is None:
            self.edits.append(xmltext.insert_in_order(self.skeleton, self.root, block, "cols", ORDER))
        else:
            self.edits.append((element.start, element.end, block))

    def set_auto_filter(self, ref: str) -> None:
        element = self.parts.get("autoFilter")
        if element is None:
            tag = f'<{self.p}autoFilter ref="{ref}"/>'
            self.edits.append(xmltext.insert_in_order(self.skeleton, self.root, tag, "autoFilter", ORDER))
        else:
            self.edits.append((element.start, element.tag_end,
                               xmltext.with_attributes(self.skeleton, element, {"ref": ref})))

    def fit_to_page(self) -> None:
        """sheetPr/pageSetUpPr fitToPage: printing scales to the page setup's fitToWidth/Height.
        (Edits are applied in the order made where they meet: call before set_dimension.)"""
        p, skeleton = self.p, self.skeleton
        flag = f'<{p}pageSetUpPr fitToPage="1"/>'
        properties = self.parts.get("sheetPr")
        if properties is None:
            self.edits.append(xmltext.insert_in_order(skeleton, self.root, f"<{p}sheetPr>{flag}</{p}sheetPr>",
                                                      "sheetPr", ORDER))
            return
        existing = xmltext.child(skeleton, properties, "pageSetUpPr")
        if existing is not None:
            self.edits.append((existing.start, existing.tag_end,
                               xmltext.with_attributes(skeleton, existing, {"fitToPage": "1"})))
        elif properties.tag_end == properties.end:  # <sheetPr .../>
            tag = skeleton[properties.start:properties.tag_end]
            self.edits.append((properties.start, properties.end, f"{tag[:-2].rstrip()}>{flag}</{properties.name}>"))
        else:  # pageSetUpPr is sheetPr's last child
            self.edits.append((properties.inner_end, properties.inner_end, flag))

    def page_setup(self) -> None:
        """One page wide, as many down as it takes; landscape unless the sheet chose an orientation.
        (Call after set_auto_filter: edits meeting at one place keep the order made.)"""
        setup = self.parts.get("pageSetup")
        changes = {"fitToWidth": "1", "fitToHeight": "0"}
        if setup is None:
            tag = xmltext.start_tag(f"{self.p}pageSetup", {"orientation": "landscape", **changes}, empty=True)
            self.edits.append(xmltext.insert_in_order(self.skeleton, self.root, tag, "pageSetup", ORDER))
            return
        if "orientation" not in setup.attrs:
            changes["orientation"] = "landscape"
        self.edits.append((setup.start, setup.tag_end, xmltext.with_attributes(self.skeleton, setup, changes)))

    def add_legacy_drawing(self, rel_id: str) -> None:
        prefix = prefix_for(self.skeleton[self.root.start:self.root.tag_end], DOC_REL_NS)
        if prefix is None:
            tag = f'<{self.p}legacyDrawing xmlns:r="{DOC_REL_NS}" r:id="{rel_id}"/>'
        else:
            tag = f'<{self.p}legacyDrawing {prefix}:id="{rel_id}"/>'
        self.edits.append(xmltext.insert_in_order(self.skeleton, self.root, tag, "legacyDrawing", ORDER))

    def edited_skeleton(self) -> tuple[bytes, bytes]:
        """The skeleton with the edits, as (bytes before the rows, bytes after them)."""
        text = xmltext.replace(self.skeleton, self.edits)
        at = text.index(self.placeholder)
        p = self.p
        return (text[:at] + f"<{p}sheetData>").encode("utf-8"), (f"</{p}sheetData>" + text[at + len(self.placeholder):]).encode("utf-8")


def legacy_drawing_rel_id(sheet: WorksheetXml) -> str:
    """The relationship id of the sheet's <legacyDrawing> (its VML drawing), or ""."""
    element = sheet.parts.get("legacyDrawing")
    return _rel_id(element) if element is not None else ""


def _rel_id(element: Element) -> str:
    return next((v for k, v in element.attrs.items() if k.endswith(":id") or k == "id"), "")


def cell_ref(column: int, row: int) -> str:
    return f"{get_column_letter(column)}{row}"
