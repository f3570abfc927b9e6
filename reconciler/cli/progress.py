"""Progress on a terminal (rich), silent otherwise."""

from __future__ import annotations

from contextlib import contextmanager

from reconciler.pipeline import Progress


class RichProgress(Progress):
    def __init__(self, bar):
        self.bar = bar
        self.tasks: dict[str, int] = {}

    def start(self, stage: str, total: int) -> None:
        if total > 0:
            self.tasks[stage] = self.bar.add_task(stage, total=total)

    def advance(self, stage: str, n: int = 1) -> None:
        if stage in self.tasks:
            self.bar.advance(self.tasks[stage], n)

    def message(self, text: str) -> None:
        self.bar.console.print(text)


@contextmanager
def console_progress(*, enabled: bool):
    if not enabled:
        yield Progress()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.progress import Progress as Bar

    with Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
             console=Console(stderr=True), transient=True) as bar:
        yield RichProgress(bar)
