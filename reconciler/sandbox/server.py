"""The sandbox server: a loopback ThreadingHTTPServer in a daemon thread, configurable at runtime."""

from __future__ import annotations

import hashlib
import sys
import threading
from collections.abc import Iterable
from http.server import ThreadingHTTPServer
from typing import Any

from reconciler.sandbox.auth import TokenStore
from reconciler.sandbox.faults import DEFAULT_FAULTS, FaultInjector, check_faults, check_latency
from reconciler.sandbox.handler import SandboxHandler
from reconciler.sandbox.job_datas_api import PageTokens
from reconciler.sandbox.limits import RateLimiter, Stats
from reconciler.sandbox.routes import ROUTES, Route
from reconciler.sandbox.tenant import Tenant, demo_tenant

SANDBOX_APP_ID = "cli_sandbox"
SANDBOX_APP_SECRET = "sandbox-secret"

_RUNTIME_OPTIONS = frozenset({
    "app_id", "app_secret", "scopes", "app_disabled", "token_ttl", "per_second", "per_minute", "latency",
    "fault_rate", "faults", "slow_seconds", "token_error_status", "seed",
})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent clients must queue, not be refused
    sandbox: Sandbox

    def handle_error(self, request, client_address) -> None:
        # A client that gave up (timeout during a "slow" fault, Ctrl-C) is normal here, not worth a traceback.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class Sandbox:
    """A fake Feishu Open Platform serving one tenant on loopback.

    `scopes=None` grants every scope. `latency` is seconds (or a (min, max) range)
    added to each accepted API answer. Each route is rate-limited at its endpoint's
    own limits (routes.py); `per_second` / `per_minute` replace them for every
    limited route. See handler.py for the order of checks.
    """

    def __init__(self, tenant: Tenant | None = None, app_id: str = SANDBOX_APP_ID,
                 app_secret: str = SANDBOX_APP_SECRET, scopes: Iterable[str] | None = None,
                 app_disabled: bool = False, token_ttl: float = 7200, per_second: int | None = None,
                 per_minute: int | None = None, latency: float | tuple[float, float] = 0.0, fault_rate: float = 0.0,
                 faults: Iterable[str] = DEFAULT_FAULTS, slow_seconds: float = 5.0, token_error_status: int = 400,
                 seed: int = 0, host: str = "127.0.0.1", port: int = 0):
        self.tenant = tenant if tenant is not None else demo_tenant()
        self.host, self.port = host, port
        self.app_id, self.app_secret = app_id, app_secret
        self.scopes = None if scopes is None else frozenset(scopes)
        self.app_disabled = app_disabled
        self.slow_seconds = slow_seconds
        self.token_error_status = token_error_status
        self.seed = seed
        self.stats = Stats(ROUTES.keys)
        self.limiter = RateLimiter(self.stats, per_second, per_minute)
        self.tokens = TokenStore(token_ttl)
        self.faults = FaultInjector(fault_rate, faults, latency, seed)
        self.page_tokens = PageTokens(hashlib.sha256(f"sandbox-page-token-{seed}".encode()).digest())
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), SandboxHandler)
        server.sandbox = self
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"feishu-sandbox-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not running: call start() first")
        return f"http://{self.host}:{self.port}"

    # -- runtime controls ----------------------------------------------------------------
    def configure(self, **options: Any) -> None:
        """Change options of a running sandbox (any constructor option except tenant, host, port)."""
        unknown = set(options) - _RUNTIME_OPTIONS
        if unknown:
            raise TypeError(f"configure() cannot change {sorted(unknown)}; it accepts {sorted(_RUNTIME_OPTIONS)}")
        for name, value in options.items():
            if name == "scopes":
                self.scopes = None if value is None else frozenset(value)
            elif name == "token_ttl":
                self.tokens.ttl = value
            elif name in ("per_second", "per_minute"):
                setattr(self.limiter, name, value)
            elif name == "latency":
                self.faults.latency = check_latency(value)
            elif name == "fault_rate":
                self.faults.fault_rate = value
            elif name == "faults":
                self.faults.faults = check_faults(value)
            elif name == "seed":
                self.seed = value
                self.faults.reseed(value)
            else:
                setattr(self, name, value)

    def limits_for(self, route: Route) -> tuple[int | None, int | None]:
        """(per second, per minute) applied to `route`; None: no such window."""
        return self.limiter.limits(route.endpoint.per_second, route.endpoint.per_minute)

    def has_scope(self, scope: str) -> bool:
        scopes = self.scopes
        return scopes is None or scope in scopes

    def expire_tokens(self) -> None:
        """Every token issued so far is expired from now on; the next auth call issues a new one."""
        self.tokens.expire_all()

    def age_tokens(self, seconds: float) -> None:
        """Age every issued token by `seconds`, as if that much time had passed (reuse/rotation tests)."""
        self.tokens.age(seconds)


def serve(port: int, host: str = "127.0.0.1", **options: Any) -> None:
    """Run a sandbox in the foreground until Ctrl-C (the `reconciler sandbox` command)."""
    sandbox = Sandbox(host=host, port=port, **options).start()
    print(f"Feishu sandbox listening on {sandbox.url}", flush=True)
    stop = threading.Event()
    try:
        while not stop.wait(0.5):  # a timed wait stays interruptible by Ctrl-C on every platform
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
