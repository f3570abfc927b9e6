"""Which spreadsheets to reconcile: dropped files, a file picker, or the inbox folder.

Order (issue 5): files given (dropped on the launcher) win; with none, a file
picker where the platform has one without extra installs (Windows: PowerShell's
OpenFileDialog; macOS: osascript `choose file`; Linux with a desktop: zenity or
kdialog when installed); with no picker, or when the picker is cancelled, every
spreadsheet in inbox/ is reconciled into outbox/. RECONCILER_DESKTOP_PICKER=none
skips the picker (for people who prefer the inbox, and for scripts).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SPREADSHEETS = (".xlsx", ".xlsm", ".csv")
PICKER_ENV = "RECONCILER_DESKTOP_PICKER"
INBOX, OUTBOX, DONE = "inbox", "outbox", "done"
PICKER_TITLE = "选择要核对的表格 / Choose the spreadsheets to reconcile"

# Console output of PowerShell is in the OEM code page unless told otherwise:
# UTF-8 keeps Chinese file names intact. -STA is what the dialog needs.
_POWERSHELL = (
    "[Console]::OutputEncoding = [System.Text.Encoding]::UTF8; "
    "Add-Type -AssemblyName System.Windows.Forms; "
    "$d = New-Object System.Windows.Forms.OpenFileDialog; "
    "$d.Title = '" + PICKER_TITLE + "'; "
    "$d.Filter = 'Excel (*.xlsx;*.xlsm;*.csv)|*.xlsx;*.xlsm;*.csv|All files (*.*)|*.*'; "
    "$d.Multiselect = $true; "
    "if ($d.ShowDialog() -eq [System.Windows.Forms.DialogResult]::OK) { $d.FileNames | ForEach-Object { $_ } }"
)
_OSASCRIPT = [
    "-e", f'set picked to choose file with prompt "{PICKER_TITLE}" of type '
          '{"org.openxmlformats.spreadsheetml.sheet", "xlsx", "xlsm", "csv", "public.comma-separated-values-text"} '
          "with multiple selections allowed",
    "-e", 'set out to ""',
    "-e", "repeat with f in picked",
    "-e", "set out to out & POSIX path of f & linefeed",
    "-e", "end repeat",
    "-e", "return out",
]


@dataclass(frozen=True)
class Job:
    input: Path
    output_dir: Path | None = None  # None: where the recipe says (next to the input)
    from_inbox: bool = False


def picker_command(platform: str, environ: Mapping[str, str]) -> list[str] | None:
    """The command that shows a file picker and prints one chosen path per line, or None."""
    if environ.get(PICKER_ENV, "").strip().lower() in ("none", "off", "no", "0"):
        return None
    def which(name: str) -> str | None:
        return shutil.which(name, path=environ.get("PATH"))

    if platform == "win32":
        exe = which("powershell.exe") or which("powershell") or which("pwsh")
        return [exe, "-NoProfile", "-STA", "-Command", _POWERSHELL] if exe else None
    if platform == "darwin":
        exe = which("osascript")
        return [exe, *_OSASCRIPT] if exe else None
    if not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
        return None  # no desktop: nothing to show a dialog on
    if exe := which("zenity"):
        return [exe, "--file-selection", "--multiple", "--separator=\n", f"--title={PICKER_TITLE}",
                "--file-filter=Spreadsheets | *.xlsx *.xlsm *.csv"]
    if exe := which("kdialog"):
        return [exe, "--getopenfilename", str(Path.home()), "*.xlsx *.xlsm *.csv", "--multiple", "--separate-output",
                "--title", PICKER_TITLE]
    return None


def pick_files(platform: str = sys.platform, environ: Mapping[str, str] = os.environ) -> list[Path] | None:
    """Chosen files; [] when the picker was cancelled; None when there is no picker."""
    command = picker_command(platform, environ)
    if command is None:
        return None
    try:
        done = subprocess.run(command, capture_output=True, timeout=3600)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:  # cancel: zenity 1, osascript 1 (-128), kdialog 1
        return []
    text = done.stdout.decode("utf-8", errors="replace").lstrip("\ufeff")
    return [Path(line.strip()) for line in text.splitlines() if line.strip()]


def inbox_files(folder: Path) -> list[Path]:
    inbox = folder / INBOX
    if not inbox.is_dir():
        return []
    return sorted(
        p for p in inbox.iterdir()
        if p.is_file() and p.suffix.lower() in SPREADSHEETS and not p.name.startswith(("~$", "."))
    )


def inbox_jobs(folder: Path) -> list[Job]:
    outbox = folder / OUTBOX
    return [Job(path, outbox, from_inbox=True) for path in inbox_files(folder)]


def file_jobs(paths: list[Path]) -> list[Job]:
    return [Job(Path(p).expanduser().resolve()) for p in paths]


def move_to_done(path: Path) -> Path:
    """Move a reconciled inbox file to inbox/done/, never over an earlier one."""
    done = path.parent / DONE
    done.mkdir(exist_ok=True)
    target = done / path.name
    counter = 2
    while target.exists():
        target = done / f"{path.stem} ({counter}){path.suffix}"
        counter += 1
    return Path(shutil.move(str(path), str(target)))
