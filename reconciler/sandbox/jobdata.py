"""Building job-data records in the shape `GET /open-apis/corehr/v1/job_datas` returns.

Shared by the demo-tenant builder and the tenant generator so that both produce
every field of the seed page's job_data object the same way.
"""

from __future__ import annotations

from typing import Any

# enum_name -> (zh-CN, en-US). Display texts in both languages so that
# output.locale can be exercised.
ASSIGNMENT_START_REASONS = {
    "onboarding": ("入职", "Onboarding"),
    "promotion": ("晋升", "Promotion"),
    "transfer": ("调动", "Transfer"),
    "rehire": ("重新入职", "Rehire"),
}
PROBATION_OUTCOMES = {
    "passed": ("通过", "Passed"),
    "failed": ("未通过", "Failed"),
}
WORK_SHIFTS = {
    "non_shift": ("不排班", "No shift"),
    "shift": ("排班", "Shift"),
}
COMPENSATION_TYPES = {
    "monthly": ("月薪", "Monthly salary"),
    "hourly": ("时薪", "Hourly wage"),
}
JOB_DATA_REASONS = {
    "onboarding": ("入职", "Onboarding"),
    "promotion": ("晋升", "Promotion"),
    "transfer": ("调岗", "Transfer"),
    "part_time": ("兼职", "Part-time assignment"),
}

# Fields returned only when the app holds one of the listed scopes.
FIELD_SCOPES = {
    "work_shift": ("corehr:job_data.work_shift:read",),
    "compensation_type": ("corehr:job_data.compensation_type:read",),
    "service_company": ("corehr:job_data.service_company:read",),
    "position_id": ("corehr:employment.position:read", "corehr:employment.position:write"),
    "job_data_reason": ("corehr:job_data.job_data_reason:read",),
}


def enum_value(table: dict[str, tuple[str, str]], enum_name: str) -> dict[str, Any]:
    zh, en = table[enum_name]
    return {"enum_name": enum_name, "display": [{"lang": "zh-CN", "value": zh}, {"lang": "en-US", "value": en}]}


def job_data(
    *,
    id: str,
    version_id: str,
    employment_id: str,
    department_id: str,
    effective_time: str,
    expiration_time: str | None = None,
    primary_job_data: bool = True,
    job_level_id: str,
    job_grade_id: str,
    employee_type_id: str,
    working_hours_type_id: str,
    work_location_id: str,
    job_id: str,
    job_family_id: str,
    probation_start_date: str | None = None,
    probation_end_date: str | None = None,
    probation_expected_end_date: str | None = None,
    probation_outcome: str | None = None,
    assignment_start_reason: str = "onboarding",
    weekly_working_hours: int = 40,
    weekly_working_hours_v2: float = 40.0,
    direct_manager_id: str | None = None,
    dotted_line_manager_id_list: list[str] | None = None,
    second_direct_manager_id: str | None = None,
    cost_center_rate: list[tuple[str, int]] | None = None,
    work_shift: str = "non_shift",
    compensation_type: str = "monthly",
    service_company: str,
    employee_subtype_id: str,
    position_id: str,
    job_data_reason: str | None = None,
) -> dict[str, Any]:
    """One job-data version. None-valued optional fields are left out, as Feishu omits empty fields."""
    record: dict[str, Any] = {
        "id": id,
        "version_id": version_id,
        "job_level_id": job_level_id,
        "job_grade_id": job_grade_id,
        "employee_type_id": employee_type_id,
        "working_hours_type_id": working_hours_type_id,
        "work_location_id": work_location_id,
        "department_id": department_id,
        "job_id": job_id,
        "probation_start_date": probation_start_date,
        "probation_end_date": probation_end_date,
        "primary_job_data": primary_job_data,
        "employment_id": employment_id,
        "effective_time": effective_time,
        "expiration_time": expiration_time,
        "job_family_id": job_family_id,
        "assignment_start_reason": enum_value(ASSIGNMENT_START_REASONS, assignment_start_reason),
        "probation_expected_end_date": probation_expected_end_date,
        "probation_outcome": enum_value(PROBATION_OUTCOMES, probation_outcome) if probation_outcome else None,
        "weekly_working_hours": weekly_working_hours,
        "direct_manager_id": direct_manager_id,
        "dotted_line_manager_id_list": dotted_line_manager_id_list,
        "second_direct_manager_id": second_direct_manager_id,
        "cost_center_rate": [{"cost_center_id": c, "rate": r} for c, r in cost_center_rate] if cost_center_rate else None,
        "weekly_working_hours_v2": float(weekly_working_hours_v2),
        "work_shift": enum_value(WORK_SHIFTS, work_shift),
        "compensation_type": enum_value(COMPENSATION_TYPES, compensation_type),
        "service_company": service_company,
        "employee_subtype_id": employee_subtype_id,
        "position_id": position_id,
        "job_data_reason": enum_value(JOB_DATA_REASONS, job_data_reason or assignment_start_reason_to_reason(assignment_start_reason)),
    }
    return {k: v for k, v in record.items() if v is not None}


def assignment_start_reason_to_reason(assignment_start_reason: str) -> str:
    return assignment_start_reason if assignment_start_reason in JOB_DATA_REASONS else "onboarding"
