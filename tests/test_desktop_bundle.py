"""The hand-out zip: what is in it, and that it works once unzipped.

Building it runs pip wheel (a few seconds); running it installs the shipped wheel
into a fresh .venv (the same 20-40 s as the launcher tests' first run, on the
other xdist worker).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from reconciler.desktop.bundle import build_bundle
from test_desktop_launchers import DESKTOP, PROJECT, SAMPLE, SETUP_MESSAGE, launcher_env, run

TOP = "reconciler-desktop-0.1.0"


BUNDLE_NAME = "hand out 发放.zip"


@pytest.fixture(scope="session")
def bundle(build_once) -> Path:
    """The hand-out zip, built once per session (shared by the xdist workers); tests only read it."""
    folder = build_once("desktop-bundle", lambda root: build_bundle(PROJECT, root / BUNDLE_NAME, desktop=DESKTOP))
    return folder / BUNDLE_NAME


def unzip_like_archive_utility(archive: Path, target: Path) -> Path:
    """Extract keeping the Unix modes stored in the zip (as macOS and Linux unzip tools do)."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            path = Path(zf.extract(info, target))
            mode = (info.external_attr >> 16) & 0o7777
            if mode and not info.is_dir():
                path.chmod(mode)
    return target / TOP


DEMO_SHEET = "demo/示例 入职名单 sample.xlsx"  # the only sheet that travels: the demo's sample


def test_the_zip_holds_the_launchers_recipe_template_and_wheel(bundle):
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        infos = {i.filename: i for i in zf.infolist()}
        bat = zf.read(f"{TOP}/Reconcile.bat")
        wheel_names = [n for n in names if n.endswith(".whl")]
        assert wheel_names == [f"{TOP}/support/reconciler-0.1.0-py3-none-any.whl"]
        with zf.open(wheel_names[0]) as raw, zipfile.ZipFile(raw) as wheel:
            inside = set(wheel.namelist())
    for name in ("Reconcile.bat", "Reconcile.command", "reconcile.sh", "Reconcile.desktop", "recipe.yaml",
                 "reconciler.env.template", "support/bootstrap.py", "support/no-python.txt",
                 "inbox/", "inbox/README.txt", "outbox/", "outbox/README.txt",
                 "Try the demo.bat", "Try the demo.command", "try-demo.sh", "demo/recipe.yaml", DEMO_SHEET):
        assert f"{TOP}/{name}" in names, name
    for name in ("reconcile.sh", "Reconcile.command", "Reconcile.desktop", "Try the demo.command", "try-demo.sh"):
        assert (infos[f"{TOP}/{name}"].external_attr >> 16) & 0o111 == 0o111, f"{name} not executable"
    assert bat.count(b"\r\n") == bat.count(b"\n")  # CRLF survives
    # nothing of this machine travels: no settings with a secret, no venv, no one's sheets, no logs
    assert not [n for n in names if "reconciler.env" in n and not n.endswith(".template")]
    assert not [n for n in names if "/.venv/" in n or n.endswith((".log", ".xlsx")) and n != f"{TOP}/{DEMO_SHEET}"]
    # the wheel is the whole package, the helper and the sandbox's demo tenant included
    assert {"reconciler/desktop/app.py", "reconciler/desktop/__main__.py", "reconciler/sandbox/demo_tenant.json"} <= inside


def test_the_unzipped_hand_out_installs_its_wheel_and_reconciles_the_inbox(bundle, tmp_path):
    folder = unzip_like_archive_utility(bundle, tmp_path / "下载 Downloads")
    assert os.stat(folder / "reconcile.sh").st_mode & stat.S_IXUSR
    shutil.copy(SAMPLE, folder / "inbox" / "入职 四月.xlsx")
    home = tmp_path / "home"
    home.mkdir()
    env = launcher_env(home, FEISHU_BASE_URL="sandbox")  # no RECONCILER_INSTALL_FROM: the shipped wheel
    first = run([folder / "reconcile.sh"], env)
    log = folder / "support" / "install.log"
    assert first.code == 0, f"{first.output}\n{log.read_text(errors='replace')[-3000:] if log.exists() else ''}"
    assert SETUP_MESSAGE in first.output
    assert '"stamp": "wheel:reconciler-0.1.0-py3-none-any.whl' in (folder / ".venv" / "reconciler-desktop.json").read_text()
    assert (folder / "outbox" / "入职 四月.reconciled.xlsx").is_file()
    assert (folder / "inbox" / "done" / "入职 四月.xlsx").is_file()
    assert "reconciler-0.1.0-py3-none-any.whl" in log.read_text(errors="replace")
    python = folder / ".venv" / "bin" / "python"
    version = subprocess.run([python, "-P", "-c", "import reconciler; print(reconciler.__version__)"],
                             capture_output=True, text=True, cwd=home)
    assert version.stdout.strip() == "0.1.0"
