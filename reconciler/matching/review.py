"""The rows that need a person, most urgent first (spec recipe.md 6a), and statuses and
notes as the reader of a report sees them (in output.locale).

For plugins (reconciler.plugin_api) and for the writers' own review sheet, so that every
report lists the same rows in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.messages.render import Message, is_key, join, text
from reconciler.model import RowOutcome

REVIEW_ORDER = ("error", "conflict", "ambiguous", "invalid", "partial", "not_found", "mismatch")
"""Statuses that need a person, most urgent first (talent and job-data statuses share the ranks)."""

JOB_STATUSES_TO_REVIEW = ("mismatch", "not_found", "error")
"""Job-data statuses that need a person; `no_key` does not (a candidate without an employee key yet is normal)."""


def needs_review(outcome: RowOutcome) -> bool:
    """True when a person has to look at the row: its talent status is not `matched`, or its
    job-data status is mismatch, not_found or error. A section the recipe lacks (status None) never does."""
    return outcome.talent_status not in (None, "matched") or outcome.job_status in JOB_STATUSES_TO_REVIEW


def urgency(outcome: RowOutcome) -> int:
    """The row's rank in REVIEW_ORDER (0 is the most urgent), by its most urgent status."""
    ranks = [REVIEW_ORDER.index(s) if s in REVIEW_ORDER else len(REVIEW_ORDER)
             for s in (outcome.talent_status, outcome.job_status) if s and s not in ("matched", "found", "no_key")]
    return min(ranks, default=len(REVIEW_ORDER))


def rows_needing_review(outcomes: Any) -> list[RowOutcome]:
    """Every row that needs a person, most urgent first, then by row number.

    :param outcomes: a writer's `WriteContext`, or its `outcomes` (row number -> `RowOutcome`).
    """
    found: Mapping[int, RowOutcome] = getattr(outcomes, "outcomes", outcomes)
    return sorted((o for o in found.values() if needs_review(o)), key=lambda o: (urgency(o), o.row_number))


def status_label(status: str | None, locale: str | None = "en-US") -> str:
    """A status key as the reader of `locale` sees it (the workbook's labels: "not_found" ->
    "未找到" in zh-CN); "" for None; an unknown status as it is."""
    if not status:
        return ""
    key = "status." + status
    return text(key, locale) if is_key(key) else status


def notes_text(notes: Iterable[Message | str], locale: str | None = "en-US") -> str:
    """Notes (`outcome.talent_notes`, `outcome.job_notes`, `summary.warnings`) as one text in
    `locale`, joined as in a note cell; plain strings are kept as they are."""
    return join(notes, locale)
