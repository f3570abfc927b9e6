"""`reconciler init`: recipes drafted from the sample sheets and from sheets with unhelpful
headers validate, and reconcile against the sandbox row by row exactly as the
hand-written example recipes do."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from labels import as_key

from reconciler.cli.main import cli
from reconciler.recipe import load_recipe

ROOT = Path(__file__).resolve().parents[1]
SAMPLES, RECIPES = ROOT / "sample_sheets", ROOT / "recipes"
ZH_SHEET, EN_SHEET, EN_CSV = (SAMPLES / n for n in ("onboarding_zh.xlsx", "candidates_en.xlsx", "candidates_export_en.csv"))
ONBOARDING, TALENT_ONLY = RECIPES / "onboarding.yaml", RECIPES / "talent_only.yaml"
# No real tenant, and a terminal language that is neither: the recipe decides.
BASE_ENV = {"FEISHU_BASE_URL": None, "FEISHU_APP_ID": None, "FEISHU_APP_SECRET": None,
            "LANG": "C.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}


def invoke(args, env=None, code=0):
    result = CliRunner().invoke(cli, [str(a) for a in args], env={**BASE_ENV, **(env or {})}, input="")
    assert result.exit_code == code, result.output
    return result


@pytest.fixture(scope="module")
def cache_env(tmp_path_factory):
    return {"RECONCILER_CACHE_PATH": str(tmp_path_factory.mktemp("cache") / "cache.sqlite")}


def statuses(output: Path, recipe_path: Path) -> dict[int, tuple[str | None, str | None]]:
    """Sheet row -> (talent status, job status) in an annotated copy, found by the recipe's column names."""
    recipe = load_recipe(recipe_path, env={})
    book = openpyxl.load_workbook(output)
    sheet = book[recipe.source.sheet] if recipe.source.sheet else book.worksheets[0]
    wanted = [s.status_column if s else None for s in (recipe.talent, recipe.job_data)]
    for header_row in sheet.iter_rows(max_row=20):
        names = [c.value for c in header_row]
        if any(w in names for w in wanted if w):
            break
    index = {name: i for i, name in enumerate(names)}
    found = {}
    for number, row in enumerate(sheet.iter_rows(min_row=header_row[0].row + 1, values_only=True),
                                 start=header_row[0].row + 1):
        talent, job = (row[index[w]] if w in index else None for w in wanted)
        if talent or job:
            found[number] = (as_key(talent), as_key(job))  # labels (已匹配, Matched...) read back as keys
    return found


def sandbox_statuses(recipe: Path, sheet: Path, folder: Path, cache_env) -> dict[int, tuple]:
    out = folder / f"{recipe.stem}.{sheet.stem}.out.xlsx"
    invoke(["run", recipe, sheet, "--sandbox", "-q", "-o", out], cache_env)
    return statuses(out, recipe)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, cache_env):
    """The hand-written example recipes on the samples: the answers init must reproduce."""
    folder = tmp_path_factory.mktemp("baseline")
    return {
        ZH_SHEET: sandbox_statuses(ONBOARDING, ZH_SHEET, folder, cache_env),
        EN_SHEET: sandbox_statuses(TALENT_ONLY, EN_SHEET, folder, cache_env),
        EN_CSV: sandbox_statuses(TALENT_ONLY, EN_CSV, folder, cache_env),
    }


def init_and_run(sheet: Path, folder: Path, cache_env, *extra) -> tuple[Path, str, dict]:
    local = folder / sheet.name
    if sheet != local:
        shutil.copyfile(sheet, local)
    result = invoke(["init", local, *extra])
    recipe = folder / f"{local.stem}.recipe.yaml"
    assert recipe.is_file() and str(recipe.name) in result.output
    checked = invoke(["check", recipe, local])
    assert checked.exit_code == 0 and ("OK with" in checked.output or "核对无误" in checked.output), checked.output
    return recipe, result.output, sandbox_statuses(recipe, local, folder, cache_env)


# ------------------------------------------------------------------ the sample sheets


@pytest.mark.parametrize("sheet", [ZH_SHEET, EN_SHEET, EN_CSV], ids=lambda p: p.name)
def test_sample_sheet_recipe_reconciles_like_the_hand_written_one(sheet, baseline, tmp_path, cache_env):
    recipe, _, got = init_and_run(sheet, tmp_path, cache_env)
    expected = baseline[sheet]
    assert sorted(got) == sorted(expected)
    assert {row: s[0] for row, s in got.items()} == {row: s[0] for row, s in expected.items()}
    assert len({s[0] for s in expected.values()}) >= 5  # a comparison across many statuses, not one
    if sheet == ZH_SHEET:  # onboarding.yaml has job data too: as_of 入职日期, compare 部门ID
        assert {row: s[1] for row, s in got.items()} == {row: s[1] for row, s in expected.items()}
        assert {"found", "mismatch", "not_found", "no_key"} <= {s[1] for s in got.values()}


def test_onboarding_recipe_maps_every_identifier_column(baseline, tmp_path, cache_env):
    recipe_path, output, _ = init_and_run(ZH_SHEET, tmp_path, cache_env)
    recipe = load_recipe(recipe_path, env={})
    inputs = recipe.talent.inputs
    assert (inputs["mobile"].column, inputs["mobile"].code_column) == ("手机号", "区号")
    assert inputs["email"].column == "邮箱"
    assert (inputs["id_number"].column, inputs["id_number"].type_column) == ("证件号", "证件类型")
    job = recipe.job_data
    assert (job.key.column, job.key.user_id_type) == ("工号", "user_id")
    assert job.as_of == "入职日期" and job.compare == {"部门ID": "department_id", "部门名称": "department_id.name"}
    # 职级 holds the sheet's own labels (M5, P5): Feishu's name is joined beside it, not compared
    assert job.columns["department_id.name"] == "飞书部门名称" and job.columns["job_level_id.name"] == "飞书职级名称"
    assert job.department_id_type == "department_id"  # the sheet holds codes like D100
    assert recipe.source.sheet == "入职名单" and recipe.output.locale == "zh-CN"
    text = recipe_path.read_text("utf-8")
    assert "# 列名“手机号”" in text and "个是有效手机号" in text  # why, in the sheet's language
    assert "表头在第 3 行" in output and "未使用的列：姓名、职级、备注" in output
    assert "手机号：手机号（B 列）— 列名“手机号”" in output


def test_english_sheet_gets_english_comments_and_report(tmp_path, cache_env):
    shutil.copyfile(EN_SHEET, tmp_path / EN_SHEET.name)
    output = invoke(["init", tmp_path / EN_SHEET.name]).output
    text = (tmp_path / "candidates_en.recipe.yaml").read_text("utf-8")
    assert "# header \"Mobile\"" in text and "locale: en-US" in text and not any("\u4e00" <= ch <= "\u9fff" for ch in
                                                                                 text.split("FEISHU_APP_ID")[0])
    assert "mobile: Mobile (column B) - header \"Mobile\"" in output and "Not used: Name, Scenario" in output
    recipe = load_recipe(tmp_path / "candidates_en.recipe.yaml", env={})
    assert recipe.job_data.key.column == "Employee ID" and recipe.job_data.as_of == "Start date"


# ------------------------------------------------------------------ unhelpful headers


def copy_rows(source: Path, header_row: int, columns: dict[str, str], keep, dest: Path, title: str | None = None):
    """A new sheet with some of `source`'s rows and columns renamed; returns new row -> source row."""
    ws = openpyxl.load_workbook(source).worksheets[0]
    headers = [c.value for c in ws[header_row]]
    out = openpyxl.Workbook()
    target = out.active
    if title:
        target.append([title])
    target.append(list(columns.values()))
    mapping = {}
    for number, row in enumerate(ws.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1):
        record = dict(zip(headers, row))
        if any(v is not None for v in record.values()) and keep(record):
            target.append([record[h] for h in columns])
            mapping[target.max_row] = number
    out.save(dest)
    return mapping


def test_letters_as_headers_recognised_by_values(baseline, tmp_path, cache_env):
    # Rows that need no country-code or ID-type column: their status does not depend on those.
    mapping = copy_rows(EN_SHEET, 1, {"Name": "A", "Mobile": "B", "Email": "C", "ID number": "D"},
                        lambda r: r["Country code"] is None and r["ID type"] in (None, "ID card", "1"),
                        tmp_path / "letters.xlsx")
    recipe_path, output, got = init_and_run(tmp_path / "letters.xlsx", tmp_path, cache_env)
    recipe = load_recipe(recipe_path, env={})
    assert {k: v.column for k, v in recipe.talent.inputs.items()} == {"mobile": "B", "email": "C", "id_number": "D"}
    assert recipe.talent.inputs["id_number"].identification_type == 1 and recipe.job_data is None
    assert "mobile: B (column B) - 11 of 13 values are valid mobiles" in output and "Not used: A" in output
    expected = {new: baseline[EN_SHEET][old][0] for new, old in mapping.items()}
    assert {row: s[0] for row, s in got.items()} == expected
    assert {"matched", "ambiguous", "conflict", "partial", "not_found", "invalid"} <= set(expected.values())


def test_numbered_chinese_headers_under_a_title(baseline, tmp_path, cache_env):
    mapping = copy_rows(ZH_SHEET, 3, {"姓名": "字段1", "手机号": "字段2", "邮箱": "字段3", "证件号": "字段4"},
                        lambda r: r["区号"] in (None, 86) and r["证件类型"] in (None, 1, "身份证", "居民身份证"),
                        tmp_path / "fields.xlsx", title="人员名单（导出）")
    recipe_path, output, got = init_and_run(tmp_path / "fields.xlsx", tmp_path, cache_env)
    recipe = load_recipe(recipe_path, env={})
    assert {k: v.column for k, v in recipe.talent.inputs.items()} == {"mobile": "字段2", "email": "字段3",
                                                                       "id_number": "字段4"}
    assert recipe.output.locale == "zh-CN" and "表头在第 2 行" in output
    expected = {new: baseline[ZH_SHEET][old][0] for new, old in mapping.items()}
    assert {row: s[0] for row, s in got.items()} == expected
    assert {"matched", "ambiguous", "conflict", "partial", "not_found", "invalid"} <= set(expected.values())


@pytest.mark.parametrize(("header", "other", "locale"), [("姓名", "手机号", "zh-CN"), ("Full name", "Mobile", "en-US"),
                                                          ("候选人姓名", "邮箱", "zh-CN")])
def test_a_name_column_becomes_the_label_column_and_the_headers_choose_the_locale(tmp_path, header, other, locale):
    book = openpyxl.Workbook()
    book.active.append(["Dept", header, other])
    book.active.append(["D1", "张伟", "13800138001" if other != "邮箱" else "zhang.wei@example.com"])
    book.save(tmp_path / "s.xlsx")
    invoke(["init", tmp_path / "s.xlsx", "-o", tmp_path / "r.yaml"])
    recipe = load_recipe(tmp_path / "r.yaml", env={})
    assert recipe.source.label_columns == [header]
    assert recipe.output.locale == locale and recipe.output.status_labels == "locale"


def test_no_name_column_no_label_columns(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Username", "Mobile"])
    book.active.append(["zw", "13800138001"])
    book.save(tmp_path / "s.xlsx")
    invoke(["init", tmp_path / "s.xlsx", "-o", tmp_path / "r.yaml"])
    assert load_recipe(tmp_path / "r.yaml", env={}).source.label_columns == []
