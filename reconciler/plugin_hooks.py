"""Calling the match- and write-phase hooks during a run (specs in reconciler.hookspecs).

Each implementation is called on its own, so that a plugin that raises or
returns something unusable is named in the error (PluginError, exit 2) instead
of surfacing as a bare traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from reconciler.errors import OptionError, PluginError, RecipeError, ReconcilerError
from reconciler.messages.render import Message
from reconciler.matching.talents import TalentDecision
from reconciler.model import TALENT_STATUSES, OutputColumn, RowOutcome, Sheet, SheetRow
from reconciler.matching.normalize import Normalised
from reconciler.plugins import call_impl, describe, hook_impls_in_call_order, source_of

OUTPUT_KINDS = ("value", "text", "status", "note")


# ---------------------------------------------------------------- plugins' options in the recipe


def check_plugin_options(recipe, matchers, writers) -> None:
    """Each matcher's and writer's `check_options` on what the recipe gives it, once, when the
    recipe is loaded; every refusal is an issue at the option's line (RecipeError, exit 2).

    `matchers` / `writers` are the registries (reconciler.plugins.Registry) of the run.
    """
    issues = []
    for name, spec in (recipe.talent.inputs.items() if recipe.talent is not None else ()):
        base = ("talent", "inputs", name, "options")
        matcher = matchers.items.get(name)
        issues += _check_options(getattr(matcher, "check_options", None), spec.options, base, recipe,
                                 ("matcher", name, matchers.owners.get(name, ""), "recipe.matcher_no_options"))
    for index, name in enumerate(recipe.output.writers):
        writer = writers.items.get(name)
        issues += _check_options(getattr(writer, "check_options", None), recipe.output.writer_options(name),
                                 ("output", "writers", index, name), recipe,
                                 ("writer", name, writers.owners.get(name, ""), "recipe.writer_no_options"))
    if issues:
        raise RecipeError(issues)


def _check_options(check, options: dict, base: tuple, recipe, about: tuple) -> list:
    what, name, owner, no_options = about
    if check is None:
        return [recipe.issue_at(base, no_options, name=name)] if options else []
    try:
        check(dict(options))
    except OptionError as exc:
        return [recipe.issue_at(base + (exc.key,) if exc.key else base, exc.message)]
    except ReconcilerError:
        raise
    except ValueError as exc:  # e.g. a pydantic ValidationError: the plugin's own words, at the options
        return [recipe.issue_at(base, Message.plain(" ".join(str(exc).split())))]
    except Exception as exc:  # noqa: BLE001 - a plugin's bug, reported with its name
        raise PluginError("error.plugin_options_failed", plugin=describe(owner), what=what, name=name,
                          type=type(exc).__name__, detail=str(exc)) from exc
    return []


# ---------------------------------------------------------------- match phase


def normalise_value(kind: str, row: SheetRow, spec) -> Normalised | None:
    """The first plugin's answer for a non-blank identifier cell, or None (blank cell, or no plugin answered)."""
    cell = row.get(spec.column)
    if cell.is_blank:
        return None
    impls = hook_impls_in_call_order("normalise_value")
    if not impls:
        return None
    where = Message("where.column_row", column=spec.column, row=row.number)
    for impl in impls:
        result = call_impl(impl, "normalise_value", where, kind=kind, cell=cell, spec=spec, row=row)
        if result is None:
            continue
        if not isinstance(result, Normalised):
            raise PluginError("error.plugin_normalise_returned", plugin=describe(impl.plugin_name),
                              type=type(result).__name__, where=where)
        return result
    return None


def identify(matcher, row: SheetRow, spec, owner: str = "") -> Normalised:
    """A row's identifier: a normalise_value plugin's answer, else the matcher's (`owner`: the plugin
    that registered it, named when it fails)."""
    answer = normalise_value(matcher.name, row, spec)
    if answer is not None:
        return answer
    return matcher_identify(matcher, row, spec, owner)


def matcher_identify(matcher, row: SheetRow, spec, owner: str = "") -> Normalised:
    """The matcher's answer alone: `identify` when no plugin implements normalise_value."""
    try:
        answer = matcher.identify(row, spec)
    except ReconcilerError:
        raise
    except Exception as exc:  # noqa: BLE001 - a plugin matcher's bug, reported with its name
        raise PluginError("error.matcher_failed", name=matcher.name, plugin=describe(owner), where=_where(row, spec),
                          type=type(exc).__name__, detail=str(exc)) from exc
    if not isinstance(answer, Normalised):
        raise PluginError("error.matcher_returned", name=matcher.name, plugin=describe(owner), type=type(answer).__name__,
                          where=_where(row, spec))
    return answer


def has_value_normalisers() -> bool:
    """Whether a plugin implements normalise_value (it may read any cell of the row)."""
    return bool(hook_impls_in_call_order("normalise_value"))


def _where(row: SheetRow, spec) -> Message:
    # Made only when something is wrong: a Message renders its text when made (600,000 rows' worth).
    return Message("where.column_row", column=spec.column, row=row.number)


def decide(rule, resolved: list, row_number: int):
    """The rule's TalentDecision for a row; a plugin rule's failure names the rule and the row."""
    try:
        decision = rule.decide(resolved)
    except ReconcilerError:
        raise
    except Exception as exc:  # noqa: BLE001 - a plugin rule's bug, reported with its name
        raise PluginError("error.rule_failed", name=rule.name, row=row_number, type=type(exc).__name__,
                          detail=str(exc)) from exc
    if not isinstance(decision, TalentDecision) or decision.status not in TALENT_STATUSES:
        raise PluginError("error.rule_returned", name=rule.name, value=repr(decision), row=row_number,
                          statuses=", ".join(TALENT_STATUSES))
    return decision


# ---------------------------------------------------------------- write phase


def plugin_output_columns(recipe, existing: list[OutputColumn]) -> list[OutputColumn]:
    """The columns plugins declare with register_output_columns, in load order, minus headers already output."""
    taken = {c.header for c in existing}
    added: list[OutputColumn] = []
    for impl in reversed(hook_impls_in_call_order("register_output_columns")):
        plugin = impl.plugin_name

        def register(header, kind="value", _plugin=plugin):
            if not isinstance(header, str) or not header.strip():
                raise PluginError("error.plugin_column_no_header", plugin=describe(_plugin), header=repr(header))
            if kind not in OUTPUT_KINDS:
                raise PluginError("error.plugin_column_kind", plugin=describe(_plugin), header=repr(header),
                                  kind=repr(kind), kinds=", ".join(OUTPUT_KINDS))
            if header not in taken:
                taken.add(header)
                added.append(OutputColumn(header, kind, source_of(_plugin).label))

        call_impl(impl, "register_output_columns", recipe=recipe, register=register)
    return added


def _settable_headers(columns: list[OutputColumn]) -> set[str]:
    # The talent / job_data status and note cells come from the outcome's own fields, not from values.
    return {c.header for c in columns if not (c.kind in ("status", "note") and c.section in ("talent", "job_data"))}


def apply_row_outputs(sheet: Sheet, outcomes: dict[int, RowOutcome], recipe, columns: list[OutputColumn]) -> None:
    """Call row_outputs for every decided row and merge the values; the first plugin called wins a header."""
    impls = hook_impls_in_call_order("row_outputs")
    if not impls:
        return
    settable = _settable_headers(columns)
    for row in sheet.rows:
        outcome = outcomes.get(row.number)
        if outcome is None:
            continue
        where = Message("where.row", row=row.number)
        answers = []
        for impl in impls:
            values = call_impl(impl, "row_outputs", where, row=row, outcome=outcome, recipe=recipe)
            if values is None:
                continue
            if not isinstance(values, Mapping):
                raise PluginError("error.plugin_row_outputs_returned", plugin=describe(impl.plugin_name),
                                  type=type(values).__name__, where=where)
            unknown = [str(h) for h in values if h not in settable]
            if unknown:
                raise PluginError("error.plugin_row_outputs_unknown", plugin=describe(impl.plugin_name),
                                  columns=", ".join(map(repr, unknown)), where=where)
            answers.append(values)
        for values in reversed(answers):
            outcome.values.update(values)


# ---------------------------------------------------------------- write phase


def run_writer(writer, owner: str, ctx) -> Path:
    """Call one writer; a plugin writer that raises, or returns something other than the path
    it wrote, is a PluginError naming the plugin and the writer (exit 2).

    Outputs that earlier writers of the run completed are kept (each is a whole,
    correct file); the error says which. Built-in writers' own failures stay as they are.
    """
    builtin = source_of(owner).source == "built-in"
    try:
        result = writer.write(ctx)
    except PluginError as exc:
        if builtin or exc.keyed:
            raise
        # the plugin's own sentence (`raise PluginError("...")`), said with the plugin and the writer
        raise PluginError("error.writer_failed", writer=writer.name, plugin=describe(owner), error=exc.message) from exc
    except ReconcilerError:
        raise
    except Exception as exc:
        if builtin:
            raise
        raise PluginError("error.writer_failed", writer=writer.name, plugin=describe(owner),
                          error=f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(result, (str, os.PathLike)) or not str(result):
        raise PluginError("error.writer_returned", writer=writer.name, plugin=describe(owner),
                          type=type(result).__name__)
    return Path(result)
