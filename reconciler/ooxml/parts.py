"""Finding one's way in an .xlsx package (OOXML / OPC) without loading the workbook.

Shared by the fast reader (reconciler.sheets) and the streaming writer: which zip
part holds which worksheet, its relationships, the workbook's date system and
the number format of each cell style. Only small parts are parsed here (with
ElementTree); a worksheet's cells are never touched.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from openpyxl.styles.numbers import BUILTIN_FORMATS

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_OFFICE_DOCUMENT = DOC_REL_NS + "/officeDocument"
REL_WORKSHEET = DOC_REL_NS + "/worksheet"
REL_STYLES = DOC_REL_NS + "/styles"
REL_COMMENTS = DOC_REL_NS + "/comments"
REL_VML = DOC_REL_NS + "/vmlDrawing"
REL_CALC_CHAIN = DOC_REL_NS + "/calcChain"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"

_M = "{%s}" % MAIN_NS
_R = "{%s}" % DOC_REL_NS
_P = "{%s}" % PKG_REL_NS


class PackageError(Exception):
    """The package is not laid out as this module expects; callers fall back to openpyxl."""


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str
    target: str  # resolved to a part name ("xl/worksheets/sheet1.xml"), or the raw target if external
    external: bool = False


@dataclass(frozen=True)
class SheetEntry:
    name: str
    sheet_id: int
    rel_id: str
    state: str  # visible | hidden | veryHidden
    part: str | None  # None: not a worksheet (a chartsheet, dialog sheet...)


@dataclass(frozen=True)
class WorkbookInfo:
    part: str  # "xl/workbook.xml"
    sheets: list[SheetEntry]
    rels: list[Relationship]
    date1904: bool

    def sheet(self, name: str) -> SheetEntry | None:
        return next((s for s in self.sheets if s.name == name), None)


def rels_part(part: str) -> str:
    """The relationships part of a part: xl/workbook.xml -> xl/_rels/workbook.xml.rels."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source_part: str, target: str) -> str:
    """A relationship target as a part name (targets are relative to the source's folder)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def parse_xml(data: bytes) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise PackageError(f"unreadable XML part: {exc}") from exc


def read_rels(archive: zipfile.ZipFile, part: str) -> list[Relationship]:
    """The relationships of `part` (empty when it has none)."""
    name = rels_part(part) if part else "_rels/.rels"
    try:
        data = archive.read(name)
    except KeyError:
        return []
    rels = []
    for rel in parse_xml(data).iter(_P + "Relationship"):
        external = rel.get("TargetMode") == "External"
        target = rel.get("Target", "")
        rels.append(Relationship(rel.get("Id", ""), rel.get("Type", ""), target if external else resolve(part, target),
                                 external))
    return rels


def read_workbook(archive: zipfile.ZipFile) -> WorkbookInfo:
    office = [r for r in read_rels(archive, "") if r.type == REL_OFFICE_DOCUMENT]
    if not office:
        raise PackageError("no officeDocument relationship")
    part = office[0].target
    try:
        root = parse_xml(archive.read(part))
    except KeyError as exc:
        raise PackageError(f"{part} is missing") from exc
    if root.tag != _M + "workbook":
        raise PackageError(f"{part} is not a transitional SpreadsheetML workbook")
    rels = read_rels(archive, part)
    by_id = {r.id: r for r in rels}
    sheets = []
    for sheet in root.iter(_M + "sheet"):
        rel_id = sheet.get(_R + "id", "")
        rel = by_id.get(rel_id)
        worksheet = rel is not None and rel.type == REL_WORKSHEET and not rel.external
        sheets.append(SheetEntry(sheet.get("name", ""), int(sheet.get("sheetId", "0") or 0), rel_id,
                                 sheet.get("state", "visible"), rel.target if worksheet else None))
    properties = root.find(_M + "workbookPr")
    date1904 = properties is not None and properties.get("date1904", "0").lower() in ("1", "true")
    return WorkbookInfo(part, sheets, rels, date1904)


def styles_part(info: WorkbookInfo) -> str | None:
    return next((r.target for r in info.rels if r.type == REL_STYLES), None)


def xf_number_formats(styles_xml: bytes | None) -> list[str]:
    """The number format code of each cell style (cellXfs), by style index."""
    if not styles_xml:
        return ["General"]
    root = parse_xml(styles_xml)
    custom = {int(f.get("numFmtId", "-1")): f.get("formatCode", "General") for f in root.iter(_M + "numFmt")}
    cell_xfs = root.find(_M + "cellXfs")
    if cell_xfs is None:
        return ["General"]
    codes = []
    for xf in cell_xfs.findall(_M + "xf"):
        number = int(xf.get("numFmtId", "0") or 0)
        codes.append(custom.get(number) or BUILTIN_FORMATS.get(number, "General"))
    return codes


_COORDINATE = re.compile(rb"\br\s*=\s*[\"']([A-Z]{1,3})([0-9]+)[\"']")


def column_index(letters: bytes | str) -> int:
    """1-based column of "A" / b"AB"."""
    number = 0
    for ch in letters if isinstance(letters, bytes) else letters.encode():
        number = number * 26 + ch - 64
    return number


def cell_coordinate(tag: bytes) -> tuple[int, int] | None:
    """(row, column) from a cell start tag `<c r="B7" ...>`, or None without an r attribute."""
    found = _COORDINATE.search(tag)
    if found is None:
        return None
    return int(found.group(2)), column_index(found.group(1))


_STYLE_ATTRIBUTE = re.compile(rb"""\ss\s*=\s*["']([0-9]+)["']""")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v>([^<]*)<")
FEW_STYLES = 8  # up to this many styles of interest: one fast bytes.find pass per style


class NeedsFullReader(PackageError):
    """A cell lacks its r attribute (legal, rare): positions must come from a full XML parser."""


def _tag_around(data: bytes, pos: int) -> tuple[int, bytes] | None:
    """The start tag holding position `pos`, if it is a cell's: (end of tag, tag bytes)."""
    start = data.rfind(b"<", 0, pos)
    end = data.find(b">", pos)
    if start < 0 or end < 0 or not _CELL_TAG.match(data, start):
        return None  # e.g. a row's style: <row r="5" s="3" customFormat="1">
    return end, data[start : end + 1]


@dataclass
class CellMarks:
    """What an XML scan finds that python-calamine does not say: row -> column -> value."""

    formats: dict[int, dict[int, str]]  # number format code, for cells whose format is not General
    errors: dict[int, dict[int, str]]  # "#N/A"..., for error cells (the text Excel shows)
    formulas: dict[int, set[int]] = field(default_factory=dict)  # formula cells with no saved value


def cell_marks(sheet_xml: bytes, codes: list[str]) -> CellMarks:
    """Number formats other than General, and error cells, by cell.

    Found with byte searches rather than an XML parse: a 100,000-row sheet is ~50 MB
    of XML, and only the few styled or error cells matter here.
    """
    wanted = {i: code for i, code in enumerate(codes) if code != "General"}
    marks = CellMarks({}, {})

    def cell_at(pos: int) -> tuple[int, int, int, bytes] | None:
        around = _tag_around(sheet_xml, pos)
        if around is None:
            return None
        end, tag = around
        where = cell_coordinate(tag)
        if where is None:
            raise NeedsFullReader("a cell without an r attribute")
        return where[0], where[1], end, tag

    def positions(needle: bytes):
        for quoted in (needle, needle.replace(b'"', b"'")):
            pos = sheet_xml.find(quoted)
            while pos >= 0:
                yield pos
                pos = sheet_xml.find(quoted, pos + 1)

    if len(wanted) <= FEW_STYLES:
        styled = ((pos, code) for index, code in wanted.items() for pos in positions(b' s="%d"' % index))
    else:
        styled = ((m.start(), wanted[int(m.group(1))]) for m in _STYLE_ATTRIBUTE.finditer(sheet_xml)
                  if int(m.group(1)) in wanted)
    for pos, code in styled:
        cell = cell_at(pos)
        if cell is not None:
            marks.formats.setdefault(cell[0], {})[cell[1]] = code
    for pos in positions(b' t="e"'):
        cell = cell_at(pos)
        if cell is not None and not cell[3].endswith(b"/>"):
            close = sheet_xml.find(b"c>", cell[2] + 1)  # </c>: formula text escapes its ">"
            value = _VALUE.search(sheet_xml, cell[2] + 1, close if close > 0 else len(sheet_xml))
            if value is not None:
                marks.errors.setdefault(cell[0], {})[cell[1]] = value.group(1).decode("utf-8", "replace")
    if b"<f" in sheet_xml:
        _unsaved_formulas(sheet_xml, marks)
    return marks


_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[ >/]")
_CELL_CLOSE = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?c>")


def _unsaved_formulas(sheet_xml: bytes, marks: CellMarks) -> None:
    """Formula cells with no <v>: written by a program that does not calculate (openpyxl,
    scripts) and never saved by Excel. calamine reads them as empty; the person sees a value."""
    for match in _FORMULA.finditer(sheet_xml):
        start = max(sheet_xml.rfind(b"<c ", 0, match.start()), sheet_xml.rfind(b":c ", 0, match.start()) - 1)
        tag_end = sheet_xml.find(b">", start)
        where = cell_coordinate(sheet_xml[start : tag_end + 1]) if start >= 0 and tag_end > 0 else None
        close = _CELL_CLOSE.search(sheet_xml, match.end())
        if where is None or close is None:
            continue
        value = _VALUE.search(sheet_xml, match.end(), close.start())  # <v /> or <v></v>: nothing saved
        if value is None or not value.group(1):
            marks.formulas.setdefault(where[0], set()).add(where[1])


def free_name(taken: set[str], pattern: str) -> str:
    """The first part name `pattern.format(n)` (n = 1, 2...) not in `taken`."""
    number = 1
    while pattern.format(number) in taken:
        number += 1
    return pattern.format(number)


def new_ids(taken: set[str], count: int) -> list[str]:
    """`count` relationship IDs rId1, rId2... not in `taken`."""
    ids, number = [], 1
    while len(ids) < count:
        if f"rId{number}" not in taken:
            ids.append(f"rId{number}")
        number += 1
    return ids


def relative(source_part: str, target_part: str) -> str:
    """A relationship target: `target_part` as seen from `source_part`'s folder."""
    return posixpath.relpath(target_part, posixpath.dirname(source_part))


def prefix_for(start_tag: str, namespace: str) -> str | None:
    """The prefix a start tag declares for `namespace` (None if it declares none)."""
    found = re.search(r'xmlns:([\w.-]+)\s*=\s*["\']' + re.escape(namespace) + r'["\']', start_tag)
    return found.group(1) if found else None
