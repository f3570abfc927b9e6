"""Calling the match- and write-phase hooks during a run (specs in reconciler.hookspecs).

Each implementation is called on its own, so that a plugin that raises or
returns something unusable is named in the error (PluginError, exit 2) instead
of surfacing as a bare traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from reconciler.errors import PluginError, ReconcilerError
from reconciler.matching.talents import TalentDecision
from reconciler.model import TALENT_STATUSES, OutputColumn, RowOutcome, Sheet, SheetRow
from reconciler.matching.normalize import Normalised
from reconciler.plugins import call_impl, describe, hook_impls_in_call_order, source_of

OUTPUT_KINDS = ("value", "text", "status", "note")


# ---------------------------------------------------------------- match phase


def normalise_value(kind: str, row: SheetRow, spec) -> Normalised | None:
    """The first plugin's answer for a non-blank identifier cell, or None (blank cell, or no plugin answered)."""
    cell = row.get(spec.column)
    if cell.is_blank:
        return None
    where = f" for column {spec.column} on row {row.number}"
    for impl in hook_impls_in_call_order("normalise_value"):
        result = call_impl(impl, "normalise_value", where, kind=kind, cell=cell, spec=spec, row=row)
        if result is None:
            continue
        if not isinstance(result, Normalised):
            raise PluginError(
                f"plugin {describe(impl.plugin_name)} returned {type(result).__name__} from normalise_value{where}; "
                "return a reconciler.matching.normalize.Normalised (see reconciler.matching.valid_value) or None"
            )
        return result
    return None


def identify(matcher, row: SheetRow, spec) -> Normalised:
    """A row's identifier: a normalise_value plugin's answer, else the matcher's."""
    answer = normalise_value(matcher.name, row, spec)
    if answer is not None:
        return answer
    where = f"for column {spec.column} on row {row.number}"
    try:
        answer = matcher.identify(row, spec)
    except ReconcilerError:
        raise
    except Exception as exc:  # noqa: BLE001 - a plugin matcher's bug, reported with its name
        raise PluginError(f"matcher {matcher.name} failed {where}: {type(exc).__name__}: {exc}") from exc
    if not isinstance(answer, Normalised):
        raise PluginError(
            f"matcher {matcher.name} returned {type(answer).__name__} {where}; return a reconciler.matching.normalize.Normalised"
        )
    return answer


def decide(rule, resolved: list, row_number: int):
    """The rule's TalentDecision for a row; a plugin rule's failure names the rule and the row."""
    try:
        decision = rule.decide(resolved)
    except ReconcilerError:
        raise
    except Exception as exc:  # noqa: BLE001 - a plugin rule's bug, reported with its name
        raise PluginError(f"rule {rule.name} failed on row {row_number}: {type(exc).__name__}: {exc}") from exc
    if not isinstance(decision, TalentDecision) or decision.status not in TALENT_STATUSES:
        raise PluginError(
            f"rule {rule.name} returned {decision!r} on row {row_number}; return a reconciler.matching.TalentDecision "
            f"whose status is one of {', '.join(TALENT_STATUSES)}"
        )
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
                raise PluginError(f"plugin {describe(_plugin)} declared an output column without a header: {header!r}")
            if kind not in OUTPUT_KINDS:
                raise PluginError(
                    f"plugin {describe(_plugin)} declared column {header!r} with kind {kind!r}; "
                    f"use one of {', '.join(OUTPUT_KINDS)}"
                )
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
        where = f" on row {row.number}"
        answers = []
        for impl in impls:
            values = call_impl(impl, "row_outputs", where, row=row, outcome=outcome, recipe=recipe)
            if values is None:
                continue
            if not isinstance(values, Mapping):
                raise PluginError(
                    f"plugin {describe(impl.plugin_name)} returned {type(values).__name__} from row_outputs{where}; "
                    "return a dict of output column header -> value, or None"
                )
            unknown = [str(h) for h in values if h not in settable]
            if unknown:
                raise PluginError(
                    f"plugin {describe(impl.plugin_name)} returned column {', '.join(map(repr, unknown))} from "
                    f"row_outputs{where}, which is not an output column it can set; declare it with "
                    "register_output_columns (status and note columns: change outcome.talent_status etc. instead)"
                )
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
    except ReconcilerError:
        raise
    except Exception as exc:
        if builtin:
            raise
        raise PluginError(
            f"writer {writer.name} of plugin {describe(owner)} failed: {type(exc).__name__}: {exc}"
        ) from exc
    if not isinstance(result, (str, os.PathLike)) or not str(result):
        raise PluginError(
            f"writer {writer.name} of plugin {describe(owner)} returned {type(result).__name__} instead of the "
            "path it wrote; end write(ctx) with `return ctx.output_path`"
        )
    return Path(result)
