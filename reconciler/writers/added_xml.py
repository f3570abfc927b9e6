"""The sheets the tool adds (writers.added), as worksheet XML for the streaming writer.

The same cells, styles, links, widths, frozen rows, filter and page setup as the
openpyxl writer's `_add_sheet` (xlsx.py) gives them. A link inside the workbook is
a `<hyperlink location=...>`: it needs no relationship part.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from openpyxl.utils.cell import absolute_coordinate, quote_sheetname

from reconciler.ooxml import parts as ooxml, xmltext
from reconciler.writers.added import AddedSheet
from reconciler.writers.cellxml import CellRenderer
from reconciler.writers.layout import print_title_rows
from reconciler.writers.sheetxml import cell_ref
from reconciler.writers.stylesheet import StyleSheet


def added_sheet_xml(added: AddedSheet, styles: StyleSheet, renderer: CellRenderer) -> bytes:
    return b"".join(added_sheet_chunks(added, styles, renderer))


def added_sheet_chunks(added: AddedSheet, styles: StyleSheet, renderer: CellRenderer, rows_per_chunk: int = 1000):
    """The sheet's XML in pieces, a thousand rows at a time: a review sheet of tens of
    thousands of rows, built whole, took ~25 MB at the very end of a big run."""
    last = cell_ref(added.last_column, max(len(added.rows), 1))
    heights = added.heights()
    cols = "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'
                   for i, w in enumerate(added.widths, start=1))
    view = ""
    if added.frozen_rows:
        top_left = f"A{added.frozen_rows + 1}"
        view = (f'<pane ySplit="{added.frozen_rows}" topLeftCell="{top_left}" activePane="bottomLeft" state="frozen"/>'
                f'<selection pane="bottomLeft" activeCell="{top_left}" sqref="{top_left}"/>')
    yield "".join([
        f'<worksheet xmlns="{ooxml.MAIN_NS}" xmlns:r="{ooxml.DOC_REL_NS}">',
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
        f'<dimension ref="A1:{last}"/>',
        f'<sheetViews><sheetView workbookViewId="0">{view}</sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/>',
        f"<cols>{cols}</cols>" if cols else "",
        "<sheetData>",
    ]).encode("utf-8")
    links: list[str] = []
    body: list[str] = []
    for number, row in enumerate(added.rows, start=1):
        cells = []
        for column, item in enumerate(row, start=1):
            if item is None:
                continue
            base = styles.link() if item.link else styles.bold() if item.bold else 0
            if item.wrap:
                base = styles.derive(base, wrap=True, top=True)
            ref = cell_ref(column, number)
            cells.append(renderer.cell(ref, item.value, "value", base, item.fill))
            if item.link:
                links.append(f"<hyperlink ref={quoteattr(ref)} location={quoteattr(item.link)}/>")
        if cells:
            body.append(f'<row r="{number}"{_height(heights.get(number))}>{"".join(cells)}</row>')
        if len(body) >= rows_per_chunk:
            yield "".join(body).encode("utf-8")
            body = []
    orientation = ' orientation="landscape"' if added.landscape else ""
    yield "".join([
        *body,
        "</sheetData>",
        f'<autoFilter ref="{added.filter_ref()}"/>' if added.filter_ref() else "",
        f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else "",
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>',
        f'<pageSetup{orientation} fitToWidth="1" fitToHeight="0"/>',
        "</worksheet>",
    ]).encode("utf-8")


def _height(points: float | None) -> str:
    return f' ht="{points:g}" customHeight="1"' if points else ""


def defined_names(title: str, index: int, *, filter_ref: str | None, title_rows: int) -> dict[tuple[str, int], str]:
    """The workbook-level names Excel keeps for a sheet's filter and printed title rows."""
    names = {}
    if filter_ref:
        names[("_xlnm._FilterDatabase", index)] = f"{quote_sheetname(title)}!{absolute_coordinate(filter_ref)}"
    if title_rows:
        first, last = print_title_rows(title_rows).split(":")
        names[("_xlnm.Print_Titles", index)] = f"{quote_sheetname(title)}!${first}:${last}"
    return names


def defined_names_edit(text: str, root: xmltext.Element, prefix: str, names: dict[tuple[str, int], str],
                       order: list[str]) -> list[tuple[int, int, str]]:
    """Edits of workbook.xml setting these (name, sheet index) names: one a sheet already has is replaced."""
    if not names:
        return []

    def tag(name: str, index: int, value: str) -> str:
        hidden = ' hidden="1"' if name == "_xlnm._FilterDatabase" else ""
        return (f'<{prefix}definedName name="{name}" localSheetId="{index}"{hidden}>'
                f"{xmltext.text_escape(value)}</{prefix}definedName>")

    block = "".join(tag(name, index, value) for (name, index), value in names.items())
    element = xmltext.child(text, root, "definedNames")
    if element is None:
        return [xmltext.insert_in_order(text, root, f"<{prefix}definedNames>{block}</{prefix}definedNames>",
                                        "definedNames", order)]
    if element.tag_end == element.end:
        return [(element.start, element.end, f"<{prefix}definedNames>{block}</{prefix}definedNames>")]
    edits = []
    for defined in xmltext.kids(text, element):
        sheet = defined.attrs.get("localSheetId")
        if sheet is not None and sheet.isdigit() and (defined.attrs.get("name"), int(sheet)) in names:
            edits.append((defined.start, defined.end, ""))
    edits.append((element.inner_end, element.inner_end, block))
    return edits
