"""One run: recipe -> rows -> keys -> Feishu -> decisions -> writers (spec section 1).

Everything that can be checked without the network (plugins, recipe, sheet,
headers, output paths, credentials present) is checked in `prepare`, so nothing
is sent to the API before the recipe and the sheet have validated.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from reconciler import plugin_hooks
from openpyxl.utils import get_column_letter

from reconciler import plugins as plugin_system
from reconciler.feishu.connection import Connection, cache_settings, open_client
from reconciler.feishu.transport import keys_path
from reconciler.errors import PluginError, RecipeError, SheetError
from reconciler.feishu import (
    ENDPOINTS,
    JOB_DATAS,
    TALENT_IDS,
    CacheSettings,
    FeishuClient,
    JobData,
    JobDataFetcher,
    KeyStore,
    RateLimits,
    TalentLookup,
)
from reconciler.messages.locale import choose_locale
from reconciler.messages.render import Message
from reconciler.matching.jobdata import join_job_data
from reconciler.privacy.logfile import remove_handler, setup_file_logging
from reconciler.matching.talents import Resolved
from reconciler.model import JOB_STATUSES, TALENT_STATUSES, OutputColumn, RowOutcome, RunSummary, Sheet, WriteContext
from reconciler.matching.normalize import Normalised
from reconciler.sheets.fingerprint import Fingerprint
from reconciler.writers.protect import refuse_writing_inputs
from reconciler.writers.plan import output_columns, output_paths, talent_values
from reconciler.recipe import Recipe, load_recipe, required_headers, validate_headers
from reconciler.sheets.read import gc_paused, list_headers, read_sheet


log = logging.getLogger("reconciler.run")


class Progress:
    """Progress callbacks; the CLI passes a rich-backed one, the default is silent."""

    def start(self, stage: str, total: int) -> None: ...

    def advance(self, stage: str, n: int = 1) -> None: ...

    def message(self, text: str) -> None: ...


@dataclass
class RunOptions:
    output: Path | None = None
    sandbox: bool = False
    offline: bool = False
    no_cache: bool = False
    dry_run: bool = False
    plugins: Sequence[str] = ()
    env: Mapping[str, str] | None = None
    progress: Progress = field(default_factory=Progress)
    workers: int = 16
    limits: RateLimits | None = None
    log_path: Path | None = None  # a masked log file (--log)
    report_path: Path | None = None  # the JSON summary (--report), written by the caller: checked here
    client_options: dict = field(default_factory=dict)  # more FeishuClient settings (timeouts, retries)


@dataclass
class Prepared:
    recipe: Recipe
    sheet: Sheet
    matchers: dict
    rule: object | None
    writers: list
    outputs: list[Path]
    identifiers: dict[int, list[Resolved]]  # row number -> its identifiers (lookups not yet attached)
    connection: Connection
    cache: CacheSettings
    warnings: list[Message | str]
    plugin_columns: list[OutputColumn] = field(default_factory=list)  # declared by register_output_columns
    locale: str = "zh-CN"  # enum texts and the Summary sheet: output.locale if the recipe sets it, else the system's
    fingerprint: Fingerprint | None = None  # the input as read: checked again before writing
    writer_owners: dict[str, str] = field(default_factory=dict)  # writer name -> the plugin that registered it


@dataclass
class RunResult:
    summary: RunSummary
    outputs: list[Path]
    outcomes: dict[int, RowOutcome]
    plan: list[str]
    planned_requests: dict[str, int]  # endpoint path -> requests (for people: --dry-run, --report)
    report: dict


def load_with_plugins(recipe_path: Path, extra_plugins: Sequence[str] = (), env=None) -> tuple[Recipe, tuple]:
    """Load the recipe, its plugins and the CLI's, then validate names against the registries."""
    first = load_recipe(recipe_path, env=env)
    plugin_system.load_run_plugins(extra_plugins, first)  # recipe's plugins: then --plugins, all or nothing
    matchers, rules = plugin_system.matcher_registry()
    writers = plugin_system.writer_registry()
    recipe = load_recipe(
        recipe_path, env=env, matchers=matchers.names(), modes=rules.names(), writers=writers.names()
    )
    return recipe, (matchers, rules, writers)


def prepare(recipe_path: Path, input_path: Path, options: RunOptions) -> Prepared:
    env = os.environ if options.env is None else options.env
    recipe, (matchers, rules, writers) = load_with_plugins(recipe_path, options.plugins, env)
    extra_columns = [
        c for name, spec in (recipe.talent.inputs.items() if recipe.talent else ())
        for c in matchers.items[name].columns(spec)
    ]
    needed = list(dict.fromkeys(required_headers(recipe) + extra_columns))
    fingerprint = _fingerprint(Path(input_path))
    sheet = read_recipe_sheet(recipe, Path(input_path), needed)
    chosen_writers = [writers.items[name] for name in recipe.output.writers]
    outputs = output_paths(recipe, Path(input_path), options.output, chosen_writers)

    identifiers: dict[int, list[Resolved]] = {}
    if recipe.talent is not None:
        for row in sheet.rows:
            identifiers[row.number] = [
                Resolved(name, spec.column, _identify(matchers.items[name], row, spec))
                for name, spec in recipe.talent.inputs.items()
            ]

    feishu = recipe.feishu.resolved(env)
    sandbox = options.sandbox or (feishu.base_url or "").strip().lower() == "sandbox"
    connection = Connection(feishu.base_url, feishu.app_id, feishu.app_secret, sandbox=sandbox)
    cache = cache_settings(recipe, env, no_cache=options.no_cache, offline=options.offline)
    refuse_writing_inputs(_written_files(outputs, options, cache), _read_files(recipe_path, input_path))
    warnings = list(sheet.warnings) + _unknown_fields(recipe) + _unsaved_formulas(sheet, needed)
    written = recipe.output.locale if "locale" in recipe.output.model_fields_set else None
    return Prepared(recipe, sheet, matchers.items, rules.items.get(recipe.talent.mode) if recipe.talent else None,
                    chosen_writers, outputs, identifiers, connection, cache, warnings,
                    plugin_columns=plugin_hooks.plugin_output_columns(recipe, output_columns(recipe)),
                    locale=choose_locale(written, env), fingerprint=fingerprint, writer_owners=dict(writers.owners))


def _fingerprint(path: Path) -> Fingerprint | None:
    try:
        return Fingerprint.of(path)
    except OSError:
        return None  # missing, a folder, unreadable: reading the sheet says so in words


def _written_files(outputs: list[Path], options: RunOptions, cache: CacheSettings) -> list[tuple[str, Path | None]]:
    files = [("the output", path) for path in outputs] + [("--log", options.log_path), ("--report", options.report_path)]
    if cache.path is not None and not cache.uses_redis and (cache.enabled or cache.offline):
        files += [("the cache file", cache.path), ("the cache file", keys_path(cache.path))]
    if cache.ratelimit_path is not None and not cache.uses_redis:
        files.append(("the rate-limit file", cache.ratelimit_path))
    return files


def _read_files(recipe_path: Path, input_path: Path) -> list[tuple[str, Path | None]]:
    plugins = [plugin_system.source_of(name) for name in plugin_system.loaded_names()]
    files = [(f"the plugin {src.label}", Path(src.location)) for src in plugins
             if src.source == "file" and src.location]
    return [("the input sheet", Path(input_path)), ("the recipe", Path(recipe_path))] + files


def read_recipe_sheet(recipe: Recipe, input_path: Path, needed: list[str]) -> Sheet:
    """Read the sheet; a header the recipe maps but the sheet lacks is a recipe error
    at the recipe's line, listing the headers the sheet does have (spec section 2)."""
    try:
        sheet = read_sheet(input_path, sheet=recipe.source.sheet, header_row=recipe.source.header_row,
                           required_headers=needed)
    except SheetError as exc:
        try:  # is it only that the headers are missing? Then say which, where the recipe names them.
            name, _, headers = list_headers(input_path, recipe.source.sheet, recipe.source.header_row, needed,
                                            closest=True)
        except SheetError:
            raise exc from None
        label = f"'{name}'" if name else input_path.name
        issues = validate_headers(recipe, headers, sheet_label=label)
        if issues:
            raise RecipeError(issues) from exc
        raise
    label = f"'{sheet.name}'" if sheet.name else input_path.name
    issues = validate_headers(recipe, sheet.headers, sheet_label=label)
    if issues:
        raise RecipeError(issues)
    for header in needed:
        columns = [get_column_letter(i + 1) for i, h in enumerate(sheet.headers) if h == header]
        if len(columns) > 1:  # which one to read? Guessing could silently reconcile the wrong column.
            raise SheetError("error.header_twice", header=header, sheet=label, file=input_path.name,
                             columns=" and ".join(columns))
    return sheet


def _identify(matcher, row, spec) -> Normalised:
    return plugin_hooks.identify(matcher, row, spec)  # normalise_value plugins first, then the matcher


def _unsaved_formulas(sheet: Sheet, headers: list[str]) -> list[Message]:
    cells = [f"{get_column_letter(sheet.headers.index(h) + 1)}{row.number}"
             for row in sheet.rows_as_read() for h in headers if row.get(h).unsaved_formula]
    if not cells:
        return []
    return [Message("warning.unsaved_formulas", count=len(cells), first=cells[0])]


def _unknown_fields(recipe: Recipe) -> list[Message]:
    if recipe.job_data is None:
        return []
    paths = list(recipe.job_data.columns) + list(recipe.job_data.compare.values())
    return [
        Message("warning.unknown_job_field", field=p) for p in paths if not JobData.known_field(p)
    ]


def run(recipe_path: Path, input_path: Path, options: RunOptions | None = None) -> RunResult:
    # A run builds millions of long-lived, acyclic objects (cells, keys, outcomes); with the
    # cycle collector rescanning them over and over, a 100,000-row run took half as long again.
    with gc_paused():
        return _run(recipe_path, input_path, options)


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
        keys = [r.normalised.key for rs in prepared.identifiers.values() for r in rs if r.normalised.key is not None]
        employees = _employee_keys(recipe, sheet)
        known, batches = talent_lookup.pending(keys)
        job_plan = job_fetcher.plan(employees.values()) if job_fetcher else None
        planned = ENDPOINTS.by_path({TALENT_IDS.name: len(batches), JOB_DATAS.name: job_plan.requests if job_plan else 0})
        plan_lines = [f"talents: {len(set(keys))} distinct identifiers, {len(known)} known from the cache, "
                      f"{len(batches)} requests"]
        if job_plan:
            plan_lines.append(job_plan.describe())
        for line in plan_lines:
            log.info("plan: %s", line)
        if options.dry_run:
            summary.seconds = time.monotonic() - started
            return RunResult(summary, [], {}, plan_lines, planned, _report(summary, [], planned, prepared.locale))
        progress = options.progress
        progress.start("talents", len(set(keys)) - len(known))
        fetched, job_data = {}, None
        # The two endpoints have separate rate limits: job data is fetched while talents are looked up.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="job-data") as side:
            if job_plan is not None:
                progress.start("job data", len(job_plan.employees))
                job_data = side.submit(job_fetcher.fetch, job_plan, progress=lambda n: progress.advance("job data", n))
            lookups = talent_lookup.run(keys, progress=lambda n: progress.advance("talents", n),
                                        pending=(known, batches)) if keys else {}
            if job_data is not None:
                fetched = job_data.result()
        outcomes = _decide(prepared, lookups, fetched, employees, summary)
        summary.warnings.extend(Message("warning.requests_failed", n=n, reason=reason)
                                for reason, n in client.failures.items())
        keys = known = lookups = fetched = None  # done with: let the writers reuse their memory (~200 MB at 100k rows)
        columns = output_columns(recipe) + prepared.plugin_columns
        plugin_hooks.apply_row_outputs(sheet, outcomes, recipe, columns)  # before counting: a plugin may change a status
        _count(summary, outcomes, client)
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
                               locale=prepared.locale, status_columns=status_columns)
            try:
                written.append(plugin_hooks.run_writer(writer, prepared.writer_owners.get(writer.name, ""), ctx))
            except PluginError as exc:
                if written:
                    raise PluginError("error.writers_kept", error=exc.message,
                                      files=", ".join(p.name for p in written)) from exc
                raise
        summary.seconds = time.monotonic() - started
        return RunResult(summary, written, outcomes, plan_lines, planned, _report(summary, written, planned, prepared.locale))


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


def _decide(prepared: Prepared, lookups, fetched, employees, summary: RunSummary) -> dict[int, RowOutcome]:
    recipe, sheet = prepared.recipe, prepared.sheet
    outcomes: dict[int, RowOutcome] = {}
    onboard_missing = False
    for row in sheet.rows:
        outcome = RowOutcome(row.number)
        if recipe.talent is not None:
            resolved = [
                Resolved(r.input, r.column, r.normalised, lookups.get(r.normalised.key) if r.normalised.key else None)
                for r in prepared.identifiers.pop(row.number)  # popped: each row's identifiers are freed once decided
            ]
            decision = plugin_hooks.decide(prepared.rule, resolved, row.number)
            outcome.talent_status, outcome.talent_notes = decision.status, list(decision.notes)
            if decision.status not in ("matched", "not_found"):
                log.debug("row %d: talent %s: %s", row.number, decision.status, decision.note)  # masked by the log filter
            if decision.talent is not None and decision.status in ("matched", "partial"):
                outcome.values.update(talent_values(recipe, decision.talent))
                onboard_missing |= "is_onboarded" in recipe.talent.columns and decision.talent.is_onboarded is None
        if recipe.job_data is not None:
            job = recipe.job_data
            employee = employees.get(row.number)
            decision = join_job_data(
                key_cell=row.get(job.key.column),
                fetched=fetched.get(employee) if employee else None,
                as_of_cell=row.get(job.as_of) if job.as_of else None,
                columns=job.columns, compare=job.compare, row_cells=row.cells, locale=prepared.locale,
            )
            outcome.job_status, outcome.job_notes = decision.status, list(decision.notes)
            outcome.values.update(decision.values)
            outcome.mismatches.update(decision.mismatches)
        outcomes[row.number] = outcome
    if onboard_missing:
        summary.warnings.append(Message("warning.no_onboard_status"))
    return outcomes


def _count(summary: RunSummary, outcomes: dict[int, RowOutcome], client: FeishuClient) -> None:
    talent = Counter(o.talent_status for o in outcomes.values() if o.talent_status)
    job = Counter(o.job_status for o in outcomes.values() if o.job_status)
    summary.talent_counts = {s: talent.get(s, 0) for s in TALENT_STATUSES} if talent else {}
    summary.job_counts = {s: job.get(s, 0) for s in JOB_STATUSES} if job else {}
    snap = client.counters.snapshot()
    # Requests per endpoint for people (the Summary sheet, --report): by path, from the endpoint table.
    summary.requests = ENDPOINTS.by_path({TALENT_IDS.name: 0, JOB_DATAS.name: 0, **snap["requests"]})
    summary.cache_hits = snap["cache_hits"]
    summary.retries = snap["retries"]
    summary.rate_limited = snap["rate_limited"]
    summary.rows = len(outcomes)


def _report(summary: RunSummary, outputs: list[Path], planned: dict[str, int], locale: str = "en-US") -> dict:
    """The --report JSON: counts, never personal data; warnings as {"key", "params", "text"}."""
    return {
        "recipe": summary.recipe_name,
        "started_at": summary.started_at.isoformat(timespec="seconds"),
        "rows": summary.rows,
        "counts": {"talent": summary.talent_counts, "job_data": summary.job_counts},
        "requests": summary.requests,
        "planned_requests": planned,
        "cache_hits": summary.cache_hits,
        "retries": summary.retries,
        "rate_limited": summary.rate_limited,
        "warnings": [Message.of(w).as_dict(locale) for w in summary.warnings],
        "seconds": round(summary.seconds, 3),
        "outputs": [str(p) for p in outputs],
    }
