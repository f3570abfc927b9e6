"""Generated rows for a generated tenant, and the independent oracle of their statuses.

Shared by the row-by-row, fault-injection, resume and concurrency tests. The
oracle works from the clean values the generator chose (never by parsing the
messy cells) and the tenant's own records, applying spec section 4 by hand; it
imports nothing from the pipeline.
"""

from __future__ import annotations

import datetime as dt
import random

import openpyxl

ROWS = 3000


def messy_mobile(rng, code, number):
    if code != "86":
        return rng.choice([f"+{code} {number}", f"00{code}{number}", f"+{code}-{number}"])
    style = rng.randrange(6)
    if style == 0:
        return int(number)  # a number cell
    if style == 1:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if style == 2:
        return f"+86 {number}"
    if style == 3:
        return f"0086{number}"
    if style == 4:
        return "".join(chr(ord(c) + 0xFEE0) for c in number)  # full-width digits
    return f"({number[:3]}) {number[3:7]}-{number[7:]}"


def messy_email(rng, email):
    return rng.choice([email, email.upper(), f"  {email} ", email.capitalize()])


def messy_id(rng, number):
    return rng.choice([number, number.lower(), f" {number[:6]} {number[6:]}"])


def build(tenant, seed=5):
    """Rows of cells, plus for each row the clean identifiers the oracle uses."""
    rng = random.Random(seed)
    talents = tenant.talents
    employees = tenant.employees
    rows, truth = [], []
    for i in range(ROWS):
        t = rng.choice(talents)
        clean = {"mobile": None, "email": None, "id": None}
        cells = {"mobile": None, "code": None, "email": None, "idtype": None, "id": None, "emp": None, "dept": None}
        roll = rng.random()
        if t.mobile_number and rng.random() < 0.9:
            clean["mobile"] = (t.mobile_code or "86", t.mobile_number)
            cells["mobile"] = messy_mobile(rng, *clean["mobile"])
        if t.email and rng.random() < 0.6:
            clean["email"] = t.email
            cells["email"] = messy_email(rng, t.email)
        if t.identification_number and rng.random() < 0.6:
            clean["id"] = (t.identification_type, t.identification_number)
            cells["idtype"] = t.identification_type
            cells["id"] = messy_id(rng, t.identification_number)
        if roll < 0.05:  # someone else's email: conflict (or ambiguity resolution)
            other = rng.choice(talents)
            clean["email"] = other.email
            cells["email"] = other.email
        elif roll < 0.09:  # a valid mobile nobody has
            number = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
            clean["mobile"] = ("86", number)
            cells["mobile"] = number
            cells["code"] = None
        elif roll < 0.12:  # an invalid mobile
            cells["mobile"] = rng.choice(["12345678901", "1380013800", "abc"])
            clean["mobile"] = "invalid"
        elif roll < 0.13:  # nothing at all but a name: invalid
            clean = {"mobile": None, "email": None, "id": None}
            cells.update(mobile=None, email=None, id=None, idtype=None)
        if cells["mobile"] is not None and clean["mobile"] not in (None, "invalid") and isinstance(cells["mobile"], str) \
                and not cells["mobile"].startswith(("+", "00")) and clean["mobile"][0] != "86":
            cells["code"] = clean["mobile"][0]
        e = rng.random()
        if e < 0.8:
            emp = rng.choice(employees)
            cells["emp"] = emp.user_id
        elif e < 0.9:
            cells["emp"] = f"X{rng.randrange(10**6)}"  # unknown employee
        rows.append(cells)
        truth.append(clean)
    return rows, truth


def index_talents(tenant):
    """identifier -> set of talent_ids, straight from the tenant's records."""
    index: dict = {}
    for t in tenant.talents:
        if t.mobile_number:
            index.setdefault(("mobile", t.mobile_code or "86", t.mobile_number), set()).add(t.talent_id)
        if t.email:
            index.setdefault(("email", t.email), set()).add(t.talent_id)
        if t.identification_number:
            index.setdefault(("id", t.identification_type, t.identification_number), set()).add(t.talent_id)
    return index


def talent_ids(index, clean):
    """Per present valid identifier: the set of talent_ids holding it (None marks invalid)."""
    sets = []
    if clean["mobile"] == "invalid":
        sets.append(None)
    elif clean["mobile"]:
        sets.append(index.get(("mobile", *clean["mobile"]), set()))
    if clean["email"]:
        sets.append(index.get(("email", clean["email"].lower()), set()))
    if clean["id"]:
        kind, number = clean["id"]
        sets.append(index.get(("id", kind, number.upper()), set()))
    return sets


def expected_talent(index, clean):
    sets = talent_ids(index, clean)
    valid = [s for s in sets if s is not None]
    if not valid:
        return "invalid", None
    hits = [s for s in valid if s]
    if not hits:
        return "not_found", None
    candidates = set.intersection(*hits)
    if not candidates:
        return "conflict", None
    if len(candidates) > 1:
        return "ambiguous", None
    complete = len(hits) == len(sets)
    return ("matched" if complete else "partial"), next(iter(candidates))


def current_departments(tenant):
    """user_id -> department_id of the current primary job data, from the tenant's records."""
    now = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
    by_corehr = {e.people_corehr_id: e.user_id for e in tenant.employees}
    dept_ids = {d.people_corehr_department_id: d.department_id for d in tenant.departments}
    found = {}
    for j in tenant.job_datas:
        if j.get("primary_job_data") and j["effective_time"] <= now and (not j.get("expiration_time") or now < j["expiration_time"]):
            found[by_corehr[j["employment_id"]]] = dept_ids[j["department_id"]]
    return found


def write_case(path, tenant, seed=5):
    """Write the generated sheet; return (clean identifiers per row, expected job status per row)."""
    rows, truth = build(tenant, seed)
    rng = random.Random(9)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Name", "Mobile", "Code", "Email", "ID type", "ID number", "Employee", "Dept"])
    expected_job = []
    departments = current_departments(tenant)
    for i, cells in enumerate(rows):
        dept = departments.get(cells["emp"]) if cells["emp"] else None
        sheet_dept = rng.choice([dept, dept, dept, "D-wrong", None]) if dept is not None else None
        if not cells["emp"]:
            expected_job.append("no_key")
        elif dept is None:
            expected_job.append("not_found")
        else:
            expected_job.append("mismatch" if sheet_dept == "D-wrong" else "found")
        ws.append([f"row{i}", cells["mobile"], cells["code"], cells["email"], cells["idtype"], cells["id"],
                   cells["emp"], sheet_dept])
    wb.save(path)
    return truth, expected_job


def write_recipe(path, *, cache, talent=True, job_data=True, writers="jsonl"):
    text = "version: 1\n"
    if talent:
        text += ("talent:\n  inputs:\n    mobile: {column: Mobile, code_column: Code}\n    email: Email\n"
                 "    id_number: {column: ID number, type_column: ID type}\n  columns: {talent_id: Talent ID}\n")
    if job_data:
        text += ("job_data:\n  key: {column: Employee, user_id_type: user_id}\n  department_id_type: department_id\n"
                 "  columns: {department_id: Feishu dept}\n  compare: {Dept: department_id}\n")
    text += f"output:\n  writers: [{writers}]\ncache:\n  path: {cache}\n"
    path.write_text(text, encoding="utf-8")
    return path


def check_records(records, tenant, truth, expected_job, *, talent=True, job_data=True, allow_error=False):
    """Rows that differ from the oracle: (index, wanted, got, notes)."""
    index = index_talents(tenant)
    wrong = []
    for i, record in enumerate(records):
        got, want = [], []
        if talent:
            status, talent_id = expected_talent(index, truth[i])
            got += [record["Talent status"], record.get("Talent ID") or None]
            want += [status, talent_id]
        if job_data:
            got.append(record["Job data status"])
            want.append(expected_job[i])
        if allow_error and "error" in got:
            continue
        if got != want:
            wrong.append((i, want, got, record.get("Talent note"), record.get("Job data note")))
    return wrong
