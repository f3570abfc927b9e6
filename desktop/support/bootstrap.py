"""First-run setup for the desktop launchers (Reconcile.bat, Reconcile.command, reconcile.sh).

    python support/bootstrap.py FOLDER

makes sure FOLDER/.venv holds a working reconciler, then exits 0; the launcher
then runs `.venv/.../python -m reconciler.desktop`. Standard library only: this
runs with whatever Python the launcher found, before reconciler is installed.

Where reconciler comes from, first match wins:
  1. RECONCILER_INSTALL_FROM: a project folder or a .whl file (developers, tests);
  2. support/reconciler-*.whl beside this file (the hand-out zip ships one);
  3. the folder above FOLDER, when it is the reconciler project (a checkout).

A later run compares a stamp of that source with the one recorded after the last
install (.venv/reconciler-desktop.json) and returns at once when they match; when
they differ (a new hand-out, edited sources) the environment is rebuilt from
scratch, which is simpler and safer than upgrading in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MINIMUM = (3, 11)
MARKER = "reconciler-desktop.json"
SOURCE_ENV = "RECONCILER_INSTALL_FROM"
# Project files a wheel build needs; everything else in a checkout (tests, .venv,
# build/, the desktop folder itself) stays out of the staged copy.
PROJECT_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "MANIFEST.in", "README.md", "README.rst", "LICENSE")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


class SetupFailed(Exception):
    """One plain sentence in Chinese and English for the person at the desk."""


def venv_python(folder: Path) -> Path:
    venv = folder / ".venv"
    return venv / "Scripts" / "python.exe" if os.name == "nt" else venv / "bin" / "python"


# ---------------------------------------------------------------- where reconciler comes from


def find_source(folder: Path, environ=os.environ) -> Path:
    explicit = environ.get(SOURCE_ENV, "").strip()
    if explicit:
        path = Path(explicit).expanduser()
        if path.is_file() and path.suffix == ".whl" or is_project(path):
            return path.resolve()
        raise SetupFailed(
            f"{SOURCE_ENV} 指向的位置不可用 / {SOURCE_ENV}={explicit} is neither a reconciler "
            "project folder nor a .whl file: fix or remove it"
        )
    wheels = sorted(Path(__file__).resolve().parent.glob("reconciler-*.whl"), key=_wheel_version)
    if wheels:
        return wheels[-1]
    parent = folder.resolve().parent
    if is_project(parent):
        return parent
    raise SetupFailed(
        "找不到 reconciler 安装包 / the reconciler package is missing: the support folder should "
        "hold a reconciler-*.whl; unzip the whole hand-out again"
    )


def is_project(path: Path) -> bool:
    pyproject = path / "pyproject.toml"
    if not pyproject.is_file():
        return False
    return re.search(r'(?m)^name\s*=\s*"reconciler"', pyproject.read_text(encoding="utf-8")) is not None


def _wheel_version(path: Path) -> tuple:
    parts = path.name.split("-")
    version = parts[1] if len(parts) > 1 else ""
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def source_stamp(source: Path) -> str:
    """Changes whenever what would be installed changes."""
    if source.is_file():
        stat = source.stat()
        return f"wheel:{source.name}:{stat.st_size}"
    digest = hashlib.sha256()
    for path in sorted(_project_inputs(source)):
        stat = path.stat()
        digest.update(f"{path.relative_to(source).as_posix()}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return f"project:{_project_version(source)}:{digest.hexdigest()[:16]}"


def _project_version(project: Path) -> str:
    found = re.search(r'(?m)^version\s*=\s*"([^"]+)"', (project / "pyproject.toml").read_text(encoding="utf-8"))
    return found.group(1) if found else "?"


def _packages(project: Path) -> list[Path]:
    return [p for p in sorted(project.iterdir()) if p.is_dir() and (p / "__init__.py").is_file()]


def _project_inputs(project: Path):
    for name in PROJECT_FILES:
        if (project / name).is_file():
            yield project / name
    for package in _packages(project):
        for path in package.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                yield path


def stage_project(project: Path, destination: Path) -> Path:
    """Copy what a build needs into `destination`, so the build never writes into the checkout."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        if (project / name).is_file():
            shutil.copy2(project / name, destination / name)
    for package in _packages(project):
        shutil.copytree(package, destination / package.name, ignore=IGNORED)
    return destination


# ---------------------------------------------------------------- installing


def pip_install(python: Path, target: Path, log) -> bool:
    """pip install `target`; if the isolated build cannot get its tools, build with what is here."""
    # --no-compile: byte-compiling every dependency (phonenumbers' thousands of data
    # modules) doubles the install time; Python compiles what it imports on first use.
    base = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--no-compile",
            "--no-warn-script-location"]
    for extra in ([], ["--no-build-isolation"]):
        log.write(f"$ pip install {' '.join(extra)} {target}\n".encode())
        log.flush()
        done = subprocess.run(base + extra + [str(target)], stdout=log, stderr=subprocess.STDOUT)
        if done.returncode == 0:
            return True
        if target.suffix == ".whl":
            return False  # a wheel needs no build: retrying cannot help
    return False


def starts(python: Path, log) -> bool:
    """Import the helper once, so a broken install is reported now, in words, not as a traceback later."""
    log.write(b"$ python -c 'import reconciler.desktop.app'\n")
    log.flush()
    done = subprocess.run([str(python), "-P", "-c", "import reconciler.desktop.app"], stdout=log,
                          stderr=subprocess.STDOUT)
    return done.returncode == 0


def create_venv(folder: Path, log) -> Path:
    import venv

    try:
        venv.EnvBuilder(with_pip=True, clear=True, symlinks=os.name != "nt").create(folder / ".venv")
    except (OSError, subprocess.CalledProcessError) as exc:
        log.write(f"creating .venv failed: {exc!r}\n".encode())
        if "ensurepip" in str(exc) or isinstance(exc, subprocess.CalledProcessError):
            raise SetupFailed(
                "这个 Python 不能创建虚拟环境 / this Python cannot create a virtual environment: "
                "install python3-venv (Debian/Ubuntu: sudo apt install python3-venv) or the python.org Python"
            ) from None
        raise SetupFailed(
            f"无法创建 .venv / cannot create .venv in {folder}: close other reconciler windows, or copy "
            "the folder to a place you can write to (e.g. your Documents), and try again"
        ) from None
    python = venv_python(folder)
    if not python.exists():
        raise SetupFailed(f"虚拟环境不完整 / the virtual environment in {folder / '.venv'} is incomplete: delete .venv and try again")
    return python


def ensure(folder: Path, environ=os.environ) -> bool:
    """Make FOLDER/.venv ready; True when something was installed."""
    folder = folder.resolve()
    source = find_source(folder, environ)
    stamp = source_stamp(source)
    python = venv_python(folder)
    marker = folder / ".venv" / MARKER
    if python.exists() and _recorded_stamp(marker) == stamp:
        return False
    started = time.monotonic()
    print("首次运行，正在准备运行环境（只需一次，约一两分钟）…", flush=True)
    print("First run: setting up reconciler (once, a minute or two)...", flush=True)
    log_path = Path(__file__).resolve().parent / "install.log"
    with open(log_path, "wb") as log:
        python = create_venv(folder, log)
        with tempfile.TemporaryDirectory(prefix="reconciler-build-") as scratch:
            target = source if source.is_file() else stage_project(source, Path(scratch) / "src")
            if not pip_install(python, target, log):
                raise SetupFailed(
                    "安装 reconciler 失败 / installing reconciler failed: check the internet connection "
                    f"(or the pip settings) and try again; details in {log_path}"
                )
        if not starts(python, log):
            raise SetupFailed(
                "安装的 reconciler 无法启动 / the installed reconciler does not start (a missing dependency?): "
                f"tell whoever gave you this folder, and send them {log_path}"
            )
    marker.write_text(json.dumps({"stamp": stamp, "source": str(source), "python": sys.version.split()[0]}), encoding="utf-8")
    print(f"准备就绪 / ready ({time.monotonic() - started:.0f} s)", flush=True)
    return True


def _recorded_stamp(marker: Path) -> str | None:
    try:
        return json.loads(marker.read_text(encoding="utf-8")).get("stamp")
    except (OSError, ValueError, AttributeError):
        return None


def main(argv: list[str]) -> int:
    if sys.version_info < MINIMUM:
        print(f"需要 Python 3.11 或更新版本 / Python 3.11 or newer is needed (this is {sys.version.split()[0]})")
        return 1
    folder = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    try:
        ensure(folder)
    except SetupFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断 / interrupted: run the launcher again to finish the setup", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the promise is one sentence, never a traceback
        print(f"准备运行环境时出错 / setting up failed ({type(exc).__name__}: {exc}): delete the .venv "
              "folder next to the launcher and try again", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
