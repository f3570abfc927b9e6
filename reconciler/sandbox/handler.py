"""HTTP request handling: routing by the route table (routes.py), the gateway steps (rate limit, faults, auth, scopes), writing answers.

Order for an API request: count it -> rate windows (429 here; a 429 is not
accepted and gets no latency) -> one fault draw (a faulted request was accepted
and stays in the windows) -> token -> app enabled -> scope -> the endpoint ->
latency -> answer. Auth-family errors use the sandbox's `token_error_status`.
"""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from reconciler.sandbox import auth
from reconciler.sandbox.answer import Answer, fail
from reconciler.sandbox.faults import BAD_GATEWAY_HTML
from reconciler.sandbox.routes import ROUTES, ApiRequest, Route

if TYPE_CHECKING:
    from reconciler.sandbox.server import Sandbox

PREFIX = "/open-apis/"


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
        path = url.path[len(PREFIX):].strip("/") if url.path.startswith(PREFIX) else None
        found = ROUTES.find(method, path) if path is not None else None
        if found is None:  # not in the route table: never some other endpoint's answer
            self._send(fail(404, 404, f"404 page not found: {method} {url.path}"))
            return
        route, path_params = found
        path_params = {name: unquote(value) for name, value in path_params.items()}
        request = ApiRequest(method, path, path_params, parse_qs(url.query, keep_blank_values=True), body,
                             self.headers.get("Authorization"))
        if route.gateway:
            self._api(route, request)
        else:  # the auth endpoint: counted, never limited or faulted
            self.sandbox.limiter.admit(route.key, None, None)
            self._send(route.handler(request, self.sandbox))

    def _api(self, route: Route, request: ApiRequest) -> None:
        sb = self.sandbox
        decision = sb.limiter.admit(route.key, *sb.limits_for(route))
        limit_headers = {"x-ogw-ratelimit-limit": str(decision.limit), "x-ogw-ratelimit-reset": str(decision.reset)}
        if not decision.accepted:
            answer = fail(429, 99991400, "request trigger frequency limit")
            answer.headers.update(limit_headers)
            self._send(answer)
            return
        fault = sb.faults.draw()
        if fault is not None:
            sb.limiter.count_fault(route.key)
        if fault == "drop":
            self.close_connection = True  # the client sees the connection close with no answer
            return
        if fault == "slow":
            time.sleep(sb.slow_seconds)
        if fault == "502":
            answer = Answer(502, BAD_GATEWAY_HTML, content_type="text/html; charset=utf-8")
        elif fault in ("1002001", "500"):
            answer = fail(*route.system_errors[fault])
        else:
            answer = self._authorised(route, request) or route.handler(request, sb)
        delay = sb.faults.delay()
        if delay > 0:
            time.sleep(delay)
        answer.headers.update(limit_headers)
        self._send(answer)

    def _authorised(self, route: Route, request: ApiRequest) -> Answer | None:
        """An error answer if the token, the app or the scopes do not allow this call."""
        sb = self.sandbox
        try:
            sb.tokens.check(request.authorization)
            if sb.app_disabled:
                raise auth.AuthError(auth.APP_DISABLED, "app is disabled or not available")
            needed = route.needed_scopes
            if needed and not any(sb.has_scope(s) for s in needed):
                raise auth.AuthError(auth.SCOPE_MISSING,
                                     f"Access denied. One of the following scopes is required: [{', '.join(needed)}]")
        except auth.AuthError as e:
            return fail(sb.token_error_status, e.code, e.msg)
        return None

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
