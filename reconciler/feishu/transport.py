"""HTTP plumbing: a requests-cache session whose transport adapter applies the rate limit.

The limiter sits in the transport adapter on purpose: requests-cache answers hits
before the adapter is reached, so cache hits never spend the rate budget, while
every request that does go on the wire (retries included) is counted and limited.
Buckets are per endpoint (Feishu counts each API separately) and per app.

Feishu's limits are per app, not per process, so the buckets are shared by every
run of the app (see docs/shared-limits.md): with the sqlite backend a
pyrate-limiter SQLiteBucket in one file per machine (its file lock makes
check-and-insert atomic across processes); with the redis backend the HTTP cache
(requests-cache RedisCache), the per-key store and a pyrate-limiter RedisBucket
(an atomic Lua check-and-insert) all live in Redis, shared by machines.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlsplit

import requests
from pyrate_limiter import InMemoryBucket, Limiter, RateItem, RedisBucket, SQLiteBucket
from requests.adapters import HTTPAdapter
from requests_cache import CachedSession, SQLiteCache, create_key
from requests_ratelimiter import LimiterAdapter

from reconciler.errors import ReconcilerError
from reconciler.feishu.cacheowner import claim, claim_ratelimit_file, damaged, sqlite_file
from reconciler.feishu.counters import Counters
from reconciler.feishu.endpoints import API_PREFIX, ENDPOINTS, JSON_CONTENT_TYPE, Endpoint, EndpointTable
from reconciler.feishu.ratelimit import REDIS_RATELIMIT_PREFIX as REDIS_RATELIMIT_PREFIX  # re-exported
from reconciler.feishu.ratelimit import (
    EndpointBucketFactory,
    RateLimits,
    bucket_name,
    endpoint_rates,
    learned_rates,
    windows,
)

RATE_LIMITED_CODE = 99991400
FILE_LOCK_POLL_S = 0.002  # how often a request waiting for the rate-limit file's lock asks again

RATELIMIT_FILE = "feishu-ratelimit.sqlite"
# Every key reconciler writes to Redis starts with "reconciler-": `cache clear` deletes
# the first two namespaces and nothing else in the database.
REDIS_HTTP_NAMESPACE = "reconciler-http"  # requests-cache: reconciler-http:<key>, reconciler-http-redirects
REDIS_KEYS_NAMESPACE = "reconciler-keys"  # the per-key store: reconciler-keys:<hash>
# REDIS_RATELIMIT_PREFIX ("reconciler-ratelimit", the buckets) lives in ratelimit.py.
# Redis drops an entry this long after it expired (requests-cache's TTL offset); until
# then an expired answer can still serve --offline.
REDIS_TTL_OFFSET = 86400


class CacheBackendError(ReconcilerError):
    """The configured cache backend cannot be used (e.g. Redis is unreachable)."""

    exit_code = 1


def endpoint_of(url: str) -> str:
    """The path of a URL after /open-apis/ (the sandbox's and Feishu's name for an API)."""
    path = urlparse(url).path
    return path.split(API_PREFIX, 1)[1] if API_PREFIX in path else path.lstrip("/")


@dataclass(frozen=True)
class CacheSettings:
    enabled: bool = True
    path: Path | None = None  # None: the user's cache folder (see default_cache_path)
    expire_after: int = 3600
    offline: bool = False  # answer only from the cache; a miss becomes a per-request error
    backend: str = "sqlite"  # "sqlite" (files on this machine) | "redis" (shared by machines)
    redis_url: str | None = None  # with backend "redis": where Redis is (may hold a password: never shown)
    # sqlite backend: the file holding the rate-limit buckets every run on this machine
    # shares. None: the limit is per process (library use without a shared place).
    ratelimit_path: Path | None = None

    @property
    def uses_redis(self) -> bool:
        return self.backend == "redis"


def default_cache_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("reconciler")) / "feishu-cache.sqlite"


def safe_redis_url(url: str | None) -> str:
    """A Redis URL for messages: scheme, host, port and database, never the password."""
    if not url:
        return "(no Redis URL)"
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix://{parts.path}"
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def open_redis(url: str | None):
    """A connected redis-py client for `url`, or a CacheBackendError saying what to do."""
    if not url:
        raise CacheBackendError("error.redis_no_url")
    try:
        import redis
    except ImportError:  # pragma: no cover - depends on the installation
        raise CacheBackendError("error.redis_not_installed") from None
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30, health_check_interval=30)
        client.ping()
    except (redis.RedisError, ValueError, OSError) as exc:
        raise CacheBackendError("error.redis_unreachable", url=safe_redis_url(url), reason=type(exc).__name__) from None
    return client


def make_limiter(limits: RateLimits | None, cache: CacheSettings | None = None, redis=None,
                 endpoints: EndpointTable = ENDPOINTS) -> Limiter:
    """A limiter whose buckets (one per app and endpoint, see `endpoint_rates`) live where
    `cache` says: Redis, the machine's rate-limit file, or (no shared place) this process's memory."""
    rates_for = endpoint_rates(limits, endpoints)
    if cache is not None and cache.uses_redis:
        factory = EndpointBucketFactory(rates_for, bucket_class=RedisBucket, bucket_init_kwargs={"redis": redis})
    elif cache is not None and cache.ratelimit_path is not None:
        path = cache.ratelimit_path
        claim_ratelimit_file(path)
        private_file(Path(f"{path}.lock"))  # the file lock pyrate-limiter takes around each check-and-insert
        factory = EndpointBucketFactory(
            rates_for, bucket_class=SQLiteBucket, bucket_init_kwargs={"path": path, "use_file_lock": True}
        )
    else:
        factory = EndpointBucketFactory(rates_for, bucket_class=InMemoryBucket)
    # buffer_ms: only enough not to wake a hair before the slot frees; the margin for
    # send-time vs arrival-time skew is in the windows themselves (ratelimit.WINDOW_SLACK_MS).
    return Limiter(factory, buffer_ms=1)


class EndpointLimiterAdapter(LimiterAdapter):
    """requests-ratelimiter's adapter with one bucket per (app, endpoint) instead of per host.

    It also adds the Authorization header: only requests that really go on the
    wire reach the adapter, so a run answered from the cache needs no token.
    """

    def __init__(self, *, app_key: str, counters: Counters, limiter: Limiter, auth=None,
                 endpoints: EndpointTable = ENDPOINTS, **kwargs):
        self.app_key = app_key
        self.counters = counters
        self._turns: dict[str, threading.Lock] = defaultdict(threading.Lock)  # one waiter per bucket
        self.auth = auth
        self.endpoints = endpoints
        super().__init__(limiter=limiter, per_host=True, **kwargs)

    def _endpoint(self, request) -> Endpoint:
        endpoint = self.endpoints.for_url(request.method, request.url)
        if endpoint is None:
            raise LookupError(f"{request.method} {endpoint_of(request.url)} is not in the endpoint table")
        return endpoint

    def _bucket_name(self, request) -> str:  # noqa: D401 - overrides the library's hook
        return bucket_name(self.app_key, self._endpoint(request))

    def send(self, request, **kwargs):
        if request.body is not None and request.headers.get("Content-Type", "").startswith("application/json"):
            request.headers["Content-Type"] = JSON_CONTENT_TYPE  # the seed pages' fixed value
        endpoint = self._endpoint(request)
        # The token first: the slot's stamp must be the moment the request leaves. Taken the
        # other way round, the first requests of a run waited for the token after their
        # stamps and reached Feishu together with the next second's: a 429 at every start.
        if self.auth is not None and endpoint.token:
            request.headers["Authorization"] = f"Bearer {self.auth()}"
        if endpoint.limited:
            self._acquire(bucket_name(self.app_key, endpoint))
        self.counters.add("sent", endpoint.name)
        response = HTTPAdapter.send(self, request, **kwargs)
        if _is_rate_limited(response):
            self._slow_down(request, response)
        return response

    def _slow_down(self, request, response) -> None:
        """After a 429: plan under the limit Feishu named, then fill the bucket.

        Filling is requests-ratelimiter's own reaction (`_fill_bucket`), applied to the
        windows only (it fills the shortest rate, which would be the one-request spacing);
        the bucket is the shared one, so every run of the app pauses, not just this one. Feishu's
        429 also names the exceeded window's limit (x-ogw-ratelimit-limit): a run
        configured above it lowers its own rates for this endpoint, so it converges
        instead of overrunning again each time the window frees.
        """
        with self.limiter.lock:  # no put may run while the rates change under it
            bucket = self.limiter.bucket_factory[self._bucket_name(request)]
            learned = learned_rates(bucket.rates, response.headers)
            if learned is not None:
                bucket.rates = learned
            paced = bucket.rates
            bucket.rates = windows(paced)
            try:
                self._fill_bucket(request)
            finally:
                bucket.rates = paced

    def _acquire(self, name: str) -> None:
        """Take one slot of the bucket, waiting as long as the bucket says.

        The threads of this process take turns (one lock per bucket): only one of
        them polls the bucket and sleeps until its slot, the others queue behind it.
        Sixteen threads all waking when a slot frees would each query the shared
        bucket (a file lock and an SQLite query, or a Redis round trip) for the one
        slot, and their wake-ups would delay the winner past its slot.

        Each attempt is a non-blocking acquire stamped with the clock at that moment.
        The library's blocking wait would re-stamp its item with the time it planned
        to wake up; on a busy machine a thread wakes later than planned, the shared
        window would record the send too early and free its slot too soon.

        The stamp must also be the last thing before the request leaves: the library
        stamps an item first and then takes the bucket's own lock, which its leaker
        thread holds every 300 ms to drop old stamps; for the machine's rate-limit file
        that lock is a file lock, polled every 50 ms. Measured: now and then a request
        left ~50 ms after its stamp, and Feishu saw 51 requests in its second one window
        later (1-2 x 429 in about half the runs). So the bucket's lock is taken before
        the attempt (the lock is re-entrant: the library's own `with` then passes
        straight through).
        """
        with self._turns[name]:
            while True:
                # Holding the limiter's (re-entrant) lock: the non-blocking attempt never
                # fails just because another thread is in the bucket, and the wait read
                # afterwards is this attempt's own verdict. The bucket is looked up (made,
                # the first time) under it too: two threads must not make two buckets.
                with self.limiter.lock:
                    bucket = self.limiter.bucket_factory[name]
                    with _bucket_lock(bucket):
                        if self.limiter.try_acquire(name, blocking=False):
                            return
                        wait_ms = bucket.waiting(RateItem(name, bucket.now()))
                time.sleep(max(wait_ms, 0) / 1000 + self.limiter.buffer_ms / 1000)


def _bucket_lock(bucket):
    """The lock a bucket's own `put` and `leak` take: the rate-limit file's lock for a
    SQLiteBucket (asked for every 2 ms, not the library's 50: a request waiting for it has
    its place in the pacing), the bucket's thread lock in memory; a Redis bucket's
    check-and-insert is one script, with no lock here."""
    if isinstance(bucket, SQLiteBucket) and hasattr(bucket.lock, "lock_file"):  # a FileLock
        return bucket.lock.acquire(poll_interval=FILE_LOCK_POLL_S)
    lock = bucket.lock if isinstance(bucket, SQLiteBucket) else getattr(bucket, "_lock", None)
    return lock if lock is not None else contextlib.nullcontext()


def answer_json(response: requests.Response):
    """The answer's JSON, parsed once: the HTTP cache's filter (code 0? requests-cache asks
    it twice) and the client read it (the adapter too, for a 400), and a page of 100 job
    data took ~2.5 ms to parse, three times on the page-through's chain. Raises
    ValueError as `response.json()` does."""
    parsed = getattr(response, "_reconciler_json", None)
    if parsed is None:
        parsed = response.json()
        with contextlib.suppress(AttributeError):  # a response class without room for it: parsed again next time
            response._reconciler_json = parsed
    return parsed


def _is_rate_limited(response: requests.Response) -> bool:
    """429, or an older API's 400 with code 99991400 (feishu-api.md, rate limits)."""
    if response.status_code == 429:
        return True
    if response.status_code != 400:
        return False
    try:
        return answer_json(response).get("code") == RATE_LIMITED_CODE
    except ValueError:
        return False


def private_file(path: Path) -> None:
    """Create the cache file (and folder) readable by the user only before SQLite opens it;
    refuse a file that is not reconciler's (see `reconciler.feishu.cacheowner`)."""
    claim(path)


def _cache_only_successes(response: requests.Response) -> bool:
    """Only `code == 0` answers of endpoints the table marks `cached` are cached:
    errors, 429s and faults must be asked again."""
    if response.status_code != 200:
        return False
    request = response.request
    endpoint = ENDPOINTS.for_url(request.method, request.url) if request is not None else None
    if endpoint is None or not endpoint.cached:
        return False
    try:
        return answer_json(response).get("code") == 0
    except ValueError:
        return False


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


def make_cache_backend(cache: CacheSettings, redis=None):
    """requests-cache's storage for `cache`: Redis, or the SQLite file (WAL: readers
    never wait for a writer, whether threads or runs sharing the file)."""
    if cache.uses_redis:
        from requests_cache import RedisCache

        return RedisCache(namespace=REDIS_HTTP_NAMESPACE, connection=redis, ttl_offset=REDIS_TTL_OFFSET)
    path = sqlite_file(cache.path or default_cache_path())
    private_file(path)  # SQLite gives its -wal and -shm files the database file's mode
    try:
        return SQLiteCache(path, busy_timeout=30_000, wal=True)
    except sqlite3.Error as exc:
        raise damaged(path, exc) from exc


def make_session(
    *, cache: CacheSettings, limiter: Limiter, app_key: str, counters: Counters, pool_size: int, auth=None,
    redis=None,
) -> requests.Session:
    """A session that caches (or not) and rate-limits what it sends."""
    if cache.enabled or cache.offline:
        session: requests.Session = CachedSession(
            backend=make_cache_backend(cache, redis),
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
