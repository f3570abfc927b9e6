"""The Summary sheet (`汇总` / `Summary`, spec 6a), written for the person who reads it.

First what was reconciled and when (local time with its UTC offset), then for each
status its label (with the status fill), how many rows, what it means and what to
do (a count links to the status's first line on the review sheet); the request and
cache figures come after, under a heading of their own, then the warnings.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reconciler.messages.render import is_key, render, text
from reconciler.model import JOB_STATUSES, TALENT_STATUSES, WriteContext
from reconciler.writers.added import AddedCell, AddedSheet, link_to
from reconciler.writers.annotation import STATUS_FILLS, shown_status
from reconciler.writers.review import Review

WIDTHS = [26, 10, 48, 56]


def local_time(moment: dt.datetime, locale: str) -> str:
    """"2026-11-30 13:27:53 (UTC+08:00)": the clock on the wall, and which clock."""
    local = moment.astimezone()
    offset = local.strftime("%z") or "+0000"
    return text("label.time", locale, time=local.strftime("%Y-%m-%d %H:%M:%S"), offset=f"{offset[:3]}:{offset[3:]}")


def _endpoint(path: str, locale: str) -> str:
    """What a request was for, in the reader's words, with Feishu's path for whoever checks the app's scopes."""
    key = "endpoint." + path.replace("/", ".")
    return text("label.endpoint_named", locale, name=text(key, locale), path=path) if is_key(key) else path


def _meaning(section: str, status: str, kind: str, locale: str) -> str:
    key = f"{kind}.{'talent' if section == 'talent' else 'job'}.{status}"
    said = text(key, locale)
    return "" if said == key else said


def summary_sheet(ctx: WriteContext, title: str, reconciled_title: str, review: Review) -> AddedSheet:
    locale, summary = ctx.locale, ctx.summary

    def label(name: str, **params) -> str:
        return text(f"label.{name}", locale, **params)

    def plain(*values) -> list[AddedCell | None]:
        return [AddedCell(v) if v is not None else None for v in values]

    def heading(*names: str) -> list[AddedCell | None]:
        return [AddedCell(label(n), bold=True) for n in names]

    review_title = review.sheet.title
    lines = len(review.sheet.rows) - 1 if review.first_line else 0
    rows: list[list[AddedCell | None]] = [
        [AddedCell(label("title"), bold=True)],
        plain(label("recipe"), summary.recipe_name),
        plain(label("started_at"), local_time(summary.started_at, locale)),
        plain(label("input_file"), Path(ctx.input_path).name),
        plain(label("sheet"), reconciled_title),
        plain(label("rows"), summary.rows or len(ctx.outcomes)),
        [AddedCell(label("review_hint", sheet=review_title), link=link_to(review_title, 1, 1)), AddedCell(lines)],
    ]
    has_job = bool(summary.job_counts) or "job_data" in ctx.status_columns
    has_talent = bool(summary.talent_counts) or "talent" in ctx.status_columns or not has_job
    for present, section, name, statuses, counts in (
        (has_talent, "talent", "talent_status", TALENT_STATUSES, summary.talent_counts),
        (has_job, "job_data", "job_status", JOB_STATUSES, summary.job_counts),
    ):
        if not present:
            continue
        rows += [[], heading(name, "count", "meaning", "todo")]
        for status in statuses + tuple(s for s in counts if s not in statuses):  # a plugin's own statuses last
            shown, fill = shown_status(status, ctx)
            count = counts.get(status, 0)
            line = review.first_line.get((section, status))
            rows.append([
                AddedCell(shown, fill=fill or STATUS_FILLS.get(status), wrap=True),
                AddedCell(count, link=link_to(review_title, 1, line) if line and count else None, wrap=True),
                AddedCell(_meaning(section, status, "meaning", locale), wrap=True),
                AddedCell(_meaning(section, status, "todo", locale), wrap=True),
            ])
    rows += [[], heading("requests_cache"), heading("endpoint", "requests")]
    rows += [[AddedCell(_endpoint(path, locale), wrap=True), AddedCell(count)] for path, count in summary.requests.items()]
    rows += [
        plain(label("requests_total"), sum(summary.requests.values())),
        plain(label("cache_hits"), summary.cache_hits),
        plain(label("retries"), summary.retries),
        plain(label("rate_limited"), summary.rate_limited),
        plain(label("seconds"), round(summary.seconds, 2)),
        [],
        heading("warnings"),
    ]
    rows += [plain(render(warning, locale)) for warning in summary.warnings] or [plain(label("none"))]
    return AddedSheet(title, rows, list(WIDTHS))
