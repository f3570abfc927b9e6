"""Issue 14's figure: the name lookups' requests vs their minimum, ceil(distinct IDs needed / 100) per endpoint.

A generated tenant (thousands of employees, a few hundred departments), a sheet of
one row per employee joining every `.name` path of recipe spec 2a, a cold run
against the embedded sandbox. The minimum is computed from the tenant alone: the
IDs held by each employee's current primary job data; managers count both hops
(job data IDs, then the distinct employment IDs they lead to); employee types are
one list.
"""

from __future__ import annotations

import json
import os
import math
import subprocess
import sys
from pathlib import Path

import openpyxl

from reconciler.sandbox import SANDBOX_APP_ID, SANDBOX_APP_SECRET, Sandbox, generate_tenant
from reconciler.sandbox.job_datas_api import beijing_now, is_current

PATHS = ("department_id", "job_level_id", "job_grade_id", "job_family_id", "employee_type_id", "work_location_id",
         "service_company", "position_id", "direct_manager_id", "second_direct_manager_id",
         "dotted_line_manager_id_list", "cost_center_rate")
ENDPOINT_OF = {"department_id": "corehr/v2/departments/batch_get", "job_level_id": "corehr/v2/job_levels/batch_get",
               "job_grade_id": "corehr/v2/job_grades/query", "job_family_id": "corehr/v2/job_families/batch_get",
               "work_location_id": "corehr/v2/locations/batch_get", "service_company": "corehr/v2/companies/batch_get",
               "position_id": "corehr/v2/positions/query", "cost_center_rate": "corehr/v2/cost_centers/search"}
HOP1, HOP2, TYPES = "corehr/v1/job_datas (managers)", "corehr/v2/employees/batch_get", "corehr/v1/employee_types"


def minimum(tenant) -> dict[str, int]:
    now = beijing_now()
    current = [r for r in tenant.job_datas if is_current(r, now)]
    by_id = {r["id"]: r for r in current}
    ids: dict[str, set] = {path: set() for path in ENDPOINT_OF}
    managers: set[str] = set()
    for e in tenant.employees:
        job = next(r for r in current if r["employment_id"] == e.people_corehr_id and r["primary_job_data"])
        for path in ENDPOINT_OF:
            if path == "cost_center_rate":
                ids[path].update(c["cost_center_id"] for c in job.get(path, []))
            elif job.get(path):
                ids[path].add(job[path])
        managers.update(m for m in (job.get("direct_manager_id"), job.get("second_direct_manager_id"),
                                    *(job.get("dotted_line_manager_id_list") or [])) if m)
    persons = {by_id[m]["employment_id"] for m in managers if m in by_id}
    out = {ENDPOINT_OF[p]: math.ceil(len(v) / 100) for p, v in ids.items()}
    out.update({TYPES: 1, HOP1: math.ceil(len(managers) / 100), HOP2: math.ceil(len(persons) / 100)})
    return out


def name_lookups(work: Path, employees: int = 3000, departments: int = 260) -> dict:
    """Requests per name endpoint in a cold run vs the minimum."""
    tenant = generate_tenant(talents=10, employees=employees, departments=departments, seed=14)
    sheet, recipe, report = work / "names.xlsx", work / "names.yaml", work / "names.report.json"
    wb = openpyxl.Workbook()
    wb.active.append(["工号"])
    for e in tenant.employees:
        wb.active.append([e.user_id])
    wb.save(sheet)
    columns = ", ".join(f"{p}.name: {p}" for p in PATHS)
    recipe.write_text(f"version: 1\njob_data:\n  key: {{column: 工号, user_id_type: user_id}}\n  columns: {{{columns}}}\n"
                      f"cache:\n  path: {work / 'names-cache.sqlite'}\n", encoding="utf-8")
    with Sandbox(tenant) as sb:
        env = {"FEISHU_BASE_URL": sb.url, "FEISHU_APP_ID": SANDBOX_APP_ID, "FEISHU_APP_SECRET": SANDBOX_APP_SECRET}
        subprocess.run([sys.executable, "-m", "reconciler.cli", "run", str(recipe), str(sheet), "-q", "--report",
                        str(report), "-o", str(work / "names.out.xlsx")], check=True,
                       env={**os.environ, **env})
        stats = sb.stats.snapshot()
    names = json.loads(report.read_text("utf-8"))["names"]
    sent = {path: stats[path]["accepted"] for path in [*ENDPOINT_OF.values(), TYPES, HOP2]}
    sent[HOP1] = names["manager"]["requests"][HOP1]
    return {"rows": employees, "sent": sent, "minimum": minimum(tenant)}


def names_line(figures: dict) -> tuple[str, str, str, bool]:
    """(figure, value, target, met) for run.py's table."""
    sent, least = sum(figures["sent"].values()), sum(figures["minimum"].values())
    return (f"6 name lookups, {figures['rows']:,} rows: requests / minimum",
            f"{sent / least:.2f}  ({sent} sent over {len(figures['sent'])} endpoints; minimum {least})", "1.00",
            figures["sent"] == figures["minimum"])
