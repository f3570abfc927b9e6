"""Names for the IDs job data holds (feishu-names.md), in as few requests as the APIs allow.

NameLookup takes, per kind of record (department, job level, manager...), the set
of IDs a run's rows need and returns each ID's names (an i18n list; a person's
preferred_name as one entry), or None when Feishu has no name for it. Each ID is
answered from the per-key store when it can be (a rerun asks nothing; edited rows
ask only for their new IDs); the rest are deduplicated, sorted and cut into
requests of the endpoint's `max_ids`, every kind on its own endpoint and so under
its own rate limit, all batches concurrently. Managers take two hops: their job
data IDs to employment IDs (GET job_datas?job_data_id_list=...), then those to
person names (employees/batch_get), each hop batched.

A kind the app has no scope for (99991672) is reported in `missing_scopes` and
the run goes on; a batch that fails after its retries leaves its IDs in `failed`.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field

from reconciler.errors import FeishuAuthError, FeishuError, FeishuScopeError
from reconciler.feishu.client import FeishuClient
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
    Endpoint,
)
from reconciler.feishu.keystore import KeyStore
from reconciler.messages.render import Message

log = logging.getLogger("reconciler.feishu.names")

Names = list[dict[str, str | None]]  # [{"lang": "zh-CN", "value": "研发部"}, ...]; a person: [{"lang": None, "value": ...}]
MANAGER = "manager"
PEOPLE_COREHR_ID = "people_corehr_id"  # job data's own user ID type: hop 1 answers in it, hop 2 is asked in it


def _i18n(items) -> dict[str, Names]:
    return {i.item_id: [t.model_dump() for t in i.i18n] for i in items if i.item_id}


@dataclass(frozen=True)
class NameKind:
    """One kind of record: the endpoint its names come from and how one batch is asked."""

    kind: str
    endpoint: Endpoint
    fetch: Callable[[FeishuClient, list[str], str], dict[str, Names]]  # (client, IDs, department_id_type) -> names
    lists_all: bool = False  # no batch_get: list every record once (employee types)


KINDS: Mapping[str, NameKind] = {k.kind: k for k in (
    NameKind("department", DEPARTMENTS, lambda c, ids, dt: _i18n(c.batch_get_departments(ids, department_id_type=dt))),
    NameKind("job_level", JOB_LEVELS, lambda c, ids, dt: _i18n(c.batch_get_job_levels(ids))),
    NameKind("job_grade", JOB_GRADES, lambda c, ids, dt: _i18n(c.query_job_grades(ids))),
    NameKind("job_family", JOB_FAMILIES, lambda c, ids, dt: _i18n(c.batch_get_job_families(ids))),
    NameKind("employee_type", EMPLOYEE_TYPES, lambda c, ids, dt: _i18n(c.list_employee_types()), lists_all=True),
    NameKind("location", LOCATIONS, lambda c, ids, dt: _i18n(c.batch_get_locations(ids))),
    NameKind("company", COMPANIES, lambda c, ids, dt: _i18n(c.batch_get_companies(ids))),
    NameKind("position", POSITIONS, lambda c, ids, dt: _i18n(c.query_positions(ids, department_id_type=dt))),
    NameKind("cost_center", COST_CENTERS, lambda c, ids, dt: _i18n(c.search_cost_centers(ids))),
    NameKind(MANAGER, EMPLOYEES, lambda c, ids, dt: {
        e.employment_id: [{"lang": None, "value": e.display_name}]
        for e in c.batch_get_employees(ids, user_id_type=PEOPLE_COREHR_ID) if e.employment_id and e.display_name}),
)}


@dataclass
class NameBook:
    """What the look-up found: kind -> {ID: names, or None when Feishu has no name for it}."""

    names: dict[str, dict[str, Names | None]] = field(default_factory=lambda: defaultdict(dict))
    missing_scopes: dict[str, str] = field(default_factory=dict)  # kind -> the scope to grant
    failed: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))  # kind -> {ID: reason}
    requests: Counter = field(default_factory=Counter)  # managers' hop 1 pages (its endpoint is job data's too)
    cached: Counter = field(default_factory=Counter)  # kind -> IDs answered by the per-key store
    needed: Counter = field(default_factory=Counter)  # kind -> distinct IDs the rows need

    def lookup(self, kind: str, item_id: str) -> Names | None:
        return self.names.get(kind, {}).get(item_id)


def hop1_label() -> str:
    """Managers' first hop shares its endpoint with the job-data fetch; reports show it apart."""
    return f"{JOB_DATAS.path} ({MANAGER}s)"


def planned_requests(needs: Mapping[str, int]) -> dict[str, int]:
    """Most requests (by endpoint path) for this many distinct IDs per kind (--dry-run: before job data)."""
    planned: Counter = Counter()
    for kind, n in needs.items():
        if n <= 0:
            continue
        spec = KINDS[kind]
        planned[spec.endpoint.path] += 1 if spec.lists_all else math.ceil(n / (spec.endpoint.max_ids or 100))
        if kind == MANAGER:
            planned[hop1_label()] += math.ceil(n / (JOB_DATAS.max_ids or 100))
    return dict(planned)


class NameLookup:
    def __init__(self, client: FeishuClient, store: KeyStore | None = None, *,
                 department_id_type: str = "people_corehr_department_id"):
        self.client = client
        self.store = store
        self.department_id_type = department_id_type  # the type job data answered in: asked for explicitly

    def _namespace(self, kind: str) -> str:
        typed = self.department_id_type if kind in ("department", "position") else ""
        return f"names|{kind}|{typed}"

    def run(self, needs: Mapping[str, Iterable[str]], progress: Callable[[int], None] | None = None) -> NameBook:
        book = NameBook()
        todo: dict[str, list[str]] = {}
        for kind, ids in needs.items():
            wanted = sorted({i for i in ids if i})
            book.needed[kind] = len(wanted)
            known = self.store.get_records(self._namespace(kind), wanted) if self.store and wanted else {}
            book.names[kind].update(known)
            book.cached[kind] = len(known)
            if known:
                self.client.counters.add("key_cache_hits", n=len(known))
            todo[kind] = [i for i in wanted if i not in known]
        with self.client.executor() as pool:
            futures: list[tuple[str, list[str], Future]] = []
            managers = todo.pop(MANAGER, [])
            hop1 = [(b, pool.submit(self._hop1, b, book)) for b in JOB_DATAS.batches(managers)] if managers else []
            for kind, ids in todo.items():
                if not ids:
                    continue
                spec = KINDS[kind]
                for batch in [ids] if spec.lists_all else spec.endpoint.batches(ids):
                    futures.append((kind, batch, pool.submit(self._fetch, spec, batch, book)))
            # Hop 2 starts when every hop-1 batch is in, so its batches are full (other kinds go on meanwhile).
            employment: dict[str, str] = {}
            for batch, future in hop1:
                employment.update(self._settle(MANAGER, batch, future, book, progress) or {})
            persons = sorted(set(employment.values()))
            hop2 = [(b, pool.submit(self._fetch, KINDS[MANAGER], b, book)) for b in EMPLOYEES.batches(persons)] \
                if persons and MANAGER not in book.missing_scopes else []
            for kind, batch, future in futures:
                found = self._settle(kind, batch, future, book, progress)
                if found is not None:
                    self._keep(book, kind, batch, found)
            person_names: dict[str, Names] = {}
            for batch, future in hop2:
                person_names.update(self._settle(MANAGER, batch, future, book, progress) or {})
            if managers and MANAGER not in book.missing_scopes:
                answered = [m for m in managers if m not in book.failed[MANAGER]]
                failed_persons = {p for p in persons if p in book.failed[MANAGER]}
                for job_data_id in answered:
                    person = employment.get(job_data_id)
                    if person in failed_persons:
                        book.failed[MANAGER][job_data_id] = book.failed[MANAGER][person]
                done = [m for m in answered if m not in book.failed[MANAGER]]
                self._keep(book, MANAGER, done, {m: person_names[employment[m]] for m in done
                                                 if employment.get(m) in person_names})
        return book

    def _keep(self, book: NameBook, kind: str, ids: list[str], found: Mapping[str, Names]) -> None:
        """Record each asked ID's answer (None: no name) and store it for the next run."""
        answers = {i: found.get(i) for i in ids}
        book.names[kind].update(answers)
        if self.store and answers:
            self.store.put_records(self._namespace(kind), answers)

    def _fetch(self, spec: NameKind, batch: list[str], book: NameBook) -> dict[str, Names]:
        return spec.fetch(self.client, batch, self.department_id_type)

    def _hop1(self, batch: list[str], book: NameBook) -> dict[str, str]:
        """Managers' job data IDs -> their employment IDs (people_corehr_id), current versions only."""
        found: dict[str, str] = {}
        for page in self.client.iter_job_data_pages(page_size=JOB_DATAS.page_size or 100, job_data_id_list=batch,
                                                    user_id_type=PEOPLE_COREHR_ID):
            book.requests[hop1_label()] += 1
            for item in page.items:
                if item.id and item.employment_id:
                    found.setdefault(item.id, item.employment_id)
        return found

    def _settle(self, kind: str, batch: list[str], future: Future, book: NameBook, progress):
        """A batch's answer, or None when it failed (recorded in the book; an auth failure stops the run)."""
        try:
            found = future.result()
        except FeishuScopeError:
            spec = KINDS[kind]
            book.missing_scopes.setdefault(kind, spec.endpoint.scopes[0])
            log.warning("no scope for the names of %s (%s)", kind, spec.endpoint.path)
            return None
        except FeishuAuthError:
            raise
        except FeishuError as exc:
            reason = exc.message if str(exc) else type(exc).__name__
            log.warning("a batch of %d %s names failed: %s", len(batch), kind, reason)
            self.client.failures[reason] += 1
            book.failed[kind].update({i: reason for i in batch})
            return None
        if progress:
            progress(len(batch))
        return found


def failure_note(field_name: str, reason: str) -> Message:
    return Message("note.name_lookup_failed", field=field_name, reason=reason)
