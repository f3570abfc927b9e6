"""The console window the person watches: progress lines, the summary, the final pause.

Plain lines rather than a live progress bar when the output is not a terminal
(a log, a test), so nothing depends on cursor control; on a terminal, the
library's rich progress bar.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from reconciler.messages.locale import EN, ZH
from reconciler.messages.render import Message, is_key, render, text
from reconciler.model import RunSummary
from reconciler.pipeline import Progress

STAGES = {"talents": "desktop.stage.talents", "job data": "desktop.stage.job_data",
          "names": "desktop.stage.names"}  # progress stage -> key


def both(key: str, **params) -> str:
    """A catalogue message in Chinese and English: "中文 / English"."""
    return f"{text(key, ZH, **params)} / {text(key, EN, **params)}"


def _stage(stage: str) -> str:
    return both(STAGES[stage]) if stage in STAGES else stage


def status_name(status: str) -> str:
    """A status as the workbook labels it, in Chinese and English ("已匹配 Matched"), or the
    status itself when the catalogue has none (a plugin's)."""
    key = f"status.{status}"
    return f"{text(key, ZH)} {text(key, EN)}" if is_key(key) else status


class Console:
    def __init__(self, stream: TextIO | None = None, *, interactive: bool = False):
        self.stream = stream or sys.stdout
        self.interactive = interactive

    def say(self, text: str = "") -> None:
        print(text, file=self.stream, flush=True)

    def summary(self, summary: RunSummary, outputs: list[Path]) -> None:
        for key, counts in (("desktop.talents", summary.talent_counts), ("desktop.job_data", summary.job_counts)):
            if counts:
                parts = [f"{status_name(status)} {n}" for status, n in counts.items() if n]
                self.say(f"  {both(key)}: {' · '.join(parts) or '-'}")
        sent = sum(summary.requests.values())
        self.say("  " + both("desktop.totals", rows=summary.rows, sent=sent, cache_hits=summary.cache_hits,
                             seconds=summary.seconds))
        for warning in summary.warnings:
            said = render(Message.of(warning), ZH), render(Message.of(warning), EN)
            self.say(f"  {both('desktop.note')}: {said[0] if said[0] == said[1] else ' / '.join(said)}")
        for path in outputs:
            self.say(f"  {both('desktop.output')}: {path}")

    def pause(self) -> None:
        """Keep a double-clicked window open until the person has read it."""
        if not self.interactive:
            return
        try:
            input(both("desktop.press_enter") + " ")
        except (EOFError, KeyboardInterrupt):
            pass


class LineProgress(Progress):
    """A line when a stage starts and one when it is done."""

    def __init__(self, console: Console):
        self.console = console
        self.totals: dict[str, int] = {}
        self.done: dict[str, int] = {}

    def start(self, stage: str, total: int) -> None:
        self.totals[stage], self.done[stage] = total, 0
        if total > 0:
            self.console.say(f"  {_stage(stage)}: {total} …")

    def advance(self, stage: str, n: int = 1) -> None:
        total = self.totals.get(stage, 0)
        before = self.done.get(stage, 0)
        self.done[stage] = before + n
        if total and before < total <= self.done[stage]:
            self.console.say(f"  {_stage(stage)}: {total}/{total} ✓")

    def message(self, text: str) -> None:
        self.console.say(f"  {text}")


@contextmanager
def progress_for(console: Console):
    if console.interactive and console.stream.isatty():
        from reconciler.cli.progress import console_progress

        with console_progress(enabled=True) as progress:
            yield progress
        return
    yield LineProgress(console)


def open_folder(path: Path, platform: str = sys.platform) -> bool:
    """Show `path` (a folder) in the file manager; False when the platform offers no way."""
    try:
        if platform == "win32":
            os.startfile(path)  # type: ignore[attr-defined]  # Windows only
            return True
        opener = "open" if platform == "darwin" else "xdg-open"
        if platform != "darwin" and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return False
        exe = shutil.which(opener)
        if exe is None:
            return False
        subprocess.Popen([exe, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
        return True
    except OSError:
        return False
