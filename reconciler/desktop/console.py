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

from reconciler.model import RunSummary
from reconciler.pipeline import Progress

STAGES = {"talents": "查询人才 / looking up talents", "job data": "查询任职信息 / fetching job data"}
STATUS_NAMES = {
    "matched": "已匹配", "partial": "部分匹配", "not_found": "未找到", "conflict": "冲突",
    "ambiguous": "多个候选", "invalid": "无效", "error": "出错",
    "found": "已找到", "mismatch": "不一致", "no_key": "无工号",
}


class Console:
    def __init__(self, stream: TextIO | None = None, *, interactive: bool = False):
        self.stream = stream or sys.stdout
        self.interactive = interactive

    def say(self, text: str = "") -> None:
        print(text, file=self.stream, flush=True)

    def summary(self, summary: RunSummary, outputs: list[Path]) -> None:
        for title, counts in (("人才核对 / talents", summary.talent_counts), ("任职核对 / job data", summary.job_counts)):
            if counts:
                parts = [f"{STATUS_NAMES.get(status, status)} {status} {n}" for status, n in counts.items() if n]
                self.say(f"  {title}: {' · '.join(parts) or '-'}")
        sent = sum(summary.requests.values())
        self.say(f"  {summary.rows} 行 rows, {sent} 次请求 requests, {summary.cache_hits} 来自缓存 from cache, "
                 f"{summary.seconds:.1f} s")
        for warning in summary.warnings:
            self.say(f"  提示 / note: {warning}")
        for path in outputs:
            self.say(f"  结果 / output: {path}")

    def pause(self) -> None:
        """Keep a double-clicked window open until the person has read it."""
        if not self.interactive:
            return
        try:
            input("按回车键关闭 / press Enter to close ")
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
            self.console.say(f"  {STAGES.get(stage, stage)}: {total} …")

    def advance(self, stage: str, n: int = 1) -> None:
        total = self.totals.get(stage, 0)
        before = self.done.get(stage, 0)
        self.done[stage] = before + n
        if total and before < total <= self.done[stage]:
            self.console.say(f"  {STAGES.get(stage, stage)}: {total}/{total} ✓")

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
