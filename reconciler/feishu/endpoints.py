"""The one table of Feishu / Lark endpoints reconciler calls.

Everything that differs from one endpoint to the next lives in its `Endpoint`
entry, and the rest of the client reads it from there: the rate limiter (one
bucket per app and endpoint, at the entry's limits, a little under), retries
(the entry's transient codes), the HTTP cache (`cached`), the counters and
`--report` / `--dry-run` (keyed by purpose, shown to people as the path), and the
request planners (`max_ids`, `page_size`). The sandbox builds its routes from
the same entries (reconciler/sandbox/routes.py).

Adding an endpoint
------------------
1. Here: one `Endpoint(...)` entry, registered in `ENDPOINTS` (a purpose name,
   method, path with `:param` segments for path parameters, scopes from the
   doc page, Feishu's per-second / per-minute limits, `max_ids`, `page_size`,
   `id_types` with the API's defaults, `fields` to send, `transient_codes`).
2. reconciler/feishu/models.py: a pydantic model of one item of its answer
   (tolerant: extra fields allowed, missing fields None).
3. reconciler/feishu/client.py: a typed method that builds the query / body and
   calls `self.call(ENTRY, params=..., body=..., path_params=...)` (or
   `self.iter_data_pages(ENTRY, ...)` when it pages), returning the models.
4. reconciler/sandbox/routes.py: one `Route(ENTRY, handler, system_errors=...)`
   and the handler (a function of (request, sandbox) returning an Answer).
   Scopes, rate limits, faults, stats and the 404 for anything else come from
   the tables.
Nothing else changes: limits, retries, caching, counters and reports follow.
A test can do the same at run time: `with ENDPOINTS.registered(entry),
ROUTES.registered(route): ...` (tests/test_endpoint_table.py).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import quote, urlparse

API_PREFIX = "/open-apis/"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"  # the seed pages' fixed value for every POST body

# ID-type query parameters and the values Feishu accepts (feishu-api.md, feishu-names.md).
USER_ID_TYPES = ("open_id", "union_id", "user_id", "people_corehr_id")
DEPARTMENT_ID_TYPES = ("open_department_id", "department_id", "people_corehr_department_id")


@dataclass(frozen=True)
class Endpoint:
    """One API as the client and the sandbox see it. Limits are Feishu's own figures;
    the client stays a little under them (ratelimit.RateLimits.under)."""

    name: str  # purpose, e.g. "talent_ids": the key of counters, plans and reports
    method: str  # "GET" | "POST"
    path: str  # after /open-apis/; ":name" segments are path parameters
    scopes: tuple[str, ...] = ()  # any one of them allows the call
    per_second: int | None = 50  # None: no such window
    per_minute: int | None = 1000
    max_ids: int | None = None  # most IDs in one request's list
    page_size: int | None = None  # largest page_size; None: the endpoint does not page
    id_types: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)  # param -> API default
    fields: tuple[str, ...] = ()  # the `fields` to ask for (without them some APIs return IDs only)
    cached: bool = True  # answers may be kept in the HTTP cache
    token: bool = True  # sends Authorization: Bearer <tenant_access_token>
    transient_codes: frozenset[int] = frozenset()  # body codes worth a retry (beyond 5xx and dropped connections)

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", self.method.upper())
        object.__setattr__(self, "path", self.path.strip("/"))
        object.__setattr__(self, "id_types", MappingProxyType(dict(self.id_types)))
        object.__setattr__(self, "transient_codes", frozenset(self.transient_codes))

    @property
    def limited(self) -> bool:
        return self.per_second is not None or self.per_minute is not None

    @property
    def paged(self) -> bool:
        return self.page_size is not None

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(s[1:] for s in self.path.split("/") if s.startswith(":"))

    def url_path(self, path_params: Mapping[str, str] | None = None) -> str:
        """The path after /open-apis/ with its `:param` segments filled in."""
        values = path_params or {}
        missing = [p for p in self.path_params if not values.get(p)]
        if missing:
            raise ValueError(f"{self.name} needs the path parameter(s) {missing}")
        return "/".join(quote(str(values[s[1:]]), safe="") if s.startswith(":") else s for s in self.path.split("/"))

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """The path parameters if `method path` (after /open-apis/) is this endpoint, else None."""
        if method.upper() != self.method:
            return None
        mine, theirs = self.path.split("/"), path.strip("/").split("/")
        if len(mine) != len(theirs):
            return None
        params = {}
        for want, have in zip(mine, theirs):
            if want.startswith(":"):
                if not have:
                    return None
                params[want[1:]] = have
            elif want != have:
                return None
        return params

    def batches(self, ids: Iterable[str]) -> list[list[str]]:
        """`ids` cut into lists of at most `max_ids` (all in one list when there is no maximum)."""
        ids = list(ids)
        size = self.max_ids or max(len(ids), 1)
        return [ids[i:i + size] for i in range(0, len(ids), size)]

    def pages_needed(self, total: int) -> int:
        """Requests to page through `total` items at the largest page size (at least one)."""
        return max(1, math.ceil(total / (self.page_size or max(total, 1))))


class EndpointTable:
    """The registry: by purpose name, and by (method, path) for what goes on the wire."""

    def __init__(self, endpoints: Iterable[Endpoint] = ()):
        self._lock = threading.Lock()
        self._by_name: dict[str, Endpoint] = {}
        for endpoint in endpoints:
            self.register(endpoint)

    def register(self, endpoint: Endpoint) -> Endpoint:
        with self._lock:
            if endpoint.name in self._by_name:
                raise ValueError(f"an endpoint named {endpoint.name!r} is already registered")
            clash = [e.name for e in self._by_name.values() if (e.method, e.path) == (endpoint.method, endpoint.path)]
            if clash:
                raise ValueError(f"{endpoint.method} {endpoint.path} is already registered as {clash[0]!r}")
            self._by_name = {**self._by_name, endpoint.name: endpoint}  # readers see one dict or the other
        return endpoint

    def unregister(self, name: str) -> None:
        with self._lock:
            self._by_name = {n: e for n, e in self._by_name.items() if n != name}

    @contextmanager
    def registered(self, *endpoints: Endpoint) -> Iterator[tuple[Endpoint, ...]]:
        """Endpoints added for the duration of a `with` block (tests, experiments)."""
        done = []
        try:
            for endpoint in endpoints:
                done.append(self.register(endpoint))
            yield tuple(done)
        finally:
            for endpoint in done:
                self.unregister(endpoint.name)

    def __getitem__(self, name: str) -> Endpoint:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[Endpoint]:
        return iter(list(self._by_name.values()))

    def find(self, method: str, path: str) -> tuple[Endpoint, dict[str, str]] | None:
        """The endpoint `method path` (after /open-apis/) calls, with its path parameters."""
        for endpoint in self._by_name.values():
            params = endpoint.match(method, path)
            if params is not None:
                return endpoint, params
        return None

    def for_url(self, method: str, url: str) -> Endpoint | None:
        path = urlparse(url).path
        if API_PREFIX not in path:
            return None
        found = self.find(method, path.split(API_PREFIX, 1)[1])
        return found[0] if found else None

    def by_path(self, counts: Mapping[str, int]) -> dict[str, int]:
        """Counts keyed by purpose, re-keyed by path for people (reports, --dry-run)."""
        return {self[name].path if name in self else name: n for name, n in counts.items()}


# -- the table ------------------------------------------------------------------------

TENANT_TOKEN = Endpoint(
    "tenant_token", "POST", "auth/v3/tenant_access_token/internal",
    per_second=None, per_minute=None, cached=False, token=False,
)
TALENT_IDS = Endpoint(
    "talent_ids", "POST", "hire/v1/talents/batch_get_id",
    scopes=("hire:talent:readonly", "hire:talent"),
    max_ids=100, transient_codes=frozenset({1002001}),
)
JOB_DATAS = Endpoint(
    "job_datas", "GET", "corehr/v1/job_datas",
    scopes=("corehr:corehr:readonly", "corehr:job_data:read", "corehr:corehr", "corehr:job_data:write"),
    max_ids=100, page_size=100,
    id_types={"user_id_type": "people_corehr_id", "department_id_type": "people_corehr_department_id"},
    transient_codes=frozenset({1160999, 1160997, 1160998}),
)


# -- names of the IDs job data holds (feishu-names.md); the API's own ID-type defaults,
# which are NOT job_datas' (the look-up sends the job_datas types explicitly) --------
_COREHR_TRANSIENT = frozenset({1161204})  # timeout (also a 503)
DEPARTMENTS = Endpoint(
    "departments", "POST", "corehr/v2/departments/batch_get",
    scopes=("corehr:department:read", "corehr:department:write"), max_ids=100,
    id_types={"user_id_type": "open_id", "department_id_type": "open_department_id"},
    fields=("department_name",), transient_codes=_COREHR_TRANSIENT,
)
JOB_LEVELS = Endpoint(
    "job_levels", "POST", "corehr/v2/job_levels/batch_get",
    scopes=("corehr:job_level:read", "corehr:job_level:write"), max_ids=100,
)
JOB_GRADES = Endpoint(
    "job_grades", "POST", "corehr/v2/job_grades/query",
    scopes=("corehr:job_grade:read", "corehr:corehr:readonly", "corehr:job_grade:write", "corehr:corehr"),
    per_second=5, per_minute=None, max_ids=100, page_size=100, transient_codes=_COREHR_TRANSIENT,
)
JOB_FAMILIES = Endpoint(
    "job_families", "POST", "corehr/v2/job_families/batch_get",
    scopes=("corehr:job_family:read", "corehr:job_family:write"), max_ids=100,
)
EMPLOYEE_TYPES = Endpoint(  # no batch_get: the tenant's few types are listed once
    "employee_types", "GET", "corehr/v1/employee_types",
    scopes=("corehr:common_data.preset_data:read", "corehr:corehr:readonly", "corehr:corehr",
            "corehr:common_data.preset_data:write"),
    page_size=100,  # the API allows up to 1999
)
LOCATIONS = Endpoint(
    "locations", "POST", "corehr/v2/locations/batch_get",
    scopes=("corehr:locations:read", "corehr:locations:write"), max_ids=100,
)
COMPANIES = Endpoint(
    "companies", "POST", "corehr/v2/companies/batch_get",
    scopes=("corehr:company:read", "corehr:company:write"), max_ids=100,
)
POSITIONS = Endpoint(
    "positions", "POST", "corehr/v2/positions/query",
    scopes=("corehr:position:read", "corehr:position:write"),
    per_second=5, per_minute=None,
    max_ids=100,  # the API takes 200, but a page holds at most 100: 100 IDs are always one page
    page_size=100,
    id_types={"department_id_type": "people_corehr_department_id", "user_id_type": "people_corehr_id"},
    fields=("name",), transient_codes=_COREHR_TRANSIENT,
)
COST_CENTERS = Endpoint(  # no batch_get: search by ID list
    "cost_centers", "POST", "corehr/v2/cost_centers/search",
    scopes=("corehr:cost_center:read",), max_ids=100, page_size=100,
    id_types={"user_id_type": "people_corehr_id"},
)
EMPLOYEES = Endpoint(  # managers' hop 2 (hop 1 is JOB_DATAS with job_data_id_list)
    "employees", "POST", "corehr/v2/employees/batch_get",
    scopes=("corehr:employee:read", "corehr:employee:write"),
    per_second=None, per_minute=100, max_ids=100,
    id_types={"user_id_type": "open_id", "department_id_type": "open_department_id"},
    fields=("person_info.preferred_name", "person_info.preferred_local_full_name",
            "person_info.preferred_english_full_name"),
)
NAME_ENDPOINTS = (DEPARTMENTS, JOB_LEVELS, JOB_GRADES, JOB_FAMILIES, EMPLOYEE_TYPES, LOCATIONS, COMPANIES,
                  POSITIONS, COST_CENTERS, EMPLOYEES)

ENDPOINTS = EndpointTable([TENANT_TOKEN, TALENT_IDS, JOB_DATAS, *NAME_ENDPOINTS])
