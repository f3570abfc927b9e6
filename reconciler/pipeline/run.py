"""One run: recipe -> rows -> keys -> Feishu -> decisions -> writers (spec section 1).

Everything that can be checked without the network is checked in `prepare`
(reconciler.pipeline.prepare), so nothing is sent to the API before the recipe
and the sheet have validated."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from reconciler import plugin_hooks
from reconciler.errors import PluginError
from reconciler.feishu import (
    ENDPOINTS,
    JOB_DATAS,
    TALENT_IDS,
    CacheSettings,
    FeishuClient,
    JobDataFetcher,
    KeyStore,
    TalentLookup,
)
from reconciler.feishu.connection import open_client
from reconciler.messages.render import Message
from reconciler.model import RunSummary, Sheet, WriteContext
from reconciler.pipeline.decide import decide_rows
from reconciler.pipeline.names import dry_run_plan, fetch_job_data_and_names, name_lookup, name_report, name_warnings
from reconciler.pipeline.options import Prepared, RunOptions, RunResult
from reconciler.pipeline.prepare import prepare
from reconciler.pipeline.report import count_outcomes, report_json
from reconciler.privacy.logfile import remove_handler, setup_file_logging
from reconciler.recipe import Recipe
from reconciler.memory import gc_paused, give_back_memory, steady_allocator
from reconciler.writers.plan import output_columns

log = logging.getLogger("reconciler.run")


def run(recipe_path: Path, input_path: Path, options: RunOptions | None = None) -> RunResult:
    """Reconcile `input_path` with the recipe at `recipe_path`: what `reconciler run` does.

    RunOptions(sandbox=True) runs against the built-in sandbox (no credentials, no network);
    `plugins=[...]` loads plugin files or folders as --plugins does. Returns a RunResult:
    `summary`, `outputs` (the files written) and `outcomes` (row number -> RowOutcome).
    """
    # A run builds millions of long-lived, acyclic objects (cells, keys, outcomes); with the
    # cycle collector rescanning them over and over, a 100,000-row run took half as long again.
    steady_allocator()
    with gc_paused():
        return _run(recipe_path, input_path, options)


@contextlib.contextmanager
def prompt_threads(seconds: float = 0.001):
    """Threads hand over the interpreter every `seconds` instead of every 5 ms while requests go out.

    A lookup thread let through by the rate limiter must send at once: the limiter
    counted the request from that moment. With the default 5 ms switch interval and a
    dozen threads parsing answers, it could wait tens of ms for the interpreter, and a
    request reaching Feishu that late can meet the next window's requests there."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _run(recipe_path: Path, input_path: Path, options: RunOptions | None = None) -> RunResult:
    options = options or RunOptions()
    started = time.monotonic()
    prepared = prepare(Path(recipe_path), Path(input_path), options)
    handler = None
    if options.log_path:
        handler = setup_file_logging(options.log_path, secrets=(prepared.connection.app_secret or "",))
    try:
        return _run_prepared(prepared, Path(input_path), options, started)
    except Exception:
        log.exception("the run stopped")
        raise
    finally:
        if handler is not None:
            remove_handler(handler)


def _run_prepared(prepared: Prepared, input_path: Path, options: RunOptions, started: float) -> RunResult:
    recipe, sheet = prepared.recipe, prepared.sheet
    summary = RunSummary(recipe.display_name, dt.datetime.now().astimezone(), warnings=list(prepared.warnings))
    log.info("run of %s on %s: %d rows", recipe.display_name, input_path.name, len(sheet.rows))
    with open_client(prepared.connection, cache=prepared.cache, limits=options.limits, workers=options.workers,
                     **options.client_options) as client:
        store = _key_store(client, prepared.cache)
        talent_lookup = TalentLookup(client, store)
        job_fetcher = _job_fetcher(client, recipe, store)
        names = name_lookup(client, recipe, store)
        employees = _employee_keys(recipe, sheet)
        job_plan = job_fetcher.plan(employees.values()) if job_fetcher else None
        progress = options.progress
        fetched, job_data, book = {}, None, None
        # Each endpoint has its own rate limit: job data, then the names it holds, are fetched
        # while talents are looked up (pipeline/names.py).
        # prompt_threads only while requests go out: deciding and writing, with the writer's
        # deflate thread beside, a 1 ms switch interval cost ~0.3 s at 100,000 rows.
        with prompt_threads(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="job-data") as side:
            if job_plan is not None and not options.dry_run:
                # A page-through is a chain (each page needs the last one's token): start it
                # first, before reading the stored answers of the talent keys (~1.5 s at 100k rows).
                progress.start("job data", len(job_plan.employees))
                job_data = side.submit(fetch_job_data_and_names, recipe, sheet, employees, job_fetcher, job_plan,
                                       names, progress)
            keys = {n.key for found in prepared.identifiers.values() for n in found if n.key is not None}
            distinct_keys = len(keys)
            known, batches = talent_lookup.pending(keys)
            keys = None  # each row's keys stay with its identifiers: the set (~8 MB) is given back now
            give_back_memory()
            planned = ENDPOINTS.by_path({TALENT_IDS.name: len(batches),
                                         JOB_DATAS.name: job_plan.requests if job_plan else 0})
            plan_lines = [f"talents: {distinct_keys} distinct identifiers, {len(known)} known from the cache, "
                          f"{len(batches)} requests"]
            if job_plan:
                plan_lines.append(job_plan.describe())
            name_lines, name_planned = dry_run_plan(recipe, len(set(employees.values())))
            plan_lines += name_lines
            planned.update(name_planned)
            for line in plan_lines:
                log.info("plan: %s", line)
            if options.dry_run:
                summary.seconds = time.monotonic() - started
                return RunResult(summary, [], {}, plan_lines, planned,
                                 report_json(summary, [], planned, prepared.locale))
            progress.start("talents", distinct_keys - len(known))
            lookups = talent_lookup.run((), progress=lambda n: progress.advance("talents", n),  # keys: in `pending`
                                        pending=(known, batches)) if distinct_keys else {}
            known = None
            if job_data is not None:
                fetched, book = job_data.result()
        outcomes = decide_rows(prepared, lookups, fetched, employees, summary, book)
        if book is not None:
            summary.warnings.extend(name_warnings(recipe, book))
        summary.warnings.extend(Message("warning.requests_failed", n=n, reason=reason)
                                for reason, n in client.failures.items())
        # Done with (the future holds the job data too): let the writers reuse their memory.
        lookups = fetched = job_data = None
        give_back_memory()
        columns = output_columns(recipe) + prepared.plugin_columns
        plugin_hooks.apply_row_outputs(sheet, outcomes, recipe, columns)  # before counting: a plugin may change a status
        count_outcomes(summary, outcomes, client, names=planned if names else None)
        log.info("talent %s; job data %s; requests %s", summary.talent_counts, summary.job_counts, summary.requests)
        status_columns = {}
        if recipe.talent:
            status_columns["talent"] = recipe.talent.status_column
        if recipe.job_data:
            status_columns["job_data"] = recipe.job_data.status_column
        summary.seconds = time.monotonic() - started
        if prepared.fingerprint is not None:
            prepared.fingerprint.check(Path(input_path))  # rows are joined by number: refuse a file that changed
        written = []
        for writer, path in zip(prepared.writers, prepared.outputs):
            ctx = WriteContext(Path(input_path), path, sheet, columns, outcomes, summary,
                               locale=prepared.locale, status_columns=status_columns,
                               recipe=recipe, options=recipe.output.writer_options(writer.name),
                               label_columns=list(recipe.source.label_columns), status_labels=recipe.output.status_labels)
            try:
                written.append(plugin_hooks.run_writer(writer, prepared.writer_owners.get(writer.name, ""), ctx))
            except PluginError as exc:
                if written:
                    raise PluginError("error.writers_kept", error=exc.message,
                                      files=", ".join(p.name for p in written)) from exc
                raise
        summary.seconds = time.monotonic() - started
        report = report_json(summary, written, planned, prepared.locale)
        if book is not None and names is not None:
            report["names"] = name_report(book, client)
        return RunResult(summary, written, outcomes, plan_lines, planned, report)


def _key_store(client: FeishuClient, cache: CacheSettings) -> KeyStore | None:
    if not (cache.enabled or cache.offline) or cache.path is None:
        return None
    return KeyStore.for_cache(cache, app_key=client.app_key)


def _job_fetcher(client: FeishuClient, recipe: Recipe, store) -> JobDataFetcher | None:
    job = recipe.job_data
    if job is None:
        return None
    return JobDataFetcher(
        client, user_id_type=job.key.user_id_type, department_id_type=job.department_id_type,
        get_all_version=bool(job.as_of), store=store,
    )


def _employee_keys(recipe: Recipe, sheet: Sheet) -> dict[int, str]:
    if recipe.job_data is None:
        return {}
    column = recipe.job_data.key.column
    return {row.number: row.get(column).text.strip() for row in sheet.rows if row.get(column).text.strip()}
