"""Typed calls of the endpoints that turn job data's IDs into names (feishu-names.md).

A mixin of FeishuClient (reconciler/feishu/client.py): each method builds one
request from its endpoint's entry in the table (reconciler/feishu/endpoints.py),
sends `fields` where a name only comes back when asked for, and pages where the
API pages. ID types are always sent: these APIs default to open_department_id /
open_id, job data to the people_corehr types.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from reconciler.feishu.endpoints import (
    COMPANIES,
    COST_CENTERS,
    DEPARTMENTS,
    EMPLOYEE_TYPES,
    EMPLOYEES,
    JOB_FAMILIES,
    JOB_GRADES,
    JOB_LEVELS,
    LOCATIONS,
    POSITIONS,
    Endpoint,
)
from reconciler.feishu.models import (
    Company,
    CostCenter,
    Department,
    Employee,
    EmployeeType,
    JobFamily,
    JobGrade,
    JobLevel,
    Location,
    Position,
)

if TYPE_CHECKING:
    from pydantic import BaseModel


def _checked(endpoint: Endpoint, ids: Sequence[str]) -> list[str]:
    ids = list(ids)
    if not ids:
        raise ValueError(f"{endpoint.name}: send at least one ID")
    if endpoint.max_ids and len(ids) > endpoint.max_ids:
        raise ValueError(f"{endpoint.name}: at most {endpoint.max_ids} IDs per request, not {len(ids)}")
    return ids


class NameCalls:
    """Methods of FeishuClient; `self.call` and `self.iter_data_pages` are the client's."""

    def _items(self, endpoint: Endpoint, model: type[BaseModel], *, params=None, body=None) -> list:
        data = self.call(endpoint, params=params, body=body)
        return [model.model_validate(i) for i in data.get("items") or []]

    def _paged_items(self, endpoint: Endpoint, model: type[BaseModel], *, params=None, body=None) -> list:
        params = {"page_size": endpoint.page_size, **(params or {})}
        return [model.model_validate(i) for data in self.iter_data_pages(endpoint, params=params, body=body)
                for i in data.get("items") or []]

    def batch_get_departments(self, ids: Sequence[str], *,
                              department_id_type: str = "people_corehr_department_id") -> list[Department]:
        """POST corehr/v2/departments/batch_get with fields ["department_name"] (else only IDs come back)."""
        body = {"department_id_list": _checked(DEPARTMENTS, ids), "fields": list(DEPARTMENTS.fields)}
        return self._items(DEPARTMENTS, Department, params={"department_id_type": department_id_type}, body=body)

    def batch_get_job_levels(self, ids: Sequence[str]) -> list[JobLevel]:
        return self._items(JOB_LEVELS, JobLevel, body={"job_level_ids": _checked(JOB_LEVELS, ids)})

    def query_job_grades(self, ids: Sequence[str]) -> list[JobGrade]:
        """POST corehr/v2/job_grades/query (page_size is required; loops while has_more)."""
        return self._paged_items(JOB_GRADES, JobGrade, body={"ids": _checked(JOB_GRADES, ids)})

    def batch_get_job_families(self, ids: Sequence[str]) -> list[JobFamily]:
        return self._items(JOB_FAMILIES, JobFamily, body={"job_family_ids": _checked(JOB_FAMILIES, ids)})

    def list_employee_types(self) -> list[EmployeeType]:
        """GET corehr/v1/employee_types: every type of the tenant (there is no batch_get); page_size is a string."""
        params = {"page_size": str(EMPLOYEE_TYPES.page_size)}
        return [EmployeeType.model_validate(i) for data in self.iter_data_pages(EMPLOYEE_TYPES, params=params)
                for i in data.get("items") or []]

    def batch_get_locations(self, ids: Sequence[str]) -> list[Location]:
        return self._items(LOCATIONS, Location, body={"location_ids": _checked(LOCATIONS, ids)})

    def batch_get_companies(self, ids: Sequence[str]) -> list[Company]:
        return self._items(COMPANIES, Company, body={"company_ids": _checked(COMPANIES, ids)})

    def query_positions(self, ids: Sequence[str], *,
                        department_id_type: str = "people_corehr_department_id") -> list[Position]:
        """POST corehr/v2/positions/query with fields ["name"] (else only IDs come back)."""
        params = {"department_id_type": department_id_type, "user_id_type": POSITIONS.id_types["user_id_type"]}
        body = {"position_ids": _checked(POSITIONS, ids), "fields": list(POSITIONS.fields)}
        return self._paged_items(POSITIONS, Position, params=params, body=body)

    def search_cost_centers(self, ids: Sequence[str]) -> list[CostCenter]:
        """POST corehr/v2/cost_centers/search by ID list (current versions only)."""
        params = {"user_id_type": COST_CENTERS.id_types["user_id_type"]}
        body = {"cost_center_id_list": _checked(COST_CENTERS, ids)}
        return self._paged_items(COST_CENTERS, CostCenter, params=params, body=body)

    def batch_get_employees(self, employment_ids: Sequence[str], *,
                            user_id_type: str = "people_corehr_id") -> list[Employee]:
        """POST corehr/v2/employees/batch_get with the person_info name fields (else only IDs come back)."""
        params = {"user_id_type": user_id_type, "department_id_type": "people_corehr_department_id"}
        body = {"employment_ids": _checked(EMPLOYEES, employment_ids), "fields": list(EMPLOYEES.fields)}
        return self._items(EMPLOYEES, Employee, params=params, body=body)
