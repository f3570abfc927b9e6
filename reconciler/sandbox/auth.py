"""tenant_access_token issuing and checking, with Feishu's reuse/rotation rule.

While the current token has more than the refresh window left, the auth endpoint
hands out that same token with its remaining lifetime; inside the window it
issues a new one and the old stays valid until its own expiry. The window is
30 min for Feishu's 2 h tokens, scaled down (ttl / 4) for short test TTLs.
"""

from __future__ import annotations

import math
import secrets
import threading
import time

# Feishu error codes (feishu-api.md, "Auth").
NO_TOKEN = 99991661
TOKEN_EXPIRED = 99991663
TOKEN_INVALID = 99991665
TOKEN_MALFORMED = 99991671
APP_DISABLED = 99991662
SCOPE_MISSING = 99991672
BAD_APP_ID = 99991543
BAD_SECRET = 10014
BAD_PARAM = 10003

REFRESH_WINDOW_MAX = 1800.0


class AuthError(Exception):
    def __init__(self, code: int, msg: str):
        super().__init__(msg)
        self.code, self.msg = code, msg


class TokenStore:
    """Tokens issued so far and their expiry instants (time.monotonic)."""

    def __init__(self, ttl: float):
        self.ttl = ttl
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}
        self._current: str | None = None

    def refresh_window(self) -> float:
        return min(REFRESH_WINDOW_MAX, self.ttl / 4)

    def issue(self) -> tuple[str, int]:
        """The token to hand out now and its whole seconds left."""
        with self._lock:
            now = time.monotonic()
            if self._current is not None:
                left = self._expiry[self._current] - now
                if left > self.refresh_window():
                    return self._current, math.floor(left)
            token = "t-" + secrets.token_hex(20)
            self._expiry[token] = now + self.ttl
            self._current = token
            return token, math.floor(self.ttl)

    def check(self, authorization: str | None) -> None:
        """Raise AuthError unless the Authorization header carries a live token."""
        if not authorization or not authorization.strip():
            raise AuthError(NO_TOKEN, "missing access token")
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer":
            raise AuthError(TOKEN_MALFORMED, "invalid access token format: expected 'Bearer <token>'")
        if not token:
            raise AuthError(NO_TOKEN, "missing access token")
        if not token.startswith("t-"):
            raise AuthError(TOKEN_MALFORMED, "invalid access token format")
        with self._lock:
            expiry = self._expiry.get(token)
            if expiry is None:
                raise AuthError(TOKEN_INVALID, "invalid tenant_access_token")
            if expiry <= time.monotonic():
                raise AuthError(TOKEN_EXPIRED, "invalid access token or expired")

    def age(self, seconds: float) -> None:
        """Bring every token's expiry `seconds` closer, as if that much time had passed."""
        with self._lock:
            for token in self._expiry:
                self._expiry[token] -= seconds

    def expire_all(self) -> None:
        with self._lock:
            now = time.monotonic()
            for token in self._expiry:
                self._expiry[token] = min(self._expiry[token], now)
            self._current = None
