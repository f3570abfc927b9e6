"""The client's rate-limit buckets: one per app and endpoint, at the endpoint's own limits.

Feishu counts each API separately (feishu-api.md, feishu-names.md: 50/s and
1000/min for most, 5/s or 100/min for some), so every endpoint of the table
(endpoints.py) gets its own bucket. The buckets live where
transport.make_limiter puts them (memory, a shared SQLite file, Redis): one
budget per app across threads, processes and machines.

The pacer is pyrate-limiter's sliding-window log with three rates per bucket
(docs/performance.md, "Pacing"):

- spacing: at most PAIR (4) requests per PAIR x 1000/limit ms (80 ms at 50/s).
  Requests go out evenly, a few at a time, instead of a window's worth at once
  and then nothing until the window frees: no queue forms in front of Feishu (or
  in our own threads), so each request reaches Feishu soon after it is let through;
- the per-second window: Feishu's own limit, counted over 1 s + WINDOW_SLACK_MS;
- the per-minute window: Feishu's own limit, over 60 s + WINDOW_SLACK_MS. It is
  not spaced: a run under 1000 requests goes at the per-second pace and a
  longer one waits for the minute, as a perfect scheduler would.

The safety margin is the window slack and nothing else: the limits are Feishu's
figures. A request counts from the moment it is let through (its stamp), but
Feishu counts it when it arrives; requests 50 apart may arrive closer together
than they were stamped by as much as their delays on the way differ. With the
windows WINDOW_SLACK_MS longer than Feishu's, any such difference up to the slack
is harmless. Measured on a 2-core machine: from the stamp to the request's header
up to ~25 ms (the bucket's own SQL and commit happen after the stamp; threads waiting
for the interpreter), from the header to the sandbox's arrival stamp up to ~7 ms
with the pacer (bursts of 50 at once: 15-60 ms). The slack costs 3% of the
per-second throughput (at most 50 per 1.03 s). What the slack cannot cover is a
wait after the stamp that is not on the way: the access token is therefore fetched
before the slot is taken (transport.py; the first requests of every run used to
wait for it after their stamps, and met a 429 a second later).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pyrate_limiter import Duration, InMemoryBucket, Rate, RedisBucket, SQLiteBucket
from requests_ratelimiter.buckets import HostBucketFactory, prepare_sqlite_kwargs

from reconciler.feishu.endpoints import ENDPOINTS, Endpoint, EndpointTable

REDIS_RATELIMIT_PREFIX = "reconciler-ratelimit"  # buckets: reconciler-ratelimit:<app>:<endpoint path>
# How much longer our windows are than Feishu's 1 s and 60 s: the largest difference
# between two requests' delays from being let through to reaching Feishu that can never
# make Feishu see one request too many in a window (see the module docstring).
WINDOW_SLACK_MS = 30
# Spacing below this many ms is not kept (pyrate-limiter counts whole milliseconds; a
# limit that high is a test's or a warm-up's "no limit").
MIN_SPACING_MS = 2
# The spacing rate lets PAIR requests through per PAIR/limit seconds (4 per 80 ms at
# 50/s) rather than one per 1/limit: a thread that wakes a little late for its slot
# does not push every later slot back (spacing from the last stamp alone loses each
# late wake-up for good: ~44/s instead of 48.5 measured on a busy machine).
PAIR = 4


def bucket_name(app_key: str, endpoint: Endpoint) -> str:
    """One rate-limit bucket per app and endpoint: `<app>:<path>` (the path as the table has it)."""
    return f"{app_key}:{endpoint.path}"


@dataclass(frozen=True)
class RateLimits:
    """A bucket's limits (None: no such window). By default each endpoint gets `of(endpoint)`,
    its own limits from the table (the margin is in the windows' length, not the counts).
    A RateLimits given to the client applies to every endpoint."""

    per_second: float | None = 50
    per_minute: float | None = 1000

    @classmethod
    def of(cls, endpoint: Endpoint) -> RateLimits:
        return cls(endpoint.per_second, endpoint.per_minute)

    def rates(self) -> list[Rate]:
        # A window that can never bind is left out (the limiter wants each longer
        # window to allow more requests, but at a lower rate, than the shorter one).
        rates = []
        ps = math.inf if self.per_second is None else self.per_second
        pm = math.inf if self.per_minute is None else self.per_minute
        if ps < pm:
            second = Rate(int(ps), Duration.SECOND.value + WINDOW_SLACK_MS)
            spacing = int(PAIR * Duration.SECOND.value // ps) if ps >= 2 * PAIR else 0
            if spacing >= MIN_SPACING_MS and PAIR / spacing > second.limit / second.interval:
                rates.append(Rate(PAIR, spacing))
            rates.append(second)
        if pm < ps * 60:
            rates.append(Rate(int(pm), Duration.MINUTE.value + WINDOW_SLACK_MS))
        return rates


def windows(rates: list[Rate]) -> list[Rate]:
    """The rates that count Feishu's windows (per second, per minute), without the spacing."""
    return [r for r in rates if r.interval >= Duration.SECOND.value]


def endpoint_rates(limits: RateLimits | None, endpoints: EndpointTable = ENDPOINTS):
    """rates_for(bucket name): `limits` if given, else the bucket's endpoint's own."""

    def rates_for(name: str) -> list[Rate]:
        path = name.split(":", 1)[1]  # "<app key>:<path>"; the app key is hex
        endpoint = next((e for e in endpoints if e.path == path), None)
        if endpoint is None:
            raise LookupError(f"no endpoint with path {path!r} in the endpoint table")
        return (limits or RateLimits.of(endpoint)).rates()

    return rates_for


class EndpointBucketFactory(HostBucketFactory):
    """requests-ratelimiter's one-bucket-per-name factory, each bucket at its endpoint's
    rates; a Redis bucket's key gets reconciler's prefix (the library would use the
    bare name for every backend)."""

    def __init__(self, rates_for, **kwargs):
        super().__init__([], **kwargs)
        self.rates_for = rates_for

    def _create_bucket(self, name: str):
        rates = self.rates_for(name)
        if self.bucket_class is RedisBucket:
            key = f"{REDIS_RATELIMIT_PREFIX}:{name}"
            return RedisBucket.init(rates=rates, redis=self.bucket_init_kwargs["redis"], bucket_key=key)
        if self.bucket_class is SQLiteBucket:
            kwargs = prepare_sqlite_kwargs(self.bucket_init_kwargs, name)
            bucket = SQLiteBucket.init_from_file(rates=rates, **kwargs)
            # No fsync: a request is stamped before its row is committed, and a WAL
            # checkpoint's fsyncs (every few hundred requests) held one request back by
            # tens of ms after its stamp, enough for Feishu to see 51 in a second. The
            # file holds the last minute's stamps: losing it to a power cut is harmless.
            bucket.conn.execute("PRAGMA synchronous=OFF")
            return bucket
        return InMemoryBucket(rates)


def learned_rates(rates: list[Rate], headers) -> list[Rate] | None:
    """`rates` lowered to the limit a 429 named, or None when they already are.

    x-ogw-ratelimit-reset tells the window: within a second it is the per-second
    one (a per-minute window about to reset would at worst lower a per-second rate
    that cannot bind anyway). The learned limit is Feishu's figure itself: the
    margin is the windows' slack, as for the defaults. Rates configured above
    Feishu's limit therefore converge to it after one 429."""
    try:
        limit = int(headers.get("x-ogw-ratelimit-limit") or 0)
        reset = float(headers.get("x-ogw-ratelimit-reset") or 0)
    except ValueError:
        return None
    if limit <= 0:
        return None
    counted = windows(rates)
    per_second = min((r.limit for r in counted if r.interval < Duration.MINUTE.value), default=math.inf)
    per_minute = min((r.limit for r in counted if r.interval >= Duration.MINUTE.value), default=math.inf)
    if reset <= 1:
        per_second = min(per_second, limit)
    else:
        per_minute = min(per_minute, limit)
    lowered = RateLimits(None if per_second == math.inf else per_second,
                         None if per_minute == math.inf else per_minute).rates()
    same = [(r.limit, r.interval) for r in lowered] == [(r.limit, r.interval) for r in rates]
    return None if same or not lowered else lowered
