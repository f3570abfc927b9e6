"""Deterministic, realistic large tenants for load, paging and benchmark tests.

Every employee has exactly one current primary job data (open-ended); a share
has earlier versions (with expiration times) and a share a part-time job data too.
Mainland mobiles are unique except the deliberately shared ones.
"""

from __future__ import annotations

import datetime as dt
import random

from reconciler.sandbox.jobdata import job_data
from reconciler.sandbox.tenant import Department, Employee, Talent, Tenant, i18n, make_mainland_id

_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
             "157", "158", "159", "166", "170", "176", "177", "178", "180", "181", "182", "183", "185", "186",
             "187", "188", "189", "191", "198", "199")
_FAMILY = ("wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu",
           "hu", "guo", "he", "lin", "luo", "gao")
_FAMILY_ZH = ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何",
              "林", "罗", "高")
_GIVEN = (("wei", "伟"), ("fang", "芳"), ("na", "娜"), ("min", "敏"), ("jing", "静"), ("li", "丽"), ("qiang", "强"),
          ("lei", "磊"), ("jun", "军"), ("yang", "洋"), ("yong", "勇"), ("yan", "艳"), ("jie", "杰"), ("tao", "涛"),
          ("ming", "明"), ("chao", "超"), ("xiu", "秀"), ("hua", "华"), ("ping", "平"), ("hui", "慧"))
_DOMAINS = ("example.com", "example.cn", "mail.example.org", "corp.example.net")
_AREAS = ("110101", "110105", "310104", "310115", "440305", "440106", "510104", "330106", "320102", "420106")
_REASON_AFTER_FIRST = ("promotion", "transfer")
_EPOCH = dt.date(2015, 1, 1)
_LAST_START = dt.date(2026, 6, 30)
_LAST_CHANGE = dt.date(2026, 10, 1)


def _day(date: dt.date) -> str:
    return date.strftime("%Y-%m-%d")


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _talents(rng: random.Random, count: int, shared_mobile_rate: float) -> list[Talent]:
    space = 10 ** 8
    mobiles = [f"{_PREFIXES[k // space]}{k % space:08d}" for k in rng.sample(range(len(_PREFIXES) * space), count)]
    ids_seen: set[str] = set()
    talents: list[Talent] = []
    mainland: list[int] = []  # indexes of talents with a mainland mobile, for sharing
    for i in range(count):
        fam = rng.randrange(len(_FAMILY))
        given, given_zh = _GIVEN[rng.randrange(len(_GIVEN))]
        t = Talent(talent_id=str(6900000000000000000 + i * 1000 + rng.randrange(1000)),
                   email=f"{given}.{_FAMILY[fam]}{i}@{_DOMAINS[i % len(_DOMAINS)]}",
                   is_onboarded=rng.random() < 0.25, name=f"{_FAMILY_ZH[fam]}{given_zh}")
        roll = rng.random()
        if roll < 0.01:
            t.mobile_code, t.mobile_number = "852", f"{rng.choice('569')}{i:07d}"[:8]
        elif roll < 0.02:
            t.mobile_code, t.mobile_number = "1", f"{415 + i // 10000}555{i % 10000:04d}"
        elif roll < 0.07:
            pass  # email only
        elif mainland and rng.random() < shared_mobile_rate:
            other = talents[rng.choice(mainland)]  # a duplicate in Hire: same mobile, another person
            t.mobile_code, t.mobile_number = "86", other.mobile_number
            mainland.append(i)
        else:
            t.mobile_code, t.mobile_number = "86", mobiles[i]
            mainland.append(i)
        roll = rng.random()
        if roll < 0.6:
            while True:
                birth = _EPOCH.replace(year=1965) + dt.timedelta(days=rng.randrange(365 * 38))
                number = make_mainland_id(rng.choice(_AREAS), birth.strftime("%Y%m%d"), f"{rng.randrange(1000):03d}")
                if number not in ids_seen:
                    break
            ids_seen.add(number)
            t.identification_type, t.identification_number = 1, number
        elif roll < 0.65:
            t.identification_type, t.identification_number = 2, f"E{10000000 + i:08d}"
        talents.append(t)
    return talents


def _departments(rng: random.Random, count: int) -> list[Department]:
    return [Department(people_corehr_department_id=str(7050000000000000000 + k * 10 + rng.randrange(10)),
                       department_id=f"D{k:03d}", open_department_id=f"od-{_hex(rng)}", name=f"Department {k}")
            for k in range(1, count + 1)]


def _employees(rng: random.Random, count: int, talents: list[Talent]) -> list[Employee]:
    onboarded = [t.name for t in talents if t.is_onboarded]
    return [Employee(people_corehr_id=str(7040000000000000000 + k * 100 + rng.randrange(100)), user_id=f"E{k:05d}",
                     open_id=f"ou_{_hex(rng)}", union_id=f"on_{_hex(rng)}",
                     name=onboarded[k - 1] if k <= len(onboarded) else f"Employee {k}")
            for k in range(1, count + 1)]


class _Ids:
    def __init__(self) -> None:
        self.job = self.version = 0

    def next_job(self) -> str:
        self.job += 1
        return str(7060000000000000000 + self.job * 10)

    def next_version(self) -> str:
        self.version += 1
        return str(7070000000000000000 + self.version)


def _job_datas(rng: random.Random, employees: list[Employee], departments: list[Department],
               versions_rate: float, parttime_rate: float) -> list[dict]:
    ids, records, heads = _Ids(), [], {}
    cat = lambda kind, n: f"71{kind:02d}{n:015d}"  # noqa: E731 - catalogue IDs, as in the demo
    for emp in employees:
        dept = rng.choice(departments).people_corehr_department_id
        start = _EPOCH + dt.timedelta(days=rng.randrange((_LAST_START - _EPOCH).days))
        changes = [start]
        if rng.random() < versions_rate:
            for _ in range(rng.choice((1, 2))):
                nxt = changes[-1] + dt.timedelta(days=rng.randrange(180, 720))
                if nxt < _LAST_CHANGE:
                    changes.append(nxt)
        job_id, manager = ids.next_job(), heads.get(dept)
        level = rng.randrange(1, 4)
        split = rng.random() < 0.1
        for v, begin in enumerate(changes):
            end = changes[v + 1] if v + 1 < len(changes) else None
            if v > 0 and rng.random() < 0.5:
                dept = rng.choice(departments).people_corehr_department_id
            reason = "onboarding" if v == 0 else rng.choice(_REASON_AFTER_FIRST)
            level = min(level + (reason == "promotion"), 6)
            probation_end = begin + dt.timedelta(days=182)
            records.append(job_data(
                id=job_id, version_id=ids.next_version(), employment_id=emp.people_corehr_id, department_id=dept,
                effective_time=f"{_day(begin)} 00:00:00", expiration_time=f"{_day(end)} 00:00:00" if end else None,
                job_level_id=cat(1, level), job_grade_id=cat(2, level), employee_type_id=cat(3, 1),
                working_hours_type_id=cat(4, 1), work_location_id=cat(5, rng.randrange(1, 5)),
                job_id=cat(6, rng.randrange(1, 30)), job_family_id=cat(7, rng.randrange(1, 6)),
                probation_start_date=_day(start), probation_expected_end_date=_day(start + dt.timedelta(days=182)),
                probation_end_date=_day(probation_end) if probation_end < _LAST_START else None,
                probation_outcome="passed" if probation_end < _LAST_START else None,
                assignment_start_reason=reason, direct_manager_id=manager,
                cost_center_rate=[(cat(11, 1), 60), (cat(11, 2), 40)] if split else [(cat(11, 1), 100)],
                weekly_working_hours=40, weekly_working_hours_v2=rng.choice((40.0, 40.0, 37.5)),
                service_company=cat(8, 1), employee_subtype_id=cat(9, 1), position_id=cat(10, rng.randrange(1, 30))))
        heads.setdefault(dept, job_id)
        if rng.random() < parttime_rate:
            other = rng.choice(departments).people_corehr_department_id
            begin = changes[-1] + dt.timedelta(days=30)
            records.append(job_data(
                id=ids.next_job(), version_id=ids.next_version(), employment_id=emp.people_corehr_id,
                department_id=other, effective_time=f"{_day(min(begin, _LAST_CHANGE))} 00:00:00",
                primary_job_data=False, job_level_id=cat(1, 1), job_grade_id=cat(2, 1), employee_type_id=cat(3, 3),
                working_hours_type_id=cat(4, 2), work_location_id=cat(5, 1), job_id=cat(6, 1), job_family_id=cat(7, 1),
                weekly_working_hours=10, weekly_working_hours_v2=10.0, direct_manager_id=heads.get(other),
                service_company=cat(8, 1), employee_subtype_id=cat(9, 1), position_id=cat(10, 1),
                job_data_reason="part_time"))
    return records


# Catalogue kind -> (the ID prefix the job data above use, how many records it holds).
# The job data also point at records past these counts: dangling IDs, whose names do not come back.
_CATALOG_SIZES = {"job_levels": (1, 6), "job_grades": (2, 6), "job_families": (7, 4), "employee_types": (3, 3),
                  "locations": (5, 4), "companies": (8, 1), "positions": (10, 27), "cost_centers": (11, 2)}
_CATALOG_WORDS = {"job_levels": ("职级", "Level"), "job_grades": ("职等", "Grade"), "job_families": ("序列", "Family"),
                  "employee_types": ("人员类型", "Employee type"), "locations": ("地点", "Location"),
                  "companies": ("公司", "Company"), "positions": ("岗位", "Position"), "cost_centers": ("成本中心", "Cost centre")}
DANGLING_RATE = 0.01  # share of job data whose direct manager is a job data that does not exist


def _add_names(rng: random.Random, tenant: Tenant) -> None:
    """Names for every ID job data holds (feishu-names.md), some only in zh-CN, plus second and dotted-line
    managers and a few dangling manager IDs. Its own random stream: the rest of the tenant is unchanged."""
    only_zh = lambda: rng.random() < 0.2  # noqa: E731
    for k, dept in enumerate(tenant.departments, start=1):
        dept.names = i18n(f"部门{k}", None if only_zh() else dept.name)
    for emp in tenant.employees:
        local = emp.name if emp.name and not emp.name.startswith("Employee") else f"员工{emp.user_id[1:]}"
        emp.local_name, emp.english_name = local, None if only_zh() else f"Employee {emp.user_id}"
    for kind, (code, count) in _CATALOG_SIZES.items():
        zh, en = _CATALOG_WORDS[kind]
        tenant.catalogs[kind] = [{"id": f"71{code:02d}{n:015d}", "code": f"{kind[:3].upper()}{n}",
                                  "names": i18n(f"{zh}{n}", None if only_zh() else f"{en} {n}"), "active": True}
                                 for n in range(1, count + 1)]
    heads = sorted({r["direct_manager_id"] for r in tenant.job_datas if r.get("direct_manager_id")})
    for record in tenant.job_datas:
        if not heads:
            break
        if rng.random() < 0.3:
            record["second_direct_manager_id"] = rng.choice(heads)
        if rng.random() < 0.2:
            record["dotted_line_manager_id_list"] = rng.sample(heads, min(len(heads), rng.choice((1, 2))))
        if rng.random() < DANGLING_RATE:
            record["direct_manager_id"] = f"79990000{rng.randrange(10 ** 11):011d}"


def generate_tenant(talents: int = 1000, employees: int = 600, departments: int = 20, seed: int = 0,
                    shared_mobile_rate: float = 0.01, versions_rate: float = 0.2,
                    parttime_rate: float = 0.02) -> Tenant:
    """A tenant of the given size; the same arguments always give the same tenant."""
    rng = random.Random(seed)
    talent_list = _talents(rng, talents, shared_mobile_rate)
    dept_list = _departments(rng, max(1, departments))
    emp_list = _employees(rng, employees, talent_list)
    tenant = Tenant(talents=talent_list, employees=emp_list, departments=dept_list,
                    job_datas=_job_datas(rng, emp_list, dept_list, versions_rate, parttime_rate))
    _add_names(random.Random(f"names-{seed}"), tenant)
    return tenant
