"""A per-key answer store in front of the HTTP cache.

The HTTP cache keys a whole batch request; change one row of a 5,000-row sheet
and every batch it touches is a new request. Storing each key's answer (the
talents it resolved to, possibly none) lets a rerun send only the keys it has
not seen, so editing a few rows costs a few requests. Keys are hashed, and only
answers of `code == 0` requests are stored. It lives where the HTTP cache does:
a SQLite file of its own beside the cache file (requests-cache's SQLiteDict), or
with cache.backend redis in Redis (its twin, RedisDict), shared by machines.

The SQLite table is WITHOUT ROWID, so a key's record sits in the key's own B-tree
(requests-cache's tables find a key in an index, then its record in the table: on
a warm 100,000-row sheet's ~150,000 keys, twice the time). Freshness is judged by
SQLite from the start of each record, and only the keys without a fresh answer
come back (`stale_keys`): on a warm sheet, none of ~150,000.
"""

from __future__ import annotations

import sqlite3

import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any

from pydantic_core import from_json
from requests_cache.backends.sqlite import SQLiteDict

from reconciler.feishu.keys import TalentKey
from reconciler.feishu.models import Talent, trusted_talent
from reconciler.feishu.cacheowner import damaged
from reconciler.feishu.transport import (
    REDIS_KEYS_NAMESPACE,
    REDIS_TTL_OFFSET,
    CacheSettings,
    default_cache_path,
    keys_path,
    open_redis,
    private_file,
)


TABLE = "talent_answers"
OLD_TABLE = "talent_keys"  # the same records in requests-cache's own table shape (before 2026-11-30)
# A record of any age will do: offline runs, and keys found fresh when the run began.
ANY_AGE = float("-inf")
STAMPED = '{"t": '  # how put_many, put_records and put_value start a record, its time next
FRESH_SET = "fresh-set|"  # a fact: a set of keys (by digest) -> the time of its oldest record


class _AnswerTable(SQLiteDict):
    """requests-cache's SQLiteDict (connection, locking, WAL, clear) over a WITHOUT ROWID table;
    a store of the old shape is moved into it once, in one transaction."""

    def init_db(self):
        self.close()
        # One transaction (SQLiteDict begins it IMMEDIATE): another run opening the store
        # meanwhile waits, then finds it moved.
        with self.connection(commit=True) as con:
            con.execute(f"CREATE TABLE IF NOT EXISTS {self.table_name} "
                        "(key TEXT PRIMARY KEY, value BLOB, expires INTEGER) WITHOUT ROWID")
            if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (OLD_TABLE,)).fetchone():
                con.execute(f"INSERT OR IGNORE INTO {self.table_name} (key, value, expires) "
                            f"SELECT key, value, expires FROM {OLD_TABLE} ORDER BY key")
                con.execute(f"DROP TABLE {OLD_TABLE}")


class KeyStore:
    def __init__(
        self, cache_path: Path | None, *, app_key: str, expire_after: int, offline: bool = False,
        redis_url: str | None = None,
    ):
        """The store beside the SQLite cache file `cache_path`, or in Redis when `redis_url` is given."""
        if redis_url:
            from requests_cache.backends.redis import RedisDict

            self._redis = open_redis(redis_url)
            self._dict = RedisDict(REDIS_KEYS_NAMESPACE, connection=self._redis, serializer=None)
        else:
            path = keys_path(cache_path or default_cache_path())
            private_file(path)
            self._redis = None
            try:
                self._dict = _AnswerTable(path, table_name=TABLE, serializer=None, busy_timeout=30_000, wal=True)
            except sqlite3.Error as exc:
                raise damaged(path, exc) from exc
        self._app_key = app_key
        self._expire_after = expire_after
        self._offline = offline

    @classmethod
    def for_cache(cls, cache: CacheSettings, *, app_key: str) -> KeyStore:
        """The store that goes with these cache settings (same backend, same place)."""
        return cls(
            cache.path, app_key=app_key, expire_after=cache.expire_after, offline=cache.offline,
            redis_url=cache.redis_url if cache.uses_redis else None,
        )

    def _id(self, name: str) -> str:
        return hashlib.sha256(f"{self._app_key}|{name}".encode()).hexdigest()

    def _fresh(self, stored: str | bytes) -> dict | None:
        record = json.loads(stored)
        # Offline means "use what we have": an old answer beats no answer.
        if self._offline or time.time() - record["t"] < self._expire_after:
            return record
        return None

    def get(self, key: TalentKey) -> list[Talent] | None:
        stored = self._dict.get(self._id(f"{key.kind}|{key.group}|{key.value}"))
        record = self._fresh(stored) if stored else None
        return None if record is None else [trusted_talent(t) for t in record["v"]]

    def get_many(self, keys) -> dict[TalentKey, list[Talent]]:
        """The fresh stored answers of many keys (missing or stale keys are left out)."""
        return {key: stored_talents(record) for key, record in self.get_many_stored(keys).items()}

    def fresh_after(self) -> float:
        """The time a record must have been stored after to count as fresh (offline: any)."""
        return ANY_AGE if self._offline else time.time() - self._expire_after

    def get_many_stored(self, keys, fresh_after: float | None = None) -> dict[TalentKey, str]:
        """The fresh stored answers of many keys as stored (JSON text; `stored_talents` decodes one).

        One query (or one Redis MGET) per 900 keys: a warm 100,000-row sheet has
        ~150,000 keys, and asking for each one (`get`) took ~6 s of the run. Left as
        text because decoded talents take ~1.4 KB each, the text ~0.2 KB.
        """
        return dict(self._fresh_records(keys, fresh_after))

    def fresh_keys(self, keys, fresh_after: float | None = None) -> set[TalentKey]:
        """Which keys have a fresh stored answer."""
        keys = set(keys)
        return keys - self.stale_keys(keys, fresh_after)

    def stale_keys(self, keys, fresh_after: float | None = None) -> set[TalentKey]:
        """The keys with no fresh stored answer (never stored, or stored too long ago).

        SQLite reads each record's time from its start and returns only these keys;
        handing back ~150,000 fresh ones of a warm 100,000-row sheet, to be looked at
        in Python, took ~1.5 s. A record of another shape comes back to be read here.

        A set of keys found all fresh is remembered with the time of its oldest record
        (`FRESH_SET`): asked about the same set again while that record is fresh, the
        store answers from that one fact. Records are only ever replaced by newer ones
        and cleared all together (facts with them), so every key still has its answer.
        A warm rerun of a 100,000-row sheet: ~0.15 s to name the set instead of ~0.45 s.
        Not with Redis, which may evict a record before its time."""
        keys = keys if isinstance(keys, (set, frozenset)) else set(keys)
        after = self.fresh_after() if fresh_after is None else fresh_after
        fact = FRESH_SET + _set_digest(keys) if keys and self._redis is None else None
        oldest = self.get_value(fact) if fact else None
        if isinstance(oldest, (int, float)) and oldest > after:
            return set()
        ids = {self._id(f"{k.kind}|{k.group}|{k.value}"): k for k in keys}
        names = sorted(ids)  # neighbouring keys share the store's pages
        stale = set()
        for start in range(0, len(names), 900):
            for name, stored in self._unfresh(names[start : start + 900], after):
                if stored is None or _stamp(stored) <= after:
                    stale.add(ids[name])
        if fact and not stale:
            oldest = self._oldest(names)
            if oldest is not None:
                self.put_value(fact, oldest)
        return stale

    def remember_fresh(self, keys, oldest: float) -> None:
        """Remember that every one of `keys` has a record stored at `oldest` or later (see `stale_keys`):
        a run that asked Feishu about every key and stored every answer knows it without reading them."""
        keys = keys if isinstance(keys, (set, frozenset)) else set(keys)
        if keys and self._redis is None:  # Redis may evict a record before its time: no such promise there
            self.put_value(FRESH_SET + _set_digest(keys), oldest)

    def _oldest(self, names: list[str]) -> float | None:
        """The time of the oldest of these records; None if one is missing or not of put_many's shape."""
        oldest = float("inf")
        with self._dict.connection() as con:
            for start in range(0, len(names), 900):
                chunk = names[start : start + 900]
                found, others, earliest = con.execute(
                    f"SELECT COUNT(*), SUM(substr(value, 1, 6) <> '{STAMPED}'), "
                    f"MIN(CASE WHEN substr(value, 1, 6) = '{STAMPED}' THEN CAST(substr(value, 7, 32) AS REAL) END) "
                    f"FROM {self._dict.table_name} WHERE key IN ({','.join('?' * len(chunk))})", chunk).fetchone()
                if found != len(chunk) or others or earliest is None:
                    return None
                oldest = min(oldest, earliest)
        return oldest

    def _unfresh(self, names: list[str], after: float) -> list[tuple[str, str | bytes | None]]:
        """(name, None) for names without a fresh record, (name, record) for records SQLite cannot date."""
        if self._redis is not None:
            return [(name, stored or None) for name, stored in self._stored(names, whole=False)
                    if not stored or after != ANY_AGE]
        query = (
            f"WITH wanted(key) AS (VALUES {','.join(['(?)'] * len(names))}) "
            f"SELECT wanted.key, CASE WHEN stored.key IS NULL OR substr(stored.value, 1, 6) = '{STAMPED}' "
            "THEN NULL ELSE stored.value END "
            f"FROM wanted LEFT JOIN {self._dict.table_name} AS stored ON stored.key = wanted.key "
            f"WHERE stored.key IS NULL OR substr(stored.value, 1, 6) <> '{STAMPED}' "
            # CAST reads the number at the start of the text: the record's time
            "OR CAST(substr(stored.value, 7, 32) AS REAL) <= ?"
        )
        with self._dict.connection() as con:
            return con.execute(query, [*names, after]).fetchall()

    def _fresh_records(self, keys, fresh_after: float | None):
        ids = {self._id(f"{k.kind}|{k.group}|{k.value}"): k for k in keys}
        names = sorted(ids)  # neighbouring keys share SQLite index pages: half the time of a random order
        after = self.fresh_after() if fresh_after is None else fresh_after
        for start in range(0, len(names), 900):
            for name, stored in self._stored(names[start : start + 900]):
                if stored:
                    text = stored if isinstance(stored, str) else stored.decode("utf-8")
                    if after == ANY_AGE or _stamp(text) > after:  # any age will do: no need to read it
                        yield ids[name], text

    def _stored(self, names: list[str], whole: bool = True) -> list[tuple[str, str | bytes | None]]:
        if self._redis is not None:
            return list(zip(names, self._redis.mget([f"{REDIS_KEYS_NAMESPACE}:{n}" for n in names])))
        # Not whole: only the start of a record written by put_many, which holds its time.
        value = "value" if whole else "CASE WHEN substr(value, 1, 6) = '{\"t\": ' THEN substr(value, 1, 64) ELSE value END"
        with self._dict.connection() as con:
            query = f"SELECT key, {value} FROM {self._dict.table_name} WHERE key IN ({','.join('?' * len(names))})"
            return con.execute(query, names).fetchall()

    def put_many(self, answers: dict[TalentKey, list[Talent]]) -> None:
        now = time.time()
        items = {
            self._id(f"{k.kind}|{k.group}|{k.value}"): json.dumps(
                {"t": now, "v": [t.model_dump(exclude_none=True) for t in talents]}, ensure_ascii=False
            )
            for k, talents in answers.items()
        }
        self._write(items)

    def get_records(self, namespace: str, keys) -> dict[str, Any]:
        """Fresh stored values of many keys of one namespace (e.g. the names of departments by ID);
        missing or stale keys are left out. A stored None is an answer too ("no name")."""
        ids = {self._id(f"{namespace}|{k}"): k for k in keys}
        names = sorted(ids)
        found = {}
        for start in range(0, len(names), 900):
            for name, stored in self._stored(names[start : start + 900]):
                record = self._fresh(stored) if stored else None
                if record is not None:
                    found[ids[name]] = record["v"]
        return found

    def put_records(self, namespace: str, values: dict[str, Any]) -> None:
        now = time.time()
        self._write({self._id(f"{namespace}|{k}"): json.dumps({"t": now, "v": v}, ensure_ascii=False)
                     for k, v in values.items()})

    def _write(self, items: dict[str, str]) -> None:
        if self._redis is not None:
            # One round trip for the batch; each answer expires like the HTTP cache's.
            with self._redis.pipeline(transaction=False) as pipe:
                for name, value in items.items():
                    pipe.set(f"{REDIS_KEYS_NAMESPACE}:{name}", value, ex=self._expire_after + REDIS_TTL_OFFSET)
                pipe.execute()
            return
        # One transaction and one statement for the whole batch: a value at a time
        # (`self._dict[name] = value`) was 100 statements holding the store's lock, which
        # the other lookup threads queued behind while answers came back at 50/s.
        with self._dict.bulk_commit(), self._dict.connection() as con:
            con.executemany(f"INSERT OR REPLACE INTO {self._dict.table_name} (key, value, expires) VALUES (?, ?, NULL)",
                            list(items.items()))

    def get_value(self, name: str):
        """A small fact remembered between runs (e.g. a tenant's job-data count), or None."""
        stored = self._dict.get(self._id(f"fact|{name}"))
        return json.loads(stored)["v"] if stored else None

    def put_value(self, name: str, value) -> None:
        self._dict[self._id(f"fact|{name}")] = json.dumps({"t": time.time(), "v": value})

    def clear(self) -> None:
        self._dict.clear()

    def close(self) -> None:
        self._dict.close()


_STAMP = re.compile(r'\{"t": (-?[0-9][0-9.eE+-]*), ')  # how put_many writes a record's start


def _set_digest(keys) -> str:
    """A name for a set of keys, the same in every process (str hashes are not)."""
    lines = sorted(f"{k.kind}|{k.group}|{k.value}" for k in keys)
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass")).hexdigest()


def _stamp(stored: str | bytes) -> float:
    """When a record was stored, read from its first bytes (decoding 150,000 records to read
    one number each took ~0.7 s); any other shape is decoded whole."""
    text = stored if isinstance(stored, str) else stored.decode("utf-8")
    match = _STAMP.match(text)
    return float(match.group(1)) if match else json.loads(text)["t"]


def stored_talents(record: str) -> list[Talent]:
    """The talents of one record of `get_many_stored` (pydantic's JSON parser: half the time of
    the json module's, 150,000 times in a warm 100,000-row run)."""
    return [trusted_talent(t) for t in from_json(record)["v"]]
