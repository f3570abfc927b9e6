"""The typed endpoints against the sandbox: every input and output field, AND semantics, paging."""

from __future__ import annotations

import pytest

from reconciler.feishu import JOB_DATAS, EnumValue, JobData
from reconciler.sandbox import Sandbox, generate_tenant


def test_batch_get_by_mobile_echoes_mobile_only(make_client):
    talents = make_client().batch_get_talent_ids(mobile_code="86", mobile_number_list=["13800138001"])
    assert [t.talent_id for t in talents] == ["6910000000000000001"]
    t = talents[0]
    assert (t.mobile_code, t.mobile_number) == ("86", "13800138001")
    assert t.email is None and t.identification_number is None and t.identification_type is None
    assert t.is_onboarded is True


def test_batch_get_by_email_and_id_number(make_client):
    client = make_client()
    by_email = client.batch_get_talent_ids(email_list=["wang.fang@example.com"])
    assert by_email[0].talent_id == "6910000000000000002" and by_email[0].email == "wang.fang@example.com"
    assert by_email[0].mobile_number is None
    by_id = client.batch_get_talent_ids(identification_type=1, identification_number_list=["31010419880512006X"])
    assert by_id[0].talent_id == "6910000000000000002"
    assert (by_id[0].identification_type, by_id[0].identification_number) == (1, "31010419880512006X")
    passport = client.batch_get_talent_ids(identification_type=2, identification_number_list=["E12345678"])
    assert passport[0].talent_id == "6910000000000000020" and passport[0].is_onboarded is False


def test_lists_are_and_combined(make_client):
    client = make_client()
    both = client.batch_get_talent_ids(mobile_number_list=["13500135000"], email_list=["huang.xiaomin@example.com"])
    assert [t.talent_id for t in both] == ["6910000000000000017"]
    assert both[0].mobile_number == "13500135000" and both[0].email == "huang.xiaomin@example.com"
    mobile_only = client.batch_get_talent_ids(mobile_number_list=["13500135000"])
    assert sorted(t.talent_id for t in mobile_only) == ["6910000000000000016", "6910000000000000017"]
    disjoint = client.batch_get_talent_ids(mobile_number_list=["13311112222"], email_list=["wu.ting@example.com"])
    assert disjoint == []


def test_hong_kong_code(make_client):
    talents = make_client().batch_get_talent_ids(mobile_code="852", mobile_number_list=["91234567"])
    assert talents[0].talent_id == "6910000000000000021" and talents[0].mobile_code == "852"


def test_is_onboarded_absent_without_scope(sandbox, make_client):
    sandbox.configure(scopes={"hire:talent:readonly", "corehr:corehr:readonly"})
    talents = make_client().batch_get_talent_ids(email_list=["zhang.wei@example.com"])
    assert talents[0].talent_id == "6910000000000000001"
    assert talents[0].is_onboarded is None  # absent, not False


def test_tolerates_fields_feishu_adds_later():
    item = JobData.model_validate({"id": "1", "new_field": {"x": 1}, "assignment_start_reason": {"enum_name": "a", "display": [], "extra": 1}})
    assert item.model_extra == {"new_field": {"x": 1}}
    assert item.field("new_field.x") == 1
    assert item.field("assignment_start_reason.enum_name") == "a"


def test_every_job_data_field(make_client):
    items = list(make_client().iter_job_datas(employment_id="E0007", user_id_type="user_id", department_id_type="department_id"))
    assert len(items) == 1
    jd = items[0]
    for name in set(JobData.model_fields) - {"expiration_time"}:  # open-ended: no expiration
        assert name in jd.model_fields_set, f"{name} missing from the sandbox answer"
    assert jd.employment_id == "E0007" and jd.department_id == "D200"
    assert [(c.cost_center_id, c.rate) for c in jd.cost_center_rate] and sum(c.rate for c in jd.cost_center_rate) == 100
    assert len(jd.dotted_line_manager_id_list) == 2
    assert jd.weekly_working_hours_v2 == 37.5 and isinstance(jd.weekly_working_hours_v2, float)
    assert isinstance(jd.assignment_start_reason, EnumValue)
    assert jd.assignment_start_reason.display_text("en-US") != jd.assignment_start_reason.display_text("zh-CN")
    assert jd.primary_job_data is True


@pytest.mark.parametrize(
    ("user_id_type", "employee"),
    [("user_id", "E0001"), ("people_corehr_id", "7040000000000000001"),
     ("open_id", "ou_12a978dc50c7c1bd1dcd2a53e4dd978d"), ("union_id", None)],
)
def test_each_user_id_type(sandbox, make_client, user_id_type, employee):
    if employee is None:  # read the union_id from the tenant rather than hard-coding it
        employee = next(e.union_id for e in sandbox.tenant.employees if e.user_id == "E0001")
    items = list(make_client().iter_job_datas(employment_id=employee, user_id_type=user_id_type))
    assert [i.id for i in items] == ["7060000000000000001"]
    assert items[0].employment_id == employee


@pytest.mark.parametrize(
    ("department_id_type", "expected"),
    [("department_id", "D100"), ("people_corehr_department_id", "7050000000000000001"),
     ("open_department_id", "od-3054d20ac880b2631e216b64b432b216")],
)
def test_each_department_id_type(make_client, department_id_type, expected):
    items = list(make_client().iter_job_datas(employment_id="E0001", user_id_type="user_id", department_id_type=department_id_type))
    assert items[0].department_id == expected
    filtered = list(make_client().iter_job_datas(department_id=expected, department_id_type=department_id_type, user_id_type="user_id"))
    assert "E0001" in {i.employment_id for i in filtered}
    assert {i.department_id for i in filtered} == {expected}


def test_get_all_version_and_job_data_id_list(make_client):
    client = make_client()
    current = list(client.iter_job_datas(employment_id="E0003", user_id_type="user_id"))
    every = list(client.iter_job_datas(employment_id="E0003", user_id_type="user_id", get_all_version=True))
    assert len(current) == 1 and len(every) == 3
    assert all(v.effective_time for v in every)
    assert sum(1 for v in every if v.expiration_time) == 2  # the two past versions end; the current is open
    picked = list(client.iter_job_datas(job_data_id_list=["7060000000000000001", "7060000000000000008"], user_id_type="user_id"))
    assert sorted(i.employment_id for i in picked) == ["E0001", "E0008"]


def test_paging_across_many_pages():
    tenant = generate_tenant(talents=50, employees=730, seed=3)
    with Sandbox(tenant) as sb:
        from reconciler.feishu import FeishuClient
        from reconciler.sandbox import SANDBOX_APP_ID, SANDBOX_APP_SECRET

        with FeishuClient(sb.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET) as client:
            pages = list(client.iter_job_data_pages(page_size=100, user_id_type="user_id"))
            items = [i for p in pages for i in p.items]
            expected_current = client.counters.sent[JOB_DATAS.name]
        assert len(pages) == expected_current >= 8
        assert all(p.has_more for p in pages[:-1]) and not pages[-1].has_more and pages[-1].page_token is None
        assert len({i.version_id or i.id for i in items}) == len(items)  # no page repeated an item
        assert {i.employment_id for i in items} == {e.user_id for e in tenant.employees if any(
            j["employment_id"] == e.people_corehr_id for j in tenant.job_datas)} - _departed(tenant)


def _departed(tenant) -> set[str]:
    """Employees with no current job data, computed from the tenant itself."""
    import datetime as dt

    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    current = {j["employment_id"] for j in tenant.job_datas
               if j.get("effective_time", "") <= now and (not j.get("expiration_time") or now < j["expiration_time"])}
    by_corehr = {e.people_corehr_id: e.user_id for e in tenant.employees}
    return {by_corehr[c] for c in by_corehr if c not in current}
