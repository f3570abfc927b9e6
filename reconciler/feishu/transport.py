"""HTTP plumbing: a requests-cache session whose transport adapter applies the rate limit.

The limiter sits in the transport adapter on purpose: requests-cache answers hits
before the adapter is reached, so cache hits never spend the rate budget, while
every request that does go on the wire (retries included) is counted and limited.
Buckets are per endpoint (Feishu counts each API separately) and per app.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import requests
from pyrate_limiter import Duration, InMemoryBucket, Limiter, Rate
from requests_cache import CachedSession, SQLiteCache, create_key
from requests_ratelimiter import LimiterAdapter
from requests_ratelimiter.buckets import HostBucketFactory

from .counters import Counters

API_PREFIX = "/open-apis/"
ENDPOINT_AUTH = "auth/v3/tenant_access_token/internal"
ENDPOINT_TALENTS = "hire/v1/talents/batch_get_id"
ENDPOINT_JOB_DATAS = "corehr/v1/job_datas"


def endpoint_of(url: str) -> str:
    """The endpoint name of a URL: its path after /open-apis/."""
    path = urlparse(url).path
    return path.split(API_PREFIX, 1)[1] if API_PREFIX in path else path.lstrip("/")


@dataclass(frozen=True)
class RateLimits:
    """Per-endpoint limits. Feishu allows 50/s and 1000/min; we stay a little under
    (send-time vs arrival-time skew on the wire) unless told otherwise."""

    per_second: float = 48
    per_minute: float = 980

    def rates(self) -> list[Rate]:
        # A window that can never bind is left out (the limiter wants each longer
        # window to allow more requests, but at a lower rate, than the shorter one).
        rates = []
        if self.per_second < self.per_minute:
            rates.append(Rate(int(self.per_second), Duration.SECOND))
        if self.per_minute < self.per_second * 60:
            rates.append(Rate(int(self.per_minute), Duration.MINUTE))
        return rates


class EndpointLimiterAdapter(LimiterAdapter):
    """requests-ratelimiter's adapter with one bucket per (app, endpoint) instead of per host.

    It also adds the Authorization header: only requests that really go on the
    wire reach the adapter, so a run answered from the cache needs no token.
    """

    def __init__(self, *, app_key: str, counters: Counters, limiter: Limiter, auth=None, **kwargs):
        self.app_key = app_key
        self.counters = counters
        self.auth = auth
        super().__init__(limiter=limiter, per_host=True, **kwargs)

    def _bucket_name(self, request) -> str:  # noqa: D401 - overrides the library's hook
        return f"{self.app_key}:{endpoint_of(request.url)}"

    def send(self, request, **kwargs):
        if self.auth is not None:
            request.headers["Authorization"] = f"Bearer {self.auth()}"
        self.counters.add("sent", endpoint_of(request.url))
        return super().send(request, **kwargs)


def make_limiter(limits: RateLimits, bucket_class=InMemoryBucket, bucket_kwargs: dict | None = None) -> Limiter:
    factory = HostBucketFactory(rates=limits.rates(), bucket_class=bucket_class, bucket_init_kwargs=bucket_kwargs)
    # buffer_ms: slack after a window frees, for send-time vs arrival-time skew on the wire.
    return Limiter(factory, buffer_ms=100)


def private_file(path: Path) -> None:
    """Create the cache file (and folder) readable by the user only before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _cache_only_successes(response: requests.Response) -> bool:
    """Only `code == 0` answers are cached: errors, 429s and faults must be asked again."""
    if response.status_code != 200:
        return False
    try:
        return response.json().get("code") == 0
    except ValueError:
        return False


@dataclass(frozen=True)
class CacheSettings:
    enabled: bool = True
    path: Path | None = None  # None: the user's cache folder (see default_cache_path)
    expire_after: int = 3600
    offline: bool = False  # answer only from the cache; a miss becomes a per-request error


def default_cache_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("reconciler")) / "feishu-cache.sqlite"


def _identity_key_fn(app_key: str):
    """Cache keys name the app, not the host: the embedded sandbox listens on a new
    port each run, and a rerun against it must still hit the cache."""

    def key_fn(request, **kwargs) -> str:
        parsed = urlparse(request.url)
        copy = request.copy()
        copy.url = parsed._replace(scheme="https", netloc=app_key).geturl()
        return create_key(copy, **kwargs)

    return key_fn


def keys_path(cache_path: Path) -> Path:
    """The per-key store's file, beside the HTTP cache. A file of its own: two
    connections writing one SQLite file from one process can block each other
    for the whole busy timeout."""
    return cache_path.with_name(cache_path.stem + "-keys" + (cache_path.suffix or ".sqlite"))


def make_session(
    *, cache: CacheSettings, limiter: Limiter, app_key: str, counters: Counters, pool_size: int, auth=None
) -> requests.Session:
    """A session that caches (or not) and rate-limits what it sends."""
    if cache.enabled or cache.offline:
        path = cache.path or default_cache_path()
        private_file(path)
        session: requests.Session = CachedSession(
            # WAL: readers never wait for a writer (threads, and runs sharing the file).
            backend=SQLiteCache(path, busy_timeout=30_000, wal=True),
            expire_after=cache.expire_after,
            allowable_methods=("GET", "POST"),
            allowable_codes=(200,),
            filter_fn=_cache_only_successes,
            # Authorization is neither part of the key nor stored with the cached request.
            ignored_parameters=("Authorization",),
            match_headers=False,
            only_if_cached=cache.offline,
            key_fn=_identity_key_fn(app_key),
        )
    else:
        session = requests.Session()
    adapter = EndpointLimiterAdapter(
        app_key=app_key, counters=counters, limiter=limiter, auth=auth, pool_connections=4, pool_maxsize=pool_size
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
