"""Messages in zh-CN or en-US: chosen by output.locale, else the system locale; the common
errors raised by the real code render in Chinese with their details, others fall back to English."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.errors import SheetError, UsageError
from reconciler.feishu.auth import TokenProvider
from reconciler.messages.locale import EN, ZH, choose_locale, locale_of_recipe_file, normalise_locale, system_locale
from reconciler.messages.render import Message, render_error
from reconciler.sandbox import SANDBOX_APP_ID, SANDBOX_APP_SECRET
from reconciler.sheets.read import read_sheet

NO_LOCALE = {"LANG": None, "LC_ALL": None, "LC_MESSAGES": None}
NO_FEISHU = {"FEISHU_BASE_URL": None, "FEISHU_APP_ID": None, "FEISHU_APP_SECRET": None}


def invoke(args, env):
    return CliRunner().invoke(cli, [str(a) for a in args], env={**NO_FEISHU, **NO_LOCALE, **env})


@pytest.fixture
def folder(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "名单"
    ws.append(["姓名", "手机号"])
    for row in (["张伟", "13800138001"], ["无名", "13000000000"], ["坏", "123"]):  # matched, not_found, invalid
        ws.append(row)
    book.save(tmp_path / "people.xlsx")
    return tmp_path


def recipe(folder: Path, locale: str | None = None, extra: str = "") -> Path:
    path = folder / f"recipe-{locale or 'none'}.yaml"
    output = f"output:\n  locale: {locale}\n" if locale else ""
    path.write_text(f"version: 1\ntalent:\n  inputs:\n    mobile: 手机号\n{output}{extra}", encoding="utf-8")
    return path


def run(folder, recipe_path, env=None, *extra):
    cache = {"RECONCILER_CACHE_PATH": str(folder / "cache.sqlite")}
    return invoke(["run", recipe_path, folder / "people.xlsx", "--sandbox", *extra], {**cache, **(env or {})})


# ------------------------------------------------------------------ choosing the locale


def test_locale_tags_and_the_system_locale():
    assert [normalise_locale(t) for t in ("zh", "zh_CN.UTF-8", "zh-TW", "Chinese (Simplified)_China", "en", "fr-FR")] == [
        ZH, ZH, ZH, ZH, EN, EN]
    assert normalise_locale("C.UTF-8") is None and normalise_locale("POSIX") is None and normalise_locale("") is None
    assert system_locale({"LANG": "zh_CN.UTF-8"}) == ZH
    assert system_locale({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"}) == EN  # LC_ALL wins, as in POSIX
    assert system_locale({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}) == ZH
    assert system_locale({"LANG": "C.UTF-8"}) == EN
    assert choose_locale("en-US", {"LANG": "zh_CN.UTF-8"}) == EN and choose_locale(None, {"LANG": "zh_CN"}) == ZH


def test_recipe_locale_is_read_leniently(tmp_path):
    assert locale_of_recipe_file(recipe(tmp_path, "zh-CN")) == ZH
    assert locale_of_recipe_file(recipe(tmp_path)) is None  # not given: the system decides
    broken = tmp_path / "broken.yaml"
    broken.write_text("output: [unclosed\n", encoding="utf-8")
    assert locale_of_recipe_file(broken) is None and locale_of_recipe_file(tmp_path / "missing.yaml") is None


# ------------------------------------------------------------------ the run summary


def test_summary_follows_output_locale(folder):
    zh = run(folder, recipe(folder, "zh-CN"))
    assert zh.exit_code == 0, zh.output
    assert "人才：matched 1，not_found 1，invalid 1" in zh.output and "共 3 行" in zh.output and "已写入" in zh.output
    en = run(folder, recipe(folder, "en-US"), {"LANG": "zh_CN.UTF-8"})  # the recipe wins over the system
    assert en.exit_code == 0, en.output
    assert "talent: matched 1, not_found 1, invalid 1" in en.output and "3 rows;" in en.output and "wrote " in en.output
    assert "共" not in en.output


def test_summary_follows_the_system_locale_when_the_recipe_gives_none(folder):
    zh = run(folder, recipe(folder), {"LANG": "zh_CN.UTF-8"})
    assert zh.exit_code == 0 and "共 3 行" in zh.output
    en = run(folder, recipe(folder), {"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"})
    assert en.exit_code == 0 and "3 rows;" in en.output
    dry = run(folder, recipe(folder), {"LANG": "zh_CN.UTF-8"}, "--dry-run")
    assert "试运行：没有发送任何请求" in dry.output


# ------------------------------------------------------------------ errors on the command line


def test_error_framing_follows_the_recipe_then_the_system(folder):
    missing = folder / "missing.xlsx"
    zh = invoke(["run", recipe(folder, "zh-CN"), missing, "--sandbox"], {})
    assert zh.exit_code == 2 and zh.output.startswith(f"错误：找不到文件 {missing}；")
    en = invoke(["run", recipe(folder, "en-US"), missing, "--sandbox"], {"LANG": "zh_CN.UTF-8"})
    assert en.exit_code == 2 and en.output.startswith(f"Error: {missing} does not exist")
    by_lang = invoke(["check", recipe(folder), missing], {"LANG": "zh_CN.UTF-8"})
    assert by_lang.exit_code == 2 and by_lang.output.startswith("错误：找不到文件")


def test_recipe_problems_framed_in_chinese_issues_kept(folder):
    bad = recipe(folder, "zh-CN", extra="colums: {}\n")
    result = invoke(["check", bad], {})
    assert result.exit_code == 2
    assert result.output.startswith(f"错误：配方 {bad} 有 1 处问题，请修改后重新运行：") and "colums" in result.output
    unreadable = folder / "unreadable.yaml"
    unreadable.write_text("version: [1\n", encoding="utf-8")  # no locale can be read: the system's
    assert invoke(["check", unreadable], {"LANG": "zh_CN.UTF-8"}).output.startswith("错误：配方")
    assert invoke(["check", unreadable], {"LANG": "C.UTF-8"}).output.startswith("Error: the recipe")


def test_output_errors_in_chinese(folder):
    zh = recipe(folder, "zh-CN")
    missing = run(folder, zh, None, "-o", folder / "nope" / "out.xlsx")
    assert missing.exit_code == 1 and f"无法写入 out.xlsx：文件夹 {folder / 'nope'} 不存在" in missing.output
    (folder / "~$out.xlsx").write_bytes(b"")
    locked = run(folder, zh, None, "-o", folder / "out.xlsx")
    assert locked.exit_code == 1 and "正在 Excel 中打开" in locked.output and "~$out.xlsx" in locked.output


def test_credential_errors_in_chinese(folder, sandbox):
    zh = recipe(folder, "zh-CN")
    env = {"FEISHU_BASE_URL": sandbox.url, "RECONCILER_CACHE_PATH": str(folder / "c.sqlite")}
    none = invoke(["run", zh, folder / "people.xlsx"], env)
    assert none.exit_code == 2 and "没有飞书应用凭据" in none.output and "FEISHU_APP_ID" in none.output
    wrong = invoke(["run", zh, folder / "people.xlsx"],
                   {**env, "FEISHU_APP_ID": SANDBOX_APP_ID, "FEISHU_APP_SECRET": "not-the-secret-42"})
    assert wrong.exit_code == 3 and "飞书拒绝了应用凭据" in wrong.output and "app secret 无效" in wrong.output
    assert "not-the-secret-42" not in wrong.output
    sandbox.configure(scopes={"corehr:corehr:readonly"})
    scope = invoke(["run", zh, folder / "people.xlsx"],
                   {**env, "FEISHU_APP_ID": SANDBOX_APP_ID, "FEISHU_APP_SECRET": SANDBOX_APP_SECRET})
    assert scope.exit_code == 3 and "缺少" in scope.output and "99991672" in scope.output


# ------------------------------------------------------------------ render_error on errors the code raises


def raised(call) -> Exception:
    with pytest.raises(Exception) as info:
        call()
    return info.value


def sheet_errors(tmp_path: Path) -> dict[str, tuple[Exception, str]]:
    """Errors raised by the real sheet reader -> (error, a phrase of its Chinese sentence)."""
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    book = openpyxl.Workbook()
    book.active.title = "名单"
    book.active.append(["姓名", "电话"])
    book.save(tmp_path / "list.xlsx")
    return {
        "missing": (raised(lambda: read_sheet(tmp_path / "missing.xlsx")), "找不到文件"),
        "xls": (raised(lambda: read_sheet(tmp_path / "old.xls")), "旧版 Excel 97-2003 文件（.xls）"),
        "txt": (raised(lambda: read_sheet(tmp_path / "notes.txt")), "不是 reconciler 能读取的表格"),
        "header": (raised(lambda: read_sheet(tmp_path / "list.xlsx", required_headers=["手机号"])),
                   "list.xlsx 的工作表“名单” 的前 20 行中没有一行同时包含这些列名：手机号"),
        "sheet": (raised(lambda: read_sheet(tmp_path / "list.xlsx", sheet="Other")), "中没有名为“Other”的工作表"),
    }


def test_sheet_errors_render_in_chinese_and_stay_english_in_english(tmp_path):
    for name, (error, phrase) in sheet_errors(tmp_path).items():
        assert isinstance(error, SheetError), name
        assert phrase in render_error(error, ZH), (name, str(error))
        assert render_error(error, EN) == str(error)


def test_credential_errors_render_from_the_real_token_provider(sandbox):
    missing = raised(TokenProvider(sandbox.url, None, None).get)
    assert "FEISHU_APP_SECRET" in render_error(missing, ZH) and "没有飞书应用凭据" in render_error(missing, ZH)
    refused = raised(TokenProvider(sandbox.url, SANDBOX_APP_ID, "wrong-secret", attempts=1).get)
    assert render_error(refused, ZH).startswith("飞书拒绝了应用凭据（错误码 ")
    assert render_error(refused, EN) == str(refused)


def test_plain_text_errors_stay_as_written_and_keyed_errors_render_anywhere():
    assert render_error(SheetError("a brand-new problem"), ZH) == "a brand-new problem"
    error = UsageError("init.exists", path="r.yaml")
    assert str(error) == "r.yaml already exists; use --force to overwrite it, or -o to write another file"
    assert render_error(error, ZH) == "r.yaml 已存在；加 --force 覆盖它，或用 -o 写到其他文件"
    where = SheetError("init.no_header", where=Message("where.sheet", sheet="A", file="b.xlsx"), n=20)
    assert "b.xlsx 的工作表“A”" in render_error(where, ZH) and "sheet 'A' in b.xlsx" in render_error(where, EN)
