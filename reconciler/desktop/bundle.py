"""Build the hand-out zip an HR person unzips and double-clicks.

    python -m reconciler.desktop.bundle [--project DIR] [-o dist/reconciler-desktop-VERSION.zip]

The zip holds one folder, reconciler-desktop-VERSION/, with the launchers, the
default recipe, the settings template, inbox/ and outbox/, and support/ with the
bootstrap script and a reconciler wheel (no dependencies inside: the first run
installs them with pip, so the desk needs internet or a pip index once).

The wheel is built from a staged copy of the project (support/bootstrap.py's
stage_project), so the build never writes build/ or *.egg-info into the checkout:
`pip wheel --no-deps --no-build-isolation`, which works offline where the build
tools are installed, else the same with build isolation (pip fetches setuptools).
Unix modes are stored so that macOS and Linux keep the launchers executable.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

LEAVE_OUT_DIRS = {".venv", "__pycache__", "done"}
LEAVE_OUT_FILES = {"reconciler.env", "install.log", ".gitignore", ".gitattributes", ".DS_Store"}
EXECUTABLE = {"reconcile.sh", "Reconcile.command", "Reconcile.desktop", "Try the demo.command", "try-demo.sh"}
KEEP_IN_EMPTY = {"inbox", "outbox"}  # only their README.txt travels, never someone's sheets


class BundleError(Exception):
    pass


def load_bootstrap(desktop: Path):
    """support/bootstrap.py as a module: one copy of the staging and stamping logic."""
    spec = importlib.util.spec_from_file_location("reconciler_desktop_bootstrap", desktop / "support" / "bootstrap.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_wheel(project: Path, out_dir: Path, *, python: str = sys.executable, desktop: Path | None = None) -> Path:
    bootstrap = load_bootstrap(desktop or project / "desktop")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="reconciler-wheel-") as scratch:
        staged = bootstrap.stage_project(project, Path(scratch) / "src")
        failures = []
        for extra in (["--no-build-isolation"], []):
            command = [python, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "--no-input",
                       *extra, "-w", str(out_dir), str(staged)]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode == 0:
                break
            failures.append(done.stdout[-2000:] + done.stderr[-2000:])
        else:
            raise BundleError("pip could not build the reconciler wheel:\n" + "\n---\n".join(failures))
    wheels = sorted(out_dir.glob("reconciler-*.whl"), key=lambda p: p.stat().st_mtime)
    if not wheels:
        raise BundleError(f"pip reported success but left no reconciler wheel in {out_dir}")
    return wheels[-1]


def desktop_files(desktop: Path):
    """(path, name inside the folder) of everything from desktop/ that belongs in the hand-out."""
    for path in sorted(desktop.rglob("*")):
        rel = path.relative_to(desktop)
        if any(part in LEAVE_OUT_DIRS for part in rel.parts) or path.name in LEAVE_OUT_FILES:
            continue
        if path.is_dir():
            continue
        if rel.parts[0] in KEEP_IN_EMPTY and rel.name != "README.txt":
            continue
        if rel.parts[0] == "demo" and ".reconciled." in path.name:
            continue  # what trying the demo here wrote; the hand-out ships the sample only
        if rel.parts[0] == "support" and path.suffix == ".whl":
            continue  # an old wheel left there by hand; the fresh one is added below
        yield path, rel.as_posix()


def _add(archive: zipfile.ZipFile, data: bytes, name: str, *, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.create_system = 3  # unix: macOS Archive Utility and unzip honour the mode bits
    info.external_attr = ((0o100755 if executable else 0o100644) & 0xFFFF) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def build_bundle(project: Path, output: Path | None = None, *, python: str = sys.executable,
                 desktop: Path | None = None) -> Path:
    """Write the hand-out zip of `desktop` (default: PROJECT/desktop) with a wheel of `project`."""
    project = project.resolve()
    desktop = (desktop or project / "desktop").resolve()
    if not (desktop / "support" / "bootstrap.py").is_file():
        raise BundleError(f"{desktop} is not a desktop folder with support/bootstrap.py; give the project folder")
    bootstrap = load_bootstrap(desktop)
    version = bootstrap._project_version(project)
    top = f"reconciler-desktop-{version}"
    output = (output or project / "dist" / f"{top}.zip").resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="reconciler-bundle-") as scratch:
        wheel = build_wheel(project, Path(scratch), python=python, desktop=desktop)
        tmp = output.with_name(f".~{output.name}")
        with zipfile.ZipFile(tmp, "w") as archive:
            for folder in sorted(KEEP_IN_EMPTY):
                info = zipfile.ZipInfo(f"{top}/{folder}/")
                info.create_system, info.external_attr = 3, (0o40755 << 16) | 0x10
                archive.writestr(info, b"")
            for path, rel in desktop_files(desktop):
                _add(archive, path.read_bytes(), f"{top}/{rel}", executable=path.name in EXECUTABLE)
            _add(archive, wheel.read_bytes(), f"{top}/support/{wheel.name}")
        tmp.replace(output)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reconciler.desktop.bundle", description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, default=Path.cwd(), help="the reconciler project folder (default: here)")
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="the zip to write (default: PROJECT/dist/reconciler-desktop-VERSION.zip)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        path = build_bundle(args.project, args.output)
    except BundleError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB, {time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
