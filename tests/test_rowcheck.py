"""Row-by-row check of a generated sheet against a generated tenant.

The expected answer of every row is computed here, independently of the
pipeline: from the clean values the generator chose (never by parsing the messy
cells) and the tenant's own records, applying spec section 4 by hand.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.sandbox import SANDBOX_APP_ID, SANDBOX_APP_SECRET, Sandbox, generate_tenant
from rowdata import ROWS, check_records, write_case, write_recipe

@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    tenant = generate_tenant(talents=2500, employees=1200, seed=11)
    folder = tmp_path_factory.mktemp("rowcheck")
    truth, expected_job = write_case(folder / "big.xlsx", tenant)
    write_recipe(folder / "recipe.yaml", cache=folder / "cache.sqlite")
    return tenant, truth, expected_job, folder


def test_every_row_as_computed_independently(generated):
    tenant, truth, expected_job, folder = generated
    with Sandbox(tenant) as sb:
        env = {"FEISHU_BASE_URL": sb.url, "FEISHU_APP_ID": SANDBOX_APP_ID, "FEISHU_APP_SECRET": SANDBOX_APP_SECRET}
        result = CliRunner().invoke(cli, ["run", str(folder / "recipe.yaml"), str(folder / "big.xlsx"), "-q",
                                          "--report", str(folder / "report.json")], env=env)
        assert result.exit_code == 0, result.output
        sandbox_counts = {k: v["accepted"] for k, v in sb.stats.snapshot().items()}
    records = [json.loads(line) for line in (folder / "big.reconciled.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == ROWS
    wrong = check_records(records, tenant, truth, expected_job)
    assert not wrong, f"{len(wrong)} rows differ, first: {wrong[:5]}"
    statuses = {record["Talent status"] for record in records}
    assert {"matched", "partial", "not_found", "conflict", "ambiguous", "invalid"} <= statuses
    report = json.loads((folder / "report.json").read_text())
    for endpoint, sent in report["requests"].items():
        assert sent == sandbox_counts[endpoint]
