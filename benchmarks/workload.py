"""The benchmark workload: a generated tenant, sheets drawn from it, the recipe, the minimum.

Everything is deterministic (seeded), so two runs of the benchmark send the same
requests. A sheet row is one talent of the tenant: every row has a mobile, 30% an
email, 30% an ID number (with its type), a few have a country code other than 86;
every row names one of the tenant's employees and the department the sheet
believes they are in (5% wrong, so the writer adds mismatch comments).
"""

from __future__ import annotations

import math
import random
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from reconciler.sandbox import Tenant, generate_tenant
from reconciler.sandbox.job_datas_api import beijing_now, is_current

HEADERS = ["Name", "Country code", "Mobile", "Email", "ID type", "ID number", "Employee ID", "Department",
           "Start date", "Position", "Location", "Remarks"]  # 12 columns
EMAIL_SHARE = 0.30
ID_SHARE = 0.30
WRONG_DEPARTMENT_SHARE = 0.05
ID_TYPE_NAMES = {1: "身份证", 2: "护照"}
LOCATIONS = ("Beijing", "Shanghai", "Shenzhen", "Guangzhou", "Hangzhou", "Chengdu")

RECIPE = """\
version: 1
name: Benchmark
source: {{header_row: 1}}
talent:
  inputs:
    mobile: {{column: Mobile, code_column: Country code}}
    email: Email
    id_number: {{column: ID number, type_column: ID type}}
  mode: all
  columns: {{talent_id: Talent ID, is_onboarded: Onboarded}}
job_data:
  key: {{column: Employee ID, user_id_type: user_id}}
  department_id_type: department_id
  columns: {{department_id: Feishu department, job_level_id: Job level}}
  compare: {{Department: department_id}}
output:
  path: "{{stem}}.reconciled.xlsx"
  writers: [xlsx]
  locale: en-US
cache:
  enabled: true
  path: {cache}
  expire_after: 1d
"""


TALENT_ONLY_RECIPE = """\
version: 1
name: Pacing benchmark
source: {{header_row: 1}}
talent:
  inputs:
    mobile: {{column: Mobile, code_column: Country code}}
    email: Email
    id_number: {{column: ID number, type_column: ID type}}
  mode: all
  columns: {{talent_id: Talent ID, is_onboarded: Onboarded}}
output:
  path: "{{stem}}.reconciled.xlsx"
  writers: [xlsx]
  locale: en-US
cache:
  enabled: true
  path: {cache}
  expire_after: 1d
"""


@dataclass(frozen=True)
class TenantSpec:
    """What `generate_tenant` is called with; a child process rebuilds the same tenant from it."""

    talents: int
    employees: int
    seed: int = 6

    def build(self) -> Tenant:
        return generate_tenant(talents=self.talents, employees=self.employees, seed=self.seed)


def write_recipe(path: Path, cache: Path, talent_only: bool = False) -> Path:
    path.write_text((TALENT_ONLY_RECIPE if talent_only else RECIPE).format(cache=cache), encoding="utf-8")
    return path


def current_departments(tenant: Tenant) -> dict[str, str]:
    """user_id -> department_id (D001...) of the employee's current primary job data."""
    codes = {d.people_corehr_department_id: d.department_id for d in tenant.departments}
    user_ids = {e.people_corehr_id: e.user_id for e in tenant.employees}
    found, now = {}, beijing_now()
    for record in tenant.job_datas:
        if record.get("primary_job_data", True) and is_current(record, now):
            found[user_ids[record["employment_id"]]] = codes[record["department_id"]]
    return found


def sheet_rows(tenant: Tenant, rows: int, seed: int = 1) -> list[list]:
    """`rows` rows of HEADERS, row k drawn from talent k (wrapping round if the tenant is smaller)."""
    rng = random.Random(seed)
    departments = current_departments(tenant)
    dept_codes = sorted({d.department_id for d in tenant.departments})
    out = []
    for k in range(rows):
        talent = tenant.talents[k % len(tenant.talents)]
        employee = tenant.employees[k % len(tenant.employees)]
        code, mobile = talent.mobile_code, talent.mobile_number
        if mobile is None:  # an email-only talent: the sheet has a mobile Hire does not know
            code, mobile = "86", f"199{k % 10**8:08d}"
        code_cell = None if code == "86" and rng.random() < 0.8 else f"+{code}"
        email = talent.email if rng.random() < EMAIL_SHARE else None
        id_type = id_number = None
        if talent.identification_number and rng.random() < ID_SHARE:
            id_type, id_number = ID_TYPE_NAMES[talent.identification_type], talent.identification_number
        department = departments.get(employee.user_id)
        if department is None or rng.random() < WRONG_DEPARTMENT_SHARE:
            department = rng.choice(dept_codes)
        start = f"20{15 + k % 11:02d}-{1 + k % 12:02d}-{1 + k % 28:02d}"
        out.append([talent.name or f"Person {k}", code_cell, mobile, email, id_type, id_number, employee.user_id,
                    department, start, f"P{k % 40:02d}", LOCATIONS[k % len(LOCATIONS)], f"batch {k // 500}"])
    return out


def write_sheet(path: Path, rows: list[list]) -> Path:
    """An .xlsx like an HR export saved by Excel: a styled header row, shared strings, a sheet of notes."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Candidates")
    sheet.freeze_panes = "A2"
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    header = []
    for name in HEADERS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.fill = header_font, header_fill
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    notes = book.create_sheet("Notes")
    notes.append(["Generated by benchmarks/workload.py"])
    book.save(path)
    return with_shared_strings(path)


def minimum_requests(rows: list[list], tenant: Tenant) -> dict[str, int]:
    """The issue's minimum: per kind-group ceil(distinct keys / 100) talent requests, plus
    min(distinct employees, ceil(current job data of the tenant / 100)) job-data requests.

    Keys are normalised the way the recipe's matchers do it, so the count is of the keys
    the tool must ask about (invalid identifiers are never sent).
    """
    from reconciler.model import Cell
    from reconciler.matching.normalize import normalise_email, normalise_id_number, normalise_mobile

    def cell(value) -> Cell:
        return Cell(None, "") if value is None else Cell(value, str(value))

    groups: dict[tuple[str, str], set] = {}
    for name, code, mobile, email, id_type, id_number, *_ in rows:
        found = [normalise_mobile(cell(mobile), code_cell=cell(code)), normalise_email(cell(email))]
        if id_number is not None:
            found.append(normalise_id_number(cell(id_number), type_cell=cell(id_type)))
        for normalised in found:
            if normalised.key is not None:
                groups.setdefault(normalised.key.batch, set()).add(normalised.key)
    talents = sum(math.ceil(len(keys) / 100) for keys in groups.values())
    employees = len({row[6] for row in rows})
    now = beijing_now()  # what the sandbox pages through: the job data current today
    current = sum(1 for r in tenant.job_datas if is_current(r, now))
    return {"talents": talents, "job_datas": min(employees, math.ceil(current / 100)), "groups": len(groups)}


_INLINE = re.compile(rb'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>',
                     re.S)
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def with_shared_strings(path: Path) -> Path:
    """Rewrite openpyxl's inline strings as a shared-strings table, as Excel saves a workbook."""
    strings: dict[bytes, int] = {}
    count = 0

    def shared(match: re.Match) -> bytes:
        nonlocal count
        count += 1
        index = strings.setdefault(match.group(3), len(strings))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match.group(1), match.group(2), index)

    temporary = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = _INLINE.sub(shared, data)
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSst" Type="%s" Target="sharedStrings.xml"/>'
                                    b"</Relationships>" % _SST_REL.encode())
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="%s"/></Types>'
                                    % _SST_TYPE.encode())
            target.writestr(item, data)
        items = b"".join(b"<si><t>%s</t></si>" % text for text in strings)
        target.writestr("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
                        b' count="%d" uniqueCount="%d">%s</sst>' % (count, len(strings), items))
    temporary.replace(path)
    return path
