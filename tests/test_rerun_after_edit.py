"""A rerun after editing a few rows of a large sheet costs a few requests, not a cold run."""

from __future__ import annotations

import openpyxl
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.sandbox import ENDPOINT_JOB_DATAS, ENDPOINT_TALENTS, SANDBOX_APP_ID, SANDBOX_APP_SECRET, Sandbox, generate_tenant


def write_sheet(path, tenant, edits=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mobile", "Email", "Employee"])
    for i, (talent, employee) in enumerate(zip(tenant.talents, tenant.employees * 3)):
        mobile, email = talent.mobile_number if talent.mobile_code in (None, "86") else None, talent.email
        if edits and i in edits:
            mobile, email = edits[i]
        ws.append([mobile, email, employee.user_id])
    wb.save(path)


def test_editing_five_rows_costs_at_most_three_requests_per_edited_row(tmp_path):
    tenant = generate_tenant(talents=2000, employees=700, seed=8)
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "version: 1\ntalent:\n  inputs: {mobile: Mobile, email: Email}\n"
        "job_data:\n  key: {column: Employee, user_id_type: user_id}\n  columns: {department_id: Dept}\n"
        f"cache:\n  path: {tmp_path / 'cache.sqlite'}\n", encoding="utf-8")
    with Sandbox(tenant) as sb:
        env = {"FEISHU_BASE_URL": sb.url, "FEISHU_APP_ID": SANDBOX_APP_ID, "FEISHU_APP_SECRET": SANDBOX_APP_SECRET}

        def run():
            before = {k: v["accepted"] for k, v in sb.stats.snapshot().items()}
            result = CliRunner().invoke(cli, ["run", str(recipe), str(tmp_path / "s.xlsx"), "-q"], env=env)
            assert result.exit_code == 0, result.output
            after = sb.stats.snapshot()
            return sum(after[e]["accepted"] - before[e] for e in (ENDPOINT_TALENTS, ENDPOINT_JOB_DATAS))

        write_sheet(tmp_path / "s.xlsx", tenant)
        cold = run()
        assert cold >= 40
        assert run() == 0  # warm rerun
        # New values nobody looked up before (a typo fixed, a new address...).
        edits = {10 * k: (f"1390000{k:04d}", f"new.person{k}@example.com") for k in range(5)}
        write_sheet(tmp_path / "s.xlsx", tenant, edits)
        edited = run()
    assert 0 < edited <= 3 * len(edits)


def test_keystore_rebuilds_talents_like_model_construct():
    from reconciler.feishu.models import Talent, trusted_talent

    for fields in ({"talent_id": "1"}, {"talent_id": "2", "mobile_code": "86", "mobile_number": "13800138000",
                                        "is_onboarded": False, "new_field": {"x": 1}}):
        rebuilt, reference = trusted_talent(dict(fields)), Talent.model_construct(**fields)
        assert rebuilt == reference and rebuilt.model_dump() == reference.model_dump()
        assert rebuilt.model_extra == reference.model_extra and rebuilt.model_fields_set == reference.model_fields_set
