"""The cache file as a whole: what `reconciler cache info|clear` shows and removes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

_SIDE_FILES = ("-wal", "-shm", "-journal")


def describe(path: Path) -> dict[str, str]:
    info = {"backend": "sqlite", "path": str(path)}
    if not path.exists():
        info["entries"] = "0 (no cache file yet)"
        return info
    counts = {}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        for table in ("responses", "talent_keys"):
            try:
                counts[table] = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
            except sqlite3.OperationalError:
                counts[table] = 0
    info["entries"] = f"{counts['responses']} responses, {counts['talent_keys']} remembered keys"
    size = path.stat().st_size + sum(Path(f"{path}{s}").stat().st_size for s in _SIDE_FILES if Path(f"{path}{s}").exists())
    info["size"] = f"{size / 1024:.1f} KiB"
    info["mode"] = oct(path.stat().st_mode & 0o777)
    return info


def clear(path: Path) -> bool:
    removed = False
    for candidate in [path, *(Path(f"{path}{s}") for s in _SIDE_FILES)]:
        if candidate.exists():
            candidate.unlink()
            removed = True
    return removed
