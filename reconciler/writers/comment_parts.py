"""The streaming copy's comments: new parts, or merged into the sheet's own.

A mismatch comment needs a comments part and a VML drawing (Excel draws comment
boxes with VML). A sheet without comments gets both as new parts. A sheet that
already has them (comments people wrote, or a VML drawing holding form controls)
keeps them: its comments are read and ours added (on a cell that already has one,
our line goes below it), and the comment boxes of the VML drawing are rewritten
for the merged list while every other shape in it stays. openpyxl's own
`CommentSheet` and `ShapeWriter` do the XML; only the choosing of parts is here.
A VML drawing that is not well-formed XML (old Excel wrote some) cannot be merged:
then the sheet goes to the openpyxl writer, which says what it cannot keep.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field

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
    records = _existing_records(archive, parts)
    by_ref = {record.ref: record for record in records}
    for (row, column), text in sorted(comments.items()):
        ref = cell_ref(column, row)
        if ref in by_ref:  # a person's comment on that cell stays; ours goes below it
            _append(by_ref[ref], text)
            continue
        record = CommentRecord(ref=ref, author=COMMENT_AUTHOR)
        record.text.t = text
        records.append(record)
        by_ref[ref] = record
    sheet = CommentSheet.from_comments(records)
    out.writestr(parts.comments, tostring(sheet.to_tree()))
    drawing = None
    if parts.vml in parts.existing:
        try:
            drawing = fromstring(archive.read(parts.vml))
        except Exception as exc:  # noqa: BLE001 - lxml and ElementTree raise different types
            raise CannotStream(f"the sheet's VML drawing is not well-formed XML ({exc})") from exc
    vml = ShapeWriter(sheet.comments).write(drawing)  # comment boxes rewritten, other shapes kept
    out.writestr(parts.vml, vml if isinstance(vml, bytes) else vml.encode("utf-8"))


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
