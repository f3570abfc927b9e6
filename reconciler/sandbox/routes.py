"""The sandbox's one table of routes: method + path -> handler, scopes, faults, stats, rate limits.

Each route wraps an entry of the client's endpoint table (reconciler/feishu/endpoints.py),
so method, path, scopes and Feishu's per-second / per-minute limits are written once.
A route adds what only the simulator needs: the handler that answers, and what its
back end answers when a "1002001" or "500" fault is injected. Stats are kept per
route (keyed by the endpoint's path). Anything not in the table is a 404.

Adding a route: write `handler(request, sandbox) -> Answer` (see ApiRequest) and
register `Route(ENDPOINT, handler, system_errors=...)` in ROUTES below.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from reconciler.feishu.endpoints import (
    COMPANIES,
    COST_CENTERS,
    DEPARTMENTS,
    EMPLOYEE_TYPES,
    EMPLOYEES,
    JOB_DATAS,
    JOB_FAMILIES,
    JOB_GRADES,
    JOB_LEVELS,
    LOCATIONS,
    POSITIONS,
    TALENT_IDS,
    TENANT_TOKEN,
    Endpoint,
)
from reconciler.sandbox import names_api
from reconciler.sandbox import auth
from reconciler.sandbox.answer import Answer, fail
from reconciler.sandbox.job_datas_api import list_job_datas
from reconciler.sandbox.talents_api import batch_get_id

if TYPE_CHECKING:
    from reconciler.sandbox.server import Sandbox

# What a CoreHR back end answers when it fails, unless a route says otherwise.
COREHR_SYSTEM_ERROR = (500, 1160999, "unknown error")


@dataclass(frozen=True)
class ApiRequest:
    """One request as a handler sees it."""

    method: str
    path: str  # after /open-apis/
    path_params: Mapping[str, str]
    query: Mapping[str, list[str]]
    body: bytes
    authorization: str | None = None

    def json(self):
        """The body as JSON; None if it is not valid JSON."""
        try:
            return json.loads(self.body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None


Handler = Callable[[ApiRequest, "Sandbox"], Answer]


@dataclass(frozen=True)
class Route:
    endpoint: Endpoint
    handler: Handler
    # fault kind ("1002001", "500") -> (HTTP status, code, msg) the back end answers with
    system_errors: Mapping[str, tuple[int, int, str]] = field(
        default_factory=lambda: {"1002001": COREHR_SYSTEM_ERROR, "500": COREHR_SYSTEM_ERROR})
    scopes: tuple[str, ...] | None = None  # None: the endpoint's (any one of them allows the call)

    def __post_init__(self) -> None:
        object.__setattr__(self, "system_errors", MappingProxyType(dict(self.system_errors)))

    @property
    def key(self) -> str:
        """The route's name in stats and rate windows: the endpoint's path."""
        return self.endpoint.path

    @property
    def gateway(self) -> bool:
        """Whether the API gateway steps apply (rate limit, faults, token, scopes): every route but auth."""
        return self.endpoint.token

    @property
    def needed_scopes(self) -> tuple[str, ...]:
        return self.endpoint.scopes if self.scopes is None else self.scopes


class RouteTable:
    def __init__(self, routes: Iterable[Route] = ()):
        self._lock = threading.Lock()
        self._routes: tuple[Route, ...] = ()
        for route in routes:
            self.register(route)

    def register(self, route: Route) -> Route:
        with self._lock:
            e = route.endpoint
            if any((r.endpoint.method, r.endpoint.path) == (e.method, e.path) for r in self._routes):
                raise ValueError(f"a route for {e.method} {e.path} is already registered")
            self._routes = (*self._routes, route)
        return route

    def unregister(self, route: Route) -> None:
        with self._lock:
            self._routes = tuple(r for r in self._routes if r is not route)

    @contextmanager
    def registered(self, *routes: Route) -> Iterator[tuple[Route, ...]]:
        """Routes added for the duration of a `with` block (tests); register before starting the sandbox."""
        done = []
        try:
            for route in routes:
                done.append(self.register(route))
            yield tuple(done)
        finally:
            for route in done:
                self.unregister(route)

    def __iter__(self) -> Iterator[Route]:
        return iter(self._routes)

    def keys(self) -> list[str]:
        return [r.key for r in self._routes]

    def find(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self._routes:
            params = route.endpoint.match(method, path)
            if params is not None:
                return route, params
        return None


# -- handlers -------------------------------------------------------------------------

def issue_token(request: ApiRequest, sb: Sandbox) -> Answer:
    body = request.json()
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


def _talent_ids(request: ApiRequest, sb: Sandbox) -> Answer:
    return batch_get_id(request.body, sb.tenant, sb.has_scope)


def _job_datas(request: ApiRequest, sb: Sandbox) -> Answer:
    return list_job_datas(dict(request.query), sb.tenant, sb.has_scope, sb.page_tokens)


def _names(handler, *, paged: bool = False) -> Handler:
    """A name endpoint's handler (names_api.py) as a route handler; paged ones get the page tokens."""
    if paged:
        return lambda request, sb: handler(dict(request.query), request.body, sb.tenant, sb.page_tokens)
    return lambda request, sb: handler(dict(request.query), request.body, sb.tenant)


# -- the table ------------------------------------------------------------------------

ROUTES = RouteTable([
    Route(TENANT_TOKEN, issue_token, system_errors={}),
    Route(TALENT_IDS, _talent_ids,
          system_errors={"1002001": (200, 1002001, "system error"), "500": (500, 1002001, "system error")}),
    Route(JOB_DATAS, _job_datas),  # 500 1160999 unknown error
    # the name endpoints of feishu-names.md
    Route(DEPARTMENTS, _names(names_api.departments)),
    Route(JOB_LEVELS, _names(names_api.job_levels)),
    Route(JOB_GRADES, _names(names_api.job_grades, paged=True)),
    Route(JOB_FAMILIES, _names(names_api.job_families)),
    Route(EMPLOYEE_TYPES, _names(names_api.employee_types, paged=True)),
    Route(LOCATIONS, _names(names_api.locations)),
    Route(COMPANIES, _names(names_api.companies)),
    Route(POSITIONS, _names(names_api.positions, paged=True)),
    Route(COST_CENTERS, _names(names_api.cost_centers, paged=True)),
    Route(EMPLOYEES, _names(names_api.employees)),
])
