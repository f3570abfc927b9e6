"""The command line end to end: outputs, options, and every exit code of spec section 3."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import requests
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.sandbox import ENDPOINT_JOB_DATAS, ENDPOINT_TALENTS, SANDBOX_APP_ID, SANDBOX_APP_SECRET
from labels import as_key

ROOT = Path(__file__).resolve().parents[1]

RECIPE = """\
version: 1
name: CLI test
talent:
  inputs:
    mobile: 手机号
    email: 邮箱
  mode: {mode}
  columns: {{talent_id: Talent ID, is_onboarded: Onboarded}}
job_data:
  key: {{column: 工号, user_id_type: user_id}}
  department_id_type: department_id
  columns: {{department_id: Feishu dept, assignment_start_reason: Reason, cost_center_rate: Cost centres,
            dotted_line_manager_id_list: Dotted managers, weekly_working_hours_v2: Hours}}
  compare: {{部门ID: department_id}}
output:
  writers: [{writers}]
  locale: {locale}
"""

ROWS = [
    ("张伟", "13800138001", "zhang.wei@example.com", "E0001", "D100"),  # matched / found
    ("何敏", "14512345678", "nobody@example.com", None, None),  # partial (all) / matched (any); no_key
    ("赵敏", "13655554444", None, "E0007", "D999"),  # matched / mismatch
    ("黄", "13500135000", None, "E9999", None),  # ambiguous / not_found
    ("周杰", "13311112222", "wu.ting@example.com", None, None),  # conflict
    ("无", "13000000000", None, None, None),  # not_found
    ("坏", "12345", "bad", None, None),  # invalid
]


@pytest.fixture
def workdir(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["姓名", "手机号", "邮箱", "工号", "部门ID"])
    for row in ROWS:
        ws.append(list(row))
    wb.create_sheet("Notes")["A1"] = "leave me"
    wb.save(tmp_path / "people.xlsx")
    return tmp_path


def write_recipe(folder, mode="all", writers="xlsx", locale="zh-CN", extra=""):
    path = folder / "recipe.yaml"
    path.write_text(RECIPE.format(mode=mode, writers=writers, locale=locale) + extra, encoding="utf-8")
    return path


@pytest.fixture
def env(sandbox, tmp_path):
    return {"FEISHU_BASE_URL": sandbox.url, "FEISHU_APP_ID": SANDBOX_APP_ID, "FEISHU_APP_SECRET": SANDBOX_APP_SECRET,
            "RECONCILER_CACHE_PATH": str(tmp_path / "cache" / "c.sqlite")}


def invoke(args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def statuses(path, sheet="名单"):
    """The rows as {header: value}, a status cell's label read back as its key (spec 6a)."""
    ws = openpyxl.load_workbook(path)[sheet]
    header = [c.value for c in ws[1]]
    return [{h: as_key(c.value) if h in ("Talent status", "Job data status") else c.value for h, c in zip(header, row)}
            for row in ws.iter_rows(min_row=2)]


def test_run_writes_every_status_and_leaves_input_untouched(workdir, env, sandbox):
    recipe = write_recipe(workdir)
    before = sha(workdir / "people.xlsx")
    result = invoke(["run", recipe, workdir / "people.xlsx", "--report", workdir / "r.json"], env)
    assert result.exit_code == 0, result.output
    assert sha(workdir / "people.xlsx") == before
    rows = statuses(workdir / "people.reconciled.xlsx")
    assert [r["Talent status"] for r in rows] == ["matched", "partial", "matched", "ambiguous", "conflict", "not_found", "invalid"]
    assert [r["Job data status"] for r in rows] == ["found", "no_key", "mismatch", "not_found", "no_key", "no_key", "no_key"]
    assert rows[0]["Talent ID"] == "6910000000000000001" and rows[0]["Onboarded"] is True
    assert rows[3]["Talent ID"] is None and "6910000000000000016" in rows[3]["Talent note"]
    assert "6910000000000000018" in rows[4]["Talent note"] and "6910000000000000019" in rows[4]["Talent note"]
    zhao = rows[2]
    assert zhao["Reason"] == "入职" and zhao["Hours"] == 37.5
    assert zhao["Cost centres"].count(":") == 2 and "; " in zhao["Cost centres"]
    assert zhao["Dotted managers"].count("; ") == 1
    comment = openpyxl.load_workbook(workdir / "people.reconciled.xlsx")["名单"]["E4"].comment
    assert comment is not None and "D200" in comment.text
    report = json.loads((workdir / "r.json").read_text())
    assert report["counts"]["talent"]["partial"] == 1 and report["counts"]["job_data"]["mismatch"] == 1
    snap = sandbox.stats.snapshot()
    assert report["requests"] == {ENDPOINT_TALENTS: snap[ENDPOINT_TALENTS]["accepted"],
                                  ENDPOINT_JOB_DATAS: snap[ENDPOINT_JOB_DATAS]["accepted"]}
    assert "13800138001" not in (workdir / "r.json").read_text()  # counts, not personal data


def test_mode_any_and_english_locale(workdir, env):
    recipe = write_recipe(workdir, mode="any", locale="en-US")
    assert invoke(["run", recipe, workdir / "people.xlsx", "-q"], env).exit_code == 0
    rows = statuses(workdir / "people.reconciled.xlsx")
    assert rows[1]["Talent status"] == "matched" and "邮箱" in rows[1]["Talent note"]  # says which one did not resolve
    assert rows[2]["Reason"] == "Onboarding"


def test_csv_and_jsonl_writers(workdir, env):
    recipe = write_recipe(workdir, writers="xlsx, csv, jsonl")
    missing = invoke(["run", recipe, workdir / "people.xlsx", "-o", workdir / "out" / "result.xlsx"], env)
    assert missing.exit_code == 1 and "out" in missing.output  # the folder does not exist: say so
    (workdir / "out").mkdir()
    result = invoke(["run", recipe, workdir / "people.xlsx", "-o", workdir / "out" / "result.xlsx"], env)
    assert result.exit_code == 0, result.output
    assert {p.name for p in (workdir / "out").iterdir()} >= {"result.xlsx", "result.csv", "result.jsonl"}
    records = [json.loads(line) for line in (workdir / "out" / "result.jsonl").read_text(encoding="utf-8").splitlines()]
    assert records[0]["姓名"] == "张伟" and records[0]["Talent status"] == "matched" and records[0]["Onboarded"] is True
    csv_text = (workdir / "out" / "result.csv").read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0].startswith("姓名,手机号,邮箱,工号,部门ID,Talent ID")


def test_rerun_is_served_from_cache(workdir, env, sandbox):
    recipe = write_recipe(workdir)
    assert invoke(["run", recipe, workdir / "people.xlsx", "-q"], env).exit_code == 0
    sent = {k: v["accepted"] for k, v in sandbox.stats.snapshot().items()}
    result = invoke(["run", recipe, workdir / "people.xlsx", "--report", workdir / "r.json", "-q"], env)
    assert result.exit_code == 0
    assert {k: v["accepted"] for k, v in sandbox.stats.snapshot().items()} == sent  # not even a token
    assert sum(json.loads((workdir / "r.json").read_text())["requests"].values()) == 0


def test_offline_miss_is_a_row_error_not_a_crash(workdir, env, sandbox):
    recipe = write_recipe(workdir)
    result = invoke(["run", recipe, workdir / "people.xlsx", "--offline", "-q"], env)
    assert result.exit_code == 0, result.output
    rows = statuses(workdir / "people.reconciled.xlsx")
    assert rows[0]["Talent status"] == "error" and "offline" in rows[0]["Talent note"]
    assert rows[0]["Job data status"] == "error"
    assert rows[6]["Talent status"] == "invalid"  # never needed a lookup
    assert all(v["requests"] == 0 for v in sandbox.stats.snapshot().values())


def test_no_cache_sends_again(workdir, env, sandbox):
    recipe = write_recipe(workdir)
    assert invoke(["run", recipe, workdir / "people.xlsx", "-q"], env).exit_code == 0
    first = sandbox.stats.snapshot()[ENDPOINT_TALENTS]["accepted"]
    assert invoke(["run", recipe, workdir / "people.xlsx", "-q", "--no-cache"], env).exit_code == 0
    assert sandbox.stats.snapshot()[ENDPOINT_TALENTS]["accepted"] == 2 * first


def test_dry_run_sends_nothing_and_prints_the_plan(workdir, env, sandbox):
    recipe = write_recipe(workdir)
    result = invoke(["run", recipe, workdir / "people.xlsx", "--dry-run"], env)
    assert result.exit_code == 0
    assert f"planned {ENDPOINT_TALENTS}: 2" in result.output  # one mobile batch, one email batch
    assert f"planned {ENDPOINT_JOB_DATAS}: 3" in result.output  # three employees, one by one
    assert all(v["requests"] == 0 for v in sandbox.stats.snapshot().values())
    assert not (workdir / "people.reconciled.xlsx").exists()


def test_bad_recipe_exit_2_with_line(workdir, env):
    recipe = write_recipe(workdir, extra="colums: {}\n")
    result = invoke(["run", recipe, workdir / "people.xlsx"], env)
    assert result.exit_code == 2
    assert f"{recipe}:" in result.output and "colums" in result.output and "Traceback" not in result.output


def test_missing_header_lists_the_sheet_headers(workdir, env):
    recipe = workdir / "r2.yaml"
    recipe.write_text("version: 1\ntalent:\n  inputs:\n    mobile: 电话\n", encoding="utf-8")
    result = invoke(["check", recipe, workdir / "people.xlsx"], env)
    assert result.exit_code == 2
    assert "r2.yaml:4" in result.output and "姓名, 手机号, 邮箱, 工号, 部门ID" in result.output


def test_bad_input_file_exit_2(workdir, env):
    recipe = write_recipe(workdir)
    (workdir / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    result = invoke(["run", recipe, workdir / "old.xls"], env)
    assert result.exit_code == 2 and ".xlsx" in result.output
    result = invoke(["run", recipe, workdir / "missing.xlsx"], env)
    assert result.exit_code == 2 and "missing.xlsx" in result.output


def test_output_equal_to_input_exit_2(workdir, env):
    recipe = write_recipe(workdir)
    before = sha(workdir / "people.xlsx")
    result = invoke(["run", recipe, workdir / "people.xlsx", "-o", workdir / "people.xlsx"], env)
    assert result.exit_code == 2 and "会覆盖输入文件" in result.output  # the recipe's output.locale is zh-CN
    assert sha(workdir / "people.xlsx") == before


def test_refused_credentials_exit_3(workdir, env):
    recipe = write_recipe(workdir)
    result = invoke(["run", recipe, workdir / "people.xlsx"], {**env, "FEISHU_APP_SECRET": "not-the-secret-42"})
    assert result.exit_code == 3
    assert "10014" in result.output and "FEISHU_APP_SECRET" in result.output and "not-the-secret-42" not in result.output


def test_missing_scope_exit_3(workdir, env, sandbox):
    sandbox.configure(scopes={"corehr:corehr:readonly"})
    result = invoke(["run", write_recipe(workdir), workdir / "people.xlsx"], env)
    assert result.exit_code == 3 and "99991672" in result.output


def test_missing_credentials_exit_2(workdir, env):
    recipe = write_recipe(workdir)
    result = invoke(["run", recipe, workdir / "people.xlsx"], {k: v for k, v in env.items() if "APP" not in k})
    assert result.exit_code == 2 and "FEISHU_APP_ID" in result.output


def test_anything_else_exit_1_in_one_sentence(workdir, env):
    recipe = write_recipe(workdir)
    (workdir / "a-file").write_text("x")
    result = invoke(["run", recipe, workdir / "people.xlsx", "-o", workdir / "a-file" / "out.xlsx"], env)
    assert result.exit_code == 1
    assert result.output.startswith(("Error: ", "错误：")) and "Traceback" not in result.output
    assert result.output.count("\n") == 1  # one sentence
    debug = invoke(["run", recipe, workdir / "people.xlsx", "-o", workdir / "a-file" / "out.xlsx", "--debug"], env)
    assert debug.exit_code == 1 and "Traceback" in debug.output


def test_bad_arguments_exit_2(workdir):
    assert invoke(["run"]).exit_code == 2
    assert invoke(["run", "x.yaml", "y.xlsx", "--no-such-flag"]).exit_code == 2


def test_schema_and_check(workdir, env):
    schema = json.loads(invoke(["schema"]).output)
    assert schema["properties"]["version"] and "$schema" in schema
    result = invoke(["check", write_recipe(workdir), workdir / "people.xlsx"], env)  # output.locale: zh-CN
    assert result.exit_code == 0 and "表头在第 1 行，共 7 行" in result.output
    result = invoke(["check", write_recipe(workdir, locale="en-US"), workdir / "people.xlsx"], env)
    assert result.exit_code == 0 and "header on row 1, 7 rows" in result.output


def test_csv_input(tmp_path, env):
    shutil.copy(ROOT / "sample_sheets" / "candidates_export_en.csv", tmp_path / "c.csv")
    result = invoke(["run", ROOT / "recipes" / "talent_only.yaml", tmp_path / "c.csv", "-q"], env)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(tmp_path / "c.reconciled.xlsx")
    ws = wb[wb.sheetnames[0]]
    header = [c.value for c in ws[1]]
    assert "Talent status" in header
    assert {r[header.index("Talent status")] for r in ws.iter_rows(min_row=2, values_only=True)} >= {"Matched"}


def test_sandbox_command_serves_and_curl_behaves(tmp_path):
    exe = Path(sys.executable).with_name("reconciler")
    proc = subprocess.Popen([str(exe), "sandbox", "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("Feishu sandbox listening on http://127.0.0.1:")
        url = line.split()[-1]
        token = json.loads(subprocess.check_output(
            ["curl", "-s", "-X", "POST", f"{url}/open-apis/auth/v3/tenant_access_token/internal",
             "-H", "Content-Type: application/json; charset=utf-8",
             "-d", json.dumps({"app_id": SANDBOX_APP_ID, "app_secret": SANDBOX_APP_SECRET})]))
        assert token["code"] == 0 and token["tenant_access_token"].startswith("t-") and token["expire"] > 0
        answer = subprocess.check_output(
            ["curl", "-s", "-i", "-X", "POST", f"{url}/open-apis/hire/v1/talents/batch_get_id",
             "-H", f"Authorization: Bearer {token['tenant_access_token']}",
             "-H", "Content-Type: application/json; charset=utf-8",
             "-d", json.dumps({"mobile_code": "86", "mobile_number_list": ["13800138001"]})], text=True)
        headers, body = answer.split("\n\n", 1)  # text mode turned CRLF into LF
        assert "x-ogw-ratelimit-limit" in headers.lower()
        talents = json.loads(body)["data"]["talent_list"]
        assert talents[0]["talent_id"] == "6910000000000000001" and "email" not in talents[0]
        bad = requests.get(f"{url}/open-apis/corehr/v1/job_datas?page_size=10",
                           headers={"Authorization": "Bearer t-unknown"}, timeout=5).json()
        assert bad["code"] == 99991665
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_stderr_is_one_sentence_in_a_real_process(workdir):
    """No log record may reach stderr through Python's last-resort handler."""
    recipe = write_recipe(workdir)
    exe = Path(sys.executable).with_name("reconciler")
    proc = subprocess.run([str(exe), "run", str(recipe), str(workdir / "people.xlsx"), "--sandbox",
                           "-o", str(workdir / "no-such-folder" / "out.xlsx")],
                          capture_output=True, text=True, env={**os.environ, "RECONCILER_CACHE_PATH": str(workdir / "c.sqlite")})
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


@pytest.mark.parametrize(("lang", "reason", "summary_label"), [("zh_CN.UTF-8", "入职", "汇总"), ("en_US.UTF-8", "Onboarding", "Summary")])
def test_without_output_locale_the_system_locale_decides(workdir, env, lang, reason, summary_label):
    recipe = workdir / "no-locale.yaml"
    recipe.write_text(RECIPE.format(mode="all", writers="xlsx", locale="x").replace("  locale: x\n", ""), encoding="utf-8")
    assert "locale" not in recipe.read_text(encoding="utf-8")
    result = invoke(["run", recipe, workdir / "people.xlsx", "-q"], {**env, "LANG": lang, "LC_ALL": ""})
    assert result.exit_code == 0, result.output
    assert statuses(workdir / "people.reconciled.xlsx")[2]["Reason"] == reason
    assert openpyxl.load_workbook(workdir / "people.reconciled.xlsx").sheetnames[-2] == summary_label


def test_schema_file_and_the_recipe_line_that_gives_editor_completion(tmp_path):
    done = invoke(["schema", "-o", tmp_path / "recipe.schema.json"])
    assert done.exit_code == 0 and "yaml-language-server" in done.output
    schema = json.loads((tmp_path / "recipe.schema.json").read_text(encoding="utf-8"))
    assert schema["title"] == "reconciler recipe" and "talent" in schema["properties"]
    mine = tmp_path / "mine" / "recipe.schema.json"  # a file of the user's with that name is never replaced
    mine.parent.mkdir()
    mine.write_text('{"title": "my own"}', encoding="utf-8")
    shutil.copy(ROOT / "sample_sheets" / "onboarding_zh.xlsx", mine.parent / "s.xlsx")
    assert invoke(["init", mine.parent / "s.xlsx"]).exit_code == 0
    assert (mine.parent / "s.recipe.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=recipe.schema.json\n")
    assert mine.read_text(encoding="utf-8") == '{"title": "my own"}'
    shutil.copy(ROOT / "sample_sheets" / "onboarding_zh.xlsx", tmp_path / "s.xlsx")
    (tmp_path / "recipe.schema.json").unlink()
    assert invoke(["init", tmp_path / "s.xlsx"]).exit_code == 0
    assert json.loads((tmp_path / "recipe.schema.json").read_text(encoding="utf-8"))["title"] == "reconciler recipe"


def test_the_cycle_collector_stays_off_after_a_run_only_in_a_process_of_its_own(workdir):
    """`reconciler run` as a command ends its process: after the run the cycle collector
    stays off (its passes over the run's objects took ~0.6 s of a 100,000-row run). A
    program calling the command (click's CliRunner, as here) keeps its collector."""
    import gc

    recipe = write_recipe(workdir)
    probe = ("import atexit, gc, sys; atexit.register(lambda: print('collector on:', gc.isenabled()));"
             "from reconciler.cli import main; sys.argv[0] = 'reconciler'; main()")
    cache = {"RECONCILER_CACHE_PATH": str(workdir / "c.sqlite")}
    proc = subprocess.run([sys.executable, "-c", probe, "run", str(recipe), str(workdir / "people.xlsx"), "--sandbox", "-q"],
                          capture_output=True, text=True, env={**os.environ, **cache})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "collector on: False"
    assert gc.isenabled()
    result = invoke(["run", recipe, workdir / "people.xlsx", "--sandbox", "-q", "-o", workdir / "again.xlsx"], cache)
    assert result.exit_code == 0, result.output
    assert gc.isenabled()
