"""The streaming xlsx writer: what it writes equals what the openpyxl writer writes, and
every part of the input it does not need to change is copied byte for byte.

Workbooks are real files made with openpyxl in tmp_path, some then edited at the
XML level to hold what Excel writes and openpyxl does not (shared strings, a
calcChain, a namespace prefix).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from reconciler.model import Cell, OutputColumn, RowOutcome, RunSummary, Sheet, SheetRow, WriteContext
from reconciler.writers import STATUS_FILLS, write_xlsx
from reconciler.writers.xlsx import MISMATCH_FILL, write_xlsx_openpyxl
from reconciler.writers.xlsx_stream import write_streaming

HEADERS = ["Name", "Mobile", "Dept", "Talent status"]
COLUMNS = [
    OutputColumn("Talent ID", "text"),
    OutputColumn("Onboarded", "value"),
    OutputColumn("Start", "value", "job_data"),
    OutputColumn("Hours", "value", "job_data"),
    OutputColumn("Talent status", "status"),
    OutputColumn("Talent note", "note"),
]
STATUS_COLUMNS = {"talent": "Talent status"}


def make_book(path: Path, *, rows: int = 6, chart: bool = True) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "People"
    ws["A1"] = "Batch 9"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:B1")
    for col, header in enumerate(HEADERS, start=1):
        cell = ws.cell(2, col, header)
        cell.font = Font(name="Arial", italic=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for n in range(rows):
        ws.append([f"Person {n}", 13800000000 + n, f"D{n % 3}", "old" if n % 2 else None])
    ws["C4"].font = Font(color="FF0000")
    ws.column_dimensions["A"].width = 20
    ws.row_dimensions[rows + 4].height = 30  # an empty row with a height: <row .../> with no cell
    ws.freeze_panes = "B1"
    notes = wb.create_sheet("Notes")
    notes["A1"] = "kept as it is"
    if chart:
        bar = BarChart()
        bar.add_data(Reference(notes, min_col=1, min_row=1, max_row=1))
        notes.add_chart(bar, "C3")
    wb.save(path)
    return path


def make_ctx(tmp_path: Path, source: Path, *, rows: int = 6, outcomes=None) -> WriteContext:
    sheet_rows = [SheetRow(n, {h: Cell(None, "") for h in HEADERS}) for n in range(3, 3 + rows)]
    sheet = Sheet(source, "People", 2, list(HEADERS), sheet_rows)
    if outcomes is None:
        outcomes = {
            3: RowOutcome(3, "matched", values={"Talent ID": "6900000000000000001", "Onboarded": True,
                                                "Start": dt.date(2024, 5, 6), "Hours": 37.5}),
            4: RowOutcome(4, "partial", "email unknown", values={"Talent ID": 7001, "Onboarded": False,
                                                                  "Start": dt.datetime(2024, 5, 6, 9, 30)},
                          mismatches={"Dept": "D9"}),
            5: RowOutcome(5, "invalid", "=HYPERLINK(\"x\")", values={"Hours": 40}),
            7: RowOutcome(7, "not_found", "  padded  ", mismatches={"Dept": ""}),
        }
    summary = RunSummary("Check", dt.datetime(2025, 1, 2, 3, 4, 5), seconds=1.5,
                         talent_counts={"matched": 1, "partial": 1, "invalid": 1, "not_found": 1},
                         requests={"hire/v1/talents/batch_get_id": 3}, rows=len(outcomes))
    return WriteContext(source, tmp_path / "out.xlsx", sheet, list(COLUMNS), outcomes, summary, "en-US",
                        dict(STATUS_COLUMNS))


def both(tmp_path: Path, source: Path, **kw) -> tuple[Path, Path, WriteContext]:
    """Write the same context with each writer; (streamed, openpyxl, streamed's context)."""
    streamed_ctx, openpyxl_ctx = make_ctx(tmp_path, source, **kw), make_ctx(tmp_path, source, **kw)
    streamed_ctx.output_path, openpyxl_ctx.output_path = tmp_path / "streamed.xlsx", tmp_path / "openpyxl.xlsx"
    assert write_streaming(streamed_ctx) == streamed_ctx.output_path
    write_xlsx_openpyxl(openpyxl_ctx)
    return streamed_ctx.output_path, openpyxl_ctx.output_path, streamed_ctx


def grid(ws) -> dict:
    """Every non-empty or styled cell: value, type, number format, fill, bold, comment."""
    cells = {}
    for row in ws.iter_rows():
        for c in row:
            fill = c.fill.fgColor.rgb[-6:] if c.fill.fill_type == "solid" else None
            if c.value is None and fill is None and c.comment is None:
                continue
            cells[c.coordinate] = (c.value, c.data_type, c.number_format, fill, bool(c.font.b), c.quotePrefix,
                                   c.comment.text if c.comment else None)
    return cells


def test_same_content_as_the_openpyxl_writer(tmp_path):
    # no chart: openpyxl warns that it may not keep one (test_chart_kept_... covers charts)
    streamed, reference, _ = both(tmp_path, make_book(tmp_path / "in.xlsx", chart=False))
    a, b = load_workbook(streamed), load_workbook(reference)
    assert a.sheetnames == b.sheetnames == ["People", "Notes", "Summary", "To review"]
    for name in ("People", "Summary", "To review"):
        assert grid(a[name]) == grid(b[name]), name
    people, expected = a["People"], b["People"]
    assert people.freeze_panes == expected.freeze_panes == "B3"  # column A stays frozen, rows down to the header
    assert people.auto_filter.ref == expected.auto_filter.ref == "A2:I8"
    assert {str(r) for r in people.merged_cells.ranges} == {"A1:B1"}
    for letter in "EFGHI":  # the added columns
        assert people.column_dimensions[letter].width == expected.column_dimensions[letter].width
    assert people.column_dimensions["A"].width == 20


def test_types_fills_and_comments(tmp_path):
    streamed, _, _ = both(tmp_path, make_book(tmp_path / "in.xlsx"))
    ws = load_workbook(streamed)["People"]
    header = {c.value: c.column_letter for c in ws[2] if c.value}
    assert ws[f"{header['Talent ID']}4"].value == "7001" and ws[f"{header['Talent ID']}4"].number_format == "@"
    assert ws[f"{header['Onboarded']}3"].value is True and ws[f"{header['Onboarded']}3"].data_type == "b"
    assert ws[f"{header['Start']}3"].value == dt.datetime(2024, 5, 6)
    assert ws[f"{header['Start']}3"].number_format == "yyyy-mm-dd"
    assert ws[f"{header['Start']}4"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert ws[f"{header['Hours']}3"].value == 37.5
    note = ws[f"{header['Talent note']}5"]
    assert (note.value, note.data_type, note.quotePrefix) == ('=HYPERLINK("x")', "s", True)
    assert ws[f"{header['Talent note']}7"].value == "  padded  "
    status = ws["D3"]  # the sheet's own status column, filled in place
    assert status.value == "Matched" and status.fill.fgColor.rgb.endswith(STATUS_FILLS["matched"])
    assert ws["D4"].value == "Partial" and ws["D6"].value == "old"  # row 6 has no outcome: left alone
    assert ws["D3"].font.i is False or ws["D3"].font.i is None
    dept = ws["C4"]
    assert dept.value == "D1" and dept.comment.text == "Feishu: D9"
    assert dept.fill.fgColor.rgb.endswith(MISMATCH_FILL) and dept.font.color.rgb.endswith("FF0000")  # its font kept
    assert ws["C7"].comment.text == "Feishu: (blank)"
    added = ws[f"{header['Talent ID']}2"]
    assert added.font.b and added.font.name == "Arial" and added.fill.fgColor.rgb.endswith("DDEBF7")


def test_untouched_parts_are_copied_byte_for_byte(tmp_path):
    source = make_book(tmp_path / "in.xlsx")
    streamed, _, _ = both(tmp_path, source)
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(streamed) as after:
        rewritten = {"xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                     "[Content_Types].xml", "xl/worksheets/_rels/sheet1.xml.rels"}
        kept = [n for n in before.namelist() if n not in rewritten]
        assert "xl/charts/chart1.xml" in kept and "xl/worksheets/sheet2.xml" in kept
        for name in kept:
            assert after.read(name) == before.read(name), name
        for name in after.namelist():  # every part written is well-formed XML
            if name.endswith((".xml", ".rels", ".vml")):
                ElementTree.fromstring(after.read(name))
        styles_before, styles_after = before.read("xl/styles.xml").decode(), after.read("xl/styles.xml").decode()
        assert styles_after.count("<xf ") > styles_before.count("<xf ")  # styles appended, not renumbered


def test_chart_kept_without_the_openpyxl_warning(tmp_path):
    _, _, ctx = both(tmp_path, make_book(tmp_path / "in.xlsx"))
    assert not any("charts" in w for w in ctx.summary.warnings)
    summary = [r[0] for r in load_workbook(ctx.output_path)["Summary"].iter_rows(values_only=True)]
    assert "none" in summary


def excel_like(path: Path) -> Path:
    """openpyxl writes inline strings; Excel writes a shared-strings table and a calcChain."""
    strings: list[bytes] = []

    def shared(match):
        strings.append(match.group(3))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match.group(1), match.group(2), len(strings) - 1)

    inline = re.compile(rb'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is><t>(.*?)</t></is></c>')
    out = path.with_name("excel_" + path.name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = inline.sub(shared, data).replace(b'<c r="D8" t="n"><v>', b'<c r="D8"><f>1+1</f><v>')
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxml'
                                    b'formats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings'
                                    b'.xml"/><Relationship Id="rIdC" Type="http://schemas.openxmlformats.org/office'
                                    b'Document/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>')
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application'
                                    b'/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override '
                                    b'PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-office'
                                    b'document.spreadsheetml.calcChain+xml"/></Types>')
            target.writestr(item, data)
        target.writestr("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                        b'main">' + b"".join(b"<si><t>%s</t></si>" % s for s in strings) + b"</sst>")
        target.writestr("xl/calcChain.xml", b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                        b'2006/main"><c r="D8" i="1"/></calcChain>')
    return out


def test_shared_strings_and_an_overwritten_formula(tmp_path):
    wb = load_workbook(make_book(tmp_path / "in.xlsx"))
    wb["People"]["D8"] = 5  # becomes a formula cell in the status column (row 8 has an outcome below)
    wb.save(tmp_path / "in.xlsx")
    source = excel_like(tmp_path / "in.xlsx")
    outcomes = {8: RowOutcome(8, "matched", values={"Talent ID": "1"}), 3: RowOutcome(3, "conflict")}
    streamed, reference, _ = both(tmp_path, source, outcomes=outcomes)
    a, b = load_workbook(streamed), load_workbook(reference)
    assert grid(a["People"]) == grid(b["People"])
    assert a["People"]["D8"].value == "Matched" and a["People"]["A5"].value == "Person 2"  # shared strings kept
    with zipfile.ZipFile(streamed) as out:
        assert "xl/calcChain.xml" not in out.namelist()  # it named the formula that is now a value
        assert b"calcChain" not in out.read("[Content_Types].xml") + out.read("xl/_rels/workbook.xml.rels")
        assert out.read("xl/sharedStrings.xml") == zipfile.ZipFile(source).read("xl/sharedStrings.xml")


def test_rows_the_sheet_lacks_and_rows_without_cells(tmp_path):
    source = make_book(tmp_path / "in.xlsx")
    outcomes = {10: RowOutcome(10, "matched"), 12: RowOutcome(12, "not_found"), 4: RowOutcome(4, "matched")}
    streamed, reference, _ = both(tmp_path, source, rows=10, outcomes=outcomes)
    a, b = load_workbook(streamed)["People"], load_workbook(reference)["People"]
    assert grid(a) == grid(b)
    assert a["D10"].value == "Matched" and a["D12"].value == "Not found"
    assert a.row_dimensions[10].height == 30  # the empty row kept its height
    numbers = [int(n) for n in re.findall(rb'<row r="([0-9]+)"', zipfile.ZipFile(streamed).read("xl/worksheets/sheet1.xml"))]
    assert numbers == sorted(numbers) and len(numbers) == len(set(numbers))


def test_merges_beyond_the_data_count_as_used(tmp_path):
    source = make_book(tmp_path / "in.xlsx", chart=False)
    wb = load_workbook(source)
    wb["People"].unmerge_cells("A1:B1")
    wb["People"].merge_cells("A1:K1")  # a title wider than the table
    wb["People"].merge_cells("A12:B14")  # a note below it
    wb.save(source)
    streamed, reference, _ = both(tmp_path, source)
    a, b = load_workbook(streamed)["People"], load_workbook(reference)["People"]
    assert grid(a) == grid(b)
    assert a["L2"].value == "Talent ID"  # after the merge's last column, as the openpyxl writer places it
    assert a.auto_filter.ref == b.auto_filter.ref == "A2:P14"


def test_namespace_prefixed_worksheet(tmp_path):
    source = make_book(tmp_path / "in.xlsx", chart=False)
    prefixed = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(prefixed, "w") as after:
        for item in before.infolist():
            data = before.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<(/?)(?!\?)([A-Za-z]+)([\s/>])", rb"<\1x:\2\3", data)
                data = data.replace(b'<x:worksheet xmlns="', b'<x:worksheet xmlns:x="')
            after.writestr(item, data)
    streamed, reference, _ = both(tmp_path, prefixed)
    assert grid(load_workbook(streamed)["People"]) == grid(load_workbook(reference)["People"])
    assert b"<x:row" in zipfile.ZipFile(streamed).read("xl/worksheets/sheet1.xml")


def test_column_range_split_around_added_columns(tmp_path):
    source = make_book(tmp_path / "in.xlsx", chart=False)
    wb = load_workbook(source)
    wb["People"].column_dimensions.group("B", "L", hidden=False)
    wb["People"].column_dimensions["B"].width = 13
    wb.save(source)
    streamed, _, _ = both(tmp_path, source)
    cols = re.findall(rb"<col [^>]*>", zipfile.ZipFile(streamed).read("xl/worksheets/sheet1.xml"))
    spans = [tuple(int(x) for x in re.search(rb'min="([0-9]+)" max="([0-9]+)"', c).groups()) for c in cols]
    assert spans == sorted(spans) and all(a[1] < b[0] for a, b in zip(spans, spans[1:]))  # no overlap
    ws = load_workbook(streamed)["People"]
    assert 10 <= ws.column_dimensions["E"].width <= 50


def test_comments_of_the_sheet_stay_and_mismatch_comments_merge_into_them(tmp_path):
    source = make_book(tmp_path / "in.xlsx", chart=False)
    wb = load_workbook(source)
    wb["People"]["A3"].comment = Comment("a note of the user's", "HR")
    wb["People"]["C4"].comment = Comment("typed by hand", "HR")  # a mismatch cell with a comment already
    wb.save(source)
    with zipfile.ZipFile(source, "a") as archive:
        archive.writestr("xl/media/image9.png", bytes(range(256)))  # only a streaming copy keeps this
    ctx = make_ctx(tmp_path, source)
    ctx.sheet.name = "People"
    assert write_streaming(ctx) is not None  # no fallback
    ws = load_workbook(ctx.output_path)["People"]
    commented = sum(1 for row in ws.iter_rows() for cell in row if cell.comment)
    assert commented >= 3  # the user's two and ours
    assert ws["A3"].comment.text == "a note of the user's" and ws["A3"].comment.author == "HR"
    assert ws["C4"].comment.text == "typed by hand\nFeishu: D9"
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(ctx.output_path) as after:
        assert after.read("xl/media/image9.png") == before.read("xl/media/image9.png")
        vml = [n for n in after.namelist() if n.endswith(".vml")]
        assert len(vml) == 1 and after.read(vml[0]).count(b"ObjectType=\"Note\"") == commented  # a box each


@pytest.mark.parametrize("case", ["csv", "macros"])
def test_falls_back_to_openpyxl(tmp_path, case):
    if case == "csv":
        source = tmp_path / "in.csv"
        source.write_text("Name,Mobile,Dept,Talent status\nA,1,D1,\n", encoding="utf-8")
    else:
        source = make_book(tmp_path / "in.xlsx", chart=False)
        if case == "macros":
            with zipfile.ZipFile(source, "a") as archive:
                archive.writestr("xl/vbaProject.bin", b"not really vba")
    ctx = make_ctx(tmp_path, source)
    ctx.sheet.name = None if case == "csv" else "People"
    assert write_streaming(ctx) is None
    out = load_workbook(write_xlsx(ctx))  # the openpyxl writer takes over
    assert "Summary" in out.sheetnames


def test_macros_kept_when_the_copy_is_macro_enabled(tmp_path):
    source = make_book(tmp_path / "in.xlsm", chart=False)
    with zipfile.ZipFile(source, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"not really vba")
    ctx = make_ctx(tmp_path, source)
    ctx.output_path = tmp_path / "out.xlsm"
    assert write_streaming(ctx) == ctx.output_path
    with zipfile.ZipFile(ctx.output_path) as out:
        assert out.read("xl/vbaProject.bin") == b"not really vba"
        assert b"macroEnabled.main+xml" in out.read("[Content_Types].xml")


def test_our_comments_are_openpyxls_xml_byte_for_byte():
    from reconciler.writers.comment_parts import _OursOnly, by_openpyxl, ours

    comments = {(3, 2): 'Feishu: a & <b> "q" \'s\'', (10, 3): "飞书：研发部 ", (4, 1): "Feishu:\nsecond line",
                (2, 28): "\tFeishu", (7, 16384): "   ", (1048576, 1): "Feishu: 1048575 16383 _x0000_s1026"}
    fast = _OursOnly.make()
    assert fast is not None  # openpyxl's XML is cut as expected (else every comment goes through openpyxl)
    assert fast.render(comments) == by_openpyxl(ours(comments))
    one = {(5, 5): "Feishu: x"}
    assert fast.render(one) == by_openpyxl(ours(one))


def test_the_spans_hint_excel_writes_on_rows_is_dropped(tmp_path):
    source = make_book(tmp_path / "in.xlsx", chart=False)
    spanned = tmp_path / "spanned.xlsx"  # as Excel saves it: each row says which columns it spans
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(spanned, "w") as after:
        for item in before.infolist():
            data = before.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<row r="([0-9]+)"', rb'<row r="\1" spans="1:4"', data)
                assert data.count(b'spans="1:4"') >= 8
            after.writestr(item, data)
    streamed, reference, _ = both(tmp_path, spanned)
    tags = dict(re.findall(rb'<row r="([0-9]+)"([^>]*)>', zipfile.ZipFile(streamed).read("xl/worksheets/sheet1.xml")))
    assert all(b"spans" not in tags[b"%d" % n] for n in (2, 3, 4, 5, 7))  # cells added: 1:4 is no longer true
    assert b'spans="1:4"' in tags[b"6"]  # a row left as it was keeps it
    assert grid(load_workbook(streamed)["People"]) == grid(load_workbook(reference)["People"])


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_a_plain_text_cell_is_rendered_as_any_text_is(tmp_path, prefix):
    from reconciler.writers.cellxml import MAX_TEXT, CellRenderer
    from reconciler.writers.stylesheet import StyleSheet

    with zipfile.ZipFile(make_book(tmp_path / "in.xlsx", chart=False)) as archive:
        renderer = CellRenderer(StyleSheet(archive.read("xl/styles.xml")), prefix=prefix)
    texts = ["6900000000073019198", "研发部", "D001", "0012", "½", "x" * (MAX_TEXT + 1), "a b", "=1", "&x"]
    for text in texts:
        for kind in ("value", "text", "note", "status"):
            for fill in (None, MISMATCH_FILL):
                for base in (0, 1):
                    assert renderer.rest(text, kind, base, fill) == renderer._rest(text, kind, base, fill)
