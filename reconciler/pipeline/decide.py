"""Turning lookups into row outcomes: talent statuses, job-data joins and compares."""

from __future__ import annotations

import logging

from reconciler import plugin_hooks
from reconciler.matching.duplicates import Repeats, row_identity
from reconciler.matching.jobdata import join_job_data
from reconciler.matching.talents import Resolved
from reconciler.messages.render import Message
from reconciler.model import RowOutcome, RunSummary
from reconciler.pipeline.options import Prepared
from reconciler.writers.plan import talent_values

log = logging.getLogger("reconciler.run")
# Rows whose stored talent answers are read at a time: few enough to hold (~8 MB),
# many enough that neighbouring keys share the store's index pages.
ANSWERS_AHEAD = 10_000


def decide_rows(prepared: Prepared, lookups, fetched, employees, summary: RunSummary, names=None) -> dict[int, RowOutcome]:
    recipe, sheet = prepared.recipe, prepared.sheet
    outcomes: dict[int, RowOutcome] = {}
    onboard_missing = False
    repeats = Repeats()
    load = getattr(lookups, "load", None)
    for index, row in enumerate(sheet.rows):
        if load is not None and index % ANSWERS_AHEAD == 0:  # the next rows' stored answers, in one read
            load(r.normalised.key for later in sheet.rows[index : index + ANSWERS_AHEAD]
                 for r in prepared.identifiers.get(later.number, ()) if r.normalised.key is not None)
        outcome = RowOutcome(row.number)
        resolved = []
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
                columns=job.columns, compare=job.compare, row_cells=row.cells, locale=prepared.locale, names=names,
            )
            outcome.job_status, outcome.job_notes = decision.status, list(decision.notes)
            outcome.values.update(decision.values)
            outcome.mismatches.update(decision.mismatches)
        repeat = repeats.note(row.number, row_identity(resolved, employees.get(row.number)))
        if repeat is not None:
            (outcome.talent_notes if recipe.talent is not None else outcome.job_notes).append(repeat)
        outcomes[row.number] = outcome
    if onboard_missing:
        summary.warnings.append(Message("warning.no_onboard_status"))
    return outcomes
