"""The demo tenant, as code: edit here, then run `python -m reconciler.sandbox.demo_guide`.

That command rewrites `demo_tenant.json` and `DEMO_TENANT.md` next to this file.
The data are written here rather than by hand so that ID check digits are computed, and so
that the guide and the data can never disagree (a test compares them).
Every person serves a scenario of spec section 4 (talent statuses) or of the
job-data statuses; DEMO_TENANT.md says which.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from reconciler.sandbox.jobdata import job_data
from reconciler.sandbox.tenant import Department, Employee, Talent, Tenant, i18n, make_mainland_id

HERE = Path(__file__).resolve().parent


def _hex(kind: str, key: str) -> str:
    return hashlib.sha256(f"{kind}:{key}".encode()).hexdigest()[:32]


def _tid(n: int) -> str:
    return f"69100000000000000{n:02d}"


# name, english name, mobile (code, number) | None, email as a person would type it | None,
# (ID type, ID number) | None, onboarded, employee number | None, scenario
_TALENTS = [
    ("张伟", "Zhang Wei", ("86", "13800138001"), "zhang.wei@example.com", (1, make_mainland_id("110101", "19900307", "001")), True, 1,
     "matched by each identifier alone and by all three; onboarded; employee E0001 (CEO)"),
    ("王芳", "Wang Fang", ("86", "13912345678"), "Wang.Fang@Example.COM", (1, make_mainland_id("310104", "19880512", "006")), True, 2,
     "email stored lower-case (source had mixed case); ID ends in X; E0002 changed department on 2024-07-01"),
    ("李娜", "Li Na", ("86", "15011112222"), "li.na@example.com", (1, make_mainland_id("440305", "19930821", "001")), True, 3,
     "E0003 has three job-data versions (onboarding, promotion 2023-10-01, transfer 2025-03-01)"),
    ("刘洋", "Liu Yang", ("86", "18600001111"), "liu.yang@example.com", None, True, 4,
     "E0004 has two current job data: primary (Engineering) and part-time (HR)"),
    ("陈静", "Chen Jing", ("86", "13700002222"), "chen.jing@example.com", None, True, 5,
     "E0005 left on 2025-06-30: no current job data (not_found), found with as_of before that"),
    ("杨磊", "Yang Lei", ("86", "13600003333"), "yang.lei@example.com", None, True, 6,
     "E0006 has a scheduled promotion effective 2030-01-01 (future version)"),
    ("赵敏", "Zhao Min", ("86", "13655554444"), "Zhao.Min@Example.com", (1, make_mainland_id("510104", "19850115", "001")), True, 7,
     "E0007: cost centres 60/40, two dotted-line managers, 37.5 h/week, second direct manager"),
    ("徐磊", "Xu Lei", ("86", "13766667777"), "xu.lei@example.com", None, True, 8, "E0008, head of Sales"),
    ("朱琳", "Zhu Lin", ("86", "13877778888"), "zhu.lin@example.com", None, True, 9, "E0009, head of HR"),
    ("胡军", "Hu Jun", ("86", "13988889999"), "hu.jun@example.com", None, True, 10, "E0010, hourly wage and shift work"),
    ("郑爽", "Zheng Shuang", ("86", "15899990000"), "zheng.shuang@example.com", None, True, 11, "E0011, head of Finance"),
    ("梁嘉欣", "Leung Ka-yan", ("852", "51234567"), "leung.kayan@example.com", None, True, 12,
     "Hong Kong mobile (+852); E0012 works in Hong Kong for the HK company"),
    ("宋佳", "Song Jia", ("86", "17712345678"), "song.jia@example.com", None, True, 13, "E0013, sales"),
    ("谢楠", "Xie Nan", ("86", "18811112222"), "xie.nan@example.com", None, True, 14, "E0014, engineer"),
    ("唐诗", "Tang Shi", ("86", "19912345678"), "tang.shi@example.com", None, True, 15,
     "E0015 joined 2026-09-01 and is still in probation (no probation_outcome)"),
    ("黄晓明", "Huang Xiaoming", ("86", "13500135000"), "huang.xiaoming@example.com", None, False, None,
     "shares mobile 13500135000 with 黄小敏: ambiguous by mobile alone, singled out by email"),
    ("黄小敏", "Huang Xiaomin", ("86", "13500135000"), "huang.xiaomin@example.com", None, False, None,
     "shares mobile 13500135000 with 黄晓明: ambiguous by mobile alone, singled out by email"),
    ("周杰", "Zhou Jie", ("86", "13311112222"), "zhou.jie@example.com", None, False, None,
     "conflict: a sheet row with 周杰's mobile and 吴婷's email resolves to two different talents"),
    ("吴婷", "Wu Ting", ("86", "13322223333"), "wu.ting@example.com", None, False, None,
     "conflict partner of 周杰"),
    ("孙悦", "Sun Yue", None, "sun.yue@example.com", (2, "E12345678"), False, None,
     "passport (type 2) and email, no mobile"),
    ("陈小春", "Chan Siu-chun", ("852", "91234567"), "chan.siuchun@example.com", None, False, None,
     "Hong Kong mobile (+852 9123 4567), not onboarded"),
    ("John Smith", "John Smith", ("1", "4155550132"), "John.Smith@Example.com", (2, "561234987"), False, None,
     "US mobile (+1 415 555 0132) and US passport (type 2)"),
    ("马丽", "Ma Li", None, None, (1, make_mainland_id("330106", "19910630", "001")), False, None,
     "only a mainland ID (type 1): matched by ID alone"),
    ("林峰", "Lin Feng", None, "lin.feng@example.com", None, False, None, "only an email"),
    ("郭静", "Guo Jing", ("86", "13122223333"), "guo.jing@example.com", None, False, None,
     "shares email guo.jing@example.com with 郭晶 (duplicate in Hire): ambiguous by email, singled out by mobile"),
    ("郭晶", "Guo Jing (2)", ("86", "13133334444"), "Guo.Jing@example.com", None, True, None,
     "shares email with 郭静; onboarded"),
    ("何敏", "He Min", ("86", "14512345678"), "he.min@example.com", (1, make_mainland_id("320102", "19870214", "001")), False, None,
     "partial (mode all): sheet has her mobile plus an email Hire does not know"),
    ("罗军", "Luo Jun", ("86", "16612345678"), "luo.jun@example.com", (1, make_mainland_id("420106", "19950909", "009")), False, None,
     "ID ends in X: a sheet may write it with a lower-case x"),
    ("高远", "Gao Yuan", ("86", "17011112222"), "gao.yuan@example.com", (1, make_mainland_id("110105", "19920420", "001")), False, None,
     "matched by mobile + email + ID; not onboarded"),
    ("许晴", "Xu Qing", ("86", "19800001111"), "xu.qing@example.com", None, False, None,
     "matched; mobile in the 198 range"),
]

# Identifiers that are valid but belong to nobody, and some that are invalid: for not_found / invalid rows.
NOT_FOUND = {
    "mobile": "13000000000",
    "email": "nobody@example.com",
    "id_number": make_mainland_id("110101", "20000101", "123"),
}
_wrong = make_mainland_id("110101", "19900307", "777")
INVALID = {
    "mobile": ["12345678901 (second digit 2)", "1380013800 (10 digits)", "+852 1234 (too short for HK)"],
    "email": ["not-an-email", "a@b"],
    "id_number": [f"{_wrong[:17]}{'1' if _wrong[17] != '1' else '2'} (wrong check digit)", "11010119900307 (14 characters)"],
}

_DEPARTMENTS = [
    ("D100", "总经办 Executive Office"),
    ("D200", "研发部 Engineering"),
    ("D300", "销售部 Sales"),
    ("D400", "人力资源部 HR"),
    ("D500", "财务部 Finance"),
]


def _cat(kind: int, n: int) -> str:
    """A catalogue ID (job level, location...): 71KK0000000000000NN."""
    return f"71{kind:02d}{n:015d}"


LEVEL, GRADE, EMP_TYPE, HOURS_TYPE, LOCATION, JOB, FAMILY, COMPANY, SUBTYPE, POSITION, COST_CENTRE = range(1, 12)


def _dept(code: str) -> str:
    return f"70500000000000000{int(code[1]):02d}"


def _jd(n: int) -> str:
    return f"70600000000000000{n:02d}"


def _ver(n: int, v: int) -> str:
    return f"7070000000000000{n:02d}{v}"


def _emp(n: int) -> str:
    return f"70400000000000000{n:02d}"


def _job(n: int, v: int = 1, **kw) -> dict:
    """A job-data version for employee n with the demo's defaults; kw overrides."""
    base = dict(
        id=_jd(n), version_id=_ver(n, v), employment_id=_emp(n), department_id=_dept("D200"),
        effective_time="2022-01-04 00:00:00", job_level_id=_cat(LEVEL, 2), job_grade_id=_cat(GRADE, 2),
        employee_type_id=_cat(EMP_TYPE, 1), working_hours_type_id=_cat(HOURS_TYPE, 1),
        work_location_id=_cat(LOCATION, 1), job_id=_cat(JOB, 2), job_family_id=_cat(FAMILY, 1),
        probation_outcome="passed", direct_manager_id=_jd(2), cost_center_rate=[(_cat(COST_CENTRE, 2), 100)],
        service_company=_cat(COMPANY, 1), employee_subtype_id=_cat(SUBTYPE, 1), position_id=_cat(POSITION, 2),
    )
    base.update(kw)
    start = base["effective_time"][:10]
    if v == 1 and base.get("probation_outcome"):
        y, m, d = start.split("-")
        end = f"{y}-{int(m) + 6:02d}-{d}" if int(m) <= 6 else f"{int(y) + 1}-{int(m) - 6:02d}-{d}"
        base.setdefault("probation_start_date", start)
        base.setdefault("probation_expected_end_date", end)
        base.setdefault("probation_end_date", end)
    return job_data(**base)


def _job_datas() -> list[dict]:
    ceo, eng_head, sales_head, hr_head, fin_head = _jd(1), _jd(2), _jd(8), _jd(9), _jd(11)
    return [
        _job(1, department_id=_dept("D100"), effective_time="2020-01-06 00:00:00", job_level_id=_cat(LEVEL, 5),
             job_id=_cat(JOB, 1), position_id=_cat(POSITION, 1), direct_manager_id=None,
             cost_center_rate=[(_cat(COST_CENTRE, 1), 100)]),
        _job(2, 1, department_id=_dept("D300"), effective_time="2021-09-01 00:00:00",
             expiration_time="2024-07-01 00:00:00", job_level_id=_cat(LEVEL, 3), job_id=_cat(JOB, 3),
             position_id=_cat(POSITION, 3), direct_manager_id=ceo, cost_center_rate=[(_cat(COST_CENTRE, 3), 100)]),
        _job(2, 2, department_id=_dept("D200"), effective_time="2024-07-01 00:00:00", job_level_id=_cat(LEVEL, 4),
             job_id=_cat(JOB, 2), direct_manager_id=ceo, assignment_start_reason="transfer", probation_outcome=None),
        _job(3, 1, effective_time="2022-04-01 00:00:00", expiration_time="2023-10-01 00:00:00", direct_manager_id=eng_head),
        _job(3, 2, effective_time="2023-10-01 00:00:00", expiration_time="2025-03-01 00:00:00", job_level_id=_cat(LEVEL, 3),
             direct_manager_id=eng_head, assignment_start_reason="promotion", probation_outcome=None),
        _job(3, 3, department_id=_dept("D400"), effective_time="2025-03-01 00:00:00", job_level_id=_cat(LEVEL, 3),
             job_id=_cat(JOB, 4), position_id=_cat(POSITION, 4), direct_manager_id=hr_head,
             assignment_start_reason="transfer", probation_outcome=None, cost_center_rate=[(_cat(COST_CENTRE, 4), 100)]),
        _job(4, effective_time="2023-05-08 00:00:00", direct_manager_id=eng_head),
        _job(16, department_id=_dept("D400"), employment_id=_emp(4), effective_time="2025-01-01 00:00:00",
             primary_job_data=False, job_id=_cat(JOB, 4), position_id=_cat(POSITION, 4), employee_type_id=_cat(EMP_TYPE, 3),
             weekly_working_hours=10, weekly_working_hours_v2=10.0, direct_manager_id=hr_head, probation_outcome=None,
             job_data_reason="part_time", cost_center_rate=[(_cat(COST_CENTRE, 4), 100)]),
        _job(5, department_id=_dept("D500"), effective_time="2021-03-01 00:00:00", expiration_time="2025-07-01 00:00:00",
             job_id=_cat(JOB, 5), position_id=_cat(POSITION, 5), direct_manager_id=fin_head,
             cost_center_rate=[(_cat(COST_CENTRE, 5), 100)]),
        _job(6, 1, effective_time="2023-02-01 00:00:00", expiration_time="2030-01-01 00:00:00", direct_manager_id=eng_head),
        _job(6, 2, effective_time="2030-01-01 00:00:00", job_level_id=_cat(LEVEL, 3), direct_manager_id=eng_head,
             assignment_start_reason="promotion", probation_outcome=None),
        _job(7, effective_time="2022-08-15 00:00:00", direct_manager_id=eng_head, second_direct_manager_id=ceo,
             dotted_line_manager_id_list=[sales_head, hr_head], weekly_working_hours=37, weekly_working_hours_v2=37.5,
             cost_center_rate=[(_cat(COST_CENTRE, 2), 60), (_cat(COST_CENTRE, 3), 40)], work_location_id=_cat(LOCATION, 2)),
        _job(8, department_id=_dept("D300"), effective_time="2020-06-01 00:00:00", job_level_id=_cat(LEVEL, 4),
             job_id=_cat(JOB, 3), position_id=_cat(POSITION, 3), direct_manager_id=ceo,
             cost_center_rate=[(_cat(COST_CENTRE, 3), 100)]),
        _job(9, department_id=_dept("D400"), effective_time="2020-09-01 00:00:00", job_level_id=_cat(LEVEL, 4),
             job_id=_cat(JOB, 4), position_id=_cat(POSITION, 4), direct_manager_id=ceo,
             cost_center_rate=[(_cat(COST_CENTRE, 4), 100)]),
        _job(10, department_id=_dept("D300"), effective_time="2024-03-11 00:00:00", job_level_id=_cat(LEVEL, 1),
             job_id=_cat(JOB, 3), position_id=_cat(POSITION, 3), direct_manager_id=sales_head,
             working_hours_type_id=_cat(HOURS_TYPE, 2), work_shift="shift", compensation_type="hourly",
             cost_center_rate=[(_cat(COST_CENTRE, 3), 100)], work_location_id=_cat(LOCATION, 3)),
        _job(11, department_id=_dept("D500"), effective_time="2021-01-04 00:00:00", job_level_id=_cat(LEVEL, 4),
             job_id=_cat(JOB, 5), position_id=_cat(POSITION, 5), direct_manager_id=ceo,
             cost_center_rate=[(_cat(COST_CENTRE, 5), 100)]),
        _job(12, department_id=_dept("D300"), effective_time="2023-11-20 00:00:00", job_id=_cat(JOB, 3),
             position_id=_cat(POSITION, 3), direct_manager_id=sales_head, work_location_id=_cat(LOCATION, 4),
             service_company=_cat(COMPANY, 2), cost_center_rate=[(_cat(COST_CENTRE, 3), 100)]),
        _job(13, department_id=_dept("D300"), effective_time="2024-02-19 00:00:00", job_level_id=_cat(LEVEL, 1),
             job_id=_cat(JOB, 3), position_id=_cat(POSITION, 3), direct_manager_id=sales_head,
             cost_center_rate=[(_cat(COST_CENTRE, 3), 100)]),
        _job(14, effective_time="2025-04-07 00:00:00", direct_manager_id=eng_head),
        _job(15, effective_time="2026-09-01 00:00:00", job_level_id=_cat(LEVEL, 1), direct_manager_id=eng_head,
             second_direct_manager_id=DANGLING_MANAGER, probation_outcome=None, probation_start_date="2026-09-01", probation_expected_end_date="2027-03-01"),
    ]


# A manager job data that no longer exists: its name cannot be looked up (the no-name path).
DANGLING_MANAGER = "7060000000000000099"

# What the catalogue IDs name, in zh-CN and en-US; None: that record has only zh-CN.
# Left out on purpose (dangling: no name comes back): position 5 (Finance analyst).
_CATALOGS: dict[str, tuple[int, list[tuple[int, str, str | None]]]] = {
    "job_levels": (LEVEL, [(1, "P1 初级", "P1 Junior"), (2, "P2 中级", "P2 Intermediate"), (3, "P3 高级", "P3 Senior"),
                           (4, "P4 专家", "P4 Expert"), (5, "P5 资深专家", None)]),
    "job_grades": (GRADE, [(1, "一等", "Grade 1"), (2, "二等", "Grade 2"), (3, "三等", None)]),
    "job_families": (FAMILY, [(1, "研发序列", "Engineering"), (2, "销售序列", "Sales")]),
    "employee_types": (EMP_TYPE, [(1, "正式员工", "Regular"), (2, "实习生", "Intern"), (3, "兼职", "Part-time")]),
    "locations": (LOCATION, [(1, "北京", "Beijing"), (2, "上海", "Shanghai"), (3, "深圳", None), (4, "香港", "Hong Kong")]),
    "companies": (COMPANY, [(1, "示例科技（北京）有限公司", "Example Technology (Beijing) Co., Ltd."),
                            (2, "示例科技（香港）有限公司", "Example Technology (Hong Kong) Ltd.")]),
    "positions": (POSITION, [(1, "首席执行官", "Chief Executive Officer"), (2, "软件工程师", "Software Engineer"),
                             (3, "销售代表", "Sales Representative"), (4, "人力资源专员", None)]),
    "cost_centers": (COST_CENTRE, [(1, "总部", "Headquarters"), (2, "研发中心", "R&D Centre"), (3, "销售中心", "Sales Centre"),
                                   (4, "职能中心", "Support Functions"), (5, "财务中心", "Finance Centre")]),
}


def _catalogs() -> dict[str, list[dict]]:
    return {kind: [{"id": _cat(code, n), "code": f"{kind[:3].upper()}{n}", "names": i18n(zh, en), "active": True}
                   for n, zh, en in records]
            for kind, (code, records) in _CATALOGS.items()}


def build_demo_tenant() -> Tenant:
    talents, employees = [], []
    for i, (name, english, mobile, email, ident, onboarded, emp, _scenario) in enumerate(_TALENTS, start=1):
        talents.append(Talent(
            talent_id=_tid(i), mobile_code=mobile[0] if mobile else None, mobile_number=mobile[1] if mobile else None,
            email=email, identification_type=ident[0] if ident else None,
            identification_number=ident[1] if ident else None, is_onboarded=onboarded, name=f"{name} ({english})"
            if name != english else name))
        if emp:
            user_id = f"E{emp:04d}"
            employees.append(Employee(people_corehr_id=_emp(emp), user_id=user_id, open_id="ou_" + _hex("open", user_id),
                                      union_id="on_" + _hex("union", user_id), name=name, local_name=name,
                                      english_name=english))
    departments = [Department(people_corehr_department_id=_dept(code), department_id=code,
                              open_department_id="od-" + _hex("dept", code), name=label,
                              names=i18n(*label.split(" ", 1))) for code, label in _DEPARTMENTS]
    return Tenant(talents=talents, employees=employees, departments=departments, job_datas=_job_datas(),
                  catalogs=_catalogs())
