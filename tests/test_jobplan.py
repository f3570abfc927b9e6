"""Choosing and running the job-data plan: per employee vs paging, against a generated tenant."""

from __future__ import annotations

import math
import time

import pytest

from reconciler.feishu import JOB_DATAS, CacheSettings, FeishuClient, JobDataFetcher, KeyStore, RateLimits
from reconciler.sandbox import SANDBOX_APP_ID, SANDBOX_APP_SECRET, Sandbox, generate_tenant


@pytest.fixture(scope="module")
def tenant():
    return generate_tenant(talents=20, employees=1150, seed=4)


@pytest.fixture
def fetcher_for(tenant, tmp_path):
    made = []

    def make(sb, store=True):
        client = FeishuClient(sb.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET, limits=RateLimits(1000, 100000),
                              cache=CacheSettings(enabled=False))
        made.append(client)
        keystore = KeyStore(tmp_path / "c.sqlite", app_key=client.app_key, expire_after=3600) if store else None
        return client, JobDataFetcher(client, user_id_type="user_id", store=keystore)

    yield make
    for c in made:
        c.close()


def current_count(sb):
    """How many job data a page-through returns, from the sandbox's own answer count."""
    return sum(1 for _ in FeishuClient(sb.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET).iter_job_datas(user_id_type="user_id"))


def test_few_employees_are_fetched_one_by_one(tenant, fetcher_for):
    with Sandbox(tenant) as sb:
        client, fetcher = fetcher_for(sb)
        ids = [e.user_id for e in tenant.employees[:5]]
        plan = fetcher.plan(ids + ids[:2])
        assert (plan.strategy, plan.requests) == ("per_employee", 5)
        result = fetcher.fetch(plan)
        assert client.counters.sent[JOB_DATAS.name] == 5
        assert all(r.items and r.items[0].employment_id == e for e, r in result.items())


def test_many_employees_page_through_and_remember_the_size(tenant, fetcher_for):
    with Sandbox(tenant) as sb:
        total = current_count(sb)
        client, fetcher = fetcher_for(sb)
        ids = [e.user_id for e in tenant.employees] + ["NOBODY"]
        plan = fetcher.plan(ids)
        assert plan.strategy == "page_all" and plan.known_total is None
        assert "size unknown" in plan.describe()
        result = fetcher.fetch(plan)
        assert client.counters.sent[JOB_DATAS.name] == math.ceil(total / 100)
        assert result["NOBODY"].items == () and result["NOBODY"].error is None
        assert all(result[e.user_id].items for e in tenant.employees)
        again = fetcher.plan(ids)  # the size is known now: the estimate is exact
        assert (again.strategy, again.requests, again.known_total) == ("page_all", math.ceil(total / 100), total)
        fewer = fetcher.plan(ids[:8])
        assert fewer.strategy == "per_employee" and fewer.requests == 8


def test_paging_stops_when_asking_per_employee_is_cheaper(tenant, fetcher_for):
    with Sandbox(tenant) as sb:
        pages = math.ceil(current_count(sb) / 100)
        client, fetcher = fetcher_for(sb, store=False)
        ids = [e.user_id for e in tenant.employees[::45]]  # 26 employees spread across the tenant
        plan = fetcher.plan(ids)
        assert plan.strategy == "page_all"
        result = fetcher.fetch(plan)
        sent = client.counters.sent[JOB_DATAS.name]
        assert sent <= 2 * min(len(ids), pages)
        direct, _ = fetcher_for(sb, store=False)
        for e in ids:  # the same answers as asking each one directly
            expected = {j.id for j in direct.iter_job_datas(employment_id=e, user_id_type="user_id")}
            assert {j.id for j in result[e].items} == expected


def _record_requests(client) -> list[str]:
    """The URL of every job-data request the client puts on the wire (requests' own response hook)."""
    seen: list[str] = []
    client.session.hooks["response"].append(
        lambda response, *args, **kwargs: seen.append(response.request.url) if "job_datas" in response.request.url else None)
    return seen


def test_paging_asks_ahead_only_for_pages_it_reads(tenant, fetcher_for):
    """The next page is asked for while a page is worked on, but never one the early stop
    would leave unread: the page-through sends exactly the pages the rule reads."""
    with Sandbox(tenant) as sb:
        client, fetcher = fetcher_for(sb, store=False)
        ids = [e.user_id for e in tenant.employees[::45]]
        # The rule, applied to the tenant's pages in order: how many pages it reads.
        remaining, read = set(ids), 0
        for page in FeishuClient(sb.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET).iter_job_data_pages(
                page_size=100, user_id_type="user_id"):
            read += 1
            remaining -= {j.employment_id for j in page.items}
            if not page.has_more or read >= len(remaining):
                break
        assert 1 < read < 12  # the early stop happens here
        sent = _record_requests(client)
        fetcher.fetch(fetcher.plan(ids))
    assert sum("employment_id=" not in url for url in sent) == read


def test_the_next_page_is_on_its_way_while_a_page_is_worked_on(tenant, fetcher_for):
    with Sandbox(tenant) as sb:
        pages = math.ceil(current_count(sb) / 100)
        client, fetcher = fetcher_for(sb)
        sent = _record_requests(client)
        ahead = []

        def progress(hits):  # called while a page's job data is being joined (every page has some here)
            reading = len(ahead) + 1  # this page's number
            if reading == pages:
                return  # the last page: there is no next one
            deadline = time.monotonic() + 10
            while sum("employment_id=" not in url for url in sent) <= reading and time.monotonic() < deadline:
                time.sleep(0.005)  # waiting for the next page's answer to arrive, not measuring
            ahead.append(sum("employment_id=" not in url for url in sent) > reading)

        fetcher.fetch(fetcher.plan([e.user_id for e in tenant.employees]), progress)
    assert len(ahead) == pages - 1 and all(ahead)


def test_department_filter_pages_only_those_departments(tenant, fetcher_for):
    with Sandbox(tenant) as sb:
        dept = tenant.departments[0]
        client, _ = fetcher_for(sb)
        fetcher = JobDataFetcher(client, user_id_type="user_id", department_id_type="department_id")
        members = {j.employment_id for j in client.iter_job_datas(
            department_id=dept.department_id, department_id_type="department_id", user_id_type="user_id")}
        before = client.counters.sent[JOB_DATAS.name]
        plan = fetcher.plan(sorted(members), department_ids=[dept.department_id])
        assert plan.strategy in ("page_departments", "per_employee")
        if len(members) > 20:
            assert plan.strategy == "page_departments"
        result = fetcher.fetch(plan)
        assert all(result[m].items for m in members)
        assert client.counters.sent[JOB_DATAS.name] - before <= len(members)


def test_failed_lookup_is_that_employees_error(tenant):
    with Sandbox(tenant, fault_rate=1.0, faults=("500",)) as sb:
        with FeishuClient(sb.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET, max_retries=1, backoff=0.01, max_backoff=0.02) as client:
            fetcher = JobDataFetcher(client, user_id_type="user_id")
            result = fetcher.fetch(fetcher.plan(["E0001", "E0002"]))
    assert all(r.error and "job data lookup failed" in str(r.error) for r in result.values())


def test_dry_run_count_excludes_cached_requests(tenant, tmp_path):
    with Sandbox(tenant) as sb:
        settings = CacheSettings(enabled=True, path=tmp_path / "c.sqlite")
        with FeishuClient(sb.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET, cache=settings) as client:
            fetcher = JobDataFetcher(client, user_id_type="user_id")
            ids = [e.user_id for e in tenant.employees[:6]]
            fetcher.fetch(fetcher.plan(ids[:4]))
            assert fetcher.plan(ids).requests == 2


def test_the_plan_weighs_wall_time_pages_are_a_chain_per_employee_requests_go_side_by_side(tenant, fetcher_for):
    # 150 ms per answer: the tenant's ~12 pages take ~2 s one after the other; 40 employees
    # asked side by side at 50/s take under 1 s (40 requests instead of 12); 400 would take 8 s.
    with Sandbox(tenant, latency=0.15) as sb:
        client, fetcher = fetcher_for(sb)
        ids = [e.user_id for e in tenant.employees]
        fetcher.fetch(fetcher.plan(ids))  # a page-through: the size and one page's time are remembered
        pages = client.counters.sent[JOB_DATAS.name]
        few, many = fetcher.plan(ids[:40]), fetcher.plan(ids[:400])
    assert pages < 40
    assert (few.strategy, few.requests) == ("per_employee", 40)
    assert (many.strategy, many.requests) == ("page_all", pages)


def test_equal_nested_values_of_job_data_are_one_object_and_unequal_ones_stay_apart():
    from reconciler.feishu.models import JobData, share_equal_parts

    def record(version: str, reason: str, rate: int) -> JobData:
        return JobData.model_validate({
            "version_id": version, "employment_id": "E1",
            "assignment_start_reason": {"enum_name": reason, "display": [{"lang": "zh-CN", "value": reason + "!"}]},
            "cost_center_rate": [{"cost_center_id": "C1", "rate": rate}]})

    seen: dict = {}
    first, second, third = (share_equal_parts(record(*args), seen)
                            for args in (("1", "onboarding", 100), ("2", "onboarding", 100), ("3", "transfer", 50)))
    assert first.assignment_start_reason is second.assignment_start_reason
    assert first.cost_center_rate is second.cost_center_rate
    assert third.assignment_start_reason is not first.assignment_start_reason
    assert third.field("assignment_start_reason.enum_name") == "transfer" and third.cost_center_rate[0].rate == 50
    assert second == record("2", "onboarding", 100) and second.version_id == "2"  # what it says is unchanged
