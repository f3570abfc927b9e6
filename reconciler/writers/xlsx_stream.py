"""The annotated copy, written by streaming the reconciled sheet (spec section 6).

openpyxl loads a whole workbook into objects and writes it all back: on a
100,000-row sheet that is tens of seconds and hundreds of MB, and whatever it
does not understand (charts it half-reads, shapes, slicers...) is lost. This
writer instead copies every part of the package as it is and rewrites only:

- the reconciled sheet, row by row as bytes: output cells appended to (or set in)
  their rows, fills, the frozen header, the autofilter, widths of added columns;
- styles.xml (new fills and cell styles appended), the sheet's comments and
  their VML drawing (new parts), the Summary and review sheets (new parts), and the small
  lists that name parts: workbook.xml, its relationships, [Content_Types].xml.

What it decides (placement, values, fills, comments, filter, added sheets) is
what the openpyxl writer decides (writers.annotation, layout, cellxml). Inputs it
cannot handle return None, and `write_xlsx` uses the openpyxl writer for them.
"""

from __future__ import annotations

import queue
import threading
import time
import zipfile
from pathlib import Path

from xml.sax.saxutils import quoteattr

from reconciler.errors import SheetError
from reconciler.model import WriteContext
from reconciler.ooxml import parts as ooxml, xmltext
from reconciler.writers.added import AddedSheet
from reconciler.writers.added_xml import added_sheet_chunks, defined_names, defined_names_edit
from reconciler.writers.cellxml import CellRenderer
from reconciler.writers.comment_parts import check_mergeable, plan_comment_parts, write_comment_parts
from reconciler.writers.common import atomic_output, check_output_path
from reconciler.writers.layout import (
    EXCEL_SUFFIXES,
    MACRO_SUFFIXES,
    add_warnings,
    added_sheets,
    auto_filter,
    frozen_column,
    frozen_top_left,
    merged_warnings,
    table_at_header,
)
from reconciler.writers.sheet_rows import RowsPlan, plan_rows, write_rows
from reconciler.ooxml import worksheet
from reconciler.ooxml.worksheet import CannotStream
from reconciler.writers.sheetxml import WorksheetXml
from reconciler.writers.stylesheet import StyleSheet

CT_SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
# CT_Workbook's children, in schema order.
WORKBOOK_ORDER = ["fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
                  "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize", "customWorkbookViews",
                  "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects",
                  "extLst"]
SHEET_COMPRESSION = 1  # zlib level for the big part: level 6 takes 3x as long for ~20% less


def write_streaming(ctx: WriteContext) -> Path | None:
    """Write the annotated copy; None when this input needs the openpyxl writer."""
    source = Path(ctx.input_path)
    if source.suffix.lower() not in EXCEL_SUFFIXES or ctx.sheet.name is None:
        return None
    check_output_path(ctx)
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile):
        return None  # the openpyxl writer words the failure
    with archive:
        try:
            copy = _Copy(archive, ctx)
        except (CannotStream, ooxml.PackageError, xmltext.XmlTextError):
            return None
        with atomic_output(ctx) as tmp:
            copy.write(tmp)
    return Path(ctx.output_path)


class _Copy:
    """Everything decided before writing; `write` then streams the package."""

    def __init__(self, archive: zipfile.ZipFile, ctx: WriteContext):
        self.archive, self.ctx = archive, ctx
        self.names = set(archive.namelist())
        self.book = ooxml.read_workbook(archive)
        entry = self.book.sheet(ctx.sheet.name)
        if entry is None:
            names = ", ".join(s.name for s in self.book.sheets)
            raise SheetError("error.sheet_gone", sheet=repr(ctx.sheet.name), name=Path(ctx.input_path).name, sheets=names)
        if entry.part is None or entry.part not in self.names:
            raise CannotStream("the sheet is not a worksheet part")
        self.entry = entry
        self.macros = any(name.lower().startswith("xl/vbaproject") for name in self.names)
        if self.macros and Path(ctx.output_path).suffix.lower() not in MACRO_SUFFIXES:
            raise CannotStream("macros cannot stay in an .xlsx; openpyxl drops them with a warning")
        styles = ooxml.styles_part(self.book)
        if styles is None or styles not in self.names:
            raise CannotStream("no styles part")
        self.styles_name = styles
        self.styles = StyleSheet(archive.read(styles))
        self.sheet = WorksheetXml(lambda: archive.open(entry.part), keep=(ctx.sheet.header_row,),
                                  layout=worksheet.recall(Path(ctx.input_path), entry.part))
        self.sheet_rels = ooxml.read_rels(archive, entry.part)
        self.renderer = CellRenderer(self.styles, prefix=self.sheet.p, date1904=self.book.date1904)
        self.comment_parts = None  # mismatch comments: new parts, or merged into the sheet's own
        if any(o.mismatches for o in ctx.outcomes.values()):
            self.comment_parts = plan_comment_parts(self.sheet, entry.part, self.sheet_rels, self.names)
            check_mergeable(archive, self.comment_parts)
            self.names.update((self.comment_parts.comments, self.comment_parts.vml))
        self.added_rels = ooxml.new_ids({r.id for r in self.book.rels}, 2)
        self.table_at_header = table_at_header(self._table_refs(), ctx.sheet.header_row)

    def _table_refs(self) -> list[str]:
        by_id = {r.id: r for r in self.sheet_rels}
        refs = []
        for rel_id in self.sheet.table_rel_ids():
            rel = by_id.get(rel_id)
            if rel is not None and not rel.external and rel.target in self.names:
                table = ooxml.parse_xml(self.archive.read(rel.target))
                if table.get("ref"):
                    refs.append(table.get("ref"))
        return refs

    # ------------------------------------------------------------------ writing

    def write(self, tmp: Path) -> None:
        ctx, archive = self.ctx, self.archive
        calc_chain = {r.target for r in self.book.rels if r.type == ooxml.REL_CALC_CHAIN}
        deferred = {self.styles_name, "[Content_Types].xml", self.book.part, ooxml.rels_part(self.book.part),
                    ooxml.rels_part(self.entry.part), *calc_chain}
        plan = plan_rows(self.sheet, ctx)
        comment_parts = self.comment_parts if plan.comments else None
        if comment_parts is not None:
            deferred.update(comment_parts.existing)  # rewritten with our comments merged in
        add_warnings(ctx, merged_warnings(plan.skipped, self.entry.name))
        filter_ref = self._edit_skeleton(plan)
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
            overwrote_formula = False
            for info in archive.infolist():
                if info.filename == self.entry.part:
                    overwrote_formula = self._write_sheet(out, info, plan)
                elif info.filename not in deferred and not info.is_dir():
                    out.writestr(_entry(info), archive.read(info.filename))
            # An overwritten formula's calcChain entry would point at a value: drop the chain, Excel rebuilds it.
            drop = calc_chain if overwrote_formula else set()
            for name in calc_chain - drop:
                if name in self.names:
                    out.writestr(_entry(archive.getinfo(name)), archive.read(name))
            added = self._added_parts(out)
            if comment_parts is not None:
                write_comment_parts(out, archive, comment_parts, plan.comments)
            self._write_deferred(out, added, comment_parts, drop, filter_ref)

    def _edit_skeleton(self, plan: RowsPlan) -> str | None:
        """Dimension, frozen header, widths, filter and the comments' drawing; returns the filter's range."""
        sheet, header_row = self.sheet, self.ctx.sheet.header_row
        sheet.fit_to_page()  # first: edits meeting at one place keep the order they are made in
        sheet.set_dimension(sheet.grown_dimension(plan.last_column, plan.last_row))
        sheet.freeze(frozen_top_left(frozen_column(self.ctx, sheet.frozen_column()), header_row))
        sheet.set_widths(plan.widths)
        decision = auto_filter(self.entry.name, header_row, plan.last_column, plan.last_row,
                               existing=sheet.auto_filter_ref(), table_at_header=self.table_at_header)
        add_warnings(self.ctx, decision.warnings)
        if decision.ref is not None:
            sheet.set_auto_filter(decision.ref)
        sheet.page_setup()
        if plan.comments and self.comment_parts.legacy_drawing_rel:
            sheet.add_legacy_drawing(self.comment_parts.legacy_drawing_rel)
        return decision.ref

    def _write_sheet(self, out: zipfile.ZipFile, info: zipfile.ZipInfo, plan: RowsPlan) -> bool:
        entry = _entry(info)
        entry._compresslevel = SHEET_COMPRESSION  # noqa: SLF001 - zipfile has no public per-entry level
        head, tail = self.sheet.edited_skeleton()
        with out.open(entry, "w", force_zip64=True) as handle, _InBackground(handle) as background:
            return write_rows(self.sheet, self.ctx, self.renderer, plan, head, tail, background)

    # ------------------------------------------------------------------ new parts

    def _added_parts(self, out: zipfile.ZipFile) -> list[tuple[AddedSheet, str]]:
        """Write the sheets the tool adds (Summary, review sheet); each with its part name."""
        renderer = CellRenderer(self.styles, date1904=self.book.date1904)
        written = []
        for added in added_sheets(self.ctx, [s.name for s in self.book.sheets], self.entry.name):
            part = ooxml.free_name(self.names, "xl/worksheets/sheet{}.xml")
            with out.open(_new_entry(part), "w", force_zip64=True) as handle:
                for chunk in added_sheet_chunks(added, self.styles, renderer):
                    handle.write(chunk)
            self.names.add(part)
            written.append((added, part))
        return written

    # ------------------------------------------------------------------ edited parts

    def _write_deferred(self, out, added: list[tuple[AddedSheet, str]], comment_parts, drop: set[str],
                        filter_ref: str | None) -> None:
        archive = self.archive
        out.writestr(self.styles_name, self.styles.to_bytes())
        out.writestr(self.book.part, self._workbook_xml(added, filter_ref))
        out.writestr(ooxml.rels_part(self.book.part), self._workbook_rels([part for _, part in added], drop))
        sheet_rels = ooxml.rels_part(self.entry.part)
        if comment_parts is not None and comment_parts.new_rels:
            out.writestr(sheet_rels, self._sheet_rels(comment_parts.new_rels))
        elif sheet_rels in self.names:
            out.writestr(sheet_rels, archive.read(sheet_rels))
        out.writestr("[Content_Types].xml", self._content_types([part for _, part in added], comment_parts, drop))

    def _workbook_xml(self, added: list[tuple[AddedSheet, str]], filter_ref: str | None) -> bytes:
        text = self.archive.read(self.book.part).decode("utf-8")
        root = xmltext.root(text)
        p = root.prefix
        r = ooxml.prefix_for(text[root.start:root.tag_end], ooxml.DOC_REL_NS)
        sheets = xmltext.child(text, root, "sheets")
        if sheets is None or sheets.tag_end == sheets.end:
            raise CannotStream("workbook.xml lists no sheets")
        sheet_id = max((s.sheet_id for s in self.book.sheets), default=0)
        new_sheets = []
        for (sheet, _), rel in zip(added, self.added_rels):
            sheet_id += 1
            id_attr = f'{r}:id="{rel}"' if r else f'xmlns:r="{ooxml.DOC_REL_NS}" r:id="{rel}"'
            new_sheets.append(f'<{p}sheet name={quoteattr(sheet.title)} sheetId="{sheet_id}" {id_attr}/>')
        close = sheets.inner_end
        edits = [(close, close, "".join(new_sheets))]
        titles = [s.name for s in self.book.sheets]
        names = defined_names(self.entry.name, titles.index(self.entry.name), filter_ref=filter_ref,
                              title_rows=self.ctx.sheet.header_row)
        for offset, (sheet, _) in enumerate(added):
            names.update(defined_names(sheet.title, len(titles) + offset, filter_ref=sheet.filter_ref(),
                                       title_rows=sheet.frozen_rows))
        edits += defined_names_edit(text, root, p, names, WORKBOOK_ORDER)
        return xmltext.replace(text, edits).encode("utf-8")

    def _workbook_rels(self, added_parts: list[str], drop: set[str]) -> bytes:
        text = self.archive.read(ooxml.rels_part(self.book.part)).decode("utf-8")
        root = xmltext.root(text)
        edits = [(e.start, e.end, "") for e in xmltext.kids(text, root)
                 if e.local == "Relationship" and ooxml.resolve(self.book.part, e.attrs.get("Target", "")) in drop]
        close = root.inner_end
        for part, rel in zip(added_parts, self.added_rels):
            target = ooxml.relative(self.book.part, part)
            edits.append((close, close, f'<{root.prefix}Relationship Id="{rel}" '
                                        f'Type="{ooxml.REL_WORKSHEET}" Target="{target}"/>'))
        return xmltext.replace(text, edits).encode("utf-8")

    def _sheet_rels(self, new_rels: list[tuple[str, str, str]]) -> bytes:
        name = ooxml.rels_part(self.entry.part)
        new = "".join(f'<Relationship Id="{rel}" Type="{kind}" Target="{ooxml.relative(self.entry.part, part)}"/>'
                      for rel, kind, part in new_rels)
        if name not in self.names:
            return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    f'<Relationships xmlns="{ooxml.PKG_REL_NS}">{new}</Relationships>').encode("utf-8")
        text = self.archive.read(name).decode("utf-8")
        root = xmltext.root(text)
        if root.prefix:
            new = new.replace("<Relationship ", f"<{root.prefix}Relationship ")
        if root.tag_end == root.end:
            return xmltext.replace(text, [(root.start, root.end, f"<{root.name} xmlns=\"{ooxml.PKG_REL_NS}\">"
                                           f"{new}</{root.name}>")]).encode("utf-8")
        close = root.inner_end
        return xmltext.replace(text, [(close, close, new)]).encode("utf-8")

    def _content_types(self, added_parts: list[str], comment_parts, drop: set[str]) -> bytes:
        text = self.archive.read("[Content_Types].xml").decode("utf-8")
        root = xmltext.root(text)
        p = root.prefix
        edits, has_vml = [], False
        workbook_type = CT_MACRO_MAIN if self.macros else CT_SHEET_MAIN
        for element in xmltext.kids(text, root):
            part = element.attrs.get("PartName", "").lstrip("/")
            if element.local == "Override" and part == self.book.part:
                edits.append((element.start, element.tag_end,
                              xmltext.with_attributes(text, element, {"ContentType": workbook_type})))
            elif element.local == "Override" and part in drop:
                edits.append((element.start, element.end, ""))
            elif element.local == "Default" and element.attrs.get("Extension", "").lower() == "vml":
                has_vml = True
        new = [f'<{p}Override PartName="/{part}" ContentType="{ooxml.CT_WORKSHEET}"/>' for part in added_parts]
        if comment_parts is not None:
            if comment_parts.new_comments_part:
                new.append(f'<{p}Override PartName="/{comment_parts.comments}" ContentType="{ooxml.CT_COMMENTS}"/>')
            if not has_vml:
                new.insert(0, f'<{p}Default Extension="vml" ContentType="{ooxml.CT_VML}"/>')
        close = root.inner_end
        edits.append((close, close, "".join(new)))
        return xmltext.replace(text, edits).encode("utf-8")


# ---------------------------------------------------------------------- helpers


class _InBackground:
    """Writes chunks to `target` from a thread: zlib compresses (and checksums) without the
    interpreter lock, so one chunk is compressed while the next is rendered."""

    def __init__(self, target):
        self._target = target
        self._chunks: queue.Queue = queue.Queue(maxsize=4)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="xlsx-deflate", daemon=True)

    def __enter__(self) -> _InBackground:
        self._thread.start()
        return self

    def _drain(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            if self._failure is None:
                try:
                    self._target.write(chunk)
                except BaseException as exc:  # noqa: BLE001 - handed to the writing thread
                    self._failure = exc

    def write(self, chunk: bytes) -> None:
        if self._failure is not None:
            raise self._failure
        self._chunks.put(chunk)

    def __exit__(self, *exc) -> None:
        self._chunks.put(None)
        self._thread.join()
        if self._failure is not None and exc[0] is None:
            raise self._failure


def _new_entry(name: str) -> zipfile.ZipInfo:
    """An entry as `ZipFile.writestr(name, ...)` makes one, for a part written in pieces."""
    entry = zipfile.ZipInfo(name, time.localtime(time.time())[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o600 << 16
    return entry


def _entry(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh entry with the same name and date, deflated."""
    entry = zipfile.ZipInfo(info.filename, info.date_time)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = info.external_attr
    return entry
