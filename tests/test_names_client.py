"""The name endpoints of feishu-names.md through the real client against the real sandbox:
each typed call, ID types, `fields`, maxima, paging, per-endpoint limits, 429, scopes,
dangling IDs, and NameLookup's batching and per-ID cache."""

from __future__ import annotations

import json
import math

import pytest
import requests

from reconciler.errors import FeishuError, FeishuScopeError
from reconciler.feishu import CacheSettings, FeishuClient, KeyStore, RateLimits
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
    NAME_ENDPOINTS,
    POSITIONS,
)
from reconciler.feishu.names import NameLookup, hop1_label
from reconciler.sandbox import ROUTES, SANDBOX_APP_ID, SANDBOX_APP_SECRET, Sandbox, generate_tenant
from reconciler.sandbox.demo_build import DANGLING_MANAGER

CAT = "71{:02d}{:015d}".format  # the demo's catalogue IDs: CAT(kind, n)
DEPT2 = "7050000000000000002"  # 研发部 Engineering (people_corehr_department_id)


def names(items):
    return {i.item_id: {t.lang: t.value for t in i.i18n} for i in items}


def raw(sb, method, path, *, params=None, body=None):
    token = requests.post(f"{sb.url}/open-apis/auth/v3/tenant_access_token/internal",
                          json={"app_id": SANDBOX_APP_ID, "app_secret": SANDBOX_APP_SECRET}).json()["tenant_access_token"]
    r = requests.request(method, f"{sb.url}/open-apis/{path}", params=params, json=body,
                         headers={"Authorization": f"Bearer {token}"})
    return r.status_code, r.json()


def test_each_typed_call_returns_the_names_in_both_languages(make_client, sandbox):
    c = make_client()
    assert names(c.batch_get_departments([DEPT2]))[DEPT2] == {"zh-CN": "研发部", "en-US": "Engineering"}
    assert names(c.batch_get_job_levels([CAT(1, 5)]))[CAT(1, 5)] == {"zh-CN": "P5 资深专家"}  # only zh-CN
    assert names(c.query_job_grades([CAT(2, 2)]))[CAT(2, 2)] == {"zh-CN": "二等", "en-US": "Grade 2"}
    assert names(c.batch_get_job_families([CAT(7, 1)]))[CAT(7, 1)]["en-US"] == "Engineering"
    assert names(c.list_employee_types())[CAT(3, 3)] == {"zh-CN": "兼职", "en-US": "Part-time"}
    assert names(c.batch_get_locations([CAT(5, 4)]))[CAT(5, 4)]["en-US"] == "Hong Kong"  # hiberarchy_common.name
    assert names(c.batch_get_companies([CAT(8, 2)]))[CAT(8, 2)]["zh-CN"] == "示例科技（香港）有限公司"
    assert names(c.query_positions([CAT(10, 1)]))[CAT(10, 1)]["en-US"] == "Chief Executive Officer"
    assert names(c.search_cost_centers([CAT(11, 2)]))[CAT(11, 2)]["zh-CN"] == "研发中心"
    person = c.batch_get_employees(["7040000000000000001"])
    assert [p.display_name for p in person] == ["张伟(Zhang Wei)"]
    # Dangling IDs (position 5 is not in the tenant) are left out of items, no error.
    assert c.query_positions([CAT(10, 5), CAT(10, 5)]) == []
    sent = c.counters.snapshot()["requests"]
    assert {e.name: sent[e.name] for e in NAME_ENDPOINTS} == {e.name: 2 if e is POSITIONS else 1 for e in NAME_ENDPOINTS}


def test_id_types_are_the_apis_own_defaults_so_the_client_sends_them(sandbox):
    # departments/batch_get defaults to open_department_id: a job-data department ID finds nothing without the type
    status, answer = raw(sandbox, "POST", DEPARTMENTS.path, body={"department_id_list": [DEPT2], "fields": ["department_name"]})
    assert status == 200 and answer["data"]["items"] == []
    status, answer = raw(sandbox, "POST", DEPARTMENTS.path, params={"department_id_type": "people_corehr_department_id"},
                         body={"department_id_list": [DEPT2], "fields": ["department_name"]})
    assert answer["data"]["items"][0]["id"] == DEPT2
    # employees/batch_get defaults to open_id
    status, answer = raw(sandbox, "POST", EMPLOYEES.path, body={"employment_ids": ["7040000000000000001"],
                                                                "fields": list(EMPLOYEES.fields)})
    assert answer["data"]["items"] == []


def test_departments_positions_and_employees_return_only_ids_without_fields(sandbox):
    _, dept = raw(sandbox, "POST", DEPARTMENTS.path, params={"department_id_type": "people_corehr_department_id"},
                  body={"department_id_list": [DEPT2]})
    assert dept["data"]["items"] == [{"id": DEPT2}]
    _, pos = raw(sandbox, "POST", POSITIONS.path, params={"page_size": "10"}, body={"position_ids": [CAT(10, 1)]})
    assert pos["data"]["items"] == [{"position_id": CAT(10, 1)}]
    _, emp = raw(sandbox, "POST", EMPLOYEES.path, params={"user_id_type": "people_corehr_id"},
                 body={"employment_ids": ["7040000000000000001"]})
    assert "person_info" not in emp["data"]["items"][0]


@pytest.mark.parametrize("endpoint, body, params, code", [
    (DEPARTMENTS, {"department_id_list": [str(i) for i in range(101)]}, {}, 1160102),
    (JOB_LEVELS, {"job_level_ids": [str(i) for i in range(101)]}, {}, 1160001),
    (JOB_LEVELS, {}, {}, 1160001),  # at least one list is required
    (JOB_GRADES, {"ids": ["1"]}, {}, 1160001),  # page_size is required
    (JOB_FAMILIES, {"job_family_ids": [str(i) for i in range(101)]}, {}, 1160001),
    (LOCATIONS, {"location_ids": []}, {}, 1160001),  # required, 1-100
    (COMPANIES, {"company_ids": [str(i) for i in range(101)]}, {}, 1160001),
    (POSITIONS, {"position_ids": [str(i) for i in range(201)]}, {"page_size": "100"}, 1160001),
    (COST_CENTERS, {"cost_center_id_list": [str(i) for i in range(101)]}, {"page_size": "100"}, 1160001),
    (EMPLOYEES, {"employment_ids": [str(i) for i in range(101)]}, {}, 1160102),
    (EMPLOYEES, {"fields": ["person_info.preferred_name"]}, {}, 1160102),  # no ID list
])
def test_maxima_and_required_parameters_are_http_400_with_the_apis_code(sandbox, endpoint, body, params, code):
    status, answer = raw(sandbox, "POST", endpoint.path, params=params, body=body)
    assert (status, answer["code"]) == (400, code)


def test_positions_take_200_ids_in_one_request_but_the_client_sends_100(sandbox, make_client):
    status, _ = raw(sandbox, "POST", POSITIONS.path, params={"page_size": "100"},
                    body={"position_ids": [str(i) for i in range(200)]})
    assert status == 200
    with pytest.raises(ValueError):
        make_client().query_positions([str(i) for i in range(101)])


def test_paged_endpoints_are_followed_while_has_more(make_client):
    c = make_client()
    grades = [json.dumps(d["items"]) for d in c.iter_data_pages(JOB_GRADES, params={"page_size": 2}, body={})]
    assert len(grades) == 2  # 3 grades, 2 per page
    types = list(c.iter_data_pages(EMPLOYEE_TYPES, params={"page_size": "1"}))
    assert [len(d["items"]) for d in types] == [1, 1, 1]
    centres = list(c.iter_data_pages(COST_CENTERS, params={"page_size": 2}, body={}))
    assert sum(len(d["items"]) for d in centres) == 5 and len(centres) == 3


def test_a_burst_stays_under_each_endpoints_own_limit(make_client, sandbox):
    """Job grades are 5/s, departments 50/s: each on its own bucket (the client's default limits)."""
    c = make_client(limits=None)
    lookup = NameLookup(c)
    fake = [f"9{i:018d}" for i in range(700)]  # unknown IDs: 7 requests each, answered with empty items
    book = lookup.run({"job_grade": fake, "department": fake})
    stats = sandbox.stats.snapshot()
    assert stats[JOB_GRADES.path]["accepted"] == 7 and stats[DEPARTMENTS.path]["accepted"] == 7
    assert stats[JOB_GRADES.path]["max_per_second"] <= 5
    assert stats[DEPARTMENTS.path]["max_per_second"] > 5  # not held back by job grades' bucket
    assert stats[JOB_GRADES.path]["rate_limited"] == 0
    assert book.lookup("job_grade", fake[0]) is None


def test_employees_are_limited_per_minute_only(sandbox):
    assert RateLimits.of(EMPLOYEES) == RateLimits(per_second=None, per_minute=100)  # the margin is in the window
    route = next(r for r in ROUTES if r.endpoint is EMPLOYEES)
    assert sandbox.limits_for(route) == (None, 100)
    for _ in range(100):
        assert sandbox.limiter.admit(route.key, None, 100).accepted
    refused = sandbox.limiter.admit(route.key, None, 100)
    assert not refused.accepted and refused.limit == 100 and refused.reset > 1
    assert sandbox.stats.snapshot()[EMPLOYEES.path]["max_per_minute"] == 100


def test_a_429_is_retried_and_every_name_comes_back(make_client, sandbox):
    sandbox.configure(per_second=1)
    c = make_client(limits=RateLimits(per_second=1000, per_minute=100000))
    book = NameLookup(c).run({"department": [DEPT2, "7050000000000000003"], "job_level": [CAT(1, 1)],
                              "location": [CAT(5, 2)]})
    # three endpoints, one request each: no 429 (each endpoint has its own window)
    assert book.lookup("location", CAT(5, 2))[1]["value"] == "Shanghai"
    c2 = make_client(limits=RateLimits(per_second=1000, per_minute=100000))
    fake = [f"9{i:018d}" for i in range(150)]
    NameLookup(c2).run({"department": [DEPT2, *fake]})  # two requests at once: one gets a 429, then retried
    stats = sandbox.stats.snapshot()[DEPARTMENTS.path]
    assert stats["rate_limited"] >= 1 and stats["accepted"] == 3
    assert c2.counters.snapshot()["rate_limited"] >= 1


def test_managers_take_two_hops_each_batched(make_client, sandbox):
    c = make_client()
    book = NameLookup(c).run({"manager": ["7060000000000000001", "7060000000000000008", DANGLING_MANAGER]})
    assert book.lookup("manager", "7060000000000000001") == [{"lang": None, "value": "张伟(Zhang Wei)"}]
    assert book.lookup("manager", "7060000000000000008")[0]["value"] == "徐磊(Xu Lei)"
    assert book.lookup("manager", DANGLING_MANAGER) is None and DANGLING_MANAGER in book.names["manager"]
    assert book.requests[hop1_label()] == 1
    stats = sandbox.stats.snapshot()
    assert stats[JOB_DATAS.path]["accepted"] == 1 and stats[EMPLOYEES.path]["accepted"] == 1


def test_a_missing_scope_is_reported_per_kind_and_the_others_go_on(make_client, sandbox):
    everything = {s for e in NAME_ENDPOINTS for s in e.scopes} | set(JOB_DATAS.scopes)
    sandbox.configure(scopes=everything - set(DEPARTMENTS.scopes) - set(EMPLOYEES.scopes))
    c = make_client()
    with pytest.raises(FeishuScopeError):
        c.batch_get_departments([DEPT2])
    book = NameLookup(c).run({"department": [DEPT2], "job_level": [CAT(1, 1)], "manager": ["7060000000000000001"]})
    assert book.missing_scopes == {"department": "corehr:department:read", "manager": "corehr:employee:read"}
    assert book.lookup("job_level", CAT(1, 1))[0]["value"] == "P1 初级"


def test_a_batch_that_keeps_failing_leaves_its_ids_failed(make_client, sandbox):
    sandbox.configure(fault_rate=1.0, faults=["500"])
    c = make_client(max_retries=1)
    book = NameLookup(c).run({"job_family": [CAT(7, 1)]})
    assert CAT(7, 1) in book.failed["job_family"] and c.failures
    with pytest.raises(FeishuError):
        c.batch_get_job_families([CAT(7, 1)])


def test_batches_of_100_deduplicated_and_cached_per_id(tmp_path):
    tenant = generate_tenant(talents=10, employees=10, departments=250, seed=3)
    ids = [d.people_corehr_department_id for d in tenant.departments]
    with Sandbox(tenant) as sb:
        def lookup():
            client = FeishuClient(sb.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET,
                                  cache=CacheSettings(enabled=True, path=tmp_path / "c.sqlite"),
                                  limits=RateLimits(per_second=1000, per_minute=100000))
            store = KeyStore.for_cache(client.cache, app_key=client.app_key)
            try:
                return NameLookup(client, store).run({"department": ids + ids[:50]})  # duplicates asked once
            finally:
                store.close()
                client.close()

        book = lookup()
        assert sb.stats.snapshot()[DEPARTMENTS.path]["accepted"] == math.ceil(250 / 100)
        assert {i: book.lookup("department", i)[0]["value"] for i in ids} == \
            {d.people_corehr_department_id: d.names[0]["value"] for d in tenant.departments}
        sb.stats.reset()
        again = lookup()
        assert sb.stats.snapshot()[DEPARTMENTS.path]["requests"] == 0  # every ID from the per-key store
        assert again.cached["department"] == 250
        sb.stats.reset()
        ids.append("7059999999999999999")  # one new ID (dangling): one request for it alone
        third = lookup()
        assert sb.stats.snapshot()[DEPARTMENTS.path]["requests"] == 1
        assert third.lookup("department", ids[-1]) is None
