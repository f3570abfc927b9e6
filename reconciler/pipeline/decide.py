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
    talent, job = recipe.talent, recipe.job_data
    inputs = [(name, spec.column) for name, spec in talent.inputs.items()] if talent is not None else []
    debug = log.isEnabledFor(logging.DEBUG)
    joined: dict = {}  # what each employee's record gives the rows joining it
    for index, row in enumerate(sheet.rows):
        if load is not None and index % ANSWERS_AHEAD == 0:  # the next rows' stored answers, in one read
            load(n.key for later in sheet.rows[index : index + ANSWERS_AHEAD]
                 for n in prepared.identifiers.get(later.number, ()) if n.key is not None)
        number = row.number
        # Each outcome is made once, from the decisions' own lists and dicts: 100,000 rows
        # made (and threw away) half a million empty ones.
        talent_status, talent_notes, values = None, [], {}
        resolved = []
        if talent is not None:
            resolved = [
                Resolved(name, column, normalised, lookups.get(normalised.key) if normalised.key else None)
                for (name, column), normalised in zip(inputs, prepared.identifiers.pop(number))  # freed once decided
            ]
            decision = plugin_hooks.decide(prepared.rule, resolved, number)
            talent_status, talent_notes = decision.status, list(decision.notes)
            if debug and talent_status not in ("matched", "not_found"):
                log.debug("row %d: talent %s: %s", number, talent_status, decision.note)  # masked by the log filter
            if decision.talent is not None and talent_status in ("matched", "partial"):
                values = talent_values(recipe, decision.talent)
                onboard_missing |= "is_onboarded" in talent.columns and decision.talent.is_onboarded is None
        job_status, job_notes, mismatches = None, [], {}
        if job is not None:
            employee = employees.get(number)
            decided = join_job_data(
                key_cell=row.get(job.key.column),
                fetched=fetched.get(employee) if employee else None,
                as_of_cell=row.get(job.as_of) if job.as_of else None,
                columns=job.columns, compare=job.compare, row=row, locale=prepared.locale, names=names,
                memo=joined,
            )
            job_status, job_notes, mismatches = decided.status, list(decided.notes), decided.mismatches
            values.update(decided.values)
        repeat = repeats.note(number, row_identity(resolved, employees.get(number)))
        if repeat is not None:
            (talent_notes if talent is not None else job_notes).append(repeat)
        outcomes[number] = RowOutcome(number, talent_status, talent_notes, job_status, job_notes, values, mismatches)
    if onboard_missing:
        summary.warnings.append(Message("warning.no_onboard_status"))
    return outcomes
