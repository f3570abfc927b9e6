"""The xlsx, csv and jsonl writers on real files written with openpyxl in tmp_path.

The xlsx tests run against both implementations of the annotated copy: the
streaming writer (what `write_xlsx` uses for .xlsx inputs) and the openpyxl
writer (what it falls back to).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.table import Table

from reconciler.errors import OutputError, UsageError
from reconciler.model import Cell, OutputColumn, RowOutcome, RunSummary, Sheet, SheetRow, WriteContext
from reconciler.writers import STATUS_FILLS, write_csv, write_jsonl, write_xlsx
from reconciler.writers.common import atomic_output
from reconciler.messages.render import render
from reconciler.writers.xlsx import MISMATCH_FILL, sheet_title, write_xlsx_openpyxl
from reconciler.writers.xlsx_stream import write_streaming

HEADER_ROW = 3
HEADERS = ["姓名", "手机号", "邮箱", "部门ID", "Talent status"]
DATA = {  # row number -> cell values (rows 5 and 8 are blank)
    4: ["张三", "13800138000", "zhang@example.com", "D1", "stale"],
    6: ["李四", 13900139000, "li@example.com", "D2", None],
    7: ["王五", "+8613700137000", "wang@example.com", None, None],
    9: ["赵六", None, "zhao@example.com", "D4", "old value"],
}
COLUMNS = [
    OutputColumn("Talent ID", "text"),
    OutputColumn("Onboarded", "value"),
    OutputColumn("Talent status", "status"),
    OutputColumn("Talent note", "note"),
    OutputColumn("Department", "value", "job_data"),
    OutputColumn("Probation end", "value", "job_data"),
    OutputColumn("Job data status", "status", "job_data"),
    OutputColumn("Job data note", "note", "job_data"),
]
STATUS_COLUMNS = {"talent": "Talent status", "job_data": "Job data status"}


def write_streamed(ctx: WriteContext) -> Path:
    written = write_streaming(ctx)
    assert written is not None, "the streaming writer handed this input to openpyxl"
    return written


XLSX_WRITERS = {"streaming": write_streamed, "openpyxl": write_xlsx_openpyxl}


@pytest.fixture(params=sorted(XLSX_WRITERS))
def xlsx_writer(request):
    return XLSX_WRITERS[request.param]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_workbook(path: Path, *, chart: bool = False, extra_sheet: str = "Notes") -> Path:
    wb = Workbook()
    notes = wb.active
    notes.title = extra_sheet
    notes["A1"] = "keep me"
    notes["A1"].font = Font(italic=True)
    notes.column_dimensions["A"].width = 33
    ws = wb.create_sheet("Candidates")
    ws["A1"] = "Onboarding batch 7"
    ws.merge_cells("A1:C1")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for col, header in enumerate(HEADERS, start=1):
        cell = ws.cell(HEADER_ROW, col, header)
        cell.font = Font(name="Arial", size=12)
        cell.fill = header_fill
    ws.column_dimensions["B"].width = 22
    for row, values in DATA.items():
        for col, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(row, col, value)
    ws["B4"].number_format = "@"
    if chart:
        bar = BarChart()
        bar.add_data(Reference(ws, min_col=2, min_row=4, max_row=6))
        notes.add_chart(bar, "C3")
    wb.save(path)
    return path


def cell_of(value) -> Cell:
    if value is None:
        return Cell(None, "")
    return Cell(value, str(value))


def make_sheet(path: Path, name: str | None = "Candidates") -> Sheet:
    """The sheet as read: the non-blank rows only (rows 5 and 8 are blank)."""
    rows = [SheetRow(n, {h: cell_of(DATA[n][i]) for i, h in enumerate(HEADERS)}) for n in sorted(DATA)]
    return Sheet(path=path, name=name, header_row=HEADER_ROW, headers=list(HEADERS), rows=rows)


def make_outcomes() -> dict[int, RowOutcome]:
    return {
        4: RowOutcome(
            4, "matched", "", "found", "",
            values={"Talent ID": "13800138000", "Onboarded": True, "Department": "D1",
                    "Probation end": dt.date(2025, 3, 31)},
        ),
        6: RowOutcome(
            6, "partial", "email resolved to nothing", "mismatch", "部门ID differs",
            values={"Talent ID": 7001234, "Onboarded": False, "Department": "D9"},
            mismatches={"部门ID": "D9"},
        ),
        7: RowOutcome(7, "invalid", "=1+1", "no_key", "@SUM(A1)", values={"Department": "-2+3"}),
    }


def make_ctx(tmp_path: Path, source: Path, sheet: Sheet, suffix: str = ".xlsx", locale: str = "en-US") -> WriteContext:
    summary = RunSummary(
        recipe_name="Onboarding check",
        started_at=dt.datetime(2025, 1, 2, 3, 4, 5),
        seconds=1.25,
        talent_counts={"matched": 1, "partial": 1, "invalid": 1},
        job_counts={"found": 1, "mismatch": 1, "no_key": 1},
        requests={"talents.batch_get_id": 2, "corehr.job_datas": 3},
        cache_hits=4,
        retries=1,
        rows=3,
    )
    return WriteContext(
        input_path=source,
        output_path=tmp_path / f"{source.stem}.reconciled{suffix}",
        sheet=sheet,
        columns=list(COLUMNS),
        outcomes=make_outcomes(),
        summary=summary,
        locale=locale,
        status_columns=dict(STATUS_COLUMNS),
    )


@pytest.fixture
def written(tmp_path, xlsx_writer):
    source = make_workbook(tmp_path / "people.xlsx")
    before = sha256(source)
    ctx = make_ctx(tmp_path, source, make_sheet(source))
    out = xlsx_writer(ctx)
    assert out == ctx.output_path
    assert sha256(source) == before  # the input is never changed
    return ctx, load_workbook(out)


def header_map(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[HEADER_ROW] if c.value is not None}


def test_columns_appended_after_last_column_and_existing_one_filled(written):
    _, wb = written
    ws = wb["Candidates"]
    cols = header_map(ws)
    assert cols["Talent status"] == 5  # the sheet's own column, filled in place
    assert [cols[h] for h in ("Talent ID", "Onboarded", "Talent note", "Department", "Probation end",
                              "Job data status", "Job data note")] == [6, 7, 8, 9, 10, 11, 12]
    assert ws.cell(4, 5).value == "Matched"  # "stale" replaced by the label of the status
    assert ws.cell(9, 5).value == "old value"  # no outcome: left as it was
    assert ws.cell(9, 6).value is None
    added = ws.cell(HEADER_ROW, 6)
    assert added.font.b and added.font.name == "Arial"
    assert added.fill.fgColor.rgb.endswith("DDEBF7")


def test_status_fills_and_types(written):
    _, wb = written
    ws = wb["Candidates"]
    cols = header_map(ws)
    for row, status in ((4, "matched"), (6, "partial"), (7, "invalid")):
        assert ws.cell(row, cols["Talent status"]).value == status.capitalize()
        assert ws.cell(row, cols["Talent status"]).fill.fgColor.rgb.endswith(STATUS_FILLS[status])
    assert ws.cell(6, cols["Job data status"]).value == "Mismatch"
    assert ws.cell(6, cols["Job data status"]).fill.fgColor.rgb.endswith(STATUS_FILLS["mismatch"])
    phone_like = ws.cell(4, cols["Talent ID"])
    assert (phone_like.value, phone_like.data_type, phone_like.number_format) == ("13800138000", "s", "@")
    numeric_id = ws.cell(6, cols["Talent ID"])
    assert (numeric_id.value, numeric_id.data_type) == ("7001234", "s")
    assert ws.cell(4, cols["Onboarded"]).value is True
    assert ws.cell(4, cols["Onboarded"]).data_type == "b"
    assert ws.cell(6, cols["Onboarded"]).value is False
    probation = ws.cell(4, cols["Probation end"])
    assert probation.value.date() == dt.date(2025, 3, 31) and probation.number_format == "yyyy-mm-dd"
    assert ws.cell(6, cols["Talent note"]).value == "email resolved to nothing"


def test_injection_strings_stay_text(written):
    _, wb = written
    ws = wb["Candidates"]
    cols = header_map(ws)
    for column, expected in (("Talent note", "=1+1"), ("Job data note", "@SUM(A1)"), ("Department", "-2+3")):
        cell = ws.cell(7, cols[column])
        assert cell.value == expected
        assert cell.data_type == "s"  # a formula would load back as "f"
        assert cell.number_format == "@"


def test_mismatch_comment_keeps_original_value(written):
    _, wb = written
    ws = wb["Candidates"]
    cell = ws.cell(6, 4)  # 部门ID
    assert cell.value == "D2"
    assert cell.comment is not None and "Feishu: D9" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith(MISMATCH_FILL)
    assert ws.cell(4, 4).comment is None


def test_freeze_filter_and_widths(written):
    _, wb = written
    ws = wb["Candidates"]
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == "A3:L9"
    assert ws.column_dimensions["B"].width == 22
    assert 10 <= ws.column_dimensions["F"].width <= 50


def test_everything_else_untouched(written):
    _, wb = written
    assert wb.sheetnames[:2] == ["Notes", "Candidates"]
    notes = wb["Notes"]
    assert notes["A1"].value == "keep me" and notes["A1"].font.i
    assert notes.column_dimensions["A"].width == 33
    ws = wb["Candidates"]
    assert ws["A1"].value == "Onboarding batch 7"
    assert "A1:C1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A3"].fill.fgColor.rgb.endswith("DDEBF7")
    assert ws["B6"].value == 13900139000
    for blank in (5, 8):
        assert all(c.value is None for c in ws[blank])
        assert all(c.fill.fill_type is None for c in ws[blank])


def test_summary_sheet(written):
    ctx, wb = written
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(values_only=True) if row[0] is not None}
    assert summary["Recipe"] == "Onboarding check"
    started = dt.datetime(2025, 1, 2, 3, 4, 5).astimezone()  # a time without a zone is the computer's local time
    offset = started.strftime("%z")
    assert summary["Run started"] == f"2025-01-02 03:04:05 (UTC{offset[:3]}:{offset[3:]})"
    assert summary["Input file"] == "people.xlsx"
    assert summary["Sheet"] == "Candidates"
    assert summary["Rows reconciled"] == 3
    assert (summary["Matched"], summary["Partial"], summary["Ambiguous"], summary["Invalid"]) == (1, 1, 0, 1)
    assert (summary["Found"], summary["Mismatch"], summary["No key"]) == (1, 1, 1)
    assert summary["talents.batch_get_id"] == 2 and summary["corehr.job_datas"] == 3
    assert (summary["Total"], summary["Cache hits"], summary["Retries"], summary["Seconds"]) == (5, 4, 1, 1.25)
    assert summary["Warnings"] is None and "none" in summary


def test_summary_name_clash_and_chinese_labels_and_chart_warning(tmp_path, xlsx_writer):
    source = make_workbook(tmp_path / "book.xlsx", chart=True, extra_sheet="summary")
    ctx = make_ctx(tmp_path, source, make_sheet(source), locale="zh-CN")
    wb = load_workbook(xlsx_writer(ctx))
    assert wb.sheetnames == ["summary", "Candidates", "汇总", "待处理"]
    rows = [r for r in wb["汇总"].iter_rows(values_only=True)]
    labels = {r[0] for r in rows}
    assert {"配方", "人才状态", "任职数据状态", "警告"} <= labels
    if xlsx_writer is write_xlsx_openpyxl:  # openpyxl keeps charts: it claims nothing lost
        assert not any("charts" in w or "xl/charts" in w for w in ctx.summary.warnings)
    else:  # the streaming writer copies the chart's parts as they are
        assert not any("charts" in w for w in ctx.summary.warnings)
        with zipfile.ZipFile(source) as before, zipfile.ZipFile(ctx.output_path) as after:
            charts = [n for n in before.namelist() if n.startswith(("xl/charts/", "xl/drawings/"))]
            assert charts and all(after.read(n) == before.read(n) for n in charts)


def test_output_path_equal_to_input_refused(tmp_path):
    source = make_workbook(tmp_path / "people.xlsx")
    before = sha256(source)
    ctx = make_ctx(tmp_path, source, make_sheet(source))
    ctx.output_path = tmp_path / "." / "people.xlsx"
    for writer in (write_xlsx, write_streaming, write_xlsx_openpyxl, write_csv, write_jsonl):
        with pytest.raises(UsageError, match="is the input file"):
            writer(ctx)
    assert sha256(source) == before


def test_unwritable_places_raise_output_error(tmp_path, xlsx_writer):
    source = make_workbook(tmp_path / "people.xlsx")
    ctx = make_ctx(tmp_path, source, make_sheet(source))
    ctx.output_path = tmp_path / "missing" / "out.xlsx"
    with pytest.raises(OutputError, match="does not exist"):
        xlsx_writer(ctx)
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    read_only.chmod(0o555)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        read_only = Path("/sys")  # root writes through chmod; sysfs refuses new files even to root
    ctx.output_path = read_only / "out.csv"
    with pytest.raises(OutputError):
        write_csv(ctx)
    assert not ctx.output_path.exists()


def test_excel_lock_file_refused(tmp_path, xlsx_writer):
    source = make_workbook(tmp_path / "people.xlsx")
    ctx = make_ctx(tmp_path, source, make_sheet(source))
    (tmp_path / f"~${ctx.output_path.name}").write_bytes(b"")
    with pytest.raises(OutputError, match="open in Excel"):
        xlsx_writer(ctx)


def test_failed_write_leaves_no_file(tmp_path, xlsx_writer):
    source = make_workbook(tmp_path / "people.xlsx")
    ctx = make_ctx(tmp_path, source, make_sheet(source))
    with pytest.raises(RuntimeError):
        with atomic_output(ctx) as tmp:
            tmp.write_bytes(b"half a workbook")
            raise RuntimeError("crash")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["people.xlsx"]
    xlsx_writer(ctx)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["people.reconciled.xlsx", "people.xlsx"]


def test_excel_table_at_header_gets_no_sheet_filter(tmp_path, xlsx_writer):
    source = tmp_path / "table.xlsx"
    make_workbook(source)
    wb = load_workbook(source)
    wb["Candidates"].add_table(Table(displayName="People", ref="A3:E9"))
    wb.save(source)
    ctx = make_ctx(tmp_path, source, make_sheet(source))
    ws = load_workbook(xlsx_writer(ctx))["Candidates"]
    assert ws.auto_filter.ref is None
    assert "People" in ws.tables
    assert any("Excel table" in w for w in ctx.summary.warnings)


def test_cells_under_a_merge_are_left_alone_with_one_warning_per_column(tmp_path, xlsx_writer):
    source = tmp_path / "merged.xlsx"
    make_workbook(source)
    wb = load_workbook(source)
    wb["Candidates"].merge_cells("D6:E6")  # covers row 6's Talent status (a column the sheet has)
    wb["Candidates"].merge_cells("A7:E7")  # covers row 7's Talent status again, and its 部门ID
    wb.save(source)
    ctx = make_ctx(tmp_path, source, make_sheet(source))
    ws = load_workbook(xlsx_writer(ctx))["Candidates"]
    assert ws["E6"].value is None and ws["E7"].value is None
    assert ws["D6"].value == "D2" and ws["D6"].comment is not None  # the merge's own top-left cell is marked
    assert ws["E4"].value == "Matched"
    assert [w for w in ctx.summary.warnings if "merged" in w] == [
        "column 'Talent status' crosses merged cells on 'Candidates'; those cells were left unchanged",
    ]


def test_the_openpyxl_copy_names_exactly_the_parts_it_does_not_keep(tmp_path):
    source = make_workbook(tmp_path / "book.xlsx", chart=True)
    picture = bytes(range(256)) * 8
    with zipfile.ZipFile(source, "a") as archive:
        archive.writestr("xl/media/image9.png", picture)  # openpyxl drops a picture no drawing shows
        archive.writestr("xl/slicers/slicer1.xml", b"<slicers/>")
        archive.writestr("customXml/item1.xml", b"<data/>")
    ctx = make_ctx(tmp_path, source, make_sheet(source), locale="zh-CN")
    write_xlsx_openpyxl(ctx)
    [warning] = [w for w in ctx.summary.warnings if getattr(w, "key", "") == "warning.parts_lost"]
    text = render(warning, "zh-CN")
    for part in ("xl/media/image9.png（图片）", "xl/slicers/slicer1.xml", "customXml/item1.xml"):
        assert part in text, text
    assert "xl/charts" not in text and "chart" not in text  # kept: never claimed lost
    with zipfile.ZipFile(ctx.output_path) as made:
        assert not any(n.startswith(("customXml/", "xl/slicers/")) for n in made.namelist())
    summary = [r[0] for r in load_workbook(ctx.output_path)["汇总"].iter_rows(values_only=True) if r[0]]
    assert any("xl/media/image9.png" in line for line in summary)  # named in the workbook, before it was written


def test_csv_input_becomes_workbook(tmp_path):
    source = tmp_path / "candidates [May]?.csv"
    source.write_text("姓名,手机号,备注\n张三,013800138000,=HYPERLINK(\"x\")\n,,\n", encoding="utf-8")
    sheet = Sheet(
        path=source, name=None, header_row=1, headers=["姓名", "手机号", "备注"],
        rows=[
            SheetRow(2, {"姓名": Cell("张三", "张三"), "手机号": Cell("013800138000", "013800138000"),
                         "备注": Cell('=HYPERLINK("x")', '=HYPERLINK("x")')}),
            SheetRow(3, {"姓名": Cell(None, ""), "手机号": Cell(None, ""), "备注": Cell(None, "")}),
        ],
    )
    ctx = make_ctx(tmp_path, source, sheet)
    ctx.columns = [OutputColumn("Talent status", "status"), OutputColumn("Talent ID", "text")]
    ctx.outcomes = {2: RowOutcome(2, "matched", values={"Talent ID": "6001"})}
    wb = load_workbook(write_xlsx(ctx))
    ws = wb[sheet_title(source.stem)]
    assert ws.title == "candidates _May__"
    assert [c.value for c in ws[1]] == ["姓名", "手机号", "备注", "Talent status", "Talent ID"]
    assert ws["B2"].value == "013800138000" and ws["B2"].data_type == "s"
    assert ws["C2"].value == '=HYPERLINK("x")' and ws["C2"].data_type == "s"
    assert ws["D2"].value == "Matched" and ws["E2"].value == "6001"
    assert all(c.value is None for c in ws[3])
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:E2"


def test_csv_output(tmp_path):
    source = make_workbook(tmp_path / "people.xlsx")
    ctx = make_ctx(tmp_path, source, make_sheet(source), suffix=".csv")
    out = write_csv(ctx)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == HEADERS + [c.header for c in COLUMNS if c.header not in HEADERS]
    assert [r[0] for r in rows[1:]] == ["张三", "李四", "王五", "赵六"]  # blank rows 5 and 8 skipped
    record = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert record["张三"]["Onboarded"] == "TRUE" and record["李四"]["Onboarded"] == "FALSE"
    assert record["张三"]["Talent ID"] == "13800138000"
    assert record["张三"]["Probation end"] == "2025-03-31"
    assert record["李四"]["手机号"] == "13900139000"  # a number, not escaped
    assert record["王五"]["手机号"] == "'+8613700137000"
    assert record["王五"]["Talent note"] == "'=1+1"
    assert record["王五"]["Job data note"] == "'@SUM(A1)"
    assert record["王五"]["Department"] == "'-2+3"
    assert record["赵六"]["Talent status"] == "old value" and record["赵六"]["Talent ID"] == ""


def test_jsonl_output(tmp_path):
    source = make_workbook(tmp_path / "people.xlsx")
    ctx = make_ctx(tmp_path, source, make_sheet(source), suffix=".jsonl")
    lines = write_jsonl(ctx).read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["_row"] for r in records] == [4, 6, 7, 9]
    assert "张三" in lines[0]  # ensure_ascii=False
    first = records[0]
    assert list(first)[:7] == ["_row"] + HEADERS + ["Talent ID"]
    assert first["Onboarded"] is True and records[1]["Onboarded"] is False
    assert records[1]["Talent ID"] == "7001234"  # a text column stays a string
    assert first["Probation end"] == "2025-03-31"
    assert records[2]["Talent note"] == "=1+1"  # JSON is not a spreadsheet: no escaping
    assert records[3]["Onboarded"] is None


def test_existing_frozen_columns_and_filter_start_kept(tmp_path, xlsx_writer):
    source = make_workbook(tmp_path / "frozen.xlsx")
    wb = load_workbook(source)
    wb["Candidates"].freeze_panes = "B2"
    wb["Candidates"].auto_filter.ref = "B3:E9"
    wb.save(source)
    ws = load_workbook(xlsx_writer(make_ctx(tmp_path, source, make_sheet(source))))["Candidates"]
    assert ws.freeze_panes == "B4"  # column A stays frozen, rows down to the header
    assert ws.auto_filter.ref == "B3:L9"
