"""reconcile.sh (and Reconcile.command, and the .desktop entry) run for real on Linux.

Set-up once per test session (conftest's build_once, shared by the xdist workers): the
desktop folder is copied into a folder whose path has spaces and Chinese
characters, HOME is a fresh temporary folder, there is no virtual environment,
and no desktop (no DISPLAY): the first run must find Python, create .venv,
install reconciler from the project folder with pip (a staged snapshot of it,
so that files other people edit meanwhile do not count as a new version) and
reconcile a dropped sample sheet against the sandbox. That install takes most
of this file's time (30-50 s on a busy 2-core machine); every other run reuses it.

RECONCILER_DESKTOP_TEST_PROJECT=DIR installs from another project folder instead
of this checkout (e.g. to try a pyproject.toml fix before it lands).
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from test_desktop_static import bootstrap_module, desktop_entry

ROOT = Path(__file__).resolve().parents[1]
DESKTOP = ROOT / "desktop"
SAMPLE = ROOT / "sample_sheets" / "onboarding_zh.xlsx"
PROJECT = Path(os.environ.get("RECONCILER_DESKTOP_TEST_PROJECT") or ROOT)
SETUP_MESSAGE = "First run: setting up reconciler"


def copy_desktop(target: Path) -> Path:
    """desktop/ as it would be handed out: nothing this machine made in it."""
    def ignore(folder, names):
        rel = Path(folder).relative_to(DESKTOP)
        left_out = {n for n in names if n in (".venv", "reconciler.env", "install.log", "__pycache__")
                    or n.endswith(".whl")}
        if rel.parts[:1] in (("inbox",), ("outbox",)):
            left_out |= {n for n in names if n != "README.txt"}
        return left_out

    shutil.copytree(DESKTOP, target, ignore=ignore)
    return target


def launcher_env(home: Path, **extra: str) -> dict[str, str]:
    """A desk's environment: this machine's PATH and pip settings, a fresh HOME, no desktop,
    no Feishu settings, and not the project's virtual environment."""
    dropped = ("DISPLAY", "WAYLAND_DISPLAY", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")
    env = {k: v for k, v in os.environ.items()
           if k not in dropped and not k.startswith(("FEISHU_", "RECONCILER_", "XDG_", "PYTEST_"))}
    project_bin = str(ROOT / ".venv" / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != project_bin)
    env["HOME"] = str(home)
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
    env.update(extra)
    return env


@dataclass
class Run:
    code: int
    output: str
    seconds: float


def run(command: list, env: dict, cwd: Path | None = None) -> Run:
    """Run a launcher as a double-click would: from HOME, no terminal on stdin."""
    started = time.monotonic()
    done = subprocess.run([str(c) for c in command], env=env, cwd=cwd or env["HOME"], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    output = done.stdout.decode("utf-8", errors="replace")
    assert "Traceback" not in output, output
    return Run(done.returncode, output, time.monotonic() - started)


@dataclass
class Desk:
    folder: Path
    home: Path
    drops: Path
    env: dict
    first: Run
    marker_mtime: int

    @property
    def marker(self) -> Path:
        return self.folder / ".venv" / "reconciler-desktop.json"

    def drop(self, name: str) -> Path:
        path = self.drops / name
        shutil.copy(SAMPLE, path)
        return path


def _desk_paths(root: Path) -> tuple[Path, Path, Path, Path, dict]:
    """(launcher folder, HOME, drop folder, project snapshot, environment) of the shared desk."""
    folder = root / "HR 桌面 folder" / "对账 Reconciler"
    home, drops, snapshot = root / "home 家", root / "收件 drops", root / "project snapshot"
    return folder, home, drops, snapshot, launcher_env(home, RECONCILER_INSTALL_FROM=str(snapshot))


def _first_run(root: Path) -> None:
    folder, home, drops, snapshot, env = _desk_paths(root)
    copy_desktop(folder)
    home.mkdir()
    drops.mkdir()
    bootstrap_module().stage_project(PROJECT, snapshot)
    shutil.copy(SAMPLE, drops / "入职 名单.xlsx")
    first = run([folder / "reconcile.sh", "--sandbox", drops / "入职 名单.xlsx"], env)
    marker = folder / ".venv" / "reconciler-desktop.json"
    (root / "first-run.json").write_text(json.dumps({**first.__dict__, "marker_mtime": marker.stat().st_mtime_ns
                                                     if marker.exists() else 0}), encoding="utf-8")


@pytest.fixture(scope="session")
def desk(build_once) -> Desk:
    """The desk after its first run, set up once per session (shared by the xdist workers)."""
    root = build_once("desktop-launchers", _first_run)
    folder, home, drops, _, env = _desk_paths(root)
    data = json.loads((root / "first-run.json").read_text(encoding="utf-8"))
    marker_mtime = data.pop("marker_mtime")
    return Desk(folder, home, drops, env, Run(**data), marker_mtime)


def install_log(desk: Desk) -> str:
    path = desk.folder / "support" / "install.log"
    return path.read_text(encoding="utf-8", errors="replace")[-3000:] if path.exists() else "(no install.log)"


def test_first_run_bootstraps_a_private_environment_and_reconciles_the_dropped_sheet(desk):
    first = desk.first
    assert first.code == 0, f"{first.output}\n--- install.log ---\n{install_log(desk)}"
    assert SETUP_MESSAGE in first.output and "准备就绪 / ready" in first.output
    # a real, isolated environment next to the launcher, holding reconciler itself
    config = (desk.folder / ".venv" / "pyvenv.cfg").read_text(encoding="utf-8")
    assert "include-system-site-packages = false" in config
    where = subprocess.run([desk.folder / ".venv" / "bin" / "python", "-c", "import reconciler; print(reconciler.__file__)"],
                           capture_output=True, text=True, env=desk.env, cwd=desk.home)
    assert where.stdout.strip().startswith(str(desk.folder / ".venv" / "lib"))
    recorded = json.loads(desk.marker.read_text(encoding="utf-8"))
    assert recorded["stamp"].startswith("project:")
    # the sheet was reconciled next to itself, with the summary on screen
    output = desk.drops / "入职 名单.reconciled.xlsx"
    assert output.is_file()
    assert f"结果 / output: {output}" in first.output
    assert "已匹配 Matched 25" in first.output and "完成：1 个成功，0 个失败 / done: 1 reconciled, 0 failed" in first.output
    assert openpyxl.load_workbook(output, read_only=True).sheetnames[-2:] == ["汇总", "待处理"]
    assert (desk.drops / "入职 名单.reconciled.log").is_file()
    # the settings file came from the template, owner-only; the demo needed nothing in it
    env_file = desk.folder / "reconciler.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert "FEISHU_APP_SECRET=" in env_file.read_text(encoding="utf-8")


def test_second_run_reuses_the_environment(desk):
    assert desk.first.code == 0, "the first run failed; see the test above"
    dropped = desk.drop("second 第二次.xlsx")
    packages = desk.folder / ".venv" / "lib"
    before = {p: p.stat().st_mtime_ns for p in packages.glob("python3*/site-packages/reconciler-*.dist-info")}
    again = run([desk.folder / "reconcile.sh", "--sandbox", dropped], desk.env, cwd=ROOT)  # from the checkout, even
    assert again.code == 0, again.output
    log = (desk.drops / "second 第二次.reconciled.log").read_text(encoding="utf-8")
    assert f"reconciler 0.1.0 from {desk.folder / '.venv' / 'lib'}" in log  # the venv's, not the checkout's
    assert SETUP_MESSAGE not in again.output and "准备就绪" not in again.output
    assert desk.marker.stat().st_mtime_ns == desk.marker_mtime  # not reinstalled
    assert before and {p: p.stat().st_mtime_ns for p in before} == before
    assert (desk.drops / "second 第二次.reconciled.xlsx").is_file()


def test_inbox_mode_when_double_clicked_without_a_desktop(desk):
    assert desk.first.code == 0, "the first run failed; see the test above"
    inbox, outbox = desk.folder / "inbox", desk.folder / "outbox"
    shutil.copy(SAMPLE, inbox / "三月 batch.xlsx")
    result = run([desk.folder / "reconcile.sh", "--sandbox"], desk.env, cwd=desk.home)
    assert result.code == 0, result.output
    assert "收件箱模式：" in result.output and "/ inbox mode: 1 file(s)" in result.output
    assert (outbox / "三月 batch.reconciled.xlsx").is_file()
    assert (outbox / "三月 batch.reconciled.log").is_file()
    assert (inbox / "done" / "三月 batch.xlsx").is_file() and not (inbox / "三月 batch.xlsx").exists()


def test_missing_credentials_print_the_plain_sentence(desk):
    assert desk.first.code == 0, "the first run failed; see the test above"
    dropped = desk.drop("no credentials.xlsx")
    result = run([desk.folder / "reconcile.sh", dropped], desk.env)
    assert result.code == 2
    assert "未配置飞书应用凭据：请在启动程序旁的 reconciler.env 中填写 FEISHU_APP_ID 和 FEISHU_APP_SECRET" in result.output
    assert ("/ no Feishu app credentials: fill in FEISHU_APP_ID and FEISHU_APP_SECRET "
            "in reconciler.env next to this launcher") in result.output
    assert not (desk.drops / "no credentials.reconciled.xlsx").exists()


def test_the_macos_command_takes_the_same_steps(desk):
    assert desk.first.code == 0, "the first run failed; see the test above"
    dropped = desk.drop("mac 苹果.xlsx")
    result = run(["sh", desk.folder / "Reconcile.command", "--sandbox", dropped], desk.env)
    assert result.code == 0, result.output
    assert SETUP_MESSAGE not in result.output
    assert (desk.drops / "mac 苹果.reconciled.xlsx").is_file()


def desktop_exec_argv(exec_line: str, desktop_file: Path, files: list[Path]) -> list[str]:
    """The argv a desktop environment builds from Exec= (Desktop Entry spec, "The Exec key"):
    string escapes first (\\\\ -> \\), then words split on spaces outside double quotes, where
    a backslash before " ` $ or \\ stands for that character; field codes are whole words."""
    text = re.sub(r"\\([\\sntr])", lambda m: {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}[m[1]], exec_line)
    words, word, quoted, i = [], None, False, 0
    while i < len(text):
        c = text[i]
        if quoted and c == "\\" and i + 1 < len(text) and text[i + 1] in '"`$\\':
            word, i = (word or "") + text[i + 1], i + 2
            continue
        if c == '"':
            quoted, word = not quoted, word or ""
        elif c == " " and not quoted:
            if word is not None:
                words.append(word)
            word = None
        else:
            word = (word or "") + c
        i += 1
    assert not quoted, "unbalanced quotes in Exec"
    if word is not None:
        words.append(word)
    argv = []
    for word in words:
        if word == "%k":
            argv.append(str(desktop_file))
        elif word == "%F":
            argv.extend(str(f) for f in files)
        else:
            argv.append(word)
    return argv


def test_the_desktop_entry_runs_the_launcher_beside_it(desk):
    assert desk.first.code == 0, "the first run failed; see the test above"
    dropped = desk.drop("linux 桌面.xlsx")
    argv = desktop_exec_argv(desktop_entry()["Exec"], desk.folder / "Reconcile.desktop", [dropped])
    assert argv[:2] == ["sh", "-c"]
    assert argv[2] == 'd=$(dirname "${1#file://}"); shift; exec "$d/reconcile.sh" "$@"'
    assert argv[3:] == ["reconcile", str(desk.folder / "Reconcile.desktop"), str(dropped)]
    result = run(argv, {**desk.env, "FEISHU_BASE_URL": "sandbox"})  # a double-click has no --sandbox
    assert result.code == 0, result.output
    assert (desk.drops / "linux 桌面.reconciled.xlsx").is_file()


def test_a_terminal_window_waits_for_enter_before_closing(desk):
    """As when double-clicked: stdin is a terminal, so the window stays until Enter."""
    assert desk.first.code == 0, "the first run failed; see the test above"
    dropped = desk.drop("终端 tty.xlsx")
    master, slave = pty.openpty()
    process = subprocess.Popen([str(desk.folder / "reconcile.sh"), "--sandbox", str(dropped)], env=desk.env,
                               cwd=desk.home, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    seen = b""
    try:
        while "press Enter to close".encode() not in seen:
            ready, _, _ = select.select([master], [], [], 60)
            assert ready, f"no output for 60 s: {seen.decode(errors='replace')}"
            seen += os.read(master, 65536)
        assert process.poll() is None  # waiting for the person, not gone
        os.write(master, b"\n")
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    text = seen.decode("utf-8", errors="replace")
    assert "Traceback" not in text and "已匹配 Matched 25" in text
    assert (desk.drops / "终端 tty.reconciled.xlsx").is_file()


def test_no_python_says_how_to_get_one(tmp_path):
    folder = copy_desktop(tmp_path / "没有 Python")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname", "cat"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    old = bin_dir / "python3"  # a Python that is too old
    old.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    old.chmod(0o755)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    for launcher in ("reconcile.sh", "Reconcile.command"):
        result = run(["/bin/sh", folder / launcher], env)
        assert result.code == 1
        assert "未找到 Python 3.11 或更新版本 / Python 3.11 or newer was not found" in result.output
        assert not (folder / ".venv").exists()


def test_an_unusable_install_source_is_said_plainly(tmp_path):
    folder = copy_desktop(tmp_path / "desk")
    env = launcher_env(tmp_path, RECONCILER_INSTALL_FROM=str(tmp_path / "nowhere"))
    result = run([folder / "reconcile.sh", "--sandbox"], env)
    assert result.code == 1
    assert "is neither a reconciler project folder nor a .whl file" in result.output
    assert not (folder / ".venv").exists()
