"""HTTP request handling: routing, the gateway steps (rate limit, faults, auth, scopes), writing answers.

Order for an API request: count it -> rate windows (429 here; a 429 is not
accepted and gets no latency) -> one fault draw (a faulted request was accepted
and stays in the windows) -> token -> app enabled -> scope -> the endpoint ->
latency -> answer. Auth-family errors use the sandbox's `token_error_status`.
"""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from reconciler.sandbox import auth
from reconciler.sandbox.answer import Answer, fail
from reconciler.sandbox.faults import BAD_GATEWAY_HTML
from reconciler.sandbox.job_datas_api import list_job_datas
from reconciler.sandbox.talents_api import batch_get_id

if TYPE_CHECKING:
    from reconciler.sandbox.server import Sandbox

PREFIX = "/open-apis/"
ENDPOINT_AUTH = "auth/v3/tenant_access_token/internal"
ENDPOINT_TALENTS = "hire/v1/talents/batch_get_id"
ENDPOINT_JOB_DATAS = "corehr/v1/job_datas"
ROUTES = {("POST", ENDPOINT_AUTH), ("POST", ENDPOINT_TALENTS), ("GET", ENDPOINT_JOB_DATAS)}

ENDPOINT_SCOPES = {
    ENDPOINT_TALENTS: ("hire:talent:readonly", "hire:talent"),
    ENDPOINT_JOB_DATAS: ("corehr:corehr:readonly", "corehr:job_data:read", "corehr:corehr", "corehr:job_data:write"),
}
# What each endpoint's back end answers when it fails ("1002001" and "500" faults).
SYSTEM_ERRORS = {
    ENDPOINT_TALENTS: {"1002001": (200, 1002001, "system error"), "500": (500, 1002001, "system error")},
    ENDPOINT_JOB_DATAS: {"1002001": (500, 1160999, "unknown error"), "500": (500, 1160999, "unknown error")},
}


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so a requests.Session reuses connections
    # Headers and body leave in one segment, without Nagle: otherwise the client's
    # delayed ACK adds ~40 ms to every answer.
    disable_nagle_algorithm = True
    wbufsize = -1

    def version_string(self) -> str:
        return "feishu-sandbox"

    @property
    def sandbox(self) -> Sandbox:
        return self.server.sandbox  # type: ignore[attr-defined]

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # library code prints nothing; tests and runs stay quiet

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")  # no such route: a JSON 404, like any unknown path

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():  # trailers
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self, method: str) -> None:
        body = self._read_body()
        url = urlsplit(self.path)
        endpoint = url.path[len(PREFIX):].strip("/") if url.path.startswith(PREFIX) else None
        if (method, endpoint) not in ROUTES:
            self._send(fail(404, 404, f"404 page not found: {method} {url.path}"))
        elif endpoint == ENDPOINT_AUTH:
            self._send(self._auth(body))
        else:
            self._api(endpoint, body, parse_qs(url.query, keep_blank_values=True))

    def _auth(self, raw: bytes) -> Answer:
        sb = self.sandbox
        sb.limiter.admit(ENDPOINT_AUTH, limited=False)
        try:
            body = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = None
        status = sb.token_error_status
        if not isinstance(body, dict) or not body.get("app_id") or not body.get("app_secret"):
            return fail(status, auth.BAD_PARAM, "invalid param: app_id and app_secret are required")
        if body["app_id"] != sb.app_id:
            return fail(status, auth.BAD_APP_ID, "app_id or app_secret is invalid")
        if body["app_secret"] != sb.app_secret:
            return fail(status, auth.BAD_SECRET, "app secret invalid")
        if sb.app_disabled:
            return fail(status, auth.APP_DISABLED, "app is disabled or not available")
        token, expire = sb.tokens.issue()
        return Answer(200, {"code": 0, "msg": "ok", "tenant_access_token": token, "expire": expire})

    def _api(self, endpoint: str, raw: bytes, query: dict[str, list[str]]) -> None:
        sb = self.sandbox
        decision = sb.limiter.admit(endpoint)
        limit_headers = {"x-ogw-ratelimit-limit": str(decision.limit), "x-ogw-ratelimit-reset": str(decision.reset)}
        if not decision.accepted:
            answer = fail(429, 99991400, "request trigger frequency limit")
            answer.headers.update(limit_headers)
            self._send(answer)
            return
        fault = sb.faults.draw()
        if fault is not None:
            sb.limiter.count_fault(endpoint)
        if fault == "drop":
            self.close_connection = True  # the client sees the connection close with no answer
            return
        if fault == "slow":
            time.sleep(sb.slow_seconds)
        if fault == "502":
            answer = Answer(502, BAD_GATEWAY_HTML, content_type="text/html; charset=utf-8")
        elif fault in ("1002001", "500"):
            answer = fail(*SYSTEM_ERRORS[endpoint][fault])
        else:
            answer = self._authorised(endpoint) or self._serve(endpoint, raw, query)
        delay = sb.faults.delay()
        if delay > 0:
            time.sleep(delay)
        answer.headers.update(limit_headers)
        self._send(answer)

    def _authorised(self, endpoint: str) -> Answer | None:
        """An error answer if the token, the app or the scopes do not allow this call."""
        sb = self.sandbox
        try:
            sb.tokens.check(self.headers.get("Authorization"))
            if sb.app_disabled:
                raise auth.AuthError(auth.APP_DISABLED, "app is disabled or not available")
            needed = ENDPOINT_SCOPES[endpoint]
            if not any(sb.has_scope(s) for s in needed):
                raise auth.AuthError(auth.SCOPE_MISSING,
                                     f"Access denied. One of the following scopes is required: [{', '.join(needed)}]")
        except auth.AuthError as e:
            return fail(sb.token_error_status, e.code, e.msg)
        return None

    def _serve(self, endpoint: str, raw: bytes, query: dict[str, list[str]]) -> Answer:
        sb = self.sandbox
        if endpoint == ENDPOINT_TALENTS:
            return batch_get_id(raw, sb.tenant, sb.has_scope)
        return list_job_datas(query, sb.tenant, sb.has_scope, sb.page_tokens)

    def _send(self, answer: Answer) -> None:
        payload = answer.payload()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

