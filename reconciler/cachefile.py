"""The cache file as a whole: what `reconciler cache info|clear` shows and removes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .feishu.transport import keys_path

_SIDE_FILES = ("-wal", "-shm", "-journal")


def describe(path: Path) -> dict[str, str]:
    info = {"backend": "sqlite", "path": str(path)}
    if not path.exists():
        info["entries"] = "0 (no cache file yet)"
        return info
    counts = {table: _count(file, table) for file, table in ((path, "responses"), (keys_path(path), "talent_keys"))}
    info["entries"] = f"{counts['responses']} responses, {counts['talent_keys']} remembered keys"
    size = sum(f.stat().st_size for f in _files(path) if f.exists())
    info["size"] = f"{size / 1024:.1f} KiB"
    info["mode"] = oct(path.stat().st_mode & 0o777)
    return info


def _count(file: Path, table: str) -> int:
    if not file.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as db:
            return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
    except sqlite3.Error:
        return 0


def _files(path: Path) -> list[Path]:
    """The HTTP cache, the per-key store, and SQLite's side files of both."""
    mains = [path, keys_path(path)]
    return mains + [Path(f"{m}{suffix}") for m in mains for suffix in _SIDE_FILES]


def clear(path: Path) -> bool:
    removed = False
    for candidate in _files(path):
        if candidate.exists():
            candidate.unlink()
            removed = True
    return removed
