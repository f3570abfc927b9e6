"""Counting a run's outcomes and requests, and the `--report` JSON."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from reconciler.feishu import (
    ENDPOINTS,
    JOB_DATAS,
    TALENT_IDS,
    FeishuClient,
)
from reconciler.messages.render import Message
from reconciler.model import JOB_STATUSES, TALENT_STATUSES, RowOutcome, RunSummary


def count_outcomes(summary: RunSummary, outcomes: dict[int, RowOutcome], client: FeishuClient,
                   names: dict[str, int] | None = None) -> None:
    """`names`: the name endpoints the run planned (shown even when the cache answered all)."""
    talent = Counter(o.talent_status for o in outcomes.values() if o.talent_status)
    job = Counter(o.job_status for o in outcomes.values() if o.job_status)
    summary.talent_counts = {s: talent.get(s, 0) for s in TALENT_STATUSES} if talent else {}
    summary.job_counts = {s: job.get(s, 0) for s in JOB_STATUSES} if job else {}
    snap = client.counters.snapshot()
    # Requests per endpoint for people (the Summary sheet, --report): by path, from the endpoint table.
    zeros = {e.name: 0 for e in ENDPOINTS if e.path in (names or {})}
    summary.requests = ENDPOINTS.by_path({TALENT_IDS.name: 0, JOB_DATAS.name: 0, **zeros, **snap["requests"]})
    summary.cache_hits = snap["cache_hits"]
    summary.requests_from_cache = sum(snap["http_cache_hits"].values())
    summary.remembered = snap["key_cache_hits"]
    summary.retries = snap["retries"]
    summary.rate_limited = snap["rate_limited"]
    summary.rows = len(outcomes)


def report_json(summary: RunSummary, outputs: list[Path], planned: dict[str, int], locale: str = "en-US") -> dict:
    """The --report JSON: counts, never personal data; warnings as {"key", "params", "text"}."""
    return {
        "recipe": summary.recipe_name,
        "started_at": summary.started_at.isoformat(timespec="seconds"),
        "rows": summary.rows,
        "counts": {"talent": summary.talent_counts, "job_data": summary.job_counts},
        "requests": summary.requests,
        "planned_requests": planned,
        "cache_hits": summary.cache_hits,
        "requests_from_cache": summary.requests_from_cache,
        "identifiers_remembered": summary.remembered,
        "retries": summary.retries,
        "rate_limited": summary.rate_limited,
        "warnings": [Message.of(w).as_dict(locale) for w in summary.warnings],
        "seconds": round(summary.seconds, 3),
        "outputs": [str(p) for p in outputs],
    }
