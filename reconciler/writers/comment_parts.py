"""The streaming copy's comments: new parts, or merged into the sheet's own.

A mismatch comment needs a comments part and a VML drawing (Excel draws comment
boxes with VML). A sheet without comments gets both as new parts. A sheet that
already has them (comments people wrote, or a VML drawing holding form controls)
keeps them: its comments are read and ours added (on a cell that already has one,
our line goes below it), and the comment boxes of the VML drawing are rewritten
for the merged list while every other shape in it stays. openpyxl's own
`CommentSheet` and `ShapeWriter` do the XML; only the choosing of parts is here.
When every comment is ours (new parts, the usual case), openpyxl writes the first
and the others repeat its XML with their own cell and text (`_OursOnly`): through
ElementTree, each comment cost ~0.1 ms, half a second for a sheet's 5,000
mismatches; a test checks the result is openpyxl's, byte for byte.
A VML drawing that is not well-formed XML (old Excel wrote some) cannot be merged:
then the sheet goes to the openpyxl writer, which says what it cannot keep.
"""

from __future__ import annotations

import functools
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from openpyxl.cell.text import RichText, Text
from openpyxl.comments.comment_sheet import CommentRecord, CommentSheet
from openpyxl.comments.shape_writer import ShapeWriter
from openpyxl.xml.functions import fromstring, tostring

from reconciler.ooxml import parts as ooxml
from reconciler.writers.layout import COMMENT_AUTHOR
from reconciler.ooxml.worksheet import CannotStream
from reconciler.writers.sheetxml import WorksheetXml, cell_ref, legacy_drawing_rel_id


@dataclass
class CommentParts:
    """Which parts hold the sheet's comments, and what the package needs added for them."""

    comments: str  # the comments part
    vml: str  # the VML drawing part
    new_rels: list[tuple[str, str, str]] = field(default_factory=list)  # (id, type, part) for the sheet's rels
    new_comments_part: bool = True  # needs a content-type Override
    legacy_drawing_rel: str | None = None  # a <legacyDrawing> to add to the sheet (None: it has one)
    existing: tuple[str, ...] = ()  # the sheet's own parts, rewritten merged (not copied as they are)


def plan_comment_parts(sheet: WorksheetXml, sheet_part: str, rels: list[ooxml.Relationship], names: set[str]) -> CommentParts:
    """Decide the parts before anything is written (the sheet's skeleton names the drawing)."""
    taken = {r.id for r in rels}
    comment_rel, vml_rel = ooxml.new_ids(taken, 2)
    existing_comments = next((r.target for r in rels if r.type == ooxml.REL_COMMENTS and not r.external), None)
    if not sheet.has_legacy_drawing:
        comments = existing_comments or ooxml.free_name(names, "xl/comments/comment{}.xml")
        vml = ooxml.free_name(names, "xl/drawings/commentsDrawing{}.vml")
        new_rels = [(vml_rel, ooxml.REL_VML, vml)]
        if existing_comments is None:
            new_rels.insert(0, (comment_rel, ooxml.REL_COMMENTS, comments))
        return CommentParts(comments, vml, new_rels, existing_comments is None, vml_rel,
                            (existing_comments,) if existing_comments else ())
    by_id = {r.id: r for r in rels}
    drawing = by_id.get(legacy_drawing_rel_id(sheet))
    if drawing is None or drawing.external or drawing.target not in names:
        raise CannotStream("the sheet's VML drawing part is missing")
    if existing_comments is not None and existing_comments not in names:
        raise CannotStream("the sheet's comments part is missing")
    comments = existing_comments or ooxml.free_name(names, "xl/comments/comment{}.xml")
    new_rels = [] if existing_comments else [(comment_rel, ooxml.REL_COMMENTS, comments)]
    existing = tuple(p for p in (existing_comments, drawing.target) if p)
    return CommentParts(comments, drawing.target, new_rels, existing_comments is None, None, existing)


def write_comment_parts(out: zipfile.ZipFile, archive: zipfile.ZipFile, parts: CommentParts,
                        comments: dict[tuple[int, int], str]) -> None:
    """Write the comments part and the VML drawing: ours, merged into the sheet's own."""
    if not parts.existing:
        fast = _OursOnly.make()
        if fast is not None:
            comments_xml, vml = fast.render(comments)
            out.writestr(parts.comments, comments_xml)
            out.writestr(parts.vml, vml)
            return
    records = _existing_records(archive, parts)
    by_ref = {record.ref: record for record in records}
    for record in ours(comments):
        if record.ref in by_ref:  # a person's comment on that cell stays; ours goes below it
            _append(by_ref[record.ref], record.text.t)
            continue
        records.append(record)
        by_ref[record.ref] = record
    drawing = None
    if parts.vml in parts.existing:
        try:
            drawing = fromstring(archive.read(parts.vml))
        except Exception as exc:  # noqa: BLE001 - lxml and ElementTree raise different types
            raise CannotStream(f"the sheet's VML drawing is not well-formed XML ({exc})") from exc
    comments_xml, vml = by_openpyxl(records, drawing)
    out.writestr(parts.comments, comments_xml)
    out.writestr(parts.vml, vml)


def ours(comments: dict[tuple[int, int], str]) -> list[CommentRecord]:
    """Our comments as openpyxl's records, in cell order."""
    records = []
    for (row, column), text in sorted(comments.items()):
        record = CommentRecord(ref=cell_ref(column, row), author=COMMENT_AUTHOR)
        record.text.t = text
        records.append(record)
    return records


def by_openpyxl(records: list[CommentRecord], drawing=None) -> tuple[bytes, bytes]:
    """(the comments part, the VML drawing) as openpyxl writes them; `drawing`: the sheet's own
    VML drawing (its comment boxes are rewritten, its other shapes kept)."""
    sheet = CommentSheet.from_comments(records)
    vml = ShapeWriter(sheet.comments).write(drawing)
    return tostring(sheet.to_tree()), vml if isinstance(vml, bytes) else vml.encode("utf-8")


class _OursOnly:
    """openpyxl's XML for one comment, cut where the cell, the text and the shape's number go."""

    REF, ROW, COLUMN, TEXT, SHAPE = "XFD1048576", ">1048575<", ">16383<", "reconciler-comment-text", '"_x0000_s1026"'
    PRESERVE = ('<t>', '<t xml:space="preserve">')  # openpyxl keeps a text's outer spaces this way

    def __init__(self, comments: list[str], shape: list[str], around: tuple[str, str, str, str]):
        self.comment, self.shape, self.around = comments, shape, around

    @classmethod
    @functools.lru_cache(maxsize=1)
    def make(cls) -> _OursOnly | None:
        """None if openpyxl's XML is not cut the way it used to be: then openpyxl writes every comment."""
        record = CommentRecord(ref=cls.REF, author=COMMENT_AUTHOR)
        record.text.t = cls.TEXT
        comments_xml, vml = (part.decode("utf-8") for part in by_openpyxl([record]))
        start, end = comments_xml.find("<comment "), comments_xml.rfind("</comment>") + len("</comment>")
        shape_start, shape_end = vml.find("<ns1:shape "), vml.rfind("</ns1:shape>") + len("</ns1:shape>")
        comment, shape = comments_xml[start:end], vml[shape_start:shape_end]
        comment_cuts = _cut(comment, cls.REF, cls.PRESERVE[0] + cls.TEXT)
        shape_cuts = _cut(shape, cls.SHAPE, cls.ROW, cls.COLUMN)
        if start < 0 or shape_start < 0 or comment_cuts is None or shape_cuts is None:
            return None
        return cls(comment_cuts, shape_cuts, (comments_xml[:start], comments_xml[end:], vml[:shape_start], vml[shape_end:]))

    def render(self, comments: dict[tuple[int, int], str]) -> tuple[bytes, bytes]:
        (before_ref, before_text, after_text), (before_id, before_row, before_column, after) = self.comment, self.shape
        listed, shapes = [], []
        for number, ((row, column), text) in enumerate(sorted(comments.items()), start=1026):
            stripped = text.strip()
            start = self.PRESERVE[1] if stripped and stripped != text else self.PRESERVE[0]
            listed.append(f"{before_ref}{cell_ref(column, row)}{before_text}{start}{escape(text)}{after_text}")
            shapes.append(f'{before_id}"_x0000_s{number:04d}"{before_row}>{row - 1}<{before_column}>{column - 1}<{after}')
        head, tail, vml_head, vml_tail = self.around
        return ((head + "".join(listed) + tail).encode("utf-8"), (vml_head + "".join(shapes) + vml_tail).encode("utf-8"))


def _cut(text: str, *marks: str) -> list[str] | None:
    """`text` cut at each mark in turn (each found once, in this order), without the marks."""
    pieces = []
    for mark in marks:
        if text.count(mark) != 1:
            return None
        before, text = text.split(mark)
        pieces.append(before)
    return [*pieces, text]


def check_mergeable(archive: zipfile.ZipFile, parts: CommentParts) -> None:
    """CannotStream now, before any part is written, when the sheet's own parts cannot be merged."""
    for part in parts.existing:
        try:
            fromstring(archive.read(part))
        except Exception as exc:  # noqa: BLE001 - lxml and ElementTree raise different types
            raise CannotStream(f"{part} is not well-formed XML ({exc})") from exc


def _existing_records(archive: zipfile.ZipFile, parts: CommentParts) -> list[CommentRecord]:
    if parts.new_comments_part or parts.comments not in parts.existing:
        return []
    sheet = CommentSheet.from_tree(fromstring(archive.read(parts.comments)))
    authors = list(sheet.authors.author)
    records = list(sheet.commentList)
    for record in records:  # from_comments numbers the authors again from their names
        record.author = authors[record.authorId] if 0 <= (record.authorId or 0) < len(authors) else ""
    return records


def _append(record: CommentRecord, text: str) -> None:
    if record.text is None:
        record.text = Text()
    if record.text.r:
        record.text.r.append(RichText(t="\n" + text))
    else:
        record.text.t = f"{record.text.t}\n{text}" if record.text.t else text
