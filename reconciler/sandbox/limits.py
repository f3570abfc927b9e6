"""Per-endpoint sliding-window rate limits and the request statistics tests read.

Each route has its endpoint's own limits (the endpoint table: e.g. 50/s and
1000/min, 5/s, or 100/min); a sandbox's per_second / per_minute, when set,
replace them for every rate-limited route.

A request is *accepted* when it enters the windows; a 429 does not. Both the
limiter and the statistics use the same `time.monotonic()` instant, taken under
one lock, so `max_per_second` / `max_per_minute` are exactly the largest number
of accepted requests that any 1 s / 60 s window (t - w, t] ever held.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

SECOND, MINUTE = 1.0, 60.0


@dataclass(frozen=True)
class Decision:
    """The limiter's verdict; `limit`/`reset` feed the x-ogw-ratelimit-* headers."""

    accepted: bool
    limit: int
    reset: int


class _Window:
    """Timestamps of accepted requests within the last `length` seconds."""

    def __init__(self, length: float):
        self.length = length
        self.times: deque[float] = deque()

    def count(self, now: float) -> int:
        while self.times and self.times[0] <= now - self.length:
            self.times.popleft()
        return len(self.times)

    def reset_in(self, now: float) -> int:
        """Whole seconds (>= 1) until the oldest request leaves the window."""
        if not self.times:
            return 1
        return max(1, math.ceil(self.times[0] + self.length - now))


class _EndpointCounters:
    def __init__(self) -> None:
        self.requests = self.accepted = self.rate_limited = self.faults = 0
        self.second, self.minute = _Window(SECOND), _Window(MINUTE)
        self.max_per_second = self.max_per_minute = 0

    def record_accepted(self, now: float) -> None:
        self.accepted += 1
        self.second.times.append(now)
        self.minute.times.append(now)
        self.max_per_second = max(self.max_per_second, self.second.count(now))
        self.max_per_minute = max(self.max_per_minute, self.minute.count(now))

    def as_dict(self) -> dict[str, int]:
        return {"requests": self.requests, "accepted": self.accepted, "rate_limited": self.rate_limited,
                "faults": self.faults, "max_per_second": self.max_per_second, "max_per_minute": self.max_per_minute}


class Stats:
    """What the sandbox received, per endpoint (one entry per route of the route table). Thread-safe."""

    def __init__(self, endpoints: Callable[[], Iterable[str]]):
        self._endpoints = endpoints  # read at each reset: the route table's keys
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._by_endpoint = {e: _EndpointCounters() for e in self._endpoints()}

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {e: c.as_dict() for e, c in self._by_endpoint.items()}

    # The methods below are called by the server with `lock` already held.
    @property
    def lock(self) -> threading.Lock:
        return self._lock

    def counters(self, endpoint: str) -> _EndpointCounters:
        if endpoint not in self._by_endpoint:  # a route registered after the sandbox started
            self._by_endpoint[endpoint] = _EndpointCounters()
        return self._by_endpoint[endpoint]


class RateLimiter:
    """Sliding 1 s and 60 s windows per endpoint, as the Feishu gateway applies them.

    `per_second` / `per_minute`: None, each route's own limits; a number replaces them for every limited route."""

    def __init__(self, stats: Stats, per_second: int | None = None, per_minute: int | None = None):
        self.stats = stats
        self.per_second, self.per_minute = per_second, per_minute
        self._windows: dict[str, tuple[_Window, _Window]] = {}

    def limits(self, per_second: int | None, per_minute: int | None) -> tuple[int | None, int | None]:
        """The limits applied to an endpoint whose own are these (None: no such window)."""
        if per_second is None and per_minute is None:
            return None, None  # not rate-limited (the auth endpoint)
        return (per_second if self.per_second is None else self.per_second,
                per_minute if self.per_minute is None else self.per_minute)

    def admit(self, endpoint: str, per_second: int | None, per_minute: int | None) -> Decision:
        """Count a received request; accept it unless a window with a limit is full."""
        with self.stats.lock:
            now = time.monotonic()
            counters = self.stats.counters(endpoint)
            counters.requests += 1
            second, minute = self._windows.setdefault(endpoint, (_Window(SECOND), _Window(MINUTE)))
            in_second, in_minute = second.count(now), minute.count(now)  # also drops what left the windows
            windows = [(w, n, limit) for w, n, limit in ((second, in_second, per_second), (minute, in_minute, per_minute))
                       if limit is not None]
            over = [(w.reset_in(now), limit) for w, n, limit in windows if n >= limit]
            if over:
                # Both full: the longer wait is the one that matters.
                reset, limit = max(over)
                counters.rate_limited += 1
                return Decision(False, limit, reset)
            second.times.append(now)
            minute.times.append(now)
            counters.record_accepted(now)
            if not windows:
                return Decision(True, 0, 0)
            # On success report the window closest to full (the per-second one on a tie).
            w, n, limit = max(windows, key=lambda x: (x[1] + 1) / x[2])
            return Decision(True, limit, w.reset_in(now))

    def count_fault(self, endpoint: str) -> None:
        with self.stats.lock:
            self.stats.counters(endpoint).faults += 1
