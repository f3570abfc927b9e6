"""A new endpoint is one entry in each table: the real client calls it on the real sandbox
(loopback HTTP, nothing mocked) at its own rate limit, with its own scopes, cache flag and
transient codes; anything the route table does not hold is a 404."""

from __future__ import annotations

import time

import pytest
import requests
from pydantic import BaseModel

from reconciler.errors import FeishuScopeError
from reconciler.feishu import ENDPOINTS, JOB_DATAS, TALENT_IDS, CacheSettings, Endpoint, FeishuClient, TransientError
from reconciler.feishu.ratelimit import WINDOW_SLACK_MS
from reconciler.sandbox import ROUTES, SANDBOX_APP_ID, SANDBOX_APP_SECRET, ApiRequest, Route, Sandbox
from reconciler.sandbox.answer import invalid_field, ok

TOY_SCOPE = "corehr:toy_level:read"
TOY_LEVELS = Endpoint(
    "toy_levels", "POST", "corehr/v2/toy_levels/batch_get", scopes=(TOY_SCOPE, "corehr:toy_level:write"),
    per_second=5, per_minute=None, max_ids=3, cached=False, transient_codes=frozenset({1161204}),
)
TOY_TYPE = Endpoint("toy_type", "GET", "corehr/v1/toy_types/:toy_type_id", scopes=(TOY_SCOPE,), per_second=None,
                    per_minute=100)
NAMES = {"L1": "Junior", "L2": "Senior", "L3": "Principal"}


class ToyLevel(BaseModel):  # the endpoint's pydantic model
    job_level_id: str
    name: str


def batch_get_toy_levels(client: FeishuClient, ids: list[str]) -> list[ToyLevel]:  # its typed call
    found = []
    for batch in TOY_LEVELS.batches(ids):
        data = client.call(TOY_LEVELS, body={"job_level_ids": batch})
        found += [ToyLevel.model_validate(item) for item in data.get("items") or []]
    return found


def _toy_levels(request: ApiRequest, sb) -> object:  # the sandbox's handler
    ids = (request.json() or {}).get("job_level_ids") or []
    if len(ids) > TOY_LEVELS.max_ids:
        return invalid_field("job_level_ids", f"at most {TOY_LEVELS.max_ids} items")
    return ok({"items": [{"job_level_id": i, "name": NAMES[i]} for i in ids if i in NAMES]})


def _toy_type(request: ApiRequest, sb) -> object:
    return ok({"toy_type": {"id": request.path_params["toy_type_id"], "name": "Full-time"}})


TOY_ROUTES = (
    Route(TOY_LEVELS, _toy_levels, system_errors={"1002001": (200, 1161204, "timeout"), "500": (503, 1161204, "timeout")}),
    Route(TOY_TYPE, _toy_type),
)


@pytest.fixture
def toy():
    with ENDPOINTS.registered(TOY_LEVELS, TOY_TYPE), ROUTES.registered(*TOY_ROUTES):
        with Sandbox() as sb:
            yield sb


def _client(sb, **kwargs) -> FeishuClient:
    kwargs.setdefault("backoff", 0.01)
    kwargs.setdefault("max_backoff", 0.05)
    return FeishuClient(sb.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET, **kwargs)


def test_a_new_endpoint_is_called_through_the_real_client_at_its_own_rate_limit(toy):
    with _client(toy, workers=8) as client:
        assert batch_get_toy_levels(client, ["L1", "L3", "nope", "L2"]) == [
            ToyLevel(job_level_id="L1", name="Junior"), ToyLevel(job_level_id="L3", name="Principal"),
            ToyLevel(job_level_id="L2", name="Senior")]  # max_ids 3: two requests
        started = time.monotonic()
        with client.executor() as pool:
            list(pool.map(lambda i: batch_get_toy_levels(client, ["L1"]), range(10)))
        elapsed = time.monotonic() - started
        # A bucket of its own at the table's 5/s; the seed endpoints keep theirs (50/s, spaced 4 per 80 ms).
        rates = client.limiter.bucket_factory[f"{client.app_key}:{TOY_LEVELS.path}"].rates
        assert [(r.limit, r.interval) for r in rates] == [(5, 1000 + WINDOW_SLACK_MS)]
        talents = client.limiter.bucket_factory[f"{client.app_key}:{TALENT_IDS.path}"].rates
        assert [(r.limit, r.interval) for r in talents] == [
            (4, 80), (50, 1000 + WINDOW_SLACK_MS), (1000, 60000 + WINDOW_SLACK_MS)]
        assert client.counters.sent["toy_levels"] == 12
        assert ENDPOINTS.by_path(client.counters.snapshot()["requests"]) == {TOY_LEVELS.path: 12}
        assert client.call(TOY_TYPE, path_params={"toy_type_id": "T 1"}) == {"toy_type": {"id": "T 1", "name": "Full-time"}}
    stats = toy.stats.snapshot()
    assert stats[TOY_LEVELS.path]["accepted"] == 12 and stats[TOY_LEVELS.path]["rate_limited"] == 0
    assert stats[TOY_LEVELS.path]["max_per_second"] <= 5 and elapsed >= 1.5  # 12 at 5/s: held back, not refused
    assert stats[TOY_TYPE.path]["accepted"] == 1  # one stats entry per route, path parameters or not
    assert stats[TALENT_IDS.path]["requests"] == 0


def test_the_sandbox_limits_a_new_route_at_its_own_limit(toy):
    token = requests.post(f"{toy.url}/open-apis/auth/v3/tenant_access_token/internal",
                          json={"app_id": SANDBOX_APP_ID, "app_secret": SANDBOX_APP_SECRET}, timeout=5).json()
    headers = {"Authorization": f"Bearer {token['tenant_access_token']}"}
    with requests.Session() as http:
        answers = [http.post(f"{toy.url}/open-apis/{TOY_LEVELS.path}", json={"job_level_ids": ["L1"]},
                             headers=headers, timeout=5) for _ in range(8)]
    refused = [r for r in answers if r.status_code == 429]
    assert refused and all(r.json()["code"] == 99991400 for r in refused)
    assert refused[0].headers["x-ogw-ratelimit-limit"] == "5"
    assert toy.stats.snapshot()[TOY_LEVELS.path]["accepted"] == 5


def test_a_new_endpoint_has_its_own_scopes(toy):
    with _client(toy) as client:
        toy.configure(scopes={"hire:talent"})
        with pytest.raises(FeishuScopeError) as info:
            batch_get_toy_levels(client, ["L1"])
        assert "99991672" in str(info.value) and TOY_LEVELS.path in str(info.value)
        assert client.batch_get_talent_ids(email_list=["zhang.wei@example.com"])
        toy.configure(scopes={"corehr:toy_level:write"})  # any one of the table's scopes
        assert batch_get_toy_levels(client, ["L2"])[0].name == "Senior"
        with pytest.raises(FeishuScopeError):
            client.batch_get_talent_ids(email_list=["zhang.wei@example.com"])


def test_the_tables_cache_flag_and_transient_codes_apply(toy, tmp_path):
    cache = CacheSettings(enabled=True, path=tmp_path / "cache.sqlite")
    with _client(toy, cache=cache, max_retries=2) as client:
        for _ in range(2):
            batch_get_toy_levels(client, ["L1"])
            list(client.iter_job_datas(employment_id="E0001", user_id_type="user_id"))
        assert client.counters.sent["toy_levels"] == 2 and not client.counters.cache_hits["toy_levels"]  # cached=False
        assert client.counters.sent[JOB_DATAS.name] == 1 and client.counters.cache_hits[JOB_DATAS.name] == 1
        toy.configure(fault_rate=1.0, faults=("1002001",))  # this route answers 200 with its own code 1161204
        with pytest.raises(TransientError):
            batch_get_toy_levels(client, ["L1"])
        assert client.counters.retries == 2
    assert toy.stats.snapshot()[TOY_LEVELS.path]["faults"] == 3


def test_what_the_tables_do_not_hold_is_refused():
    with Sandbox() as sb:
        for method, path in (("POST", TOY_LEVELS.path), ("GET", "corehr/v1/job_datas/extra"),
                             ("POST", JOB_DATAS.path), ("GET", "corehr/v1/toy_types/T1")):
            r = requests.request(method, f"{sb.url}/open-apis/{path}", timeout=5)
            assert r.status_code == 404 and r.json()["code"] == 404 and "items" not in r.text
        assert sum(s["requests"] for s in sb.stats.snapshot().values()) == 0
        assert set(sb.stats.snapshot()) == {e.path for e in ENDPOINTS}
        with _client(sb) as client, pytest.raises(LookupError):
            client.call(TOY_LEVELS, body={"job_level_ids": ["L1"]})  # not in the client's table either


def test_the_table_refuses_a_second_entry_for_a_name_or_a_route():
    with pytest.raises(ValueError):
        ENDPOINTS.register(Endpoint("talent_ids", "GET", "x/y"))
    with pytest.raises(ValueError):
        ENDPOINTS.register(Endpoint("other", "POST", TALENT_IDS.path))
    with pytest.raises(ValueError):
        ROUTES.register(Route(JOB_DATAS, _toy_type))
    assert TOY_TYPE.match("GET", "corehr/v1/toy_types/T1") == {"toy_type_id": "T1"}
    assert TOY_TYPE.match("POST", "corehr/v1/toy_types/T1") is None
    assert TOY_TYPE.url_path({"toy_type_id": "a/b"}) == "corehr/v1/toy_types/a%2Fb"
    assert TOY_LEVELS.batches(["a", "b", "c", "d"]) == [["a", "b", "c"], ["d"]]
    assert JOB_DATAS.pages_needed(250) == 3 and JOB_DATAS.pages_needed(0) == 1
