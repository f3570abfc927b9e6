"""The launchers as files: what can be checked of Reconcile.bat and Reconcile.command on Linux.

reconcile.sh (and Reconcile.command, which is POSIX sh too) run for real in
test_desktop_launchers.py; the .bat cannot run here, so its logic is checked as
text: line endings, quoting of every path, the same helper entry point and the
same steps as the others. docs/desktop.md says how to try it on Windows.
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DESKTOP = ROOT / "desktop"
BAT = DESKTOP / "Reconcile.bat"
COMMAND = DESKTOP / "Reconcile.command"
SH = DESKTOP / "reconcile.sh"
ENTRY = DESKTOP / "Reconcile.desktop"
HELPER_CALL = re.compile(r"-m reconciler\.desktop --folder ")


def bootstrap_module():
    spec = importlib.util.spec_from_file_location("desktop_bootstrap", DESKTOP / "support" / "bootstrap.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- Reconcile.bat


def bat_lines() -> list[str]:
    return BAT.read_bytes().decode("ascii").split("\r\n")


def test_bat_has_crlf_line_endings_only_and_is_ascii():
    data = BAT.read_bytes()
    data.decode("ascii")  # cmd.exe reads .bat files in the OEM code page: ASCII is safe everywhere
    assert b"\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n"), "a bare LF: cmd.exe mis-parses labels and goto"
    assert data.endswith(b"\r\n")


def test_git_keeps_each_launchers_line_endings():
    attributes = (DESKTOP / ".gitattributes").read_text(encoding="utf-8").splitlines()
    rules = {line.split()[0]: line.split()[1:] for line in attributes if line and not line.startswith("#")}
    assert rules["Reconcile.bat"] == ["text", "eol=crlf"]
    for name in ("reconcile.sh", "Reconcile.command", "Reconcile.desktop"):
        assert rules[name] == ["text", "eol=lf"]


def test_bat_quotes_every_path_it_builds():
    checked = 0
    for number, line in enumerate(bat_lines(), start=1):
        if line.lower().startswith("rem"):
            continue
        for match in re.finditer(r"%HERE%|%~dp0", line):
            if line.startswith('set "HERE='):
                continue  # set "NAME=value" quotes the whole assignment
            quotes_before = line[: match.start()].count('"')
            assert quotes_before % 2 == 1, f"Reconcile.bat line {number}: {match.group()} outside quotes: {line}"
            checked += 1
    assert checked >= 3, "no path built from %HERE% was found to check"


def test_bat_drops_the_trailing_backslash_of_its_folder():
    # "C:\folder\" would end with \" and swallow the closing quote in Python's argv.
    lines = bat_lines()
    assert 'set "HERE=%~dp0"' in lines
    assert 'set "HERE=%HERE:~0,-1%"' in lines
    assert lines.index('set "HERE=%~dp0"') < lines.index('set "HERE=%HERE:~0,-1%"')


def test_bat_comments_hold_no_percent_signs():
    # cmd.exe expands %... even in rem lines; a stray %~ there is a syntax error.
    comments = [line for line in bat_lines() if line.lower().startswith("rem")]
    assert comments, "Reconcile.bat has no rem lines to check"
    assert [line for line in comments if "%" in line] == []


def test_bat_follows_the_same_steps_as_the_shell_launchers():
    text = "\n".join(bat_lines())
    assert "sys.version_info >= (3, 11)" in text
    assert '"%HERE%\\support\\no-python.txt"' in text
    assert '"%HERE%\\support\\bootstrap.py" "%HERE%"' in text
    call = [line for line in bat_lines() if HELPER_CALL.search(line)]
    assert call == ['"%HERE%\\.venv\\Scripts\\python.exe" -P -m reconciler.desktop --folder "%HERE%" %*']
    assert "chcp 65001" in text  # the helper prints Chinese; no-python.txt is UTF-8


def test_bat_jumps_only_to_labels_it_has():
    lines = bat_lines()
    labels = {line[1:].split()[0].lower() for line in lines if line.startswith(":")}
    targets = {m.lower() for line in lines for m in re.findall(r"(?:goto|call) :(\w+)", line, re.I)}
    assert targets and targets <= labels
    # the main flow ends before the subroutines, so it never falls into :probe
    first_label = next(i for i, line in enumerate(lines) if line.startswith(":"))
    assert lines[first_label - 2].startswith("exit /b")


def test_bat_pauses_on_every_failure_it_handles_itself():
    text = "\n".join(bat_lines())
    for label in ("no_python", "failed"):
        block = text.split(f"\n:{label}\n", 1)[1].split("\n:", 1)[0]
        assert "pause" in block and "exit /b 1" in block


# ---------------------------------------------------------------- the POSIX launchers


@pytest.mark.parametrize("path", [SH, COMMAND], ids=["reconcile.sh", "Reconcile.command"])
def test_posix_launchers_are_executable_lf_posix_sh(path):
    data = path.read_bytes()
    assert b"\r" not in data
    assert data.startswith(b"#!/bin/sh\n")
    assert os.stat(path).st_mode & 0o111 == 0o111
    for shell in ("dash", "bash"):
        exe = shutil.which(shell)
        assert exe, f"{shell} is needed to check the launchers' syntax"
        done = subprocess.run([exe, "-n", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("path", [SH, COMMAND], ids=["reconcile.sh", "Reconcile.command"])
def test_posix_launchers_quote_every_expansion_of_a_path(path):
    checked = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        for match in re.finditer(r"\$(HERE|PYTHON|candidate|@)\b|\$@", line):
            before = line[: match.start()]
            inside_quotes = before.count('"') % 2 == 1
            assert inside_quotes, f"{path.name} line {number}: {match.group()} unquoted: {line}"
            checked += 1
    assert checked >= 3, f"no expansion of a path was found in {path.name} to check"


def test_all_three_launchers_call_the_same_helper():
    calls = {}
    for path in (SH, COMMAND):
        calls[path.name] = [line for line in path.read_text(encoding="utf-8").splitlines() if HELPER_CALL.search(line)]
    # -P: the venv's reconciler, never a reconciler/ folder in the current directory
    assert calls["reconcile.sh"] == ['exec "$HERE/.venv/bin/python" -P -m reconciler.desktop --folder "$HERE" "$@"']
    assert calls["Reconcile.command"] == calls["reconcile.sh"]
    assert any(HELPER_CALL.search(line) for line in bat_lines())
    for path in (SH, COMMAND):
        text = path.read_text(encoding="utf-8")
        assert '"$PYTHON" "$HERE/support/bootstrap.py" "$HERE"' in text
        assert 'cat "$HERE/support/no-python.txt"' in text
        assert "sys.version_info >= (3, 11)" in text


def test_the_command_skips_the_macos_python_stub():
    # Probing /usr/bin/python3 without the Command Line Tools pops up an installer.
    text = COMMAND.read_text(encoding="utf-8")
    assert "xcode-select -p" in text
    assert "/Library/Frameworks/Python.framework/Versions/Current/bin/python3" in text
    assert "/opt/homebrew/bin/python3" in text


# ---------------------------------------------------------------- the .desktop entry


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive in desktop entries
    parser.read_string(ENTRY.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def test_desktop_entry_runs_in_a_terminal_and_takes_spreadsheets():
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Terminal"] == "true"
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in entry["MimeType"].split(";")
    assert entry["Exec"].endswith(" %k %F")
    assert os.stat(ENTRY).st_mode & 0o111


# ---------------------------------------------------------------- what the launchers rely on


def test_no_python_text_says_it_in_both_languages():
    text = (DESKTOP / "support" / "no-python.txt").read_text(encoding="utf-8")
    assert "Python 3.11" in text and "未找到" in text
    for place in ("Windows", "macOS", "Linux", "python.org"):
        assert place in text


def test_template_lists_the_settings_commented_and_empty():
    text = (DESKTOP / "reconciler.env.template").read_text(encoding="utf-8")
    values = dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    assert values == {"FEISHU_APP_ID": "", "FEISHU_APP_SECRET": "", "FEISHU_BASE_URL": ""}
    assert "sandbox" in text and "open.larksuite.com" in text


def test_the_folders_recipe_fits_the_sample_sheet():
    from reconciler.pipeline import RunOptions, prepare

    prepared = prepare(DESKTOP / "recipe.yaml", ROOT / "sample_sheets" / "onboarding_zh.xlsx", RunOptions())
    assert prepared.sheet.name == "入职名单"
    assert prepared.recipe.job_data is not None and prepared.recipe.talent is not None


def test_bootstrap_is_plain_python_that_any_launcher_can_run():
    done = subprocess.run([sys.executable, "-m", "py_compile", str(DESKTOP / "support" / "bootstrap.py")])
    assert done.returncode == 0
    imports = re.findall(r"^\s*(?:from|import) (\w+)", (DESKTOP / "support" / "bootstrap.py").read_text(), re.M)
    assert set(imports) - {"__future__"}, "no import found in bootstrap.py to check"
    assert set(imports) - {"__future__"} <= set(sys.stdlib_module_names)


def test_bootstrap_finds_the_source_in_the_documented_order(tmp_path):
    boot = bootstrap_module()
    folder = tmp_path / "desk"
    folder.mkdir()
    # 3. the checkout the folder sits in
    assert boot.find_source(DESKTOP, environ={}) == ROOT
    # 1. RECONCILER_INSTALL_FROM wins, as a folder or a wheel
    wheel = tmp_path / "reconciler-9.9.9-py3-none-any.whl"
    wheel.write_bytes(b"PK")
    assert boot.find_source(folder, environ={"RECONCILER_INSTALL_FROM": str(wheel)}) == wheel
    assert boot.find_source(folder, environ={"RECONCILER_INSTALL_FROM": str(ROOT)}) == ROOT
    with pytest.raises(boot.SetupFailed, match="RECONCILER_INSTALL_FROM"):
        boot.find_source(folder, environ={"RECONCILER_INSTALL_FROM": str(tmp_path)})
    # nothing at all: a plain sentence, not a traceback
    with pytest.raises(boot.SetupFailed, match="unzip the whole hand-out again"):
        boot.find_source(folder, environ={})


def test_bootstrap_stamp_follows_the_sources_and_staging_leaves_the_checkout_alone(tmp_path):
    boot = bootstrap_module()
    project = tmp_path / "project"
    boot.stage_project(ROOT, project)
    assert (project / "pyproject.toml").is_file() and (project / "reconciler" / "desktop" / "app.py").is_file()
    assert not (project / "tests").exists() and not (project / "desktop").exists()
    assert not list(project.rglob("__pycache__"))
    before = boot.source_stamp(project)
    assert before == boot.source_stamp(project)
    assert before.startswith("project:")
    changed = project / "reconciler" / "desktop" / "app.py"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert boot.source_stamp(project) != before
    wheel = tmp_path / "reconciler-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"PK" * 10)
    assert boot.source_stamp(wheel) == "wheel:reconciler-0.1.0-py3-none-any.whl:20"


def test_bootstrap_refuses_an_old_python_in_words(tmp_path):
    boot = bootstrap_module()
    assert boot.MINIMUM == (3, 11)
    assert boot.venv_python(tmp_path) == (
        tmp_path / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    )
