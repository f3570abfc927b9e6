"""The sample sheets and example recipes, run for real against the sandbox's demo tenant.

The expected status of every sample row is written here by hand from
reconciler/sandbox/DEMO_TENANT.md and spec sections 4-5, never copied from the
tool's output. Runs use copies of the samples in tmp_path, so the repo stays clean.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from labels import as_key
from reconciler.cli.main import cli
from reconciler.sandbox import ENDPOINT_JOB_DATAS, ENDPOINT_TALENTS, SANDBOX_APP_ID, SANDBOX_APP_SECRET, Sandbox

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_sheets"
RECIPES = ROOT / "recipes"
ONBOARDING, TALENT_ONLY, JOB_DATA_EN = (RECIPES / f"{n}.yaml" for n in ("onboarding", "talent_only", "job_data_en"))
ZH_SHEET, EN_SHEET, EN_CSV = (SAMPLES / n for n in ("onboarding_zh.xlsx", "candidates_en.xlsx", "candidates_export_en.csv"))
DESIGNED_TALENT = {"matched", "partial", "not_found", "conflict", "ambiguous", "invalid"}  # error: see README
DESIGNED_JOB = {"found", "mismatch", "not_found", "no_key"}
NO_FEISHU_ENV = {"FEISHU_BASE_URL": None, "FEISHU_APP_ID": None, "FEISHU_APP_SECRET": None}

# Demo tenant: talent IDs (6910000000000000NNN) and whether onboarded, by the name the samples use.
TALENTS = {
    "张伟": 1, "王芳": 2, "李娜": 3, "刘洋": 4, "陈静": 5, "杨磊": 6, "赵敏": 7, "徐磊": 8, "朱琳": 9, "胡军": 10,
    "郑爽": 11, "梁嘉欣": 12, "宋佳": 13, "谢楠": 14, "唐诗": 15, "黄晓明": 16, "黄小敏": 17, "周杰": 18, "吴婷": 19,
    "孙悦": 20, "陈小春": 21, "John Smith": 22, "马丽": 23, "林峰": 24, "郭静": 25, "郭晶": 26, "何敏": 27, "罗军": 28,
    "高远": 29, "许晴": 30,
    "Zhang Wei": 1, "Wang Fang": 2, "Chen Jing": 5, "Liu Yang": 4, "Zhao Min": 7, "Xu Lei": 8, "Song Jia": 13,
    "Leung Ka-yan": 12, "Chan Siu-chun": 21, "Sun Yue": 20, "Huang Xiaomin": 17, "Luo Jun": 28, "Ma Li": 23,
    "Lin Feng": 24, "He Min": 27,
}
ONBOARDED = set(range(1, 16)) | {26}


def talent_id(name: str) -> str:
    return f"69100000000000000{TALENTS[name]:02d}"


# onboarding_zh.xlsx with recipes/onboarding.yaml (mode all, as_of 入职日期, departments as D100...):
# sheet row -> (姓名, talent status, job status, Feishu department joined or None).
ZH_EXPECTED = {
    4: ("张伟", "matched", "found", "D100"),  # mobile as a number cell; all three identifiers
    5: ("王芳", "matched", "found", "D300"),  # "+86 139 1234 5678", email with capitals; as_of 2024/06/30 (text)
    6: ("王芳", "matched", "mismatch", "D200"),  # as_of 2024-07-01: moved to D200, the sheet says D300
    7: ("李娜", "matched", "found", "D400"),  # "0086 ...", type 1 as a number; as_of 2025-03-01 -> v3 in HR
    8: ("刘洋", "matched", "found", "D200"),  # full-width digits; blank as_of -> current primary (not part-time HR)
    9: ("陈静", "matched", "not_found", None),  # left 2025-06-30: nothing effective on 2025-07-01
    10: ("杨磊", "matched", "found", "D200"),
    11: ("赵敏", "matched", "found", "D200"),  # cost centres 60/40, dotted-line managers, 37.5 h
    12: ("徐磊", "matched", "found", "D300"),
    13: ("朱琳", "matched", "found", "D400"),
    14: ("胡军", "matched", "found", "D300"),
    15: ("郑爽", "matched", "found", "D500"),  # as_of written 2021年1月4日
    16: ("梁嘉欣", "matched", "found", "D300"),  # +852 through the 区号 column
    17: ("宋佳", "matched", "not_found", None),  # 工号 E9999: no such employee
    18: ("谢楠", "matched", "found", "D200"),
    19: ("唐诗", "matched", "found", "D200"),  # as_of 2026-09-01, her first day
    21: ("黄小敏", "matched", "no_key", None),  # shared mobile + her email: the intersection
    22: ("黄晓明", "ambiguous", "no_key", None),  # shared mobile alone
    23: ("郭静", "ambiguous", "no_key", None),  # shared email alone
    24: ("郭晶", "matched", "no_key", None),  # shared email + her mobile
    25: ("周杰", "conflict", "no_key", None),  # 周杰's mobile, 吴婷's email
    26: ("何敏", "partial", "no_key", None),  # her mobile + an email nobody has
    27: ("许晴", "partial", "no_key", None),  # her mobile + an invalid email
    28: ("罗军", "matched", "no_key", None),  # ID with a lower-case x
    29: ("马丽", "invalid", "no_key", None),  # 18-digit ID stored as a number
    30: ("孙悦", "matched", "no_key", None),  # passport (证件类型 护照) + email
    31: ("陈小春", "matched", "no_key", None),  # 区号 "+852"
    32: ("John Smith", "matched", "no_key", None),  # +1 mobile, passport
    34: ("高远", "matched", "no_key", None),  # mobile as a float cell; not onboarded
    35: ("林峰", "matched", "no_key", None),  # email with a leading space
    36: ("钱多多", "not_found", "no_key", None),  # valid mobile, email and ID of nobody
    37: ("李四", "invalid", "no_key", None),  # mobile 123..., email without @
    38: ("王五", "invalid", "no_key", None),  # 10-digit mobile, wrong check digit
    39: ("赵六", "invalid", "no_key", None),  # +852 1234: too short
    40: ("徐磊", "matched", "found", "D300"),  # duplicate of row 12
}
ZH_BLANK_ROWS = (20, 33)

# candidates_en.xlsx: row -> (Name, talent status with talent_only.yaml,
# job status with job_data_en.yaml (current job data), Feishu department or None).
EN_EXPECTED = {
    2: ("Zhang Wei", "matched", "found", "D100"),
    3: ("Wang Fang", "matched", "mismatch", "D200"),  # today in D200, the sheet says D300
    4: ("Chen Jing", "matched", "not_found", None),  # left on 2025-06-30
    5: ("Liu Yang", "matched", "found", "D200"),  # the primary of two current job data
    6: ("Zhao Min", "matched", "found", "D200"),
    7: ("Xu Lei", "matched", "found", "D300"),
    8: ("Song Jia", "matched", "not_found", None),  # E0031 does not exist
    9: ("Leung Ka-yan", "matched", "found", "D300"),
    10: ("Chan Siu-chun", "matched", "no_key", None),
    11: ("John Smith", "matched", "no_key", None),
    12: ("Sun Yue", "matched", "no_key", None),
    13: ("Huang Xiaomin", "matched", "no_key", None),
    14: ("Huang Xiaoming", "ambiguous", "no_key", None),
    15: ("Guo Jing", "ambiguous", "no_key", None),
    16: ("Zhou Jie", "conflict", "no_key", None),
    17: ("He Min", "partial", "no_key", None),
    18: ("Luo Jun", "matched", "no_key", None),
    19: ("Ma Li", "matched", "no_key", None),
    20: ("Lin Feng", "matched", "no_key", None),
    21: ("Nobody Known", "not_found", "no_key", None),
    22: ("Typo Tom", "invalid", "no_key", None),
    23: ("Short Sam", "invalid", "no_key", None),
    24: ("No Identifier", "invalid", "no_key", None),
}
EN_BY_NAME = {name: (talent, job) for name, talent, job, _ in EN_EXPECTED.values()}
CSV_NAMES = {"Zhang Wei", "Wang Fang", "Leung Ka-yan", "Huang Xiaoming", "Zhou Jie", "He Min", "Nobody Known",
             "Typo Tom"}


# ------------------------------------------------------------------ helpers


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def invoke(args: list[str], env: dict | None = None):
    result = CliRunner().invoke(cli, [str(a) for a in args], env={**NO_FEISHU_ENV, **(env or {})})
    assert result.exit_code == 0, result.output
    return result


def table(sheet, header_row: int) -> tuple[list, dict[int, dict]]:
    headers = [c.value for c in sheet[header_row]]
    rows = {
        cells[0].row: {h: c for h, c in zip(headers, cells) if h}
        for cells in sheet.iter_rows(min_row=header_row + 1)
    }
    return headers, rows


def cell_grid(path: Path) -> dict:
    """Every cell of every sheet: (type, value, number format), plus sheet names and merges."""
    book = openpyxl.load_workbook(path)
    return {
        ws.title: (
            sorted(str(r) for r in ws.merged_cells.ranges),
            {c.coordinate: (type(c.value).__name__, c.value, c.number_format)
             for row in ws.iter_rows() for c in row if c.value is not None},
        )
        for ws in book.worksheets
    }


@pytest.fixture(scope="module")
def cache_env(tmp_path_factory):
    return {"RECONCILER_CACHE_PATH": str(tmp_path_factory.mktemp("cache") / "cache.sqlite")}


def sandbox_run(tmp_path_factory, cache_env, recipe: Path, sample: Path, *extra) -> dict:
    folder = tmp_path_factory.mktemp(sample.stem)
    sheet = folder / sample.name
    shutil.copyfile(sample, sheet)
    before = sha256(sheet)
    report = folder / "report.json"
    invoke(["run", recipe, sheet, "--sandbox", "--report", report, *extra], cache_env)
    return {"sheet": sheet, "before": before, "report": json.loads(report.read_text("utf-8")), "folder": folder}


@pytest.fixture(scope="module")
def zh_run(tmp_path_factory, cache_env):
    run = sandbox_run(tmp_path_factory, cache_env, ONBOARDING, ZH_SHEET)
    run["output"] = run["folder"] / "onboarding_zh.reconciled.xlsx"  # output.path "{stem}.reconciled.xlsx"
    run["book"] = openpyxl.load_workbook(run["output"])
    run["headers"], run["rows"] = table(run["book"]["入职名单"], 3)
    return run


@pytest.fixture(scope="module")
def en_talent_run(tmp_path_factory, cache_env):
    run = sandbox_run(tmp_path_factory, cache_env, TALENT_ONLY, EN_SHEET)
    run["book"] = openpyxl.load_workbook(run["folder"] / "candidates_en.reconciled.xlsx")
    run["headers"], run["rows"] = table(run["book"]["Candidates"], 1)
    return run


@pytest.fixture(scope="module")
def en_job_run(tmp_path_factory, cache_env):
    run = sandbox_run(tmp_path_factory, cache_env, JOB_DATA_EN, EN_SHEET)
    out = {suffix: run["folder"] / f"candidates_en.job_data.reconciled.{suffix}" for suffix in ("xlsx", "csv", "jsonl")}
    run["book"] = openpyxl.load_workbook(out["xlsx"])
    run["headers"], run["rows"] = table(run["book"]["Candidates"], 1)
    run["csv"] = list(csv.DictReader(out["csv"].read_text("utf-8-sig").splitlines()))
    run["jsonl"] = [json.loads(line) for line in out["jsonl"].read_text("utf-8").splitlines()]
    return run


# ------------------------------------------------------------------ the samples themselves


def test_make_samples_regenerates_the_committed_files(tmp_path):
    for folder in ("a", "b"):
        script = [sys.executable, str(SAMPLES / "make_samples.py"), str(tmp_path / folder)]
        subprocess.run(script, check=True, capture_output=True)
    for committed in (ZH_SHEET, EN_SHEET):
        assert cell_grid(tmp_path / "a" / committed.name) == cell_grid(committed), (
            f"{committed.name} differs from what make_samples.py writes: edit the script, run it, commit both"
        )
    assert (tmp_path / "a" / EN_CSV.name).read_bytes() == EN_CSV.read_bytes()
    for sample in (ZH_SHEET, EN_SHEET, EN_CSV):  # deterministic: a rerun changes no byte
        assert (tmp_path / "a" / sample.name).read_bytes() == (tmp_path / "b" / sample.name).read_bytes()


def test_samples_hold_the_messy_cells_they_promise():
    sheet = openpyxl.load_workbook(ZH_SHEET)["入职名单"]
    _, rows = table(sheet, 3)
    assert sheet["A1"].value and sheet["A2"].value is None  # a title, a blank row, then the header on row 3
    assert isinstance(rows[4]["手机号"].value, int)  # a mobile stored as a number
    assert isinstance(rows[29]["证件号"].value, (int, float)) and rows[29]["证件号"].value > 10**17  # ID as a number
    assert rows[7]["手机号"].value.startswith("0086") and rows[8]["手机号"].value.startswith("１")
    assert rows[28]["证件号"].value.endswith("x")
    assert rows[4]["入职日期"].is_date and isinstance(rows[5]["入职日期"].value, str)
    assert all(all(c.value is None for c in rows[n].values()) for n in ZH_BLANK_ROWS)
    assert [c.value for c in rows[40].values()][:10] == [c.value for c in rows[12].values()][:10]  # the duplicate
    assert EN_CSV.read_bytes().startswith(b"\xef\xbb\xbfName,")


@pytest.mark.parametrize(
    ("recipe", "sheet", "where"),
    [
        (ONBOARDING, ZH_SHEET, "工作表“入职名单”，表头在第 3 行，共 35 行"),  # the recipe's output.locale: zh-CN
        (TALENT_ONLY, EN_SHEET, "sheet 'Candidates', header on row 1, 23 rows"),
        (TALENT_ONLY, EN_CSV, "header on row 1, 8 rows"),
        (JOB_DATA_EN, EN_SHEET, "sheet 'Candidates', header on row 1, 23 rows"),
    ],
)
def test_check_accepts_each_recipe_with_its_sheet_without_feishu_env(recipe, sheet, where):
    assert where in invoke(["check", recipe, sheet]).output
    assert ("OK" if "rows" in where else "没有问题") in invoke(["check", recipe]).output


# ------------------------------------------------------------------ onboarding.yaml + onboarding_zh.xlsx


def test_onboarding_every_row_has_its_designed_status(zh_run):
    rows = zh_run["rows"]
    for number, (name, talent, job, _) in ZH_EXPECTED.items():
        row = rows[number]
        assert row["姓名"].value == name, number
        assert (as_key(row["人才核对状态"].value), as_key(row["任职核对状态"].value)) == (talent, job), (number, name)
    for number in ZH_BLANK_ROWS:  # skipped: nothing written
        assert all(c.value is None for c in rows[number].values()), number
    assert set(rows) - set(ZH_EXPECTED) - set(ZH_BLANK_ROWS) == set()
    assert {t for _, t, _, _ in ZH_EXPECTED.values()} == DESIGNED_TALENT
    assert {j for _, _, j, _ in ZH_EXPECTED.values()} == DESIGNED_JOB


def test_onboarding_report_counts_match_the_table(zh_run):
    counts = zh_run["report"]["counts"]
    talent = Counter(t for _, t, _, _ in ZH_EXPECTED.values())
    job = Counter(j for _, _, j, _ in ZH_EXPECTED.values())
    assert counts["talent"] == {s: talent.get(s, 0) for s in (*DESIGNED_TALENT, "error")}
    assert counts["job_data"] == {s: job.get(s, 0) for s in (*DESIGNED_JOB, "error")}
    assert zh_run["report"]["rows"] == len(ZH_EXPECTED)


def test_onboarding_talent_ids_and_onboarded(zh_run):
    for number, (name, talent, _, _) in ZH_EXPECTED.items():
        row = zh_run["rows"][number]
        if talent in ("matched", "partial"):
            assert row["人才ID"].value == talent_id(name) and row["人才ID"].data_type == "s", name
            assert row["是否已入职"].value is (TALENTS[name] in ONBOARDED), name
        else:
            assert row["人才ID"].value is None and row["是否已入职"].value is None, name
    rows = zh_run["rows"]
    assert "6910000000000000016" in rows[22]["人才核对说明"].value and "6910000000000000017" in rows[22]["人才核对说明"].value
    assert "6910000000000000018" in rows[25]["人才核对说明"].value and "6910000000000000019" in rows[25]["人才核对说明"].value
    assert "被存成了数字" in rows[29]["人才核对说明"].value  # row notes follow output.locale (zh-CN)


def test_onboarding_job_data_joined_as_of_each_rows_date(zh_run):
    rows = zh_run["rows"]
    for number, (name, _, job, department) in ZH_EXPECTED.items():
        assert rows[number]["飞书部门ID"].value == department, (number, name)
    # 王芳 (E0002): Sales (D300) before 2024-07-01, Engineering (D200) from then on.
    assert (rows[5]["飞书部门ID"].value, rows[5]["任职原因"].value) == ("D300", "入职")
    assert (rows[6]["飞书部门ID"].value, rows[6]["任职原因"].value) == ("D200", "调动")
    assert rows[4]["试用期结束日期"].value == "2020-07-06"
    assert rows[19]["试用期结束日期"].value is None  # 唐诗 is still in probation


def test_onboarding_mismatch_comment_holds_feishus_value(zh_run):
    rows = zh_run["rows"]
    comment = rows[6]["部门ID"].comment
    assert comment is not None and "D200" in comment.text
    assert rows[6]["部门ID"].value == "D300"  # the sheet's own value stays
    assert [n for n, row in rows.items() if row["部门ID"].comment is not None] == [6]


def test_onboarding_names_joined_and_compared_by_name(zh_run):
    rows = zh_run["rows"]
    for number, (name, _, job, department) in ZH_EXPECTED.items():
        want = {"D100": "总经办", "D200": "研发部", "D300": "销售部", "D400": "人力资源部", "D500": "财务部"}.get(department)
        assert rows[number]["飞书部门"].value == want, (number, name)
    assert (rows[11]["飞书职级"].value, rows[11]["直属上级"].value) == ("P2 中级", "王芳(Wang Fang)")
    assert rows[4]["飞书职级"].value == "P5 资深专家" and rows[4]["直属上级"].value is None  # the CEO
    # 王芳 moved to 研发部 on 2024-07-01; her sheet row still says 销售部: Feishu's name in the comment
    comment = rows[6]["部门名称"].comment
    assert comment is not None and "研发部" in comment.text and rows[6]["部门名称"].value == "销售部"
    assert [n for n, row in rows.items() if row["部门名称"].comment is not None] == [6]


def test_onboarding_lists_render_as_text(zh_run):
    zhao = zh_run["rows"][11]
    assert zhao["成本中心分摊"].value == "7111000000000000002:60; 7111000000000000003:40"
    assert zhao["虚线上级ID"].value == "7060000000000000008; 7060000000000000009"
    assert zhao["虚线上级"].value == "徐磊(Xu Lei); 朱琳(Zhu Lin)"  # dotted_line_manager_id_list.name
    assert zhao["周工时"].value == 37.5
    assert zh_run["rows"][4]["成本中心分摊"].value == "7111000000000000001:100"


def test_onboarding_input_and_other_sheet_untouched(zh_run):
    assert sha256(zh_run["sheet"]) == zh_run["before"] == sha256(ZH_SHEET)
    source = openpyxl.load_workbook(ZH_SHEET)
    book = zh_run["book"]
    assert book.sheetnames[:2] == ["入职名单", "说明"]
    original, copy = source["说明"], book["说明"]
    cells = lambda ws: [(c.coordinate, c.value, c.font.b) for row in ws.iter_rows() for c in row]  # noqa: E731
    assert cells(copy) == cells(original)
    assert copy.column_dimensions["B"].width == original.column_dimensions["B"].width
    # the reconciled sheet keeps its styling: bold filled header, widths, the title's merge
    sheet = book["入职名单"]
    assert sheet["A3"].font.b and sheet["A3"].fill.fgColor.rgb.endswith("DDEBF7")
    assert sheet.column_dimensions["D"].width == source["入职名单"].column_dimensions["D"].width
    assert "A1:L1" in [str(r) for r in sheet.merged_cells.ranges]  # 12 columns: 部门名称 added


# ------------------------------------------------------------------ the English samples


def test_talent_only_every_row_has_its_designed_status(en_talent_run):
    rows = en_talent_run["rows"]
    assert set(rows) == set(EN_EXPECTED)
    for number, (name, talent, _, _) in EN_EXPECTED.items():
        row = rows[number]
        assert (row["Name"].value, as_key(row["Talent status"].value)) == (name, talent), number
        expected_id = talent_id(name) if talent in ("matched", "partial") else None
        assert row["Talent ID"].value == expected_id, name
    assert {t for _, t, _, _ in EN_EXPECTED.values()} == DESIGNED_TALENT
    assert "Job data status" not in en_talent_run["headers"]
    assert sha256(en_talent_run["sheet"]) == en_talent_run["before"]


def test_talent_only_reads_the_csv(tmp_path_factory, cache_env):
    run = sandbox_run(tmp_path_factory, cache_env, TALENT_ONLY, EN_CSV)
    _, rows = table(openpyxl.load_workbook(run["folder"] / "candidates_export_en.reconciled.xlsx").worksheets[0], 1)
    seen = {row["Name"].value: (as_key(row["Talent status"].value), row["Talent ID"].value) for row in rows.values()}
    assert set(seen) == CSV_NAMES
    for name, (status, tid) in seen.items():
        assert status == EN_BY_NAME[name][0], name
        assert tid == (talent_id(name) if status in ("matched", "partial") else None), name
    assert sha256(run["sheet"]) == run["before"]


def test_job_data_en_every_row_in_every_writer(en_job_run):
    rows = en_job_run["rows"]
    for number, (name, _, job, department) in EN_EXPECTED.items():
        row = rows[number]
        assert (row["Name"].value, as_key(row["Job data status"].value)) == (name, job), number
        assert row["Feishu department"].value == department, name
    assert {j for _, _, j, _ in EN_EXPECTED.values()} == DESIGNED_JOB
    assert [(r["Name"], r["Job data status"]) for r in en_job_run["csv"]] == [
        (name, job) for name, _, job, _ in EN_EXPECTED.values()
    ]
    assert [(r["Name"], r["Job data status"]) for r in en_job_run["jsonl"]] == [
        (name, job) for name, _, job, _ in EN_EXPECTED.values()
    ]
    assert "Talent status" not in en_job_run["headers"]


def test_job_data_en_renders_en_us_and_flags_the_mismatch(en_job_run):
    rows = en_job_run["rows"]
    assert rows[2]["Start reason"].value == "Onboarding"
    assert rows[3]["Start reason"].value == "Transfer"  # Wang Fang's current version
    assert "D200" in rows[3]["Department ID"].comment.text
    assert rows[6]["Cost centres"].value == "7111000000000000002:60; 7111000000000000003:40"
    assert sha256(en_job_run["sheet"]) == en_job_run["before"]


# ------------------------------------------------------------------ --report against the sandbox's own counts


def test_report_requests_match_the_sandboxs_counts_then_the_cache(tmp_path):
    sheet = tmp_path / ZH_SHEET.name
    shutil.copyfile(ZH_SHEET, sheet)
    with Sandbox() as sb:
        env = {"FEISHU_BASE_URL": sb.url, "FEISHU_APP_ID": SANDBOX_APP_ID, "FEISHU_APP_SECRET": SANDBOX_APP_SECRET,
               "RECONCILER_CACHE_PATH": str(tmp_path / "cache.sqlite")}
        first, second = tmp_path / "first.json", tmp_path / "second.json"
        invoke(["run", ONBOARDING, sheet, "-o", tmp_path / "out1.xlsx", "--report", first], env)
        accepted = {ep: sb.stats.snapshot()[ep]["accepted"] for ep in (ENDPOINT_TALENTS, ENDPOINT_JOB_DATAS)}
        report = json.loads(first.read_text("utf-8"))
        assert {ep: report["requests"][ep] for ep in accepted} == accepted
        assert accepted[ENDPOINT_TALENTS] > 0 and accepted[ENDPOINT_JOB_DATAS] > 0

        invoke(["run", ONBOARDING, sheet, "-o", tmp_path / "out2.xlsx", "--report", second], env)
        again = json.loads(second.read_text("utf-8"))
        assert sum(again["requests"].values()) == 0
        assert again["cache_hits"] > 0
        assert {ep: sb.stats.snapshot()[ep]["accepted"] for ep in accepted} == accepted
        assert again["counts"] == report["counts"]
