"""Thread-safe counters of what the client did, for --report and benchmarks."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Counters:
    # Keyed by the endpoint's purpose name in the endpoint table ("talent_ids", "job_datas", ...).
    sent: Counter = field(default_factory=Counter)  # endpoint -> requests that went on the wire
    cache_hits: Counter = field(default_factory=Counter)  # endpoint -> answers from the HTTP cache
    key_cache_hits: int = 0  # talent keys answered by the per-key store without any request
    retries: int = 0
    rate_limited: int = 0  # 429 / 99991400 answers seen
    token_refreshes: int = 0
    started: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, endpoint: str | None = None, n: int = 1) -> None:
        with self._lock:
            if endpoint is None:
                setattr(self, name, getattr(self, name) + n)
            else:
                getattr(self, name)[endpoint] += n

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "requests": dict(self.sent),
                "cache_hits": sum(self.cache_hits.values()) + self.key_cache_hits,
                "http_cache_hits": dict(self.cache_hits),
                "key_cache_hits": self.key_cache_hits,
                "retries": self.retries,
                "rate_limited": self.rate_limited,
                "token_refreshes": self.token_refreshes,
                "seconds": round(self.seconds, 3),
            }
