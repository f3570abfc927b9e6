"""The client's rate-limit buckets: one per app and endpoint, at the endpoint's own limits.

Feishu counts each API separately (feishu-api.md, feishu-names.md: 50/s and
1000/min for most, 5/s or 100/min for some), so every endpoint of the table
(endpoints.py) gets its own bucket, a little under its own limits. The buckets
live where transport.make_limiter puts them (memory, a shared SQLite file, Redis).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pyrate_limiter import Duration, InMemoryBucket, Rate, RedisBucket, SQLiteBucket
from requests_ratelimiter.buckets import HostBucketFactory, prepare_sqlite_kwargs

from reconciler.feishu.endpoints import ENDPOINTS, Endpoint, EndpointTable

REDIS_RATELIMIT_PREFIX = "reconciler-ratelimit"  # buckets: reconciler-ratelimit:<app>:<endpoint path>
# Our windows are this much longer than Feishu's 1 s and 60 s: a request counts
# against the budget from the moment it is let through until Feishu's window has
# surely let go of it, even when it reached Feishu late (a busy machine: measured
# with four runs on two cores, a request can take a few hundred ms to arrive).
WINDOW_SLACK_MS = 100


def bucket_name(app_key: str, endpoint: Endpoint) -> str:
    """One rate-limit bucket per app and endpoint: `<app>:<path>` (the path as the table has it)."""
    return f"{app_key}:{endpoint.path}"


@dataclass(frozen=True)
class RateLimits:
    """A bucket's limits (None: no such window). By default each endpoint gets `under(endpoint)`,
    a little under Feishu's figures in the table (send-time vs arrival-time skew on the wire):
    48/s and 980/min for 50/s and 1000/min. A RateLimits given to the client applies to every endpoint."""

    per_second: float | None = 48
    per_minute: float | None = 980

    @classmethod
    def under(cls, endpoint: Endpoint) -> RateLimits:
        ps, pm = endpoint.per_second, endpoint.per_minute
        return cls(None if ps is None else max(1, ps - math.ceil(ps * 0.04)),
                   None if pm is None else max(1, pm - math.ceil(pm * 0.02)))

    def rates(self) -> list[Rate]:
        # A window that can never bind is left out (the limiter wants each longer
        # window to allow more requests, but at a lower rate, than the shorter one).
        rates = []
        ps = math.inf if self.per_second is None else self.per_second
        pm = math.inf if self.per_minute is None else self.per_minute
        if ps < pm:
            rates.append(Rate(int(ps), Duration.SECOND.value + WINDOW_SLACK_MS))
        if pm < ps * 60:
            rates.append(Rate(int(pm), Duration.MINUTE.value + WINDOW_SLACK_MS))
        return rates


def endpoint_rates(limits: RateLimits | None, endpoints: EndpointTable = ENDPOINTS):
    """rates_for(bucket name): `limits` if given, else a little under the bucket's endpoint's own."""

    def rates_for(name: str) -> list[Rate]:
        path = name.split(":", 1)[1]  # "<app key>:<path>"; the app key is hex
        endpoint = next((e for e in endpoints if e.path == path), None)
        if endpoint is None:
            raise LookupError(f"no endpoint with path {path!r} in the endpoint table")
        return (limits or RateLimits.under(endpoint)).rates()

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
            return SQLiteBucket.init_from_file(rates=rates, **kwargs)
        return InMemoryBucket(rates)


def learned_rates(rates: list[Rate], headers) -> list[Rate] | None:
    """`rates` lowered under the limit a 429 named, or None when they already are.

    x-ogw-ratelimit-reset tells the window: within a second it is the per-second
    one (a per-minute window about to reset would at worst lower a per-second rate
    that cannot bind anyway). We stay under it by the same margins as the defaults
    (48 of 50 per second, 980 of 1000 per minute)."""
    try:
        limit = int(headers.get("x-ogw-ratelimit-limit") or 0)
        reset = float(headers.get("x-ogw-ratelimit-reset") or 0)
    except ValueError:
        return None
    if limit <= 0:
        return None
    per_second = min((r.limit for r in rates if r.interval < Duration.MINUTE.value), default=math.inf)
    per_minute = min((r.limit for r in rates if r.interval >= Duration.MINUTE.value), default=math.inf)
    if reset <= 1:
        per_second = min(per_second, max(1, limit - math.ceil(limit * 0.04)))
    else:
        per_minute = min(per_minute, max(1, limit - math.ceil(limit * 0.02)))
    lowered = RateLimits(per_second, per_minute).rates()
    same = [(r.limit, r.interval) for r in lowered] == [(r.limit, r.interval) for r in rates]
    return None if same or not lowered else lowered
