"""Issue 7: a run under injected faults and short-lived tokens still ends with every row right.

Seeded: the sandbox draws its faults from a seeded generator, so a failure replays.
"""

from __future__ import annotations

import json

from reconciler.pipeline import RunOptions, run
from reconciler.sandbox import ENDPOINT_JOB_DATAS, ENDPOINT_TALENTS, SANDBOX_APP_ID, SANDBOX_APP_SECRET, Sandbox, generate_tenant
from rowdata import check_records, write_case, write_recipe

FAULTS = ("1002001", "500", "502", "drop", "slow")
FAST_RETRIES = {"timeout": (2.0, 0.6), "backoff": 0.02, "max_backoff": 0.1}


def env_for(sb):
    return {"FEISHU_BASE_URL": sb.url, "FEISHU_APP_ID": SANDBOX_APP_ID, "FEISHU_APP_SECRET": SANDBOX_APP_SECRET}


def records_of(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_five_percent_faults_and_expiring_tokens_every_row_right(tmp_path):
    tenant = generate_tenant(talents=2500, employees=1200, seed=21)
    truth, expected_job = write_case(tmp_path / "s.xlsx", tenant, seed=22)
    recipe = write_recipe(tmp_path / "r.yaml", cache=tmp_path / "c.sqlite")
    with Sandbox(tenant, fault_rate=0.05, faults=FAULTS, slow_seconds=1.5, token_ttl=3, seed=23) as sb:
        options = RunOptions(env=env_for(sb), client_options={**FAST_RETRIES, "max_retries": 8},
                             workers=8)
        result = run(recipe, tmp_path / "s.xlsx", options)
        stats = sb.stats.snapshot()
    faults = stats[ENDPOINT_TALENTS]["faults"] + stats[ENDPOINT_JOB_DATAS]["faults"]
    assert faults >= 3  # the faults did happen
    assert result.summary.retries >= faults
    wrong = check_records(records_of(tmp_path / "s.reconciled.jsonl"), tenant, truth, expected_job)
    assert not wrong, f"{len(wrong)} rows differ, first: {wrong[:3]}"


def test_lookups_that_finally_fail_are_row_errors_and_the_rest_is_written(tmp_path):
    tenant = generate_tenant(talents=1500, employees=600, seed=31)
    truth, expected_job = write_case(tmp_path / "s.xlsx", tenant, seed=32)
    recipe = write_recipe(tmp_path / "r.yaml", cache=tmp_path / "c.sqlite")
    with Sandbox(tenant, fault_rate=0.4, faults=("500", "502"), seed=33) as sb:
        options = RunOptions(env=env_for(sb), client_options={**FAST_RETRIES, "max_retries": 1})
        result = run(recipe, tmp_path / "s.xlsx", options)
    records = records_of(tmp_path / "s.reconciled.jsonl")
    errors = [r for r in records if r["Talent status"] == "error"]
    assert errors and len(errors) < len(records)  # some batches failed for good, not all
    assert all("temporary error" in r["Talent note"] for r in errors)
    assert result.summary.talent_counts["error"] == len(errors)
    job_errors = [r for r in records if r["Job data status"] == "error"]
    assert all("job data lookup failed" in r["Job data note"] for r in job_errors)
    # every row that is not an error is exactly right
    assert not check_records(records, tenant, truth, expected_job, allow_error=True)
