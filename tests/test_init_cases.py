"""`reconciler init` on awkward sheets: options, refusals, and what it recognises (or not) and why."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from test_sheets import write_xlsx as workbook  # one way to build a test workbook

from reconciler.cli.main import cli
from reconciler.init.draft import sheet_language
from reconciler.init.roles import header_key
from reconciler.recipe import load_recipe

BASE_ENV = {"FEISHU_BASE_URL": None, "FEISHU_APP_ID": None, "FEISHU_APP_SECRET": None,
            "LANG": "C.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}
MOBILES = ["13800138001", "13912345678", "15011112222", "18600001111"]
EMAILS = ["zhang.wei@example.com", "wang.fang@example.com", "li.na@example.com", "liu.yang@example.com"]
IDS = ["110101199003070011", "31010419880512006X", "440305199308210014", "510104198501150013"]


def invoke(args, code=0, env=None):
    # input="": stdin is not a terminal and has nothing to say; a prompt would abort the command.
    result = CliRunner().invoke(cli, [str(a) for a in args], env={**BASE_ENV, **(env or {})}, input="")
    assert result.exit_code == code, result.output
    return result


def people(headers: list[str], *columns: list) -> list[list]:
    return [headers] + [list(values) for values in zip(*columns)]


def drafted(path: Path, *extra) -> tuple:
    result = invoke(["init", path, *extra])
    recipe = path.with_name(f"{path.stem}.recipe.yaml")
    checked = invoke(["check", recipe, path])
    assert checked.exit_code == 0 and ("OK with" in checked.output or "核对无误" in checked.output), checked.output
    return load_recipe(recipe, env={}), result.output, recipe.read_text("utf-8")


def test_refuses_to_overwrite_unless_forced_and_never_the_sheet(tmp_path):
    sheet = workbook(tmp_path / "list.xlsx", {"名单": people(["姓名", "手机号"], ["张伟"] * 4, MOBILES)})
    recipe = tmp_path / "list.recipe.yaml"
    recipe.write_text("# my own recipe\n", encoding="utf-8")
    refused = invoke(["init", sheet], code=2)
    assert "already exists" in refused.output and "--force" in refused.output
    assert recipe.read_text("utf-8") == "# my own recipe\n"
    invoke(["init", sheet, "--force"])
    assert load_recipe(recipe, env={}).talent.inputs["mobile"].column == "手机号"
    before = sheet.read_bytes()
    assert "overwrite the sheet" in invoke(["init", sheet, "-o", sheet, "--force"], code=2).output
    assert sheet.read_bytes() == before
    missing = invoke(["init", sheet, "-o", tmp_path / "nope" / "r.yaml"], code=1)
    assert "nope" in missing.output and "does not exist" in missing.output
    invoke(["init", sheet, "-o", tmp_path / "elsewhere.yaml"])
    assert load_recipe(tmp_path / "elsewhere.yaml", env={}).talent is not None


def test_exists_error_in_the_terminals_language(tmp_path):
    sheet = workbook(tmp_path / "list.xlsx", {"名单": people(["姓名", "手机号"], ["张伟"] * 4, MOBILES)})
    invoke(["init", sheet])
    zh = invoke(["init", sheet], code=2, env={"LANG": "zh_CN.UTF-8"})
    assert zh.output.startswith("错误：") and "已存在" in zh.output and "--force" in zh.output
    assert invoke(["init", sheet, "--locale", "en-US"], code=2).output.startswith("Error: ")


def test_sheet_option_and_a_cover_sheet_without_identifiers(tmp_path):
    sheet = workbook(tmp_path / "book.xlsx", {
        "封面": [["说明", "版本"], ["入职名单见第二页", "v2"]],
        "名单": people(["姓名", "邮箱"], ["张伟"] * 4, EMAILS),
    })
    nothing = invoke(["init", sheet], code=2)
    assert "no column to look people up by" in nothing.output and "说明, 版本" not in nothing.output
    assert "说明、版本" in nothing.output  # the cover's headers, listed in the sheet's language
    recipe, output, _ = drafted(sheet, "--sheet", "名单")
    assert recipe.source.sheet == "名单" and recipe.talent.inputs["email"].column == "邮箱"
    assert "has no sheet named" in invoke(["init", sheet, "--sheet", "Nope", "--force"], code=2).output


def test_a_sheet_without_a_header_row_is_refused(tmp_path):
    sheet = workbook(tmp_path / "raw.xlsx", {"Sheet1": [[m, e] for m, e in zip(MOBILES, EMAILS)]})
    result = invoke(["init", sheet], code=2)
    assert "looks like a header row" in result.output and not (tmp_path / "raw.recipe.yaml").exists()


def test_awkward_headers_are_quoted_and_new_columns_do_not_clobber_old_ones(tmp_path):
    headers = ["Name", "Mobile: personal", "E-mail #work", "[工号]", "yes", "Talent ID"]
    sheet = workbook(tmp_path / "odd.xlsx", {"People": people(
        headers, ["Zhang"] * 4, MOBILES, EMAILS, ["E0001", "E0002", "E0003", "E0004"], IDS, ["old"] * 4)})
    recipe, output, _ = drafted(sheet, "--locale", "en-US")  # 工号 is Chinese: the default would be zh-CN
    inputs = recipe.talent.inputs
    assert (inputs["mobile"].column, inputs["email"].column, inputs["id_number"].column) == (
        "Mobile: personal", "E-mail #work", "yes")
    assert recipe.job_data.key.column == "[工号]" and recipe.job_data.key.user_id_type == "user_id"
    assert recipe.talent.columns["talent_id"] == "Talent ID (Feishu)"
    assert "already has a column Talent ID" in output
    assert "ID number: yes (column E) - 4 of 4 values are mainland IDs" in output  # by values: the header says nothing


def test_passports_department_names_and_open_ids(tmp_path):
    sheet = workbook(tmp_path / "staff.xlsx", {"Staff": people(
        ["Name", "Passport No.", "Department", "Open ID"], ["Sun"] * 4, ["E12345678", "561234987", "G1234567", "K7654321"],
        ["Engineering team", "Sales and marketing", "Human resources", "Finance dept"],
        ["ou_1a", "ou_2b", "ou_3c", "ou_4d"])})
    recipe, output, _ = drafted(sheet)
    assert recipe.talent.inputs["id_number"].type == 2  # the header says passport
    # a column of department names is compared by name
    assert recipe.job_data.key.user_id_type == "open_id"
    assert recipe.job_data.compare == {"Department": "department_id.name"}
    assert recipe.job_data.columns["department_id.name"] == "Feishu department name"
    assert "holds department names, not IDs" not in output
    assert "the header says passport, so type 2" in output and "read as open_id" in output


def test_job_data_only_with_long_department_ids_and_a_start_time(tmp_path):
    sheet = workbook(tmp_path / "jobs.xlsx", {"任职": people(
        ["工号", "部门ID", "入职时间"], ["E0001", "E0002", "E0003", "E0004"],
        ["6950000000000000001", "6950000000000000002", "6950000000000000003", "6950000000000000001"],
        ["2024-01-02", "2024/03/04", "2023年5月6日", "2022-07-08"])})
    recipe, output, text = drafted(sheet)
    assert recipe.talent is None
    job = recipe.job_data
    assert (job.department_id_type, job.as_of, job.compare) == ("people_corehr_department_id", "入职时间",
                                                                {"部门ID": "department_id"})
    assert "没有手机号、邮箱或证件号列" in output and "# 取该日期生效的任职数据" in text
    assert "按 people_corehr_department_id 比较" in output


def test_vague_and_emergency_headers(tmp_path):
    sheet = workbook(tmp_path / "contacts.xlsx", {"通讯录": people(
        ["姓名", "联系方式", "手机号", "紧急联系人电话"], ["张伟"] * 4, EMAILS, MOBILES,
        ["13700002222", "13655554444", "13766667777", "13877778888"])})
    recipe, output, _ = drafted(sheet)
    assert recipe.talent.inputs["email"].column == "联系方式"  # its values are emails, whatever the header says
    assert recipe.talent.inputs["mobile"].column == "手机号"
    assert "紧急联系人电话（D 列）看起来也是手机号列；使用的是 手机号" in output


def test_locale_option_overrides_the_sheets_language(tmp_path):
    sheet = workbook(tmp_path / "list.xlsx", {"名单": people(["姓名", "手机号"], ["张伟"] * 4, MOBILES)})
    recipe, output, text = drafted(sheet, "--locale", "en-US")
    assert recipe.output.locale == "en-US" and recipe.talent.status_column == "Talent status"
    assert "# header \"手机号\"; 4 of 4 values are valid mobiles" in text and "Wrote " in output


def test_header_keys_and_sheet_language():
    assert header_key(" E-mail ") == "email" and header_key("ID number") == "idnumber"
    assert header_key("员工 ID") == "员工id" and header_key("手机号（必填）") == "手机号必填"
    assert sheet_language(["姓名", "Mobile"]) == "zh-CN" and sheet_language(["Name", "1"]) == "en-US"
    assert sheet_language(["1", "2"], env={"LANG": "zh_CN.UTF-8"}) == "zh-CN"
    assert sheet_language(["1", "2"], env={"LANG": "C"}) == "en-US"


def test_name_columns_are_compared_or_joined_by_name(tmp_path):
    sheet = workbook(tmp_path / "names.xlsx", {"名单": people(
        ["工号", "部门名称", "直属上级", "职级", "工作地点"], ["E0001", "E0002", "E0003", "E0004"],
        ["研发部", "销售部", "研发部", "财务部"], ["张伟", "王芳", "张伟", ""], ["P5", "P4", "M2", "P1"],
        ["北京", "上海", "北京", "深圳"])})
    recipe, output, text = drafted(sheet)
    job = recipe.job_data
    assert job.compare == {"部门名称": "department_id.name", "直属上级": "direct_manager_id.name"}
    assert {p: h for p, h in job.columns.items() if p.endswith(".name")} == {
        "department_id.name": "飞书部门名称", "direct_manager_id.name": "飞书直属上级",
        "job_level_id.name": "飞书职级名称", "work_location_id.name": "飞书工作地点"}
    assert "职级: job_level_id.name" in text  # how to compare a joined name instead
