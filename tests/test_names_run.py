"""Names instead of IDs in a run (recipe spec 2a), end to end through the CLI against the sandbox:
every `.name` path, locale choice, compare by name, dangling IDs, a missing scope, --dry-run,
--report, reruns from the cache, recipe validation; and a generated sheet of thousands of rows
checked against names computed straight from the generated tenant."""

from __future__ import annotations

import json
import math

import openpyxl
import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.feishu.endpoints import DEPARTMENTS, EMPLOYEES, ENDPOINTS, JOB_DATAS, NAME_ENDPOINTS
from reconciler.sandbox import SANDBOX_APP_ID, SANDBOX_APP_SECRET, Sandbox, generate_tenant
from reconciler.sandbox.demo_build import DANGLING_MANAGER
from reconciler.sandbox.job_datas_api import beijing_now, is_current

ALL_NAMES = {
    "department_id.name": "部门", "job_level_id.name": "职级", "job_grade_id.name": "职等",
    "job_family_id.name": "序列", "employee_type_id.name": "人员类型", "work_location_id.name": "地点",
    "service_company.name": "公司", "position_id.name": "岗位", "direct_manager_id.name": "直属上级",
    "second_direct_manager_id.name": "第二上级", "dotted_line_manager_id_list.name": "虚线上级",
    "cost_center_rate.name": "成本中心",
}


def recipe_text(locale: str, cache, extra: str = "") -> str:
    columns = ", ".join(f"{p}: {h}" for p, h in ALL_NAMES.items())
    return (f"version: 1\njob_data:\n  key: {{column: 工号, user_id_type: user_id}}\n"
            f"  columns: {{{columns}}}\n  compare: {{部门名称: department_id.name}}\n{extra}"
            f"output:\n  locale: {locale}\n  writers: [xlsx, jsonl]\n"
            f"cache:\n  path: {cache}\n")


def write_sheet(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["工号", "部门名称"])
    for row in rows:
        ws.append(list(row))
    wb.save(path)


def run_cli(sb, recipe, sheet, *more):
    env = {"FEISHU_BASE_URL": sb.url, "FEISHU_APP_ID": SANDBOX_APP_ID, "FEISHU_APP_SECRET": SANDBOX_APP_SECRET}
    report = sheet.with_suffix(".report.json")
    result = CliRunner().invoke(cli, ["run", str(recipe), str(sheet), "-q", "--report", str(report), *more], env=env)
    assert result.exit_code == 0, result.output
    return result, (json.loads(report.read_text(encoding="utf-8")) if report.exists() else None)


def records(sheet):
    out = sheet.with_name(sheet.stem + ".reconciled.jsonl")
    return {r["工号"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines()) if r.get("工号")}


DEMO_ROWS = [("E0001", "总经办"), ("E0002", "销售部"), ("E0007", ""), ("E0011", "财务部"), ("E0015", " 研发部 "),
             ("E9999", "研发部")]
ENGLISH = {"总经办": "Executive Office", "销售部": "Sales", "财务部": "Finance", " 研发部 ": " Engineering ",
           "研发部": "Engineering", "": ""}


@pytest.fixture
def demo(tmp_path):
    sheet = tmp_path / "s.xlsx"
    write_sheet(sheet, DEMO_ROWS)
    return tmp_path, sheet


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_every_name_path_in_the_locale_else_zh_cn(demo, locale):
    tmp, sheet = demo
    if locale == "en-US":  # names compare in the output's language
        write_sheet(sheet, [(k, ENGLISH[v]) for k, v in DEMO_ROWS])
    recipe = tmp / "r.yaml"
    recipe.write_text(recipe_text(locale, tmp / "c.sqlite"), encoding="utf-8")
    with Sandbox() as sb:
        run_cli(sb, recipe, sheet)
    rows = records(sheet)
    en = locale == "en-US"
    e7 = rows["E0007"]
    assert e7["部门"] == ("Engineering" if en else "研发部")
    assert e7["地点"] == ("Shanghai" if en else "上海")
    assert e7["直属上级"] == "王芳(Wang Fang)" and e7["第二上级"] == "张伟(Zhang Wei)"  # person names are plain strings
    assert e7["虚线上级"] == "徐磊(Xu Lei); 朱琳(Zhu Lin)"
    assert e7["成本中心"] == ("R&D Centre:60; Sales Centre:40" if en else "研发中心:60; 销售中心:40")
    assert rows["E0001"]["职级"] == "P5 资深专家"  # only zh-CN: the fallback, whatever the locale
    assert rows["E0001"]["直属上级"] is None  # the CEO has no manager: empty, no note
    # Dangling IDs: the cell is empty, the note says which ID, the status does not change.
    assert rows["E0011"]["岗位"] is None and "7110000000000000005" in rows["E0011"]["Job data note"]
    assert rows["E0015"]["第二上级"] is None and DANGLING_MANAGER in rows["E0015"]["Job data note"]
    assert ("no name for ID" if en else "没有名称") in rows["E0015"]["Job data note"]
    # compare by name: trimmed text; a blank cell is not compared; E0002 moved from 销售部 to 研发部
    assert rows["E0001"]["Job data status"] == "found" and rows["E0015"]["Job data status"] == "found"
    assert rows["E0007"]["Job data status"] == "found"
    assert rows["E0002"]["Job data status"] == "mismatch" and rows["E0011"]["Job data status"] == "found"
    assert rows["E9999"]["Job data status"] == "not_found"
    ws = openpyxl.load_workbook(sheet.with_name("s.reconciled.xlsx")).active
    headers = [c.value for c in ws[1]]
    comment = ws.cell(3, headers.index("部门名称") + 1).comment
    assert comment is not None and ("Engineering" if en else "研发部") in comment.text  # Feishu's name


def test_dry_run_lists_the_name_lookups_and_report_counts_them_then_a_rerun_asks_nothing(demo):
    tmp, sheet = demo
    recipe = tmp / "r.yaml"
    recipe.write_text(recipe_text("zh-CN", tmp / "c.sqlite"), encoding="utf-8")
    with Sandbox() as sb:
        result, _ = run_cli(sb, recipe, sheet, "--dry-run")
        assert DEPARTMENTS.path in result.output and EMPLOYEES.path in result.output
        assert sum(v["requests"] for v in sb.stats.snapshot().values()) == 0
        _, report = run_cli(sb, recipe, sheet)
        for endpoint in NAME_ENDPOINTS:
            assert report["requests"][endpoint.path] == 1, endpoint.path
        assert report["names"]["manager"]["requests"]["corehr/v1/job_datas (managers)"] == 1
        assert report["names"]["department"] == {"ids": 3, "from_cache": 0, "no_scope": None,
                                                 "requests": {DEPARTMENTS.path: 1}}
        sb.stats.reset()
        _, again = run_cli(sb, recipe, sheet)
        stats = sb.stats.snapshot()
        assert all(stats[e.path]["requests"] == 0 for e in NAME_ENDPOINTS)
        assert again["names"]["department"]["from_cache"] == 3
        assert records(sheet)["E0007"]["虚线上级"] == "徐磊(Xu Lei); 朱琳(Zhu Lin)"


def test_a_missing_scope_leaves_its_columns_empty_and_the_summary_names_it(demo):
    tmp, sheet = demo
    recipe = tmp / "r.yaml"
    recipe.write_text(recipe_text("en-US", tmp / "c.sqlite"), encoding="utf-8")
    everything = {s for e in ENDPOINTS for s in e.scopes}
    with Sandbox(scopes=everything - set(DEPARTMENTS.scopes)) as sb:
        _, report = run_cli(sb, recipe, sheet)
    rows = records(sheet)
    assert all(r["部门"] is None for r in rows.values()) and rows["E0007"]["职级"] == "P2 Intermediate"
    assert rows["E0002"]["Job data status"] == "found"  # not compared: Feishu's name is not known
    warnings = [w for w in report["warnings"] if w["key"] == "warning.name_scope_missing"]
    assert len(warnings) == 1 and warnings[0]["params"]["scope"] == "corehr:department:read"
    summary = openpyxl.load_workbook(sheet.with_name("s.reconciled.xlsx"))["Summary"]
    assert any("corehr:department:read" in str(c.value) for row in summary.iter_rows() for c in row)


@pytest.mark.parametrize("where, path", [("columns", "probation_end_date.name"), ("compare", "assignment_start_reason.name")])
def test_name_is_only_allowed_after_the_id_fields_of_the_spec(tmp_path, where, path):
    recipe = tmp_path / "r.yaml"
    body = f"  columns: {{{path}: X}}\n" if where == "columns" else f"  compare:\n    部门名称: {path}\n"
    recipe.write_text(f"version: 1\njob_data:\n  key: 工号\n{body}", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(recipe)])
    assert result.exit_code == 2
    assert path in result.output and "department_id" in result.output
    assert f"r.yaml:{4 if where == 'columns' else 5} job_data.{where}." in result.output  # at its line


# -- a generated sheet of a few thousand rows, against an oracle built from the tenant alone --

def pick(names, locale):
    for want in (locale, "zh-CN"):
        for n in names:
            if n["lang"] == want:
                return n["value"]
    return names[0]["value"] if names else None


def expected_rows(tenant, locale):
    """For each employee: the names of their current primary job data, straight from the tenant."""
    now = beijing_now()
    current = [r for r in tenant.job_datas if is_current(r, now)]
    by_job_id = {r["id"]: r for r in current}
    people = {e.people_corehr_id: e for e in tenant.employees}
    depts = {d.people_corehr_department_id: d.names for d in tenant.departments}
    catalog = {k: {r["id"]: r["names"] for r in v} for k, v in tenant.catalogs.items()}

    def cat(kind, the_id):
        names = catalog[kind].get(the_id)
        return pick(names, locale) if names else None

    def manager(job_id):
        record = by_job_id.get(job_id)
        person = people.get(record["employment_id"]) if record else None
        return person.preferred_name if person else None

    def joined(values):
        values = [v for v in values if v]
        return "; ".join(values) if values else None

    out, needed = {}, {k: set() for k in ("department", "job_level", "job_grade", "job_family", "employee_type",
                                           "location", "company", "position", "cost_center", "manager")}
    for e in tenant.employees:
        job = next(r for r in current if r["employment_id"] == e.people_corehr_id and r["primary_job_data"])
        managers = [job.get("direct_manager_id"), job.get("second_direct_manager_id"),
                    *(job.get("dotted_line_manager_id_list") or [])]
        needed["manager"].update(m for m in managers if m)
        for kind, key in (("department", "department_id"), ("job_level", "job_level_id"), ("job_grade", "job_grade_id"),
                          ("job_family", "job_family_id"), ("employee_type", "employee_type_id"),
                          ("location", "work_location_id"), ("company", "service_company"), ("position", "position_id")):
            needed[kind].add(job[key])
        needed["cost_center"].update(c["cost_center_id"] for c in job.get("cost_center_rate", []))
        out[e.user_id] = {
            "部门": pick(depts[job["department_id"]], locale), "职级": cat("job_levels", job["job_level_id"]),
            "职等": cat("job_grades", job["job_grade_id"]), "序列": cat("job_families", job["job_family_id"]),
            "人员类型": cat("employee_types", job["employee_type_id"]), "地点": cat("locations", job["work_location_id"]),
            "公司": cat("companies", job["service_company"]), "岗位": cat("positions", job["position_id"]),
            "直属上级": manager(job.get("direct_manager_id")), "第二上级": manager(job.get("second_direct_manager_id")),
            "虚线上级": joined(manager(m) for m in job.get("dotted_line_manager_id_list") or []),
            "成本中心": joined(f"{cat('cost_centers', c['cost_center_id'])}:{c['rate']}"
                            for c in job.get("cost_center_rate", []) if cat("cost_centers", c["cost_center_id"])),
        }
    persons = {by_job_id[m]["employment_id"] for m in needed["manager"] if m in by_job_id}
    return out, needed, persons


def test_a_generated_sheet_matches_names_from_the_tenant_at_the_minimum_of_requests(tmp_path):
    tenant = generate_tenant(talents=10, employees=2500, departments=260, seed=14)
    locale = "en-US"
    expected, needed, persons = expected_rows(tenant, locale)
    sheet, recipe = tmp_path / "s.xlsx", tmp_path / "r.yaml"
    rows = []
    for k, e in enumerate(tenant.employees):  # the department name column: right, wrong, or blank
        right = expected[e.user_id]["部门"]
        rows.append((e.user_id, "" if k % 7 == 0 else ("某部门" if k % 5 == 0 else f" {right} ")))
    write_sheet(sheet, rows)
    recipe.write_text(recipe_text(locale, tmp_path / "c.sqlite"), encoding="utf-8")
    with Sandbox(tenant) as sb:
        _, report = run_cli(sb, recipe, sheet)
        stats = sb.stats.snapshot()
    got = records(sheet)
    assert len(got) == len(expected) == 2500
    wrong = [(u, h, got[u][h], want) for u, cols in expected.items() for h, want in cols.items() if got[u][h] != want]
    assert wrong == []  # 100%
    statuses = {u: got[u]["Job data status"] for u in expected}
    assert statuses == {e.user_id: "mismatch" if k % 7 and k % 5 == 0 else "found" for k, e in enumerate(tenant.employees)}
    dangling = [u for u, cols in expected.items() if cols["直属上级"] is None and u != tenant.employees[0].user_id]
    assert dangling  # the generator's dangling managers show the no-name path
    # requests per name endpoint = ceil(distinct IDs needed / 100); employee types: one list
    by_kind = {"department": "corehr/v2/departments/batch_get", "job_level": "corehr/v2/job_levels/batch_get",
               "job_grade": "corehr/v2/job_grades/query", "job_family": "corehr/v2/job_families/batch_get",
               "location": "corehr/v2/locations/batch_get", "company": "corehr/v2/companies/batch_get",
               "position": "corehr/v2/positions/query", "cost_center": "corehr/v2/cost_centers/search"}
    for kind, path in by_kind.items():
        assert stats[path]["accepted"] == math.ceil(len(needed[kind]) / 100), kind
        assert report["names"][kind]["ids"] == len(needed[kind])
    assert len(needed["department"]) > 200  # so departments take several batches of 100
    assert stats["corehr/v1/employee_types"]["accepted"] == 1
    assert report["names"]["manager"]["requests"][f"{JOB_DATAS.path} (managers)"] == math.ceil(len(needed["manager"]) / 100)
    assert stats[EMPLOYEES.path]["accepted"] == math.ceil(len(persons) / 100)


def test_rows_of_one_employee_are_each_decided_on_their_own_cells(tmp_path):
    """An employee's record is worked out once for all their rows; each row still gets its own
    compare, notes and mismatch, and changing one row's outcome leaves the others alone."""
    from reconciler.pipeline import RunOptions, run

    sheet, recipe = tmp_path / "s.xlsx", tmp_path / "r.yaml"
    write_sheet(sheet, [("E0015", "研发部"), ("E0015", "销售部"), ("E0015", ""), ("E0015", "财务部"), ("E0002", "销售部")])
    recipe.write_text(recipe_text("zh-CN", tmp_path / "c.sqlite"), encoding="utf-8")
    with Sandbox() as sb:
        env = {"FEISHU_BASE_URL": sb.url, "FEISHU_APP_ID": SANDBOX_APP_ID, "FEISHU_APP_SECRET": SANDBOX_APP_SECRET}
        outcomes = run(recipe, sheet, RunOptions(env=env)).outcomes
    first, second, blank, third, other = (outcomes[n] for n in range(2, 7))
    assert [o.job_status for o in (first, second, blank, third, other)] == ["found", "mismatch", "found", "mismatch", "mismatch"]
    assert second.mismatches == {"部门名称": "研发部"} and third.mismatches == {"部门名称": "研发部"}
    assert "销售部" in str(second.job_notes) and "财务部" in str(third.job_notes) and "财务部" not in str(second.job_notes)
    assert all(DANGLING_MANAGER in str(o.job_notes) for o in (first, second, blank, third))  # the record's own note
    assert first.values == blank.values and first.values["部门"] == "研发部"
    second.mismatches.clear()
    second.job_notes.clear()
    second.values["部门"] = "changed by a plugin"
    assert third.mismatches == {"部门名称": "研发部"} and DANGLING_MANAGER in str(third.job_notes)
    assert first.values["部门"] == "研发部"
