"""Fetching job data for a set of employees by the cheaper of two plans.

- per_employee: one request (usually one page) per `employment_id`: N requests.
- page_all: page through every job data of the tenant (or of the given
  departments) with page_size=100 and join locally: ceil(T/100) requests.

T is not known before paging, so we remember it from the last complete
page-through (in the key store). Without it, a handful of employees is fetched
one by one; more are paged, and paging stops as soon as the pages already spent
reach the employees still missing (the ski-rental rule: never worse than twice
the cheaper plan), the rest then being asked one by one.

With T known, the plan also weighs the wall time, because the two plans take
time differently: pages are a chain (each needs the previous page's token), so
paging takes P x (one answer's time), whatever the rate limit; per-employee
requests go side by side at the rate limit, N / 50 s, plus a minute for each
further 1,000 (Feishu's per-minute limit). The rule: page through when it takes
fewer requests, unless asking per employee is faster and fits in one minute's
budget (N <= 1,000, so it never holds the endpoint for a minute); estimated with
one page's answer time measured on the last page-through that reached Feishu
(not the HTTP cache), or PAGE_SECONDS before one. E.g. 60
employees of a 3,100-job-data tenant: 31 pages take ~5 s, 60 requests ~1.3 s:
per employee; 3,000 employees: 31 pages (~5 s) against 3,000 requests (> 2 min):
paging. Fewer requests per employee than pages is always per employee.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from reconciler.errors import FeishuAuthError, FeishuError
from reconciler.feishu.client import FeishuClient, job_data_page, job_datas_params
from reconciler.feishu.endpoints import JOB_DATAS
from reconciler.messages.render import Message
from reconciler.feishu.keystore import KeyStore
from reconciler.feishu.models import JobData, share_equal_parts
from reconciler.feishu.pages_ahead import PagesAhead

PAGE_SIZE = JOB_DATAS.page_size or 100
FEW_EMPLOYEES = 20  # with T unknown, this many or fewer are cheaper one by one
PAGE_SECONDS = 0.3  # one page's answer time until a page-through has measured it (seconds)


def per_employee_seconds(n: int, answer_seconds: float) -> float:
    """Estimated wall time of n requests sent side by side at the endpoint's rate limits."""
    per_second = JOB_DATAS.per_second or 50
    per_minute = JOB_DATAS.per_minute or 1000
    return (n - 1) / per_second + 60.0 * ((n - 1) // per_minute) + answer_seconds


@dataclass(frozen=True, slots=True)
class EmployeeJobData:
    """All job data (current, or every version) of one employee, or why it could not be fetched."""

    items: tuple[JobData, ...] = ()
    error: Message | None = None


@dataclass
class JobDataPlan:
    strategy: str  # "none" | "per_employee" | "page_all" | "page_departments"
    employees: list[str]
    requests: int  # estimated requests (exact when the tenant's size is known)
    known_total: int | None = None
    departments: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.strategy == "none":
            return "job data: nothing to fetch"
        if self.strategy == "per_employee":
            return f"job data: one request per employee, {self.requests} requests"
        scope = f"{len(self.departments)} departments" if self.departments else "the tenant"
        if self.known_total is not None:
            return f"job data: page through {scope} ({self.known_total} job data at last count), {self.requests} requests"
        return (
            f"job data: page through {scope} (size unknown), at most {self.requests} requests "
            "(stops paging when asking per employee becomes cheaper)"
        )


class JobDataFetcher:
    def __init__(
        self,
        client: FeishuClient,
        *,
        user_id_type: str = JOB_DATAS.id_types["user_id_type"],
        department_id_type: str = JOB_DATAS.id_types["department_id_type"],
        get_all_version: bool = False,
        store: KeyStore | None = None,
    ):
        self.client = client
        self.user_id_type = user_id_type
        self.department_id_type = department_id_type
        self.get_all_version = get_all_version
        self._seen: dict = {}  # nested values shared between records (share_equal_parts)
        self.store = store

    def _query(self) -> dict:
        return {
            "user_id_type": self.user_id_type,
            "department_id_type": self.department_id_type,
            "get_all_version": self.get_all_version,
        }

    def _page_seconds_name(self) -> str:
        return f"job_data_page_seconds|{self.user_id_type}|{self.department_id_type}|{self.get_all_version}"

    def _total_name(self, department: str | None) -> str:
        return f"job_data_total|{self.user_id_type}|{self.department_id_type}|{self.get_all_version}|{department or '*'}"

    def plan(self, employee_ids: Iterable[str], department_ids: Iterable[str] = ()) -> JobDataPlan:
        employees = sorted(set(employee_ids))
        departments = sorted(set(department_ids))
        n = len(employees)
        if n == 0:
            return JobDataPlan("none", [], 0)
        totals = [self.store.get_value(self._total_name(d)) if self.store else None for d in departments or [None]]
        strategy = "page_departments" if departments else "page_all"
        if all(t is not None for t in totals):
            known = sum(totals)  # type: ignore[arg-type]
            pages = sum(JOB_DATAS.pages_needed(t) for t in totals)  # type: ignore[arg-type]
            page_seconds = (self.store.get_value(self._page_seconds_name()) if self.store else None) or PAGE_SECONDS
            faster_one_by_one = n <= (JOB_DATAS.per_minute or 1000) and per_employee_seconds(n, page_seconds) < pages * page_seconds
            if pages < n and not faster_one_by_one:
                return JobDataPlan(strategy, employees, pages, known_total=known, departments=departments)
            return JobDataPlan("per_employee", employees, self._uncached(employees), known_total=known)
        if n <= FEW_EMPLOYEES:
            return JobDataPlan("per_employee", employees, self._uncached(employees))
        return JobDataPlan(strategy, employees, 2 * n, departments=departments)

    def _uncached(self, employees: list[str]) -> int:
        """Per-employee requests the HTTP cache will not answer."""
        return sum(
            not self.client.is_cached(
                JOB_DATAS,
                params=job_datas_params(page_size=PAGE_SIZE, employment_id=e, **self._query()),
            )
            for e in employees
        )

    def fetch(self, plan: JobDataPlan, progress: Callable[[int], None] | None = None) -> dict[str, EmployeeJobData]:
        if plan.strategy == "none":
            return {}
        remaining = set(plan.employees)
        found: dict[str, list[JobData]] = defaultdict(list)
        failure = None
        if plan.strategy in ("page_all", "page_departments"):
            remaining, failure = self._page(plan, remaining, found, progress)
        results = {e: EmployeeJobData(tuple(found[e])) for e in plan.employees if e not in remaining}
        if failure is not None:
            # A page failed after its retries: the employees it would have answered are
            # errors. Asking each of them one by one could cost the whole minute's budget.
            results.update({e: EmployeeJobData(error=Message("note.job_lookup_failed", reason=failure)) for e in remaining})
            return results
        results.update(self._per_employee(sorted(remaining), progress))
        return results

    def _page(self, plan, remaining: set[str], found, progress) -> tuple[set[str], str | None]:
        """Page through; return the employees still to ask and, if a page failed for good, why."""
        spent, waited = 0, 0.0
        hits_before = self.client.counters.cache_hits[JOB_DATAS.name]
        for department in plan.departments or [None]:
            total, complete, last_page = 0, False, set()
            params = job_datas_params(page_size=PAGE_SIZE, department_id=department, **self._query())
            try:
                with PagesAhead(self.client.iter_data_pages(JOB_DATAS, params=params), "job-data-pages") as pages:
                    while True:
                        data, seconds = pages.next()
                        if data is None:
                            break
                        waited += seconds  # the page's answer time, not our work on it
                        spent += 1
                        # Ask for the next page while this one is worked on, when it will surely be
                        # read: the early stop below needs spent < the employees still missing.
                        has_more, count = bool(data.get("has_more")), len(data.get("items") or ())
                        if has_more and (plan.known_total is not None or spent < len(remaining) - count):
                            pages.want_next()
                        page = job_data_page(data)
                        total += len(page.items)
                        last_page = {i.employment_id for i in page.items if i.employment_id in remaining or i.employment_id in found}
                        for item in page.items:
                            if item.employment_id in last_page:
                                found[item.employment_id].append(share_equal_parts(item, self._seen))
                        hit = len(last_page & remaining)
                        remaining -= last_page
                        if progress and hit:
                            progress(hit)
                        if not page.has_more:
                            complete = True
                        elif plan.known_total is None and spent >= len(remaining):
                            break  # asking the rest one by one is now cheaper
            except FeishuAuthError:
                raise
            except FeishuError as exc:
                failure = exc.message
                self.client.failures[failure] += 1
            else:
                failure = None
            if not complete:
                # An employee of the last page may continue on the next one: ask again.
                for employee in last_page:
                    found.pop(employee, None)
                return remaining | last_page, failure
            if self.store:
                self.store.put_value(self._total_name(department), total)
        fetched = spent - (self.client.counters.cache_hits[JOB_DATAS.name] - hits_before)
        if self.store and fetched == spent and spent:  # one page's answer time from Feishu, for the next plan
            self.store.put_value(self._page_seconds_name(), waited / spent)
        # Paged everything: whoever is still missing has no job data.
        return set(), None

    def _per_employee(self, employees: list[str], progress) -> dict[str, EmployeeJobData]:
        if not employees:
            return {}
        results: dict[str, EmployeeJobData] = {}
        with self.client.executor() as pool:
            futures = {pool.submit(self._one, e): e for e in employees}
            for future, employee in futures.items():
                results[employee] = future.result()
                if progress:
                    progress(1)
        return results

    def _one(self, employee: str) -> EmployeeJobData:
        try:
            items = self.client.iter_job_datas(page_size=PAGE_SIZE, employment_id=employee, **self._query())
            return EmployeeJobData(tuple(share_equal_parts(item, self._seen) for item in items))
        except FeishuAuthError:
            raise
        except FeishuError as exc:
            self.client.failures[exc.message] += 1
            return EmployeeJobData(error=Message("note.job_lookup_failed", reason=exc.message))
