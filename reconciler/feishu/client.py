"""FeishuClient: typed, retried, rate-limited, cached calls to the endpoints of the table
(reconciler/feishu/endpoints.py, which also says what adding an endpoint takes).

Knows nothing about spreadsheets. One logical call = one request on the wire,
plus retries: transient failures (5xx, the endpoint's transient codes such as
1002001 or 11609xx, dropped connections, timeouts) back off exponentially with
jitter up to `max_retries`; a 429 /
99991400 waits `x-ogw-ratelimit-reset`; an expired or invalid token is replaced
and the request replayed once. Everything else surfaces as a FeishuError.
"""

from __future__ import annotations

import sqlite3

import collections
import hashlib
import logging
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_random_exponential

from reconciler.errors import FeishuAuthError, FeishuError, FeishuScopeError
from reconciler.feishu.auth import TokenProvider
from reconciler.feishu.answers import MalformedAnswerError, validated_items  # noqa: F401 - re-exported
from reconciler.feishu.cacheowner import damaged
from reconciler.messages.render import Message
from reconciler.feishu.counters import Counters
from reconciler.feishu.endpoints import API_PREFIX, JOB_DATAS, TALENT_IDS, Endpoint
from reconciler.feishu.models import JobData, Talent
from reconciler.feishu.name_calls import NameCalls
from reconciler.feishu.transport import (
    CacheSettings,
    answer_json,
    default_cache_path,
    RateLimits,
    make_limiter,
    make_session,
    open_redis,
)

log = logging.getLogger("reconciler.feishu")

BASE_URLS = {"feishu": "https://open.feishu.cn", "lark": "https://open.larksuite.com"}
TOKEN_INVALID = {99991663, 99991665, 99991671}
TOKEN_MISSING = 99991661
SCOPE_MISSING = 99991672
APP_REFUSED = {99991662: "reason.app_disabled", 99991673: "reason.app_unavailable"}  # code -> catalogue key
RATE_LIMITED = 99991400
QUOTA_SPENT = 99991403
INVALID_MOBILE = 1002009


class TransientError(FeishuError):
    """Worth retrying: the next attempt may well succeed."""


class RateLimitedError(FeishuError):
    def __init__(self, key: str, reset: float):
        super().__init__(key, code=RATE_LIMITED, http_status=429)
        self.reset = reset


class CacheMissError(FeishuError):
    """--offline and the answer is not in the cache."""


class InvalidMobileError(FeishuError):
    """1002009: a mobile number or code in the request is not valid; the whole request failed."""


@dataclass(frozen=True)
class JobDataPage:
    items: list[JobData]
    has_more: bool
    page_token: str | None


def resolve_base_url(base_url: str | None) -> str:
    url = (base_url or BASE_URLS["feishu"]).strip()
    return BASE_URLS.get(url.lower(), url).rstrip("/")


class FeishuClient(NameCalls):
    """A client for one app on one tenant. Thread-safe; share one per run.
    The name look-ups' typed calls are NameCalls' (reconciler/feishu/name_calls.py)."""

    def __init__(
        self,
        base_url: str | None = None,
        app_id: str | None = None,
        app_secret: str | None = None,
        *,
        cache: CacheSettings | None = None,
        limits: RateLimits | None = None,
        workers: int = 16,
        timeout: tuple[float, float] = (5.0, 30.0),
        max_retries: int = 5,
        max_rate_limit_waits: int = 20,
        backoff: float = 0.25,
        max_backoff: float = 8.0,
        counters: Counters | None = None,
        limiter=None,
        cache_identity: str | None = None,
    ):
        self.base_url = resolve_base_url(base_url)
        self.counters = counters or Counters()
        # why requests failed after their retries (reason -> how many): the run's warnings say it
        # once, on the terminal, instead of only in each row's note
        self.failures: collections.Counter[str] = collections.Counter()
        self.cache = cache or CacheSettings(enabled=False)
        self.limits = limits  # None: each endpoint a little under its own limits in the table
        self.workers = max(1, workers)
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_rate_limit_waits = max_rate_limit_waits
        self._backoff = wait_random_exponential(multiplier=backoff, max=max_backoff)
        # Buckets and cache entries are keyed by app (never by secret); the sandbox
        # passes a fixed identity because its URL changes from run to run.
        identity = cache_identity or f"{self.base_url}|{app_id or ''}"
        self.app_key = hashlib.sha256(identity.encode()).hexdigest()[:16]
        self.tokens = TokenProvider(
            self.base_url, app_id, app_secret, on_refresh=lambda: self.counters.add("token_refreshes")
        )
        # With cache.backend redis the HTTP cache and the rate-limit buckets share one connection.
        self.redis = open_redis(self.cache.redis_url) if self.cache.uses_redis else None
        self._owns_limiter = limiter is None
        self.limiter = limiter or make_limiter(self.limits, self.cache, self.redis)
        self.session = make_session(
            cache=self.cache, limiter=self.limiter, app_key=self.app_key, counters=self.counters,
            pool_size=self.workers + 4, auth=self.tokens.get, redis=self.redis,
        )

    # -- plumbing -------------------------------------------------------------

    def close(self) -> None:
        self.session.close()
        if self._owns_limiter:
            self.limiter.close()  # its leak thread and bucket connections
        # The Redis connection is not closed here: the limiter's leak thread may be
        # finishing one last clean-up on it; redis-py releases it with the client.

    def __enter__(self) -> FeishuClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def executor(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="feishu")

    def call(self, endpoint: Endpoint, *, params=None, body=None, path_params=None) -> dict:
        """Send one call of `endpoint` (an entry of the endpoint table) with retries; return its `data` object."""
        url = self.base_url + API_PREFIX + endpoint.url_path(path_params)
        retrying = Retrying(
            retry=retry_if_exception_type((TransientError, RateLimitedError)),
            stop=self._should_stop,
            wait=self._wait,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        return retrying(self._call_once, endpoint, url, params, body)

    def _should_stop(self, state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        waits = getattr(state, "rate_limit_waits", 0)
        if isinstance(exc, RateLimitedError):
            state.rate_limit_waits = waits + 1  # type: ignore[attr-defined]
            return waits + 1 > self.max_rate_limit_waits
        failures = state.attempt_number - waits
        return failures > self.max_retries

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimitedError):
            return exc.reset + random.uniform(0, 0.25)
        return self._backoff(state)

    def _before_sleep(self, state: RetryCallState) -> None:
        self.counters.add("retries")
        exc = state.outcome.exception() if state.outcome else None
        endpoint = state.args[0].path if state.args else "?"
        log.warning("retrying %s (attempt %d failed: %s)", endpoint, state.attempt_number, exc)

    def _call_once(self, endpoint: Endpoint, url: str, params, body) -> dict:
        outcome = self._send(endpoint, url, params, body)
        if isinstance(outcome, _TokenRejected):
            # Expired or invalid: forget it, so the replay carries a fresh one; replay once.
            self.tokens.invalidate(outcome.token)
            outcome = self._send(endpoint, url, params, body)
            if isinstance(outcome, _TokenRejected):
                raise FeishuAuthError("error.fresh_token_rejected")
        return outcome

    def _send(self, endpoint: Endpoint, url: str, params, body):
        # The transport adapter adds Authorization, only for requests that go on the wire.
        try:
            response = self.session.request(endpoint.method, url, params=params, json=body, timeout=self.timeout)
        except requests.Timeout as exc:
            raise TransientError("error.feishu_timeout", seconds=f"{self.timeout[1]:g}") from exc
        except requests.ConnectionError as exc:
            raise TransientError("error.feishu_connection") from exc
        except sqlite3.Error as exc:  # the cache file, mid-run: damaged, full disk, made read-only
            raise damaged(self.cache.path or default_cache_path(), exc) from exc
        if self.cache.offline and response.status_code == 504:
            raise CacheMissError("error.offline_miss")  # requests-cache's only-if-cached miss
        if getattr(response, "from_cache", False):
            self.counters.add("cache_hits", endpoint.name)
        return self._interpret(response, endpoint)

    def _interpret(self, response: requests.Response, endpoint: Endpoint):
        status = response.status_code
        try:
            payload = answer_json(response)
            code, msg = payload.get("code"), payload.get("msg", "")
        except ValueError:
            payload, code, msg = None, None, ""
        if status == 429 or code == RATE_LIMITED:
            self.counters.add("rate_limited")
            reset = _float(response.headers.get("x-ogw-ratelimit-reset"), default=1.0)
            raise RateLimitedError("error.rate_limited", reset=max(reset, 0.05))
        if code == 0:
            return payload.get("data") or {}
        if code in TOKEN_INVALID:
            used = (response.request.headers.get("Authorization") or "").removeprefix("Bearer ")
            return _TokenRejected(used)
        if code == SCOPE_MISSING:
            raise FeishuScopeError("error.scope_missing", endpoint=_endpoint_label(response), code=code)
        if code in APP_REFUSED:
            raise FeishuAuthError("error.app_refused", code=code, reason=Message(APP_REFUSED[code]))
        if code == TOKEN_MISSING:
            raise FeishuAuthError("error.token_missing", code=code)
        if code == QUOTA_SPENT:
            raise FeishuError("error.quota_spent", code=code)
        if code == INVALID_MOBILE:
            raise InvalidMobileError("error.invalid_mobile", code=code)
        if code in endpoint.transient_codes or status >= 500 or payload is None:
            what = f"code {code}" if code is not None else f"HTTP {status}"
            raise TransientError("error.feishu_temporary", what=what, code=code, http_status=status)
        raise FeishuError("error.feishu_answered", code=code, msg=msg, http_status=status)

    def is_cached(self, endpoint: Endpoint, *, params=None, body=None, path_params=None) -> bool:
        """Whether this call would be answered by the HTTP cache (for --dry-run's count)."""
        cache = getattr(self.session, "cache", None)
        if cache is None or not endpoint.cached:
            return False
        url = self.base_url + API_PREFIX + endpoint.url_path(path_params)
        request = requests.Request(endpoint.method, url, params=params, json=body)
        prepared = self.session.prepare_request(request)
        response = cache.get_response(cache.create_key(prepared))
        return response is not None and not response.is_expired

    # -- typed endpoints ------------------------------------------------------

    def batch_get_talent_ids(
        self,
        *,
        mobile_code: str | None = None,
        mobile_number_list: list[str] | None = None,
        email_list: list[str] | None = None,
        identification_type: int | None = None,
        identification_number_list: list[str] | None = None,
    ) -> list[Talent]:
        """POST /open-apis/hire/v1/talents/batch_get_id. Lists are AND-combined by Feishu."""
        body: dict = {}
        if mobile_number_list:
            body["mobile_code"] = mobile_code or "86"
            body["mobile_number_list"] = list(mobile_number_list)
        if email_list:
            body["email_list"] = list(email_list)
        if identification_number_list:
            if identification_type is None:
                raise ValueError("identification_type is required with identification_number_list")
            body["identification_type"] = int(identification_type)
            body["identification_number_list"] = list(identification_number_list)
        if not body:
            raise ValueError("send at least one of mobile_number_list, email_list, identification_number_list")
        data = self.call(TALENT_IDS, body=body)
        return validated_items(Talent, data.get("talent_list"), field="talent_list")

    def job_datas_page(
        self,
        *,
        page_size: int = 100,
        page_token: str | None = None,
        employment_id: str | None = None,
        job_data_id_list: list[str] | None = None,
        department_id: str | None = None,
        job_id: str | None = None,
        get_all_version: bool | None = None,
        user_id_type: str | None = None,
        department_id_type: str | None = None,
    ) -> JobDataPage:
        """One page of GET /open-apis/corehr/v1/job_datas."""
        params = job_datas_params(
            page_size=page_size, page_token=page_token, employment_id=employment_id,
            job_data_id_list=job_data_id_list, department_id=department_id, job_id=job_id,
            get_all_version=get_all_version, user_id_type=user_id_type, department_id_type=department_id_type,
        )
        return job_data_page(self.call(JOB_DATAS, params=params))

    def iter_job_datas(self, *, page_size: int = 100, page_token: str | None = None, **query) -> Iterator[JobData]:
        """Every job_data matching the query, following page_token while has_more."""
        for page in self.iter_job_data_pages(page_size=page_size, page_token=page_token, **query):
            yield from page.items

    def iter_job_data_pages(self, *, page_size: int = 100, page_token: str | None = None, **query) -> Iterator[JobDataPage]:
        params = job_datas_params(page_size=page_size, page_token=page_token, **query)
        for data in self.iter_data_pages(JOB_DATAS, params=params):
            yield job_data_page(data)

    def iter_data_pages(self, endpoint: Endpoint, *, params=None, body=None, path_params=None) -> Iterator[dict]:
        """Every page's `data` of a paged endpoint, following page_token (sent in the query) while has_more.
        `params` carries page_size (and a first page_token if resuming)."""
        params = dict(params or {})
        seen: set[str] = set()
        while True:
            data = self.call(endpoint, params=params, body=body, path_params=path_params)
            yield data
            token = data.get("page_token") if data.get("has_more") else None
            if not token or token in seen:
                return  # a repeated token would loop forever: stop rather than spin
            seen.add(token)
            params = _with_page_token(params, token)


def _job_datas_query(*, page_token=None, employment_id=None, department_id=None, job_id=None,
                     user_id_type=None, department_id_type=None) -> dict:
    return dict(locals())  # in this order whatever order the caller used; an unknown name is a TypeError


def job_datas_params(*, page_size: int = 100, job_data_id_list=None, get_all_version=None, **optional) -> dict:
    """The query of GET job_datas: page_size as a string, the ID list as a repeated key, always in one order."""
    params: dict = {"page_size": str(page_size)}
    params.update({k: v for k, v in _job_datas_query(**optional).items() if v is not None})
    if job_data_id_list:
        params["job_data_id_list"] = list(job_data_id_list)  # requests repeats the key
    if get_all_version is not None:
        params["get_all_version"] = "true" if get_all_version else "false"
    return params


def _with_page_token(params: dict, token: str) -> dict:
    """`params` with page_token set right after page_size (where a first page_token would be)."""
    out: dict = {}
    for key, value in params.items():
        if key != "page_token":
            out[key] = value
        if key == "page_size":
            out["page_token"] = token
    out.setdefault("page_token", token)
    return out


def job_data_page(data: dict) -> JobDataPage:
    """One page's `data` of GET job_datas, validated."""
    items = validated_items(JobData, data.get("items"), field="items")
    has_more = bool(data.get("has_more"))
    return JobDataPage(items, has_more, data.get("page_token") if has_more else None)


@dataclass(frozen=True)
class _TokenRejected:
    token: str  # the token Feishu refused, so only that one is invalidated


def _float(text, *, default: float) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return default


def _endpoint_label(response: requests.Response) -> str:
    url = response.url or ""
    return url.split(API_PREFIX, 1)[-1].split("?")[0] if API_PREFIX in url else "this API"
