"""A per-key answer store in front of the HTTP cache.

The HTTP cache keys a whole batch request; change one row of a 5,000-row sheet
and every batch it touches is a new request. Storing each key's answer (the
talents it resolved to, possibly none) lets a rerun send only the keys it has
not seen, so editing a few rows costs a few requests. Keys are hashed, and only answers of `code == 0` requests are stored. It is a
SQLite file of its own beside the HTTP cache (requests-cache's SQLiteDict).
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from requests_cache.backends.sqlite import SQLiteDict

from .keys import TalentKey
from .models import Talent
from .transport import keys_path, private_file


class KeyStore:
    def __init__(self, cache_path: Path, *, app_key: str, expire_after: int, offline: bool = False):
        path = keys_path(cache_path)
        private_file(path)
        self._dict = SQLiteDict(path, table_name="talent_keys", serializer=None, busy_timeout=30_000, wal=True)
        self._app_key = app_key
        self._expire_after = expire_after
        self._offline = offline

    def _id(self, name: str) -> str:
        return hashlib.sha256(f"{self._app_key}|{name}".encode()).hexdigest()

    def _fresh(self, stored: str) -> dict | None:
        record = json.loads(stored)
        # Offline means "use what we have": an old answer beats no answer.
        if self._offline or time.time() - record["t"] < self._expire_after:
            return record
        return None

    def get(self, key: TalentKey) -> list[Talent] | None:
        stored = self._dict.get(self._id(f"{key.kind}|{key.group}|{key.value}"))
        record = self._fresh(stored) if stored else None
        return None if record is None else [Talent.model_validate(t) for t in record["v"]]

    def put_many(self, answers: dict[TalentKey, list[Talent]]) -> None:
        now = time.time()
        items = {
            self._id(f"{k.kind}|{k.group}|{k.value}"): json.dumps(
                {"t": now, "v": [t.model_dump(exclude_none=True) for t in talents]}, ensure_ascii=False
            )
            for k, talents in answers.items()
        }
        with self._dict.bulk_commit():  # one transaction for the whole batch
            for name, value in items.items():
                self._dict[name] = value

    def get_value(self, name: str):
        """A small fact remembered between runs (e.g. a tenant's job-data count), or None."""
        stored = self._dict.get(self._id(f"fact|{name}"))
        return json.loads(stored)["v"] if stored else None

    def put_value(self, name: str, value) -> None:
        self._dict[self._id(f"fact|{name}")] = json.dumps({"t": time.time(), "v": value})

    def clear(self) -> None:
        self._dict.clear()
