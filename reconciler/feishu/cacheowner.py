"""Which files are reconciler's own cache, so that nothing else is ever opened,
narrowed or deleted as one.

`cache.path` is text a person typed: a typo can name a workbook. The cache holds
personal data, so its files are created owner-only (0600) and an existing one that
is broader is narrowed; `reconciler cache clear` deletes them. Both must happen
only to a file that is ours: absent (we create it), empty, or an SQLite database
whose tables are all ones reconciler creates. Anything else is refused with a
sentence naming the file, and left untouched.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from pathlib import Path

from reconciler.errors import ReconcilerError

log = logging.getLogger("reconciler.feishu.cache")

SQLITE_HEADER = b"SQLite format 3\x00"
# requests-cache (responses, redirects), the per-key store (talent_answers; talent_keys
# before 2026-11-30), pyrate-limiter's buckets.
OUR_TABLES = frozenset({"responses", "redirects", "talent_answers", "talent_keys", "rate_bucket"})
OUR_TABLE_PREFIXES = ("bucket_", "sqlite_")


# Files this process has already checked and opened. Checking again would open and close
# the file while this process's SQLite connections hold POSIX locks on it, and closing
# any descriptor of a file drops every lock the process holds on it (SQLite's known
# hazard): another run could then write while this one reads.
_claimed: set[Path] = set()


class CacheFileError(ReconcilerError):
    """A cache file that is not reconciler's, or that cannot be used (corrupt, read-only, someone else's)."""

    exit_code = 1


def is_ours(path: Path) -> bool:
    """True when `path` is absent, empty, or an SQLite file holding only reconciler's tables
    (a damaged SQLite file counts as ours: it is in the cache's place and has the cache's format)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if not head:
        return True
    if head != SQLITE_HEADER:
        return False
    if Path(f"{path}-wal").exists():
        # In use right now (another run has it open in WAL mode). Opening a second, read-only
        # connection from here while runs write it made runs lose cache writes: trust the header.
        return True
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    except sqlite3.Error:
        return True
    return all(name in OUR_TABLES or name.startswith(OUR_TABLE_PREFIXES) for name in names)


def claim(path: Path) -> None:
    """Make `path` a private cache file: create it 0600 (folder included), or narrow an
    existing one of ours to 0600. Refuse a file that is not ours or not the user's."""
    path = Path(os.path.abspath(path))
    if path in _claimed and path.exists():
        return
    if path.is_dir():
        raise CacheFileError("error.cache_is_folder", path=path)
    if not is_ours(path):
        raise CacheFileError("error.cache_not_ours", path=path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_RDWR | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except PermissionError as exc:
        raise CacheFileError("error.cache_permission", path=path) from exc
    except OSError as exc:
        raise CacheFileError("error.cache_create_failed", path=path, reason=exc.strerror or str(exc)) from exc
    try:
        if hasattr(os, "getuid") and os.fstat(fd).st_uid != os.getuid():
            raise CacheFileError("error.cache_other_user", path=path)
        os.fchmod(fd, 0o600) if hasattr(os, "fchmod") else os.chmod(path, 0o600)
    finally:
        os.close(fd)
    _claimed.add(path)


def sqlite_file(path: Path) -> Path:
    """The file requests-cache really uses for `path`: it adds `.sqlite` to a name without a suffix."""
    return path if path.suffix else path.with_name(path.name + ".sqlite")


def damaged(path: Path, exc: BaseException) -> CacheFileError:
    """The sentence for a cache file SQLite cannot use (damaged, truncated, full disk, read-only)."""
    reason = str(exc) or type(exc).__name__
    if "full" in reason.lower():
        return CacheFileError("error.cache_disk_full", path=path, reason=reason)
    return CacheFileError("error.cache_damaged", path=path, reason=reason)


def claim_ratelimit_file(path: Path) -> None:
    """`claim` for the shared rate-limit file, which holds no answers, only the stamps of
    the last minute's requests. A damaged one (seen after a crash of a run) would stop
    every run on the machine, so it is moved aside (never deleted) and started anew."""
    path = Path(os.path.abspath(path))
    if path not in _claimed and path.exists() and path.stat().st_size and not _readable_sqlite(path):
        aside = path.with_name(f"{path.name}.damaged-{int(time.time())}")
        os.replace(path, aside)
        for side in ("-wal", "-shm", "-journal"):
            stale = Path(f"{path}{side}")
            if stale.exists():
                os.replace(stale, Path(f"{aside}{side}"))
        log.warning("the shared rate-limit file was damaged; moved aside to %s and started anew", aside.name)
    claim(path)


def _readable_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return False
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return connection.execute("PRAGMA quick_check(1)").fetchone()[0] == "ok"
        finally:
            connection.close()
    except (OSError, sqlite3.Error):
        return False
