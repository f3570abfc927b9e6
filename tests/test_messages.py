"""Messages as data: one catalogue per language, every domain error, warning and row note
carries a key and its parameters, and every key used in the code is in both catalogues."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import string
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import reconciler
from reconciler import errors
from reconciler.cli.main import cli
from reconciler.errors import ReconcilerError, RecipeError, RecipeIssue, SheetError
from reconciler.messages.locale import EN, ZH
from reconciler.messages.render import CATALOGUES, InvalidValue, Message, join, render
from reconciler.model import RowOutcome, RunSummary
from reconciler.pipeline.report import report_json
from reconciler.sandbox import SANDBOX_APP_ID, SANDBOX_APP_SECRET

PACKAGE = Path(reconciler.__file__).parent
NO_ENV = {"LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "FEISHU_BASE_URL": None, "FEISHU_APP_ID": None,
          "FEISHU_APP_SECRET": None}


def fields(template: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


# ------------------------------------------------------------------ the catalogues


def test_every_key_is_in_both_languages():
    assert set(CATALOGUES[EN]) == set(CATALOGUES[ZH]), set(CATALOGUES[EN]) ^ set(CATALOGUES[ZH])
    assert all(text.strip() for table in CATALOGUES.values() for text in table.values())


@pytest.mark.parametrize("key", sorted(CATALOGUES[EN]))
def test_both_languages_use_the_same_placeholders_and_render(key):
    assert fields(CATALOGUES[EN][key]) == fields(CATALOGUES[ZH][key]), key
    dummy = {name: 1.5 if name == "seconds" else f"<{name}>" for name in fields(CATALOGUES[EN][key])}
    for locale in (EN, ZH):
        said = render(Message(key, **dummy), locale)
        assert said == CATALOGUES[locale][key].format(**dummy)
        assert "{" not in said.replace("{stem}", "") or key == "plain"


# ------------------------------------------------------------------ the code uses keys


DOMAIN_ERRORS = {
    "ReconcilerError", "UsageError", "RecipeError", "SheetError", "OutputError", "PluginError", "FeishuError",
    "FeishuAuthError", "FeishuScopeError", "TransientError", "RateLimitedError", "CacheMissError",
    "InvalidMobileError", "MissingCredentialsError", "CacheBackendError",
}
KEYED_CALLS = DOMAIN_ERRORS | {"Message", "InvalidValue"}
KEY_PATTERN = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")
FILE_SUFFIXES = {"yaml", "py", "xlsx", "json", "log", "env", "txt", "csv"}


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent.name == "messages" and path.stem in ("en_US", "zh_CN"):
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)))


def test_no_domain_error_or_message_is_built_from_english_text():
    found = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _name(node.func) in KEYED_CALLS and node.args):
                continue
            first = node.args[0]
            if _name(node.func) == "RecipeError":
                continue  # takes RecipeIssues, checked below
            literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
            if _is_text(first) or (literal and first.value not in CATALOGUES[EN]):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {_name(node.func)}({ast.unparse(first)[:60]})")
            if _name(node.func) == "RecipeIssue" and len(node.args) >= 4 and _is_text(node.args[3]):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} RecipeIssue text")
    assert not found, "\n".join(found)


def test_recipe_issues_are_keyed():
    found = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in ("RecipeIssue", "issue_at"):
                index = 3 if _name(node.func) == "RecipeIssue" else 1
                arg = node.args[index] if len(node.args) > index else None
                if arg is not None and (_is_text(arg) or (isinstance(arg, ast.Constant) and arg.value not in CATALOGUES[EN])):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not found, found


def test_every_key_named_in_the_code_is_in_the_catalogue():
    groups = {key.split(".")[0] for key in CATALOGUES[EN]}
    missing = set()
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY_PATTERN.match(node.value):
                named = node.value if node.value in CATALOGUES[EN] else f"init.{node.value}"  # init's draft.t()
                if node.value.split(".")[-1] in FILE_SUFFIXES:
                    continue
                if node.value.split(".")[0] in groups and named not in CATALOGUES[EN]:
                    missing.add(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.value}")
    assert not missing, sorted(missing)


def test_no_regular_expression_translates_a_message():
    imports_re = re.compile(r"^\s*(import re|from re import)\b", re.M)
    for path in (PACKAGE / "messages").glob("*.py"):
        assert not imports_re.search(path.read_text(encoding="utf-8")), path.name
    assert not (PACKAGE / "messages" / "i18n.py").exists()
    assert "import re\n" not in (PACKAGE / "desktop" / "messages.py").read_text(encoding="utf-8")


# ------------------------------------------------------------------ errors, issues, notes as data


def test_a_keyed_error_is_data_and_renders_in_both_languages():
    error = SheetError("error.file_missing", path="a.xlsx")
    assert (error.key, error.params, error.exit_code, error.keyed) == ("error.file_missing", {"path": "a.xlsx"}, 2, True)
    assert str(error) == "a.xlsx does not exist; check the file name and folder"
    assert error.render(ZH) == "找不到文件 a.xlsx；请检查文件名和所在文件夹"
    plain = ReconcilerError("a plugin's own sentence")
    assert (plain.key, str(plain), plain.render(ZH), plain.keyed) == ("plain", "a plugin's own sentence",
                                                                      "a plugin's own sentence", False)


def test_recipe_issues_carry_keys():
    issue = RecipeIssue("r.yaml", 3, "talent.mode", "recipe.unknown_mode", name="sometimes", known="all, any")
    assert issue.key == "recipe.unknown_mode" and issue.params["name"] == "sometimes"
    assert issue.message == "unknown mode 'sometimes'; known: all, any"
    assert str(issue) == "r.yaml:3 talent.mode: unknown mode 'sometimes'; known: all, any"
    assert issue.render(ZH) == "r.yaml:3 talent.mode: 未知的模式“sometimes”；已知的有：all, any"
    error = RecipeError([issue, issue])
    assert error.render(ZH).startswith("配方 r.yaml 有 2 处问题") and "2 problems" in error.render(EN)
    assert str(error) == f"{issue}\n{issue}"


def test_a_value_error_of_a_validator_keeps_its_key(tmp_path):
    from reconciler.recipe import load_recipe

    path = tmp_path / "r.yaml"
    path.write_text("version: 1\ntalent:\n  inputs: {mobile: 手机号}\ncache:\n  expire_after: forever\n", encoding="utf-8")
    with pytest.raises(RecipeError) as caught:
        load_recipe(path)
    issue = caught.value.issues[0]
    assert issue.key == "recipe.not_duration" and issue.params == {"value": "forever"}
    assert isinstance(InvalidValue("recipe.duration_zero"), ValueError)


def test_messages_are_their_english_text_and_nest():
    message = Message("note.differs", header="部门", mine="D1", theirs=Message("note.empty_value"))
    assert message == "部门: sheet has D1, Feishu has (empty)" and "D1" in message  # plain str operations work
    assert render(message, ZH) == "部门：表格中是 D1，飞书中是 （空）"
    assert join([message, "checked by HR"], ZH) == "部门：表格中是 D1，飞书中是 （空）；checked by HR"
    assert Message.of("text").key == "plain" and Message.of(message) is message


def test_row_notes_are_data_and_plain_text_still_works():
    outcome = RowOutcome(2, "invalid", [Message("note.no_identifier")])
    assert outcome.talent_note == "no identifier present" and join(outcome.talent_notes, ZH) == "没有任何标识"
    outcome.talent_note += " (sent to HR ops)"  # what a plugin may do: the note becomes plain text
    assert outcome.talent_notes == ["no identifier present (sent to HR ops)"]
    assert RowOutcome(3, "partial", "email unknown").talent_note == "email unknown"


def test_report_warnings_carry_keys():
    summary = RunSummary("r", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
                         warnings=[Message("warning.unknown_job_field", field="x.y"), "a plugin's warning"])
    report = report_json(summary, [], {}, ZH)
    assert report["warnings"][0] == {"key": "warning.unknown_job_field", "params": {"field": "x.y"},
                                     "text": CATALOGUES[ZH]["warning.unknown_job_field"].format(field="x.y")}
    assert report["warnings"][1] == {"key": "plain", "params": {"text": "a plugin's warning"},
                                     "text": "a plugin's warning"}
    json.dumps(report)


# ------------------------------------------------------------------ runtime: real failures are keyed


@pytest.fixture
def folder(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "名单"
    book.active.append(["姓名", "手机号", "手机号"])
    book.active.append(["张伟", "13800138001", ""])
    book.save(tmp_path / "twice.xlsx")
    book = openpyxl.Workbook()
    book.active.title = "名单"
    book.active.append(["姓名", "手机号"])
    for row in (["张伟", "13800138001"], ["坏", "123"]):
        book.active.append(row)
    book.save(tmp_path / "people.xlsx")
    return tmp_path


def _recipe(folder: Path, locale: str, extra: str = "") -> Path:
    path = folder / f"r-{locale}.yaml"
    path.write_text(f"version: 1\ntalent:\n  inputs:\n    mobile: 手机号\noutput:\n  locale: {locale}\n{extra}",
                    encoding="utf-8")
    return path


def test_errors_raised_by_real_failures_are_all_keyed(folder, sandbox, monkeypatch):
    monkeypatch.setattr(errors, "STRICT_KEYS", True)  # an error built from text raises TypeError: "unexpected"
    zh = _recipe(folder, "zh-CN")
    env = {**NO_ENV, "RECONCILER_CACHE_PATH": str(folder / "c.sqlite"), "FEISHU_BASE_URL": sandbox.url}
    good = {**env, "FEISHU_APP_ID": SANDBOX_APP_ID, "FEISHU_APP_SECRET": SANDBOX_APP_SECRET}
    (folder / "~$locked.xlsx").write_bytes(b"")
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    cases = [
        (["run", zh, folder / "missing.xlsx"], good, 2),
        (["run", zh, folder / "notes.txt"], good, 2),
        (["run", zh, folder / "twice.xlsx"], good, 2),
        (["run", _recipe(folder, "en-US", "colums: {}\n"), folder / "people.xlsx"], good, 2),
        (["run", zh, folder / "people.xlsx", "-o", folder / "nope" / "out.xlsx"], good, 1),
        (["run", zh, folder / "people.xlsx", "-o", folder / "locked.xlsx"], good, 1),
        (["run", zh, folder / "people.xlsx"], env, 2),
        (["run", zh, folder / "people.xlsx"],
         {**good, "FEISHU_APP_SECRET": "wrong", "RECONCILER_CACHE_PATH": str(folder / "empty.sqlite")}, 3),
        (["run", zh, folder / "people.xlsx", "--plugins", folder / "none.py"], good, 2),
    ]
    for args, environment, code in cases:
        result = CliRunner().invoke(cli, [str(a) for a in args], env=environment)
        assert result.exit_code == code, (args, result.output)
        assert "TypeError" not in result.output and "意外" not in result.output, result.output


def test_row_notes_and_the_summary_sheet_follow_output_locale(folder):
    result = CliRunner().invoke(cli, ["run", str(_recipe(folder, "zh-CN")), str(folder / "people.xlsx"), "--sandbox"],
                                env={**NO_ENV, "RECONCILER_CACHE_PATH": str(folder / "c.sqlite")})
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(folder / "people.reconciled.xlsx")
    sheet = book["名单"]
    header = [c.value for c in sheet[1]]
    notes = [row[header.index("Talent note")].value for row in sheet.iter_rows(min_row=2)]
    assert any(n and "不是有效的大陆手机号" in n for n in notes), notes
    summary = book["汇总"]
    assert summary["A2"].value == "配方" and book.sheetnames[-1] == "待处理"


def test_desktop_messages_have_a_title_and_a_sentence():
    names = set()
    for path, tree in _sources():
        for node in ast.walk(tree):
            if path.parent.name != "desktop":
                continue
            if isinstance(node, ast.Call) and ((_name(node.func) == "of" and "Plain" in ast.unparse(node.func))
                                               or _name(node.func) == "_rule"):
                names |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    assert names and all(f"desktop.{n}" in CATALOGUES[EN] and f"desktop.{n}.title" in CATALOGUES[EN] for n in names)
