"""The helper behind the launchers (`python -m reconciler.desktop`), in process.

Real folders laid out like desktop/, real workbooks, the embedded sandbox (or the
conftest sandbox over loopback for a real credentials run); the launchers
themselves run in test_desktop_launchers.py.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import sys
from pathlib import Path

import openpyxl
import pytest

from reconciler.desktop import app, choose, settings
from reconciler.desktop.console import Console
from reconciler.desktop.messages import EXCEL_OPEN, MISSING_CREDENTIALS, explain
from reconciler.desktop.runlog import mask_leftovers
from reconciler.errors import FeishuError, FeishuScopeError, OutputError, ReconcilerError
from reconciler.sandbox import SANDBOX_APP_ID, SANDBOX_APP_SECRET

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_sheets" / "onboarding_zh.xlsx"


@pytest.fixture
def desk(tmp_path):
    """A launcher folder (recipe, template, inbox/, outbox/) in a path with a space and Chinese."""
    folder = tmp_path / "对账 desk"
    folder.mkdir()
    for name in ("recipe.yaml", "reconciler.env.template"):
        shutil.copy(ROOT / "desktop" / name, folder / name)
    (folder / "inbox").mkdir()
    (folder / "outbox").mkdir()
    return folder


@pytest.fixture
def environ(tmp_path):
    """The environment the helper sees: no Feishu settings, no desktop, a private cache."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FEISHU_", "RECONCILER_")) and k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["RECONCILER_CACHE_PATH"] = str(tmp_path / "cache" / "http.sqlite")
    return env


def run_helper(capsys, environ, *argv) -> tuple[int, str]:
    code = app.main([str(a) for a in argv], environ=environ)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def sample_identifiers() -> set[str]:
    """Every mobile / ID number / email of the sample sheet, as digits or lower-case text."""
    ws = openpyxl.load_workbook(SAMPLE)["入职名单"]
    found = set()
    for row in ws.iter_rows(min_row=4, values_only=True):
        for value in (row[1], row[5]):
            digits = re.sub(r"\D", "", str(value or "").translate(str.maketrans("０１２３４５６７８９", "0123456789")))
            if len(digits) >= 7:
                found.add(digits)
        if row[3] and "@" in str(row[3]):
            found.add(str(row[3]).strip().lower())
    return found


def test_a_dropped_sheet_is_reconciled_with_summary_and_a_masked_log(desk, environ, capsys, tmp_path):
    dropped = tmp_path / "交来的 sheets" / "入职 名单.xlsx"
    dropped.parent.mkdir()
    shutil.copy(SAMPLE, dropped)
    code, out = run_helper(capsys, environ, "--folder", desk, "--sandbox", dropped)
    assert code == 0
    output = dropped.with_name("入职 名单.reconciled.xlsx")
    assert output.is_file()
    assert "已匹配 Matched 25" in out and "不一致 Mismatch 1" in out  # the labels the workbook shows
    assert f"结果 / output: {output}" in out
    assert "查询人才 / looking up talents: 56/56" in out
    assert "完成：1 个成功，0 个失败 / done: 1 reconciled, 0 failed" in out
    log = output.with_suffix(".log")
    assert f"详细记录：{log} / details: {log}" in out
    text = log.read_text(encoding="utf-8")
    assert "入职核对 Onboarding check" in text and "talent {'matched': 25" in text
    leaked = sorted(i for i in sample_identifiers() if i in re.sub(r"[ -]", "", text).lower())
    assert leaked == [], "the log shows identifiers unmasked"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    workbook = openpyxl.load_workbook(output)
    assert workbook.sheetnames[-2:] == ["汇总", "待处理"]  # the recipe says zh-CN


def test_first_run_creates_the_settings_file_owner_only_and_its_values_win(desk, environ, capsys, tmp_path):
    environ["FEISHU_BASE_URL"] = "https://open.feishu.cn"  # the file below says sandbox: the file wins
    code, out = run_helper(capsys, environ, "--folder", desk, "--no-pause", tmp_path / "nothing.xlsx")
    env_file = desk / "reconciler.env"
    assert "已创建设置文件" in out and "请在其中填写飞书应用的 ID 和密钥 / created the settings file" in out
    assert env_file.read_text(encoding="utf-8") == (desk / "reconciler.env.template").read_text(encoding="utf-8")
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert code == 2 and MISSING_CREDENTIALS.zh in out  # template values are empty
    # Notepad style: BOM, CRLF, quotes, an export, comments
    env_file.write_bytes("\ufeff# settings\r\nexport FEISHU_BASE_URL=\"sandbox\"\r\nFEISHU_APP_ID=\r\n".encode("utf-8"))
    shutil.copy(SAMPLE, tmp_path / "s.xlsx")
    code, out = run_helper(capsys, environ, "--folder", desk, tmp_path / "s.xlsx")
    assert code == 0
    assert "已创建设置文件" not in out
    assert "演示模式" in out  # base URL "sandbox" from the file, over the environment's


def test_missing_credentials_is_one_plain_sentence(desk, environ, capsys, tmp_path):
    shutil.copy(SAMPLE, tmp_path / "s.xlsx")
    code, out = run_helper(capsys, environ, "--folder", desk, tmp_path / "s.xlsx")
    assert code == 2
    assert f"✗ {MISSING_CREDENTIALS}" in out
    assert "未配置飞书应用凭据：请在启动程序旁的 reconciler.env 中填写" in out  # what to do, in Chinese too
    assert "--sandbox 试用演示） / no Feishu app credentials: fill in" in out
    assert not (tmp_path / "s.reconciled.xlsx").exists()
    assert list((desk / "outbox").iterdir()) == []  # nothing to log: the sentence says it all


def test_credentials_from_the_settings_file_are_used_and_the_secret_never_shown(desk, environ, capsys, tmp_path, sandbox):
    shutil.copy(SAMPLE, tmp_path / "s.xlsx")
    wrong = "wrong-secret-8d1f2c3b"
    (desk / "reconciler.env").write_text(
        f"FEISHU_APP_ID={SANDBOX_APP_ID}\nFEISHU_APP_SECRET={wrong}\nFEISHU_BASE_URL={sandbox.url}\n", encoding="utf-8"
    )
    code, out = run_helper(capsys, environ, "--folder", desk, tmp_path / "s.xlsx")
    assert code == 3
    assert "飞书拒绝了应用凭据：请检查 reconciler.env 中的 FEISHU_APP_ID 和 FEISHU_APP_SECRET / Feishu refused the app credentials" in out
    log = (tmp_path / "s.reconciled.log").read_text(encoding="utf-8")
    assert wrong not in out and wrong not in log
    assert "FEISHU_APP_SECRET: (set, not shown)" in log
    (desk / "reconciler.env").write_text(
        f"FEISHU_APP_ID={SANDBOX_APP_ID}\nFEISHU_APP_SECRET={SANDBOX_APP_SECRET}\nFEISHU_BASE_URL={sandbox.url}\n",
        encoding="utf-8",
    )
    code, out = run_helper(capsys, environ, "--folder", desk, tmp_path / "s.xlsx")
    assert code == 0 and "演示模式" not in out
    assert sandbox.stats.snapshot()["hire/v1/talents/batch_get_id"]["accepted"] > 0
    assert SANDBOX_APP_SECRET not in out + (tmp_path / "s.reconciled.log").read_text(encoding="utf-8")


def test_output_open_in_excel_is_said_plainly(desk, environ, capsys, tmp_path):
    shutil.copy(SAMPLE, tmp_path / "s.xlsx")
    (tmp_path / "~$s.reconciled.xlsx").write_bytes(b"owner")  # what Excel leaves beside an open workbook
    code, out = run_helper(capsys, environ, "--folder", desk, "--sandbox", tmp_path / "s.xlsx")
    assert code == 1
    assert f"✗ {EXCEL_OPEN}" in out
    assert "结果文件正在被 Excel 使用：请关闭后重试 / the output file is open in Excel: close it and try again" in out
    assert not (tmp_path / "s.reconciled.xlsx").exists()
    assert "open in Excel" in (tmp_path / "s.reconciled.log").read_text(encoding="utf-8")


def test_a_sheet_lacking_a_column_names_the_column(desk, environ, capsys, tmp_path):
    book = openpyxl.load_workbook(SAMPLE)
    ws = book["入职名单"]
    ws.cell(row=3, column=4).value = "电子邮箱"  # was 邮箱
    book.save(tmp_path / "renamed.xlsx")
    code, out = run_helper(capsys, environ, "--folder", desk, "--sandbox", tmp_path / "renamed.xlsx")
    assert code == 2
    assert "renamed.xlsx 缺少列 邮箱：请检查表格的表头行（或是否选对了文件）后重试 / renamed.xlsx lacks the column 邮箱: check the header row" in out


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.write_text("姓名,手机号\n", encoding="utf-8") and p.rename(p.with_suffix(".xlsx")),
         "bad.xlsx 不是 reconciler 能读取的表格：请用 Excel 打开，另存为 .xlsx（Excel 工作簿）后重试 / bad.xlsx is not a spreadsheet reconciler can read"),
        (lambda p: p.with_suffix(".xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600),
         "bad.xls 不是 reconciler 能读取的表格：请用 Excel 打开，另存为 .xlsx（Excel 工作簿）后重试 / bad.xls is not a spreadsheet reconciler can read"),
        (lambda p: None, "找不到 bad.xlsx：请检查文件后重试 / bad.xlsx was not found"),
    ],
    ids=["csv-renamed", "old-xls", "missing"],
)
def test_unreadable_inputs_are_said_plainly(desk, environ, capsys, tmp_path, make, expected):
    target = tmp_path / "bad.csv"
    make(target)
    dropped = next(tmp_path.glob("bad.xls*"), tmp_path / "bad.xlsx")
    code, out = run_helper(capsys, environ, "--folder", desk, "--sandbox", dropped)
    assert code == 2
    assert expected in out


def test_a_broken_recipe_is_said_plainly_with_its_line(desk, environ, capsys, tmp_path):
    recipe = desk / "recipe.yaml"
    recipe.write_text(recipe.read_text(encoding="utf-8").replace("  mode: all", "  mood: all"), encoding="utf-8")
    code, out = run_helper(capsys, environ, "--folder", desk, "--sandbox", SAMPLE)
    assert code == 2
    assert "配方（启动程序旁的 recipe.yaml）有误：" in out and " / the recipe (recipe.yaml next to this launcher) has a problem" in out
    assert re.search(r"recipe\.yaml:\d+ talent\.mood", out)
    assert (desk / "outbox" / "reconciler-error.log").is_file()


def test_inbox_mode_reconciles_into_outbox_and_files_away_the_originals(desk, environ, capsys):
    shutil.copy(SAMPLE, desk / "inbox" / "一月 batch.xlsx")
    shutil.copy(SAMPLE, desk / "inbox" / "二月.xlsx")
    (desk / "inbox" / "~$二月.xlsx").write_bytes(b"lock")  # Excel's lock file: not a sheet
    (desk / "inbox" / "README.txt").write_text("put sheets here", encoding="utf-8")
    code, out = run_helper(capsys, environ, "--folder", desk, "--sandbox")
    assert code == 0
    assert "中的 2 个文件，结果放到" in out and "/ inbox mode: 2 file(s)" in out
    outbox = sorted(p.name for p in (desk / "outbox").iterdir())
    assert outbox == ["一月 batch.reconciled.log", "一月 batch.reconciled.xlsx", "二月.reconciled.log",
                      "二月.reconciled.xlsx"]
    assert sorted(p.name for p in (desk / "inbox" / "done").iterdir()) == ["一月 batch.xlsx", "二月.xlsx"]
    assert sorted(p.name for p in (desk / "inbox").iterdir()) == ["README.txt", "done", "~$二月.xlsx"]
    # the same name again never overwrites the earlier original
    shutil.copy(SAMPLE, desk / "inbox" / "二月.xlsx")
    assert run_helper(capsys, environ, "--folder", desk, "--sandbox")[0] == 0
    assert (desk / "inbox" / "done" / "二月 (2).xlsx").is_file()


def test_an_empty_inbox_says_what_to_do(desk, environ, capsys):
    code, out = run_helper(capsys, environ, "--folder", desk, "--sandbox")
    assert code == 2
    assert "没有要核对的表格：把 .xlsx 表格拖到启动器上" in out and "/ nothing to reconcile" in out and str(desk / "inbox") in out


def test_one_bad_file_does_not_stop_the_others(desk, environ, capsys, tmp_path):
    shutil.copy(SAMPLE, tmp_path / "good.xlsx")
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    code, out = run_helper(capsys, environ, "--folder", desk, "--sandbox", tmp_path / "notes.txt", tmp_path / "good.xlsx")
    assert code == 2
    assert (tmp_path / "good.reconciled.xlsx").is_file()
    assert "完成：1 个成功，1 个失败 / done: 1 reconciled, 1 failed" in out


# ---------------------------------------------------------------- file pickers


def fake_program(folder: Path, name: str, stdout: bytes, code: int = 0) -> None:
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(
        f"#!{sys.executable}\nimport sys\nsys.stdout.buffer.write({stdout!r})\n"
        f"open(sys.argv[0] + '.args', 'w', encoding='utf-8').write('\\n'.join(sys.argv[1:]))\nsys.exit({code})\n",
        encoding="utf-8",
    )
    script.chmod(0o755)


def test_linux_picker_is_zenity_on_a_desktop_only(tmp_path):
    bin_dir = tmp_path / "bin"
    chosen = tmp_path / "带 空格" / "a b.xlsx"
    fake_program(bin_dir, "zenity", f"{chosen}\n{tmp_path / 'c.xlsx'}\n".encode())
    env = {"PATH": str(bin_dir), "DISPLAY": ":0"}
    assert choose.pick_files("linux", env) == [chosen, tmp_path / "c.xlsx"]
    assert "--multiple" in (bin_dir / "zenity.args").read_text(encoding="utf-8")
    assert choose.pick_files("linux", {"PATH": str(bin_dir)}) is None  # no desktop: no picker
    assert choose.pick_files("linux", {**env, "RECONCILER_DESKTOP_PICKER": "none"}) is None


def test_windows_picker_output_with_bom_and_crlf_is_read(tmp_path):
    bin_dir = tmp_path / "bin"
    fake_program(bin_dir, "powershell.exe", "\ufeffC:\\Users\\张三\\入职 名单.xlsx\r\nD:\\b.xlsx\r\n".encode("utf-8"))
    assert [str(p) for p in choose.pick_files("win32", {"PATH": str(bin_dir)})] == [
        "C:\\Users\\张三\\入职 名单.xlsx", "D:\\b.xlsx"]
    args = (bin_dir / "powershell.exe.args").read_text(encoding="utf-8")
    assert "-STA" in args and "OpenFileDialog" in args and "Multiselect = $true" in args
    assert "[Console]::OutputEncoding = [System.Text.Encoding]::UTF8" in args


def test_macos_picker_cancel_falls_back_to_the_inbox(tmp_path, desk, environ, capsys):
    bin_dir = tmp_path / "bin"
    fake_program(bin_dir, "osascript", b"", code=1)  # "User canceled." (-128)
    env = {"PATH": str(bin_dir)}
    assert choose.pick_files("darwin", env) == []
    assert "with multiple selections allowed" in (bin_dir / "osascript.args").read_text(encoding="utf-8")
    shutil.copy(SAMPLE, desk / "inbox" / "s.xlsx")
    environ["PATH"] = f"{bin_dir}{os.pathsep}{environ['PATH']}"
    original = sys.platform
    try:
        sys.platform = "darwin"  # the helper asks choose.pick_files for this platform's picker
        code, out = run_helper(capsys, environ, "--folder", desk, "--sandbox")
    finally:
        sys.platform = original
    assert code == 0 and "中的 1 个文件，结果放到" in out and "/ inbox mode: 1 file(s)" in out
    assert (desk / "outbox" / "s.reconciled.xlsx").is_file()


# ---------------------------------------------------------------- pieces


def test_settings_parsing_keeps_secrets_with_hashes_and_ignores_comments(tmp_path):
    path = tmp_path / "reconciler.env"
    path.write_bytes("FEISHU_APP_SECRET=ab#cd'ef\n# FEISHU_APP_ID=commented\n  FEISHU_APP_ID = 'cli_x' \nnot a line\n"
                     "HTTPS_PROXY=http://p:8080\n".encode("gb18030"))
    values = settings.read_env_file(path)
    assert values == {"FEISHU_APP_SECRET": "ab#cd'ef", "FEISHU_APP_ID": "cli_x", "HTTPS_PROXY": "http://p:8080"}
    environ = {"FEISHU_APP_ID": "from-env", "FEISHU_BASE_URL": "https://open.larksuite.com"}
    settings.apply({**values, "FEISHU_BASE_URL": ""}, environ)
    assert environ["FEISHU_APP_ID"] == "cli_x" and environ["FEISHU_BASE_URL"] == "https://open.larksuite.com"
    assert all("ab#cd" not in line for line in settings.describe(environ))


def test_log_masking_covers_what_is_not_a_valid_identifier():
    text = mask_leftovers("mobile 12345678901 and +85291234567, id 11010519491231002x, mail xu.qing@example; "
                          "talent 6910000000000000016 at 2026-01-02 10:11:12,345")
    for raw in ("12345678901", "85291234567", "11010519491231002", "xu.qing"):
        assert raw not in text
    assert "6910000000000000016" in text and "2026-01-02 10:11:12,345" in text  # Feishu IDs and times stay


@pytest.mark.parametrize(
    ("error", "expected", "code"),
    [
        (FeishuScopeError("error.scope_missing", endpoint="hire talents", code=99991672), "飞书应用缺少所需权限", 3),
        (FeishuError("error.unreachable", url="https://open.feishu.cn"), "无法连接飞书", 1),
        (OutputError("error.output_folder_readonly", name="x.xlsx", folder="/srv"), "无法写入结果文件夹", 1),
        (OutputError("error.output_in_use", path="x.xlsx"), "文件正在被 Excel 使用", 1),
        (ReconcilerError("something new"), "对账失败 / something new", 1),
        (ZeroDivisionError("x"), "出现意外错误（ZeroDivisionError）：详情见日志文件 / something unexpected went wrong (ZeroDivisionError)", 1),
    ],
)
def test_errors_without_a_file_to_provoke_them_still_read_plainly(error, expected, code):
    plain = explain(error, name="s.xlsx")
    assert expected in str(plain) and " / " in str(plain)
    assert plain.exit_code == code


def test_the_window_waits_for_enter_only_when_interactive(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    monkeypatch.setattr(sys, "stdout", out)
    Console(out, interactive=False).pause()
    assert out.getvalue() == "" and sys.stdin.read() == "\n"  # nothing read
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    Console(out, interactive=True).pause()
    assert "按回车键关闭 / press Enter to close" in out.getvalue()
    assert sys.stdin.read() == ""  # the Enter was consumed


def test_the_demo_runs_the_shipped_sample_without_credentials_or_the_folders_recipe(desk, environ, capsys):
    """`--demo` (the "Try the demo" launchers): demo/'s sample with demo/'s recipe against the simulator,
    whatever the person did to recipe.yaml and reconciler.env."""
    shutil.copytree(ROOT / "desktop" / "demo", desk / "demo")
    (desk / "recipe.yaml").write_text("version: 1\ntalent: {inputs: {mobile: 电话}}\n", encoding="utf-8")
    environ["FEISHU_APP_ID"] = "cli_real"  # a real app configured: the demo still never uses it
    code, out = run_helper(capsys, environ, "--folder", desk, "--demo", "--no-pause", "--no-open")
    assert code == 0, out
    assert "演示模式" in out and "/ demo mode" in out
    output = desk / "demo" / "示例 入职名单 sample.reconciled.xlsx"
    book = openpyxl.load_workbook(output)
    assert book.sheetnames[-2:] == ["汇总", "待处理"]
    sheet = book["入职名单"]
    header = [c.value for c in sheet[3]]  # the sample's header row (a title above it)
    column = header.index(next(h for h in header if h and h.endswith("状态") and "人才" in h)) + 1
    assert sheet.cell(4, column).value == "已匹配"


def test_the_demo_ships_the_sample_sheet_and_a_recipe_like_the_folders():
    demo = ROOT / "desktop" / "demo"
    assert (demo / "示例 入职名单 sample.xlsx").read_bytes() == SAMPLE.read_bytes()  # regenerate both together
    ours, folders = ((p / "recipe.yaml").read_text(encoding="utf-8") for p in (demo, ROOT / "desktop"))
    assert ours[ours.index("version: 1"):] == folders[folders.index("version: 1"):]
    for launcher, line in (("Try the demo.bat", 'call "%~dp0Reconcile.bat" --demo'),
                           ("Try the demo.command", 'exec "$HERE/Reconcile.command" --demo'),
                           ("try-demo.sh", 'exec "$HERE/reconcile.sh" --demo')):
        text = (ROOT / "desktop" / launcher).read_bytes().decode("ascii")
        assert line in text.splitlines() or line in text.split("\r\n"), launcher
        if launcher.endswith(".bat"):
            assert text.count("\r\n") == text.count("\n")  # cmd.exe needs CRLF
        else:
            assert "\r" not in text and os.stat(ROOT / "desktop" / launcher).st_mode & stat.S_IXUSR
