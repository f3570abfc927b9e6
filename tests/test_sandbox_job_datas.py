"""Sandbox corehr/v1/job_datas: filters, ID types, versions, field scopes, paging."""

from __future__ import annotations

import pytest
import requests

from reconciler.sandbox import (ENDPOINT_AUTH, ENDPOINT_JOB_DATAS, SANDBOX_APP_ID, SANDBOX_APP_SECRET, Sandbox,
                                demo_tenant, generate_tenant)

SCOPED_FIELDS = {"work_shift", "compensation_type", "service_company", "position_id", "job_data_reason"}
SEED_FIELDS = {
    "id", "version_id", "job_level_id", "job_grade_id", "employee_type_id", "working_hours_type_id",
    "work_location_id", "department_id", "job_id", "probation_start_date", "probation_end_date", "primary_job_data",
    "employment_id", "effective_time", "expiration_time", "job_family_id", "assignment_start_reason",
    "probation_expected_end_date", "probation_outcome", "weekly_working_hours", "direct_manager_id",
    "dotted_line_manager_id_list", "second_direct_manager_id", "cost_center_rate", "weekly_working_hours_v2",
    "work_shift", "compensation_type", "service_company", "employee_subtype_id", "position_id", "job_data_reason",
}
E0002 = "7040000000000000002"


class Client:
    def __init__(self, sb: Sandbox):
        self.sb = sb
        self.session = requests.Session()
        r = self.session.post(f"{sb.url}/open-apis/{ENDPOINT_AUTH}",
                              json={"app_id": SANDBOX_APP_ID, "app_secret": SANDBOX_APP_SECRET}, timeout=5)
        self.session.headers["Authorization"] = f"Bearer {r.json()['tenant_access_token']}"

    def get(self, params) -> requests.Response:
        return self.session.get(f"{self.sb.url}/open-apis/{ENDPOINT_JOB_DATAS}", params=params, timeout=5)

    def items(self, **params) -> list[dict]:
        params.setdefault("page_size", "100")
        r = self.get(params)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["code"] == 0 and body["data"]["has_more"] is False and "page_token" not in body["data"]
        return body["data"]["items"]


@pytest.fixture(scope="module")
def client():
    with Sandbox() as sb:
        yield Client(sb)


def test_current_versions_by_default_ordered_by_employment_then_effective_time(client):
    items = client.items()
    keys = [(i["employment_id"], i["effective_time"]) for i in items]
    assert keys == sorted(keys)
    by_emp = {}
    for i in items:
        by_emp.setdefault(i["employment_id"], []).append(i)
    assert len(by_emp) == 14  # E0005 has left: no current job data
    assert "7040000000000000005" not in by_emp
    assert [i["department_id"] for i in by_emp[E0002]] == ["7050000000000000002"]  # moved on 2024-07-01
    assert by_emp["7040000000000000006"][0]["effective_time"] == "2023-02-01 00:00:00"  # 2030 change not current
    assert sorted(i["primary_job_data"] for i in by_emp["7040000000000000004"]) == [False, True]


def test_get_all_version_returns_past_versions_with_expiration(client):
    versions = client.items(employment_id=E0002, get_all_version="true")
    assert [(v["department_id"], v["effective_time"], v.get("expiration_time")) for v in versions] == [
        ("7050000000000000003", "2021-09-01 00:00:00", "2024-07-01 00:00:00"),
        ("7050000000000000002", "2024-07-01 00:00:00", None),
    ]
    assert versions[0]["id"] == versions[1]["id"] and versions[0]["version_id"] != versions[1]["version_id"]
    assert len(client.items(get_all_version="false", employment_id=E0002)) == 1
    assert client.get({"page_size": "5", "get_all_version": "yes"}).json()["code"] == 99992402


def test_every_seed_field_is_present_with_all_scopes(client):
    [item] = client.items(employment_id="7040000000000000007")
    assert SEED_FIELDS - {"expiration_time"} <= set(item)
    assert item["weekly_working_hours_v2"] == 37.5
    assert item["cost_center_rate"] == [{"cost_center_id": "7111000000000000002", "rate": 60},
                                        {"cost_center_id": "7111000000000000003", "rate": 40}]
    assert len(item["dotted_line_manager_id_list"]) == 2
    assert item["assignment_start_reason"] == {"enum_name": "onboarding", "display": [
        {"lang": "zh-CN", "value": "入职"}, {"lang": "en-US", "value": "Onboarding"}]}


@pytest.mark.parametrize("user_id_type, expected", [
    ("people_corehr_id", E0002), ("user_id", "E0002"),
    ("open_id", demo_tenant().employees[1].open_id), ("union_id", demo_tenant().employees[1].union_id),
])
def test_user_id_types_translate_filter_and_output(client, user_id_type, expected):
    [item] = client.items(employment_id=expected, user_id_type=user_id_type)
    assert item["employment_id"] == expected
    assert item["id"] == "7060000000000000002"


@pytest.mark.parametrize("department_id_type, expected", [
    ("people_corehr_department_id", "7050000000000000004"), ("department_id", "D400"),
    ("open_department_id", demo_tenant().departments[3].open_department_id),
])
def test_department_id_types_translate_filter_and_output(client, department_id_type, expected):
    items = client.items(department_id=expected, department_id_type=department_id_type)
    assert {i["department_id"] for i in items} == {expected}
    assert {i["id"] for i in items} == {"7060000000000000003", "7060000000000000009", "7060000000000000016"}


def test_invalid_id_types_and_page_sizes_are_rejected(client):
    for params in ({"page_size": "10", "user_id_type": "email"}, {"page_size": "10", "department_id_type": "x"},
                   {}, {"page_size": "0"}, {"page_size": "101"}, {"page_size": "ten"}):
        r = client.get(params)
        assert (r.status_code, r.json()["code"]) == (400, 99992402), params


def test_unknown_employment_returns_no_items(client):
    assert client.items(employment_id="E9999", user_id_type="user_id") == []


def test_job_data_id_list_is_a_repeated_key_and_filters_and_together(client):
    r = client.session.get(f"{client.sb.url}/open-apis/{ENDPOINT_JOB_DATAS}?page_size=100"
                           "&job_data_id_list=7060000000000000001&job_data_id_list=7060000000000000008", timeout=5)
    assert [i["id"] for i in r.json()["data"]["items"]] == ["7060000000000000001", "7060000000000000008"]
    # AND with a department filter
    assert [i["id"] for i in client.items(job_data_id_list=["7060000000000000001", "7060000000000000008"],
                                          department_id="D300", department_id_type="department_id")] == \
        ["7060000000000000008"]
    too_many = client.get({"page_size": "10", "job_data_id_list": [str(n) for n in range(101)]})
    assert too_many.json()["code"] == 99992402


def test_job_id_filter(client):
    items = client.items(job_id="7106000000000000005")  # accountant
    assert {i["employment_id"] for i in items} == {"7040000000000000011"}


def test_field_scopes_omit_fields_instead_of_emptying_them():
    with Sandbox(scopes={"corehr:job_data:read"}) as sb:
        items = Client(sb).items(user_id_type="user_id")
        assert items
        for item in items:
            assert not SCOPED_FIELDS & set(item)
            assert "employment_id" not in item  # user IDs need contact:user.employee_id:readonly
            assert "job_level_id" in item
        sb.configure(scopes={"corehr:job_data:read", "contact:user.employee_id:readonly",
                             "corehr:employment.position:write", "corehr:job_data.work_shift:read"})
        [item] = Client(sb).items(user_id_type="user_id", employment_id="E0010")
        assert item["employment_id"] == "E0010"
        assert item["work_shift"]["enum_name"] == "shift" and "position_id" in item
        assert not {"compensation_type", "service_company", "job_data_reason"} & set(item)


def test_paging_across_many_pages_of_a_generated_tenant():
    tenant = generate_tenant(talents=10, employees=300, departments=7, seed=3, versions_rate=0.3, parttime_rate=0.05)
    with Sandbox(tenant=tenant) as sb:
        client = Client(sb)
        pages, seen, params = 0, [], {"page_size": "37", "get_all_version": "true", "user_id_type": "user_id"}
        while True:
            body = client.get(params).json()
            assert body["code"] == 0
            pages += 1
            seen += body["data"]["items"]
            if not body["data"]["has_more"]:
                assert "page_token" not in body["data"]
                break
            assert len(body["data"]["items"]) == 37
            params["page_token"] = body["data"]["page_token"]
        assert len(seen) == len(tenant.job_datas) and pages == -(-len(tenant.job_datas) // 37)
        assert len({(i["id"], i["version_id"]) for i in seen}) == len(seen)
        keys = [(i["employment_id"], i["effective_time"]) for i in seen]
        assert keys == sorted(keys)
        # a token only works with the query it was made for, and cannot be forged
        assert client.get({**params, "user_id_type": "open_id"}).json()["code"] == 99992402
        assert client.get({"page_size": "37", "page_token": "MTAwOmFiYzpkZWY"}).json()["code"] == 99992402
