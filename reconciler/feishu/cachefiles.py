"""The cache as a whole: what `reconciler cache info|clear` shows and removes.

sqlite backend: the HTTP cache file, the per-key store beside it and SQLite's side
files. redis backend: reconciler's namespaces in the Redis database (the HTTP cache
and the per-key store) and nothing else. The shared rate-limit state is not cache:
it holds no answers, empties itself within a minute, and clearing it while runs
are going would let them overrun Feishu's limit, so `clear` leaves it alone.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reconciler.feishu.cacheowner import CacheFileError, is_ours
from reconciler.feishu.keystore import OLD_TABLE, TABLE
from reconciler.feishu.transport import (
    REDIS_HTTP_NAMESPACE,
    REDIS_KEYS_NAMESPACE,
    REDIS_RATELIMIT_PREFIX,
    CacheSettings,
    default_cache_path,
    keys_path,
    open_redis,
    safe_redis_url,
)

_SIDE_FILES = ("-wal", "-shm", "-journal")


def _settings(target: CacheSettings | Path) -> CacheSettings:
    return target if isinstance(target, CacheSettings) else CacheSettings(path=Path(target))


def describe(target: CacheSettings | Path) -> dict[str, str]:
    """backend, where, entries, size (and the file mode for sqlite)."""
    settings = _settings(target)
    if settings.uses_redis:
        return _describe_redis(settings)
    path = settings.path or default_cache_path()
    info = {"backend": "sqlite", "path": str(path)}
    if settings.ratelimit_path is not None:
        info["rate limit"] = f"{settings.ratelimit_path} (shared by the runs on this machine)"
    if not path.exists():
        info["entries"] = "0 (no cache file yet)"
        return info
    if not is_ours(path):
        info["entries"] = "this file is not a reconciler cache; choose another cache.path"
        return info
    # A store not opened since its table changed shape still has the old one (keystore.OLD_TABLE).
    keys = sum(_count(keys_path(path), table) for table in (TABLE, OLD_TABLE))
    info["entries"] = f"{_count(path, 'responses')} responses, {keys} remembered keys"
    size = sum(f.stat().st_size for f in _files(path) if f.exists())
    info["size"] = f"{size / 1024:.1f} KiB"
    info["mode"] = oct(path.stat().st_mode & 0o777)
    return info


def clear(target: CacheSettings | Path) -> bool:
    """Remove every cached answer; True when there was something to remove."""
    settings = _settings(target)
    if settings.uses_redis:
        return _clear_redis(settings)
    path = settings.path or default_cache_path()
    # SQLite's side files (-wal, -shm) have no header of their own: they are ours when their database is.
    foreign = [f for f in (path, keys_path(path)) if f.exists() and not is_ours(f)]
    if foreign:
        raise CacheFileError("error.cache_clear_not_ours", path=foreign[0])
    removed = False
    for candidate in _files(path):
        if candidate.exists():
            candidate.unlink()
            removed = True
    return removed


def where(target: CacheSettings | Path) -> str:
    """The cache's place for messages (a Redis URL without its password)."""
    settings = _settings(target)
    if settings.uses_redis:
        return f"{safe_redis_url(settings.redis_url)} ({REDIS_HTTP_NAMESPACE}*, {REDIS_KEYS_NAMESPACE}*)"
    return str(settings.path or default_cache_path())


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


def _redis_stores(client):
    """requests-cache's own views of reconciler's namespaces: the HTTP cache and the per-key store."""
    from requests_cache import RedisCache
    from requests_cache.backends.redis import RedisDict

    return RedisCache(namespace=REDIS_HTTP_NAMESPACE, connection=client), RedisDict(
        REDIS_KEYS_NAMESPACE, connection=client, serializer=None
    )


def _describe_redis(settings: CacheSettings) -> dict[str, str]:
    client = open_redis(settings.redis_url)
    try:
        http, keys = _redis_stores(client)
        responses, remembered = len(http.responses), len(keys)
        patterns = (f"{REDIS_HTTP_NAMESPACE}:*", f"{REDIS_HTTP_NAMESPACE}-redirects", f"{REDIS_KEYS_NAMESPACE}:*")
        size = sum(client.memory_usage(key) or 0 for pattern in patterns for key in client.scan_iter(match=pattern))
    finally:
        client.close()
    return {
        "backend": "redis",
        "url": safe_redis_url(settings.redis_url),
        "namespaces": f"{REDIS_HTTP_NAMESPACE}, {REDIS_KEYS_NAMESPACE}",
        "rate limit": f"{REDIS_RATELIMIT_PREFIX}:* (shared by every machine using this Redis)",
        "entries": f"{responses} responses, {remembered} remembered keys",
        "size": f"{size / 1024:.1f} KiB",
    }


def _clear_redis(settings: CacheSettings) -> bool:
    client = open_redis(settings.redis_url)
    try:
        http, keys = _redis_stores(client)
        had = len(http.responses) + len(http.redirects) + len(keys) > 0
        http.clear()
        keys.clear()
    finally:
        client.close()
    return had
