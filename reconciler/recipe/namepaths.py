"""Job-data field paths that ask for a name instead of an ID (recipe spec section 2a).

`department_id.name` is the display name of the department ID; `.name` is allowed
only after the ID fields below, anything else ending in `.name` is a recipe error
at its line (an enum's text is `.enum_name`, or the plain path).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import WrapValidator
from pydantic_core import InitErrorDetails

from reconciler.messages.render import Message
from reconciler.recipe.strictness import recipe_error, validate_with_extra

NAME_SUFFIX = ".name"
# job_data field -> the kind of record its IDs name (one name look-up per kind; feishu/names.py)
NAME_FIELDS: Mapping[str, str] = {
    "department_id": "department",
    "job_level_id": "job_level",
    "job_grade_id": "job_grade",
    "job_family_id": "job_family",
    "employee_type_id": "employee_type",
    "work_location_id": "location",
    "service_company": "company",
    "position_id": "position",
    "direct_manager_id": "manager",  # a manager's job data ID: two hops to a person's name
    "second_direct_manager_id": "manager",
    "dotted_line_manager_id_list": "manager",  # a list: names joined with "; "
    "cost_center_rate": "cost_center",  # a list of {cost_center_id, rate}: "name:rate; name:rate"
}


def name_field(path: str) -> str | None:
    """The ID field whose name `path` asks for ("department_id.name" -> "department_id"), else None."""
    if path.endswith(NAME_SUFFIX) and path[: -len(NAME_SUFFIX)] in NAME_FIELDS:
        return path[: -len(NAME_SUFFIX)]
    return None


def _misplaced_name(path: Any) -> bool:
    return isinstance(path, str) and path.endswith(NAME_SUFFIX) and name_field(path) is None


def _issue(loc: tuple, path: str) -> InitErrorDetails:
    return recipe_error(loc, Message("recipe.name_path", path=path, fields=", ".join(NAME_FIELDS)), path)


def _check_columns(value: Any, handler: Any) -> Any:
    extra = [_issue((path,), path) for path in value if _misplaced_name(path)] if isinstance(value, Mapping) else []
    return validate_with_extra(handler, value, extra, "columns")


def _check_compare(value: Any, handler: Any) -> Any:
    extra = [_issue((header,), path) for header, path in value.items() if _misplaced_name(path)] \
        if isinstance(value, Mapping) else []
    return validate_with_extra(handler, value, extra, "compare")


# `columns` (field path -> header) and `compare` (header -> field path) with their `.name` paths checked
ColumnPaths = Annotated[dict[str, str], WrapValidator(_check_columns)]
ComparePaths = Annotated[dict[str, str], WrapValidator(_check_compare)]
