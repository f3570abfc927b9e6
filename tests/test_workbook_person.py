"""The annotated workbook as the HR person reads it (spec 6a, issue 13): labels in the
recipe's language, explained matches, the review sheet, the Summary, layout and
print setup, repeated rows, .csv title rows; the same from both xlsx writers.

Runs go through the real pipeline against the real sandbox over loopback; the
workbooks are read back with openpyxl."""

from __future__ import annotations

import csv
import json
import re

import openpyxl
import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.pipeline import RunOptions, run
from reconciler.sandbox import SANDBOX_APP_ID, SANDBOX_APP_SECRET
from reconciler.writers.annotation import STATUS_FILLS

HEADER = ["姓名", "手机号", "邮箱", "工号", "部门ID"]
ROWS = [  # sheet rows 3.. (row 1 a title, row 2 the header)
    ("张伟", "13800138001", "zhang.wei@example.com", "E0001", "D100"),  # 3 matched / found
    ("何敏", "14512345678", "nobody@example.com", None, None),  # 4 partial / no_key
    ("赵敏", "13655554444", None, "E0007", "D999"),  # 5 matched / mismatch
    ("黄", "13500135000", None, "E9999", None),  # 6 ambiguous / not_found
    ("周杰", "13311112222", "wu.ting@example.com", None, None),  # 7 conflict / no_key
    ("无", "13000000000", None, None, None),  # 8 not_found / no_key
    ("坏", "12345", "bad", None, None),  # 9 invalid / no_key
    ("张伟", "138 0013 8001", "Zhang.Wei@Example.com", "E0001", "D100"),  # 10 row 3 again
]
TALENT = ["matched", "partial", "matched", "ambiguous", "conflict", "not_found", "invalid", "matched"]
JOB = ["found", "no_key", "mismatch", "not_found", "no_key", "no_key", "no_key", "found"]
LABELS = {  # spec 6a, exactly
    "zh-CN": {"matched": "已匹配", "partial": "部分匹配", "not_found": "未找到", "conflict": "冲突", "ambiguous": "多个候选",
              "invalid": "无效", "error": "出错", "found": "已找到", "mismatch": "不一致", "no_key": "无工号"},
    "en-US": {"matched": "Matched", "partial": "Partial", "not_found": "Not found", "conflict": "Conflict",
              "ambiguous": "Ambiguous", "invalid": "Invalid", "error": "Error", "found": "Found", "mismatch": "Mismatch",
              "no_key": "No key"},
}
# The review sheet's rows (spec 6a): talent not matched, or job data mismatch / not_found / error; most urgent first.
REVIEW_ORDER = [7, 6, 9, 4, 8, 5]  # conflict, ambiguous (+ job not_found), invalid, partial, not_found, mismatch

RECIPE = """\
version: 1
name: 入职核对
source:
  label_columns: {labels}
talent:
  inputs: {{mobile: 手机号, email: 邮箱}}
  columns: {{talent_id: Talent ID}}
job_data:
  key: {{column: 工号, user_id_type: user_id}}
  department_id_type: department_id
  compare: {{部门ID: department_id}}
output:
  writers: [{writers}]
  locale: {locale}
  status_labels: {status_labels}
"""


def make_input(folder, suffix=".xlsx", header=HEADER, rows=ROWS, titles=(("2026 入职名单", None, "第一批"),)):
    path = folder / f"people{suffix}"
    if suffix == ".csv":
        with open(path, "w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerows([[v or "" for v in r] for r in [*titles, header, *rows]])
        return path
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名单"
    for row in [*titles, header, *rows]:
        sheet.append(list(row))
    book.save(path)
    return path


def write_recipe(folder, locale="zh-CN", writers="xlsx", status_labels="locale", labels="[姓名]"):
    path = folder / "recipe.yaml"
    path.write_text(RECIPE.format(locale=locale, writers=writers, status_labels=status_labels, labels=labels),
                    encoding="utf-8")
    return path


@pytest.fixture
def env(sandbox, tmp_path):
    return {"FEISHU_BASE_URL": sandbox.url, "FEISHU_APP_ID": SANDBOX_APP_ID, "FEISHU_APP_SECRET": SANDBOX_APP_SECRET}


def reconcile(folder, env, out_name="out.xlsx", **recipe_options):
    source = folder / "people.xlsx" if (folder / "people.xlsx").exists() else folder / "people.csv"
    recipe = write_recipe(folder, **recipe_options)
    result = run(recipe, source, RunOptions(output=folder / out_name, env=env, no_cache=True))
    return result, openpyxl.load_workbook(result.outputs[0])


@pytest.fixture(params=["streaming", "openpyxl"])
def writer(request, monkeypatch):
    """Each test runs with both xlsx writers; `openpyxl`: the streaming writer declines every input."""
    if request.param == "openpyxl":
        monkeypatch.setattr("reconciler.writers.xlsx_stream.write_streaming", lambda ctx: None)
    return request.param


def columns(sheet, header_row=2):
    return {c.value: c.column for c in sheet[header_row] if c.value is not None}


def column_values(sheet, header, header_row=2, rows=len(ROWS)):
    col = columns(sheet, header_row)[header]
    return [sheet.cell(n, col).value for n in range(header_row + 1, header_row + 1 + rows)]


def fill_of(cell):
    return cell.fill.fgColor.rgb[-6:] if cell.fill and cell.fill.fill_type == "solid" else None


# ------------------------------------------------------------------ labels and language


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_status_cells_show_the_labels_of_the_locale_with_the_fill_of_the_status(tmp_path, env, writer, locale):
    make_input(tmp_path)
    _, book = reconcile(tmp_path, env, locale=locale)
    sheet = book["名单"]
    labels = LABELS[locale]
    assert column_values(sheet, "Talent status") == [labels[s] for s in TALENT]
    assert column_values(sheet, "Job data status") == [labels[s] for s in JOB]
    col = columns(sheet)["Talent status"]
    assert [fill_of(sheet.cell(n, col)) for n in range(3, 3 + len(ROWS))] == [STATUS_FILLS[s] for s in TALENT]
    summary, review = book.sheetnames[-2:]
    assert (summary, review) == (("汇总", "待处理") if locale == "zh-CN" else ("Summary", "To review"))
    firsts = [row[0].value for row in book[summary].iter_rows() if row and isinstance(row[0].value, str)]
    talent_requests = "人才查询（hire/v1/talents/batch_get_id）" if locale == "zh-CN" else \
        "talent lookups (hire/v1/talents/batch_get_id)"
    assert talent_requests in firsts  # what a request was for, in her words; the path for whoever grants scopes


def test_status_labels_keys_writes_the_keys_with_the_same_fills(tmp_path, env, writer):
    make_input(tmp_path)
    _, book = reconcile(tmp_path, env, status_labels="keys")
    sheet = book["名单"]
    assert column_values(sheet, "Talent status") == TALENT
    assert column_values(sheet, "Job data status") == JOB
    col = columns(sheet)["Job data status"]
    assert [fill_of(sheet.cell(n, col)) for n in range(3, 3 + len(ROWS))] == [STATUS_FILLS[s] for s in JOB]


_QUOTED = re.compile(r"[\w.+-]+@[\w.-]+|\b(?:hire|corehr)/v\d/[\w/]+|UTC")  # emails, API paths, the clock's name
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")


def tool_texts(book, locale):
    """Every text the tool wrote: added sheets' cells (the sheet's own values quoted there
    removed), status and note cells, comments, and the names of the added sheets."""
    sheet = book["名单"]
    sheet_values = {str(v) for row in sheet.iter_rows(min_row=1, max_col=5, values_only=True) for v in row if v}
    texts = list(book.sheetnames[-2:])
    for header in ("Talent status", "Talent note", "Job data status", "Job data note"):
        texts += [v for v in column_values(sheet, header) if v]
    texts += [c.comment.text for row in sheet.iter_rows() for c in row if c.comment]
    for name in book.sheetnames[-2:]:
        texts += [str(v) for row in book[name].iter_rows(values_only=True) for v in row
                  if isinstance(v, str) and v not in sheet_values]
    cleaned = []
    for said in texts:
        for value in sorted(sheet_values | set(HEADER) | {"入职核对", "名单", "people.xlsx"}, key=len, reverse=True):
            said = said.replace(value, " ")
        cleaned.append(_QUOTED.sub(" ", said))
    return cleaned


def test_a_chinese_workbook_has_no_english_from_the_tool(tmp_path, env, writer):
    make_input(tmp_path)
    _, book = reconcile(tmp_path, env, locale="zh-CN")
    english = [t for t in tool_texts(book, "zh-CN") if re.search(r"[A-Za-z]{2,}", t)]
    assert not english
    assert not [t for t in tool_texts(book, "zh-CN") if re.search(r"\b(?:not_found|no_key|matched)\b", t)]


def test_an_english_workbook_has_no_chinese_from_the_tool(tmp_path, env, writer):
    make_input(tmp_path)
    _, book = reconcile(tmp_path, env, locale="en-US")
    assert not [t for t in tool_texts(book, "en-US") if _CJK.search(t)]


def test_conflict_and_ambiguous_notes_name_each_talent_with_the_value_that_found_it(tmp_path, env, writer):
    make_input(tmp_path)
    _, book = reconcile(tmp_path, env, locale="zh-CN")
    notes = column_values(book["名单"], "Talent note")
    assert notes[4] == ("各标识指向不同的人才：手机号 13311112222 → 6910000000000000018；"
                        "邮箱 wu.ting@example.com → 6910000000000000019")  # conflict: unmasked, the sheet's values
    assert notes[3].startswith("匹配到多个人才：手机号 13500135000 → 6910000000000000016、6910000000000000017")


# ------------------------------------------------------------------ repeated rows


def test_a_repeated_row_keeps_its_status_and_names_the_first_row(tmp_path, env, writer):
    make_input(tmp_path)
    _, book = reconcile(tmp_path, env, locale="zh-CN")
    sheet = book["名单"]
    assert column_values(sheet, "Talent status")[-1] == "已匹配"
    assert column_values(sheet, "Talent note")[-1] == "与第 3 行重复"
    assert column_values(sheet, "Talent note")[0] is None  # the first of the two is not a repeat
    _, english = reconcile(tmp_path, env, out_name="en.xlsx", locale="en-US")
    assert column_values(english["名单"], "Talent note")[-1] == "same as row 3"


# ------------------------------------------------------------------ the review sheet


def test_the_review_sheet_lists_the_rows_that_need_a_person_most_urgent_first(tmp_path, env, writer):
    make_input(tmp_path)
    _, book = reconcile(tmp_path, env, locale="zh-CN")
    review = book["待处理"]
    header = [c.value for c in review[1]]
    assert header == ["转到", "行号", "姓名", "人才状态", "任职数据状态", "备注", "怎么处理"]
    lines = list(review.iter_rows(min_row=2))
    assert [line[1].value for line in lines] == REVIEW_ORDER
    sheet = book["名单"]
    for line in lines:
        number = line[1].value
        location = line[0].hyperlink.location
        target_sheet, cell = location.rsplit("!", 1)
        assert target_sheet.strip("'") == "名单"
        assert int(re.sub(r"\D", "", cell)) == number  # the link lands on its row
        assert line[2].value == sheet.cell(number, 1).value  # who the row is
        talent, job = TALENT[number - 3], JOB[number - 3]
        assert (line[3].value, line[4].value) == (LABELS["zh-CN"][talent], LABELS["zh-CN"][job])
        assert fill_of(line[3]) == STATUS_FILLS[talent]
        assert line[6].value and line[6].alignment.wrap_text
    assert "6910000000000000018" in lines[0][5].value  # the conflict's note
    assert lines[0][6].value.startswith("在飞书招聘中打开备注列出的人才")
    assert review.freeze_panes == "A2" and review.auto_filter.ref == f"A1:G{len(lines) + 1}"


def test_the_summary_explains_each_status_and_links_to_the_review_sheet(tmp_path, env, writer):
    make_input(tmp_path)
    _, book = reconcile(tmp_path, env, locale="en-US")
    summary = book["Summary"]
    rows = {row[0].value: row for row in summary.iter_rows() if row[0].value}
    started = rows["Run started"][1].value
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC[+-]\d\d:\d\d\)", started)
    conflict = rows["Conflict"]
    assert conflict[1].value == 1 and conflict[1].hyperlink.location == "'To review'!A2"
    assert conflict[2].value == "The identifiers point to different talents."
    assert conflict[3].value.startswith("Open the talents the note names")
    assert fill_of(conflict[0]) == STATUS_FILLS["conflict"]
    assert rows["Matched"][1].value == 3 and rows["Matched"][1].hyperlink is None
    order = [row[0].value for row in summary.iter_rows() if row[0].value]
    assert order.index("Error") < order.index("Requests and cache") < order.index("Cache hits")
    assert rows["Rows to review: see the sheet To review"][1].value == len(REVIEW_ORDER)


# ------------------------------------------------------------------ layout and print


@pytest.mark.parametrize(("labels", "frozen"), [("[姓名]", "B3"), ("[邮箱]", "D3"), ("[姓名, 部门ID]", "A3"), ("[]", "A3")])
def test_header_rows_frozen_and_label_columns_within_the_first_three(tmp_path, env, writer, labels, frozen):
    make_input(tmp_path)
    _, book = reconcile(tmp_path, env, labels=labels)
    assert book["名单"].freeze_panes == frozen


def test_print_fits_one_page_wide_repeating_the_header_rows_and_notes_wrap(tmp_path, env, writer):
    make_input(tmp_path)
    _, book = reconcile(tmp_path, env)
    for name, rows in (("名单", "$1:$2"), ("待处理", "$1:$1")):
        sheet = book[name]
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.print_title_rows == rows
    sheet = book["名单"]
    note = columns(sheet)["Talent note"]
    cell = sheet.cell(7, note)
    assert cell.alignment.wrap_text and len(cell.value) > 50
    width = sheet.column_dimensions[openpyxl.utils.get_column_letter(note)].width
    assert 20 <= width <= 42


def test_both_writers_write_the_same_workbook(tmp_path, env, monkeypatch):
    make_input(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    streamed = reconcile(tmp_path, env, out_name="a/out.xlsx")[1]
    monkeypatch.setattr("reconciler.writers.xlsx_stream.write_streaming", lambda ctx: None)
    loaded = reconcile(tmp_path, env, out_name="b/out.xlsx")[1]

    def picture(book):
        seen = {"sheets": book.sheetnames}
        for sheet in book.worksheets:
            seen[sheet.title] = {
                "cells": [[(c.value, fill_of(c),
                            bool(c.alignment.wrap_text), c.hyperlink.location if c.hyperlink else None)
                           for c in row] for row in sheet.iter_rows()],
                "view": (sheet.freeze_panes, sheet.auto_filter.ref, sheet.print_title_rows,
                         sheet.page_setup.fitToWidth, sheet.page_setup.orientation),
                "heights": {r: d.height for r, d in sheet.row_dimensions.items() if d.height},
                "widths": {c: d.width for c, d in sheet.column_dimensions.items() if d.customWidth},
            }
        return seen

    a, b = picture(streamed), picture(loaded)
    for book in (a, b):  # each run has its own start time and seconds
        book["汇总"]["cells"] = [row for row in book["汇总"]["cells"] if row[0][0] not in ("运行时间", "耗时（秒）")]
    assert a == b


# ------------------------------------------------------------------ csv input, and the outputs programs read


def test_a_csv_input_keeps_its_title_rows_cell_for_cell(tmp_path, env, writer):
    make_input(tmp_path, ".csv", titles=(("2026 入职名单", "", "第一批"), ("导出于 2026-11-30", "", "")))
    _, book = reconcile(tmp_path, env)
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["2026 入职名单", None, "第一批"]
    assert sheet["A2"].value == "导出于 2026-11-30"
    assert [c.value for c in sheet[3]][:5] == HEADER
    assert sheet.freeze_panes == "B4" and sheet.print_title_rows == "$1:$3"


def test_csv_jsonl_and_the_report_keep_the_keys(tmp_path, env):
    make_input(tmp_path)
    recipe = write_recipe(tmp_path, writers="xlsx, csv, jsonl")
    result = CliRunner().invoke(cli, ["run", str(recipe), str(tmp_path / "people.xlsx"), "--report",
                                      str(tmp_path / "report.json")], env=env)
    assert result.exit_code == 0, result.output
    with open(tmp_path / "people.reconciled.csv", encoding="utf-8-sig") as handle:
        records = list(csv.DictReader(handle))
    assert [r["Talent status"] for r in records] == TALENT
    lines = [json.loads(x) for x in (tmp_path / "people.reconciled.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["Job data status"] for r in lines] == JOB
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["counts"]["talent"]["matched"] == 3 and report["counts"]["job_data"]["no_key"] == 4
    assert column_values(openpyxl.load_workbook(tmp_path / "people.reconciled.xlsx")["名单"], "Talent status")[0] == "已匹配"


# ------------------------------------------------------------------ colours a person can tell apart


def _lab(rgb, matrix=None):
    def linear(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(rgb[i:i + 2], 16)) for i in (0, 2, 4))
    if matrix:  # Machado et al. 2009, severity 1.0, in linear RGB
        r, g, b = (min(1.0, max(0.0, m[0] * r + m[1] * g + m[2] * b)) for m in matrix)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


DEUTERANOPIA = [(0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.988881)]
PROTANOPIA = [(0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)]


@pytest.mark.parametrize("statuses", [["matched", "partial", "not_found", "conflict", "ambiguous", "invalid", "error"],
                                      ["found", "mismatch", "not_found", "no_key", "error"]])
def test_status_fills_differ_in_greyscale_and_for_red_green_colour_blindness(statuses):
    fills = [STATUS_FILLS[s] for s in statuses]
    lightness = sorted(_lab(f)[0] for f in fills)
    assert min(b - a for a, b in zip(lightness, lightness[1:])) >= 5  # apart in greyscale
    assert lightness[0] >= 50  # black text stays readable
    for matrix in (DEUTERANOPIA, PROTANOPIA):
        seen = [_lab(f, matrix) for f in fills]
        closest = min(sum((p - q) ** 2 for p, q in zip(a, b)) ** 0.5
                      for i, a in enumerate(seen) for b in seen[i + 1:])
        assert closest >= 9
