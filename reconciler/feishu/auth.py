"""tenant_access_token for an internal app: fetched, cached in memory, refreshed early.

One refresh at a time across threads: callers hold the lock only while a fetch
is needed; a thread that was told "token invalid" passes the token it used to
`invalidate`, so N threads hitting the same expiry cause one fetch, not N.
The secret and the token never appear in an exception message or a log line.
"""

from __future__ import annotations

import logging
import threading
import time

import requests

from reconciler.errors import FeishuAuthError, FeishuError
from reconciler.feishu.endpoints import API_PREFIX, JSON_CONTENT_TYPE, TENANT_TOKEN
from reconciler.messages.render import Message

log = logging.getLogger("reconciler.feishu.auth")

# Codes at the auth endpoint that mean "the app or its credentials are refused".
AUTH_REFUSALS = {  # code -> catalogue key of the reason
    10003: "reason.app_id_invalid",
    10014: "reason.secret_invalid",
    99991543: "reason.credentials_wrong",
    99991662: "reason.app_not_installed",
    99991673: "reason.app_unavailable",
}


class MissingCredentialsError(FeishuAuthError):
    """No app_id / app_secret were given: a configuration problem (exit 2), raised when
    the first request needs a token, so that a run answered from the cache needs none."""

    exit_code = 2


FAILURE_MEMORY_SECONDS = 10.0


class TokenProvider:
    def __init__(
        self,
        base_url: str,
        app_id: str | None,
        app_secret: str | None,
        *,
        timeout: float = 10.0,
        attempts: int = 3,
        on_refresh=None,
        clock=time.monotonic,
    ):
        self._url = base_url.rstrip("/") + API_PREFIX + TENANT_TOKEN.path
        self._app_id = app_id
        self._secret = app_secret
        self._timeout = timeout
        self._attempts = attempts
        self._on_refresh = on_refresh
        self.clock = clock  # replaceable so tests can move time without sleeping
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0
        self._failure: tuple[float, Message] | None = None  # (until when, why) the last fetch failed
        # Auth is never cached and not rate-limited (TENANT_TOKEN in the endpoint table).
        self._http = requests.Session()

    def get(self) -> str:
        token = self._token
        if token is not None and self.clock() < self._refresh_at:
            return token
        with self._lock:
            if self._token is None or self.clock() >= self._refresh_at:
                self._fetch()
            return self._token  # type: ignore[return-value]

    def invalidate(self, token: str) -> None:
        """Forget `token` (Feishu said it is invalid) unless another thread already replaced it."""
        with self._lock:
            if self._token == token:
                self._token = None

    def _fetch(self) -> None:
        if not self._app_id or not self._secret:
            raise MissingCredentialsError("error.missing_credentials")
        if self._failure is not None and self.clock() < self._failure[0]:
            raise FeishuError(self._failure[1])
        body, failure = None, None
        for attempt in range(1, self._attempts + 1):
            try:
                response = self._http.post(
                    self._url,
                    json={"app_id": self._app_id, "app_secret": self._secret},
                    headers={"Content-Type": JSON_CONTENT_TYPE},  # the seed page's fixed value
                    timeout=self._timeout,
                )
            except requests.RequestException:
                body, failure = None, Message("error.unreachable", url=self._url)
            else:
                body, failure = _token_answer(response, self._url)
                if body is not None and response.status_code < 500:
                    break
            if attempt < self._attempts:
                time.sleep(0.2 * 2**attempt)
        if body is None:
            # Remembered for a few seconds: every request of the run waits for a token, and
            # each would otherwise spend the same retries learning the same thing.
            self._failure = (self.clock() + FAILURE_MEMORY_SECONDS, failure or Message("error.unreachable", url=self._url))
            raise FeishuError(self._failure[1])
        code = body.get("code")
        if code != 0 or not body.get("tenant_access_token"):
            reason = (Message(AUTH_REFUSALS[code]) if code in AUTH_REFUSALS
                      else Message("reason.feishu_said", msg=body.get("msg", "no message")))
            raise FeishuAuthError("error.credentials_refused", code=code, reason=reason)
        try:
            expire = float(body.get("expire") or 7200)
        except (TypeError, ValueError):
            # Not a number of seconds: assume Feishu's usual two hours. A token that dies
            # sooner is answered with 99991663, and the request is replayed with a new one.
            log.warning("the token answer's expire is not a number of seconds; assuming 7200")
            expire = 7200.0
        # Refresh a little before expiry: 5 minutes for real tokens, a quarter of
        # the lifetime for the short-lived ones a test sandbox hands out.
        margin = min(300.0, expire / 4)
        self._token = body["tenant_access_token"]
        self._refresh_at = self.clock() + expire - margin
        log.info("fetched a tenant access token for app %s (valid %.0f s)", self._app_id, expire)
        if self._on_refresh:
            self._on_refresh()


def _token_answer(response: requests.Response, url: str) -> tuple[dict | None, Message | None]:
    """(the JSON object, None), or (None, what came back instead) in words a person can check."""
    kind = response.headers.get("Content-Type", "").split(";")[0].strip() or "?"
    try:
        body = response.json()
    except ValueError:
        return None, Message("error.auth_not_json", url=url, status=response.status_code, kind=kind)
    if not isinstance(body, dict) or "code" not in body:
        return None, Message("error.auth_wrong_shape", url=url, status=response.status_code)
    return body, None
