"""Issue 15, from outside: hostile files and situations around a run. Every case runs the
real command in a subprocess on real files, and checks the exit code, the one sentence,
that nothing read was changed, and that nothing was left or leaked."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from reconciler.sandbox import SANDBOX_APP_ID, SANDBOX_APP_SECRET

RECIPE = "version: 1\nname: hostile\ntalent:\n  inputs:\n    mobile: 手机号\n    email: 邮箱\n  columns: {talent_id: Talent ID}\n"
GOOD = [["姓名", "手机号", "邮箱"], ["张伟", "13800138001", "zhang.wei@example.com"],
        ["李娜", "13900139002", "li.na@example.com"]]


def sheet(path: Path, rows=GOOD) -> Path:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def reconciler(*args, cwd: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("FEISHU_", "RECONCILER_"))}
    base.update({"LANG": "en_US.UTF-8", "RECONCILER_CACHE_PATH": str(cwd / "cache" / "c.sqlite"), **(env or {})})
    return subprocess.run([sys.executable, "-m", "reconciler.cli", *map(str, args)], cwd=cwd, env=base,
                          capture_output=True, text=True, timeout=timeout)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_sentence(done: subprocess.CompletedProcess, code: int, *phrases: str) -> None:
    assert done.returncode == code, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "unexpected" not in done.stderr.lower(), done.stderr
    for phrase in phrases:
        assert phrase.lower() in done.stderr.lower(), f"{phrase!r} not in {done.stderr!r}"


@pytest.fixture
def work(tmp_path) -> Path:
    (tmp_path / "recipe.yaml").write_text(RECIPE, encoding="utf-8")
    sheet(tmp_path / "in.xlsx")
    return tmp_path


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith((".~", "~$")))


# -- never write over what the run reads ----------------------------------------------------------


@pytest.mark.parametrize(("option", "target"), [
    (option, target) for option in ("--report", "--log") for target in ("in.xlsx", "recipe.yaml", "hardlink.xlsx")
] + [("-o", "hardlink.xlsx"), ("-o", "in.xlsx")])  # -o gets the writer's suffix: recipe.yaml becomes recipe.xlsx
def test_no_path_the_run_writes_may_be_a_file_it_reads(work, option, target):
    os.link(work / "in.xlsx", work / "hardlink.xlsx")
    before = {name: digest(work / name) for name in ("in.xlsx", "recipe.yaml")}
    done = reconciler("run", "recipe.yaml", "in.xlsx", "--sandbox", option, target, cwd=work)
    one_sentence(done, 2, target)
    assert "never writes over a file it reads" in done.stderr or "would overwrite the input" in done.stderr
    assert {name: digest(work / name) for name in before} == before
    assert not (work / "in.reconciled.xlsx").exists()


def test_a_plugin_file_is_never_an_output(work):
    plugin = work / "note.py"
    plugin.write_text("from reconciler.hookspecs import hookimpl\n", encoding="utf-8")
    before = digest(plugin)
    done = reconciler("run", "recipe.yaml", "in.xlsx", "--sandbox", "--plugins", plugin, "--log", plugin, cwd=work)
    one_sentence(done, 2, "the plugin note", "never writes over a file it reads")
    assert digest(plugin) == before


def test_a_cache_path_naming_a_workbook_is_never_opened_narrowed_or_deleted(work):
    other = sheet(work / "budget.xlsx")
    os.chmod(other, 0o644)
    before = digest(other)
    env = {"RECONCILER_CACHE_PATH": str(other)}
    one_sentence(reconciler("run", "recipe.yaml", "in.xlsx", "--sandbox", cwd=work, env=env), 1,
                 "not a reconciler cache", "--no-cache")
    one_sentence(reconciler("cache", "clear", cwd=work, env=env), 1, "not a reconciler cache file")
    assert digest(other) == before and stat.S_IMODE(other.stat().st_mode) == 0o644


def test_a_cache_path_without_suffix_is_one_private_file_that_info_and_clear_see(work):
    env = {"RECONCILER_CACHE_PATH": str(work / "cache" / "answers")}
    assert reconciler("run", "recipe.yaml", "in.xlsx", "--sandbox", "-q", cwd=work, env=env).returncode == 0
    files = sorted(p.name for p in (work / "cache").iterdir())
    assert "answers.sqlite" in files and "answers" not in files, files
    for name in files:
        assert stat.S_IMODE((work / "cache" / name).stat().st_mode) == 0o600, name
    info = reconciler("cache", "info", cwd=work, env=env)
    assert "answers.sqlite" in info.stdout and "responses" in info.stdout, info.stdout
    assert reconciler("cache", "clear", cwd=work, env=env).returncode == 0
    assert not [p for p in (work / "cache").iterdir() if p.name.startswith("answers")]


def test_a_damaged_cache_is_named_with_what_to_do(work):
    damaged = work / "cache" / "c.sqlite"
    damaged.parent.mkdir()
    damaged.write_bytes(b"SQLite format 3\x00" + os.urandom(3000))
    done = reconciler("run", "recipe.yaml", "in.xlsx", "--sandbox", cwd=work)
    one_sentence(done, 1, str(damaged), "reconciler cache clear", "--no-cache")
    assert reconciler("cache", "clear", cwd=work).returncode == 0 and not damaged.exists()
    assert reconciler("run", "recipe.yaml", "in.xlsx", "--sandbox", "-q", cwd=work).returncode == 0


def test_outputs_and_logs_are_no_broader_than_the_input(work):
    os.chmod(work / "in.xlsx", 0o600)
    (work / "run.log").write_text("", encoding="utf-8")
    os.chmod(work / "run.log", 0o644)
    (work / "recipe.yaml").write_text(RECIPE + "output: {writers: [xlsx, csv, jsonl]}\n", encoding="utf-8")
    done = reconciler("run", "recipe.yaml", "in.xlsx", "--sandbox", "-q", "--log", "run.log", cwd=work)
    assert done.returncode == 0, done.stderr
    for name in ("in.reconciled.xlsx", "in.reconciled.csv", "in.reconciled.jsonl", "run.log"):
        assert stat.S_IMODE((work / name).stat().st_mode) == 0o600, name


# -- the input itself ------------------------------------------------------------------------------

CHANGER = """
from pathlib import Path
from reconciler.hookspecs import hookimpl
import openpyxl

@hookimpl
def row_outputs(row, outcome, recipe):
    path = Path("in.xlsx")
    if row.number == 2 and path.exists():
        {action}
    return {{}}
"""


@pytest.mark.parametrize(("action", "phrase"), [
    ("wb = openpyxl.load_workbook(path); wb.active.move_range('A3:C3', rows=-1); wb.save(path)", "changed while"),
    ("path.unlink()", "was deleted or moved"),
])
def test_an_input_that_changes_during_the_run_is_refused(work, action, phrase):
    (work / "changer.py").write_text(CHANGER.format(action=action), encoding="utf-8")
    done = reconciler("run", "recipe.yaml", "in.xlsx", "--sandbox", "--plugins", "changer.py", cwd=work)
    one_sentence(done, 2, phrase, "nothing was written")
    assert not (work / "in.reconciled.xlsx").exists()


def test_csv_in_two_encodings_is_refused_naming_the_line(work):
    data = "姓名,手机号,邮箱\n张伟,13800138001,a@b.cn\n".encode() + "李娜,13900139002,c@d.cn\n".encode("gbk")
    (work / "mixed.csv").write_bytes(data)
    one_sentence(reconciler("run", "recipe.yaml", "mixed.csv", "--sandbox", cwd=work), 2,
                 "two text encodings", "line 3")


def test_csv_with_a_stray_quote_is_refused_naming_the_line(work):
    rows = ['姓名,手机号,邮箱', '"张伟,13800138001,a@b.cn', '李娜,13900139002,c@d.cn', '王芳,13700137003,"e@f.cn"']
    (work / "quote.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    one_sentence(reconciler("run", "recipe.yaml", "quote.csv", "--sandbox", cwd=work), 2, "line 2", "quote")


def test_a_zip_bomb_is_refused_before_reading(work):
    with zipfile.ZipFile(work / "in.xlsx", "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/media/padding.bin", "w", force_zip64=True) as part:
            for _ in range(8):
                part.write(bytes(8 * 1024 * 1024))  # 64 MB of zeros: about 1,000 times smaller packed
    one_sentence(reconciler("run", "recipe.yaml", "in.xlsx", "--sandbox", cwd=work), 2,
                 "not a normal workbook", "xl/media/padding.bin")


def test_no_room_before_excel_last_column(work):
    wb = openpyxl.load_workbook(work / "in.xlsx")
    wb.active["XFD2"] = "x"
    wb.save(work / "in.xlsx")
    one_sentence(reconciler("run", "recipe.yaml", "in.xlsx", "--sandbox", cwd=work), 2, "XFD", "nothing was written")
    assert not (work / "in.reconciled.xlsx").exists()


def test_a_chart_sheet_and_a_header_with_a_line_break(work):
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "手机\n号", "邮箱"])
    wb.create_chartsheet("Chart1")
    wb.save(work / "in.xlsx")
    one_sentence(reconciler("run", "recipe.yaml", "in.xlsx", "--sandbox", cwd=work), 2, "手机\\n号")
    (work / "chart.yaml").write_text(RECIPE + "source: {sheet: Chart1}\n", encoding="utf-8")
    one_sentence(reconciler("check", "chart.yaml", "in.xlsx", cwd=work), 2, "chart sheet")


# -- recipes that would exhaust the machine --------------------------------------------------------


def test_a_yaml_alias_bomb_is_refused_quickly(work):
    lines = ["version: 1", 'a: &a ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
    (work / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for command in (["check", "bomb.yaml"], ["run", "bomb.yaml", "in.xlsx", "--sandbox"]):
        one_sentence(reconciler(*command, cwd=work, timeout=30), 2, "anchors and aliases")


def test_an_output_path_with_a_format_width_is_refused(work):
    (work / "wide.yaml").write_text(RECIPE + 'output: {path: "{stem:>999999999}.xlsx"}\n', encoding="utf-8")
    one_sentence(reconciler("run", "wide.yaml", "in.xlsx", "--sandbox", cwd=work, timeout=30), 2,
                 "wide.yaml:", "output.path", "the only placeholder is {stem}")


def test_an_output_name_too_long_names_the_output(work):
    long_name = "x" * 300 + ".xlsx"
    one_sentence(reconciler("run", "recipe.yaml", "in.xlsx", "--sandbox", "-o", long_name, cwd=work), 2,
                 "output file name xxxx", "shorter output path")


# -- kills and signals leave no temporary file -----------------------------------------------------

KILLER = """
import os, signal
from reconciler.hookspecs import hookimpl
from reconciler.writers.common import atomic_output
from reconciler.writers.registry import Writer

def write(ctx):
    with atomic_output(ctx) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(b"half a file with 13800138001 in it")
            handle.flush()
            os.kill(os.getpid(), signal.{signal})
    return ctx.output_path

@hookimpl
def register_writers(register):
    register(Writer("killer", write, ".bin"))
"""


@pytest.mark.parametrize(("name", "code"), [("SIGTERM", 128 + 15), ("SIGHUP", 128 + 1), ("SIGKILL", -9)])
def test_a_kill_while_writing_leaves_no_temporary_file(work, name, code):
    (work / "killer.py").write_text(KILLER.format(signal=name), encoding="utf-8")
    (work / "recipe.yaml").write_text(RECIPE + "output: {writers: [killer]}\nplugins: [killer.py]\n", encoding="utf-8")
    done = reconciler("run", "recipe.yaml", "in.xlsx", "--sandbox", cwd=work)
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    assert temp_files(work) == [] and not (work / "in.reconciled.bin").exists()


# -- plugin writers ---------------------------------------------------------------------------------

BROKEN = """
from reconciler.hookspecs import hookimpl
from reconciler.writers.registry import Writer

def write(ctx):
    {body}

@hookimpl
def register_writers(register):
    register(Writer("broken", write, ".txt"))
"""


@pytest.mark.parametrize(("body", "phrase"), [
    ("raise AttributeError('no attribute foo')", "AttributeError: no attribute foo"),
    ("return None", "returned NoneType instead of the path it wrote"),
])
def test_a_plugin_writer_that_fails_is_named_and_earlier_outputs_are_kept(work, body, phrase):
    (work / "broken.py").write_text(BROKEN.format(body=body), encoding="utf-8")
    (work / "recipe.yaml").write_text(RECIPE + "output: {writers: [csv, broken]}\nplugins: [broken.py]\n",
                                      encoding="utf-8")
    done = reconciler("run", "recipe.yaml", "in.xlsx", "--sandbox", cwd=work)
    one_sentence(done, 2, "writer broken of plugin broken.py", phrase, "kept", "in.reconciled.csv")
    assert (work / "in.reconciled.csv").read_text(encoding="utf-8-sig").count("\n") == 3


def test_a_hook_function_without_hookimpl_is_named(work):
    (work / "forgot.py").write_text(BROKEN.format(body="return ctx.output_path").replace("@hookimpl\n", ""),
                                    encoding="utf-8")
    done = reconciler("run", "recipe.yaml", "in.xlsx", "--sandbox", "--plugins", "forgot.py", cwd=work)
    one_sentence(done, 2, "forgot.py", "register_writers without @hookimpl")


def test_check_says_which_plugins_it_loaded(work):
    (work / "seen.py").write_text("from reconciler.hookspecs import hookimpl\n", encoding="utf-8")
    done = reconciler("check", "recipe.yaml", "in.xlsx", "--plugins", "seen.py", cwd=work)
    assert done.returncode == 0 and "seen.py" in done.stderr and "their code ran" in done.stderr, done.stderr


def test_no_home_folder_still_runs(work):
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_CACHE_HOME") and not k.startswith("RECONCILER_")}
    env["LANG"] = "en_US.UTF-8"
    done = subprocess.run([sys.executable, "-m", "reconciler.cli", "run", "recipe.yaml", "in.xlsx", "--sandbox", "-q"],
                          cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


# Only root can make a file belong to another user (chown), and nothing else produces such
# a file safely: pointing the cache at a system file another user owns would risk that file
# if the check failed. CI runs as root, so the test runs there; a developer's non-root run skips it.
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="needs root: only root can chown a file to another user (CI runs as root)")
def test_a_cache_file_of_another_user_is_named_and_left_alone(work):
    cache = work / "cache" / "c.sqlite"
    cache.parent.mkdir()
    cache.write_bytes(b"")
    os.chown(cache, 65534, 65534)
    done = reconciler("run", "recipe.yaml", "in.xlsx", "--sandbox", cwd=work)
    one_sentence(done, 1, str(cache), "another user")
    assert cache.stat().st_uid == 65534


def test_a_damaged_shared_rate_limit_file_is_moved_aside_and_started_anew(work, sandbox):
    shared = work / "cache" / "feishu-ratelimit.sqlite"  # beside RECONCILER_CACHE_PATH
    shared.parent.mkdir()
    shared.write_bytes(b"\x0a\x00\x00\x00" + bytes(4092))  # page 1 overwritten: SQLite cannot open it
    env = {"FEISHU_BASE_URL": sandbox.url, "FEISHU_APP_ID": SANDBOX_APP_ID, "FEISHU_APP_SECRET": SANDBOX_APP_SECRET}
    done = reconciler("run", "recipe.yaml", "in.xlsx", "-q", cwd=work, env=env)  # a tenant's run: the shared file
    assert done.returncode == 0, done.stderr
    aside = [p for p in shared.parent.iterdir() if p.name.startswith("feishu-ratelimit.sqlite.damaged-")]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"\x0a\x00\x00\x00")  # kept, not deleted
    assert shared.read_bytes().startswith(b"SQLite format 3\x00")
