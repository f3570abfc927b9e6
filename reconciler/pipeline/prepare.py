"""Everything checked before anything is sent (spec section 2): plugins, recipe,
sheet, headers, output paths, the files the run will write, and the identifiers
of every row, normalised."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from openpyxl.utils import get_column_letter

from reconciler import plugin_hooks
from reconciler import plugins as plugin_system
from reconciler.errors import RecipeError, SheetError
from reconciler.feishu import (
    CacheSettings,
    JobData,
)
from reconciler.feishu.connection import Connection, cache_settings
from reconciler.feishu.transport import keys_path
from reconciler.matching.normalize import Normalised
from reconciler.messages.locale import choose_locale
from reconciler.messages.render import Message
from reconciler.model import Sheet
from reconciler.pipeline.options import Prepared, RunOptions
from reconciler.recipe import Recipe, load_recipe, required_headers, validate_headers
from reconciler.recipe.headers import header_issues_in_data, mapped_headers_in_data
from reconciler.sheets.fingerprint import Fingerprint
from reconciler.sheets.read import list_headers, read_sheet
from reconciler.writers.plan import output_columns, output_paths
from reconciler.writers.protect import refuse_writing_inputs


def load_with_plugins(recipe_path: Path, extra_plugins: Sequence[str] = (), env=None) -> tuple[Recipe, tuple]:
    """Load the recipe, its plugins and the CLI's, then validate names against the registries."""
    first = load_recipe(recipe_path, env=env)
    plugin_system.load_run_plugins(extra_plugins, first)  # recipe's plugins: then --plugins, all or nothing
    matchers, rules = plugin_system.matcher_registry()
    writers = plugin_system.writer_registry()
    recipe = load_recipe(
        recipe_path, env=env, matchers=matchers.names(), modes=rules.names(), writers=writers.names()
    )
    plugin_hooks.check_plugin_options(recipe, matchers, writers)  # each plugin checks its own options
    return recipe, (matchers, rules, writers)


def prepare(recipe_path: Path, input_path: Path, options: RunOptions) -> Prepared:
    env = os.environ if options.env is None else options.env
    try:
        recipe, (matchers, rules, writers) = load_with_plugins(recipe_path, options.plugins, env)
    except RecipeError as exc:
        raise with_header_issues(exc, Path(input_path)) from None
    extra_columns = [
        c for name, spec in (recipe.talent.inputs.items() if recipe.talent else ())
        for c in matchers.items[name].columns(spec)
    ]
    needed = list(dict.fromkeys(required_headers(recipe) + extra_columns))
    fingerprint = _fingerprint(Path(input_path))
    sheet = read_recipe_sheet(recipe, Path(input_path), needed)
    chosen_writers = [writers.items[name] for name in recipe.output.writers]
    outputs = output_paths(recipe, Path(input_path), options.output, chosen_writers)

    identifiers = _identifiers(recipe, sheet, matchers.items, matchers.owners) if recipe.talent is not None else {}

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


def with_header_issues(error: RecipeError, input_path: Path) -> RecipeError:
    """`error` plus the headers the invalid recipe names that the sheet lacks, so one
    `check` or `run` lists every problem (the recipe's and the sheet's) at once."""
    document = getattr(error, "document", None)
    data = document.data if document is not None and isinstance(document.data, dict) else None
    if data is None:
        return error
    source = data.get("source") if isinstance(data.get("source"), dict) else {}
    sheet = source.get("sheet") if isinstance(source.get("sheet"), str) else None
    header_row = source.get("header_row")
    header_row = header_row if isinstance(header_row, int) and not isinstance(header_row, bool) and header_row > 0 else "auto"
    needed = [h for _, h in mapped_headers_in_data(data)]
    try:
        name, _, headers = list_headers(input_path, sheet, header_row, needed, closest=True)
    except (SheetError, OSError):
        return error  # the sheet itself cannot be read: the recipe's problems come first
    extra = header_issues_in_data(document, headers, sheet_label=f"'{name}'" if name else input_path.name)
    known = {(i.path, i.key) for i in error.issues}
    extra = [i for i in extra if (i.path, i.key) not in known]
    if not extra:
        return error
    combined = RecipeError(sorted(error.issues + extra, key=lambda issue: issue.line or 0))
    combined.document = document
    return combined


def read_recipe_sheet(recipe: Recipe, input_path: Path, needed: list[str]) -> Sheet:
    """Read the sheet; a header the recipe maps but the sheet lacks is a recipe error
    at the recipe's line, listing the headers the sheet does have (spec section 2)."""
    try:
        sheet = read_sheet(input_path, sheet=recipe.source.sheet, header_row=recipe.source.header_row,
                           required_headers=needed, keep_layout="xlsx" in recipe.output.writers)
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


def _identifiers(recipe: Recipe, sheet: Sheet, matchers: dict, owners: dict) -> dict[int, tuple[Normalised, ...]]:
    """Each row's identifiers, normalised, in the order of talent.inputs (a tuple a row:
    300,000 Resolved objects held from here to the decisions took ~20 MB at 100,000 rows).

    A pure matcher's answer is worked out once per distinct combination of the cells it
    reads (blank emails and ID numbers, repeated codes and types, people listed twice):
    the same cells give the same Normalised. Cells are told apart by identity: equal texts
    of a column share one Cell (sheets/grid.py), blanks are one, and every Cell lives as
    long as the sheet; hashing a Cell's fields instead cost ~0.1 s at 100,000 rows."""
    inputs = [(name, spec, matchers[name], owners.get(name, "")) for name, spec in recipe.talent.inputs.items()]
    normalisers = plugin_hooks.has_value_normalisers()  # a plugin may read any cell: nothing is memoised
    identify = plugin_hooks.identify if normalisers else plugin_hooks.matcher_identify
    columns = {name: matcher.columns(spec) for name, spec, matcher, _ in inputs if not normalisers and matcher.pure}
    memo: dict[tuple, Normalised] = {}
    identifiers: dict[int, tuple[Normalised, ...]] = {}
    for row in sheet.rows:
        found = []
        get = row.get
        for name, spec, matcher, owner in inputs:
            read = columns.get(name)
            if read is not None:
                # One or two cells (a value, and its code or type): the tuple made directly, not
                # through a list (~0.1 s at 100,000 rows).
                if len(read) == 1:
                    key = (name, id(get(read[0])))
                elif len(read) == 2:
                    key = (name, id(get(read[0])), id(get(read[1])))
                else:
                    key = (name, *[id(get(c)) for c in read])
                normalised = memo.get(key)
                if normalised is None:
                    normalised = memo[key] = identify(matcher, row, spec, owner)
            else:
                normalised = identify(matcher, row, spec, owner)
            found.append(normalised)
        identifiers[row.number] = tuple(found)
    return identifiers


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
