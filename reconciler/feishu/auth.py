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
        body = None
        for attempt in range(1, self._attempts + 1):
            try:
                response = self._http.post(
                    self._url,
                    json={"app_id": self._app_id, "app_secret": self._secret},
                    headers={"Content-Type": JSON_CONTENT_TYPE},  # the seed page's fixed value
                    timeout=self._timeout,
                )
                body = response.json()
                if response.status_code < 500:
                    break
            except (requests.RequestException, ValueError):
                body = None
            if attempt < self._attempts:
                time.sleep(0.2 * 2**attempt)
        if body is None:
            raise FeishuError("error.unreachable", url=self._url)
        code = body.get("code")
        if code != 0 or not body.get("tenant_access_token"):
            reason = (Message(AUTH_REFUSALS[code]) if code in AUTH_REFUSALS
                      else Message("reason.feishu_said", msg=body.get("msg", "no message")))
            raise FeishuAuthError("error.credentials_refused", code=code, reason=reason)
        expire = float(body.get("expire") or 7200)
        # Refresh a little before expiry: 5 minutes for real tokens, a quarter of
        # the lifetime for the short-lived ones a test sandbox hands out.
        margin = min(300.0, expire / 4)
        self._token = body["tenant_access_token"]
        self._refresh_at = self.clock() + expire - margin
        log.info("fetched a tenant access token for app %s (valid %.0f s)", self._app_id, expire)
        if self._on_refresh:
            self._on_refresh()
