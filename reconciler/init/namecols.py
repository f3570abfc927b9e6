"""Columns that hold names (部门名称, 直属上级, 职级, Department, Manager...) and what `init` proposes for them.

Names look like anything, so only the header says it (an exact synonym after
header_key). A department or manager name is written as Feishu shows it, so it is
compared (`部门名称: department_id.name`); a job level, position or location is
often the sheet's own label (P5, M4), so Feishu's name is joined beside it and the
comment says how to compare it instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.init import roles as R

# job_data ID field -> header keys (after roles.header_key) of a column holding its names
NAME_HEADERS = {
    "department_id": "部门名称 部门 所属部门 部门名 部门全称 departmentname deptname department dept",
    "direct_manager_id": "直属上级 上级 直接上级 直属领导 直属主管 直属经理 上级姓名 汇报对象 汇报人 manager directmanager "
                         "linemanager reportsto reportingmanager supervisor managername",
    "job_level_id": "职级 职级名称 joblevel level",
    "position_id": "岗位 岗位名称 职位 position positionname",
    "work_location_id": "工作地点 办公地点 地点 worklocation officelocation location",
    "job_family_id": "序列 职务序列 jobfamily",
    "employee_type_id": "人员类型 员工类型 employeetype",
    "service_company": "合同公司 所属公司 公司 company",
}
COMPARED = frozenset({"department_id", "direct_manager_id"})  # names written as Feishu shows them
_BY_KEY = {key: field for field, keys in NAME_HEADERS.items() for key in keys.split()}


@dataclass(frozen=True)
class NameColumn:
    column: R.Column
    field: str  # the ID field whose name the column holds

    @property
    def path(self) -> str:
        return f"{self.field}.name"

    @property
    def compared(self) -> bool:
        return self.field in COMPARED


def name_columns(columns: list[R.Column], taken: set[str]) -> list[NameColumn]:
    """Columns (not already given another role) whose header says they hold names; one per field."""
    found: dict[str, NameColumn] = {}
    for column in columns:
        field = _BY_KEY.get(column.key)
        if field and column.header not in taken and field not in found:
            found[field] = NameColumn(column, field)
    return list(found.values())
