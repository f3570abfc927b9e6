"""Never write over what the run reads.

Every path a run writes (the outputs, `--report`, `--log`, the cache files) is
compared with every file it reads (the input sheet, the recipe, the plugin files)
before anything is read from Feishu or written, by real path and by file identity,
so a symbolic link, a `..`, a different spelling on a case-insensitive disk, or a
hard link to the input is caught too.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

from reconciler.errors import UsageError


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (resolved paths, then device and inode: hard links)."""
    with contextlib.suppress(OSError, RuntimeError):
        if Path(a).resolve() == Path(b).resolve():
            return True
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return False


def refuse_writing_inputs(writes: Iterable[tuple[str, Path | None]], reads: Iterable[tuple[str, Path | None]]) -> None:
    """UsageError (exit 2) when a path to write is a file the run reads.

    `writes` / `reads` are (what it is, path) pairs, e.g. ("--report", p) and ("the recipe", r).
    """
    reads = [(what, Path(path)) for what, path in reads if path is not None]
    for role, target in writes:
        if target is None:
            continue
        for what, source in reads:
            if same_file(Path(target), source):
                raise UsageError("error.writes_an_input", role=role, path=target, what=what, name=source.name)
