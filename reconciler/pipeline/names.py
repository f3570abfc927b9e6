"""Name look-ups in a run (recipe spec 2a): which IDs the rows need, started as soon as job data is in.

The job-data fetch and then the name look-ups run on the side thread while the
talent look-ups go on in the run's own thread: every endpoint has its own rate
limit, so none waits for another. Only the IDs of the job data each row joins
(its primary, current or as_of version) are asked for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from reconciler.feishu import EmployeeJobData, FeishuClient, JobDataFetcher, JobDataPlan, KeyStore
from reconciler.feishu.names import KINDS, MANAGER, NameBook, NameLookup, hop1_label, planned_requests
from reconciler.matching.jobdata import choose_for_row
from reconciler.matching.names import name_needs
from reconciler.messages.render import Message
from reconciler.model import Sheet
from reconciler.pipeline.options import Progress
from reconciler.recipe import Recipe
from reconciler.recipe.namepaths import NAME_FIELDS, name_field


def name_paths(recipe: Recipe) -> list[str]:
    """The `.name` paths of the recipe's columns and compares, each once."""
    job = recipe.job_data
    if job is None:
        return []
    return list(dict.fromkeys(p for p in [*job.columns, *job.compare.values()] if name_field(p)))


def name_lookup(client: FeishuClient, recipe: Recipe, store: KeyStore | None) -> NameLookup | None:
    if not name_paths(recipe):
        return None
    return NameLookup(client, store, department_id_type=recipe.job_data.department_id_type)  # type: ignore[union-attr]


def dry_run_plan(recipe: Recipe, employees: int) -> tuple[list[str], dict[str, int]]:
    """Plan lines and most requests per endpoint: the IDs are known only once job data is in, so each
    kind is counted as if every employee had IDs of their own (employee types: one list)."""
    kinds = sorted({NAME_FIELDS[name_field(p)] for p in name_paths(recipe)})  # type: ignore[index]
    planned = planned_requests({k: employees for k in kinds})
    lines = [f"names of {', '.join(kinds)}: at most {sum(planned.values())} requests "
             f"({', '.join(f'{path}: {n}' for path, n in planned.items())}), after job data"] if kinds else []
    return lines, planned


def fetch_job_data_and_names(
    recipe: Recipe, sheet: Sheet, employees: dict[int, str], fetcher: JobDataFetcher, plan: JobDataPlan,
    lookup: NameLookup | None, progress: Progress,
) -> tuple[dict[str, EmployeeJobData], NameBook]:
    fetched = fetcher.fetch(plan, progress=lambda n: progress.advance("job data", n))
    if lookup is None:
        return fetched, NameBook()
    job = recipe.job_data
    assert job is not None
    chosen = []
    memo: dict = {}
    for row in sheet.rows:
        employee = employees.get(row.number)
        picked, _, _ = choose_for_row(key_cell=row.get(job.key.column),
                                      fetched=fetched.get(employee) if employee else None,
                                      as_of_cell=row.get(job.as_of) if job.as_of else None, memo=memo)
        if picked is not None:
            chosen.append(picked)
    needs = name_needs(name_paths(recipe), chosen)
    progress.start("names", sum(len(ids) for ids in needs.values()))
    advance: Callable[[int], None] = lambda n: progress.advance("names", n)  # noqa: E731
    return fetched, lookup.run(needs, progress=advance)


def name_warnings(recipe: Recipe, book: NameBook) -> list[Message]:
    """One warning per scope to grant, naming the recipe's columns left empty for want of it."""
    by_scope: dict[str, list[str]] = defaultdict(list)
    for path in name_paths(recipe):
        kind = NAME_FIELDS[name_field(path)]  # type: ignore[index]
        if kind in book.missing_scopes:
            by_scope[book.missing_scopes[kind]].append(path)
    return [Message("warning.name_scope_missing", fields=", ".join(paths), scope=scope)
            for scope, paths in by_scope.items()]


def name_report(book: NameBook, client: FeishuClient) -> dict:
    """--report's figures per kind: distinct IDs needed, answered by the per-key store, requests by endpoint."""
    sent = client.counters.snapshot()["requests"]
    report = {}
    for kind, needed in sorted(book.needed.items()):
        endpoint = KINDS[kind].endpoint
        requests = {endpoint.path: sent.get(endpoint.name, 0)}
        if kind == MANAGER:
            requests = {hop1_label(): book.requests[hop1_label()], **requests}
        report[kind] = {"ids": needed, "from_cache": book.cached[kind], "requests": requests,
                        "no_scope": book.missing_scopes.get(kind)}
    return report
