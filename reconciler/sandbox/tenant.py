"""The data a sandbox tenant holds: Hire talents, CoreHR employees, departments, job data.

Job data are kept as dicts in the API's own field names, with `employment_id` set
to the employee's people_corehr_id and `department_id` to the department's
people_corehr_department_id (the API's default ID types); the server translates
them per request. An open-ended version has no `expiration_time` key.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

# ISO 7064 MOD 11-2, as used by the 18-character mainland resident ID card.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"


def mainland_id_check_char(first17: str) -> str:
    """The check character (0-9 or X) that completes a 17-digit mainland ID prefix."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("a mainland ID prefix is exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK_CHARS[total % 11]


def make_mainland_id(area: str, birth: str, sequence: str) -> str:
    """A valid 18-character mainland ID from a 6-digit area, YYYYMMDD birth date and 3-digit sequence."""
    first17 = f"{area}{birth}{sequence}"
    return first17 + mainland_id_check_char(first17)


def _lower(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else value


def _upper(value: str | None) -> str | None:
    return value.strip().upper() if isinstance(value, str) else value


@dataclass
class Talent:
    """A Hire talent. `mobile_number` is national (no country code); email lower-case; ID upper-case."""

    talent_id: str
    mobile_code: str | None = None
    mobile_number: str | None = None
    email: str | None = None
    identification_type: int | None = None
    identification_number: str | None = None
    is_onboarded: bool = False
    name: str | None = None  # not returned by the API; lets sample sheets and docs name people

    def __post_init__(self) -> None:
        # Hire stores identifiers canonically; source data may come in any case.
        self.email = _lower(self.email)
        self.identification_number = _upper(self.identification_number)
        if self.mobile_number is not None and self.mobile_code is None:
            self.mobile_code = "86"


@dataclass
class Employee:
    """A CoreHR employee and the four IDs the API can name them by."""

    people_corehr_id: str
    user_id: str
    open_id: str
    union_id: str
    name: str | None = None  # not returned by the API
    # employees/batch_get's person_info: preferred_name is the display name ("刘梓新(Henry)")
    local_name: str | None = None
    english_name: str | None = None

    @property
    def preferred_name(self) -> str | None:
        local = self.local_name or self.name
        if local and self.english_name and self.english_name != local:
            return f"{local}({self.english_name})"
        return local or self.english_name

    def id_of_type(self, user_id_type: str) -> str:
        return getattr(self, user_id_type)


@dataclass
class Department:
    """A department and the three IDs the API can name it by."""

    people_corehr_department_id: str
    department_id: str
    open_department_id: str
    name: str | None = None  # a label for guides and sample sheets
    names: list[dict[str, str]] | None = None  # department_name as the API returns it: [{lang, value}]

    def id_of_type(self, department_id_type: str) -> str:
        return getattr(self, department_id_type)


# The catalogues a tenant holds names for, one per name endpoint but departments and employees.
CATALOGS = ("job_levels", "job_grades", "job_families", "employee_types", "locations", "companies", "positions",
            "cost_centers")


def i18n(zh: str | None, en: str | None = None) -> list[dict[str, str]]:
    """Names as the API sends them; a record may have only one language."""
    return [{"lang": lang, "value": v} for lang, v in (("zh-CN", zh), ("en-US", en)) if v]


@dataclass
class Tenant:
    """Everything one sandbox serves."""

    talents: list[Talent] = field(default_factory=list)
    employees: list[Employee] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)
    job_datas: list[dict[str, Any]] = field(default_factory=list)
    # What job data's other IDs name, by catalogue (CATALOGS): records {id, names: [{lang, value}], code, active}
    catalogs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def catalog(self, kind: str) -> dict[str, dict[str, Any]]:
        """One catalogue by ID."""
        return {r["id"]: r for r in self.catalogs.get(kind, [])}

    def to_json(self, indent: int | None = None) -> str:
        data = {
            "talents": [_drop_none(asdict(t)) for t in self.talents],
            "employees": [_drop_none(asdict(e)) for e in self.employees],
            "departments": [_drop_none(asdict(d)) for d in self.departments],
            "job_datas": self.job_datas,
            "catalogs": self.catalogs,
        }
        return json.dumps(data, ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, text: str) -> Tenant:
        data = json.loads(text)
        return cls(
            talents=[Talent(**t) for t in data.get("talents", [])],
            employees=[Employee(**e) for e in data.get("employees", [])],
            departments=[Department(**d) for d in data.get("departments", [])],
            job_datas=list(data.get("job_datas", [])),
            catalogs=dict(data.get("catalogs", {})),
        )

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json(indent=1) + "\n", encoding="utf-8")


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def demo_tenant() -> Tenant:
    """The small hand-designed tenant described in DEMO_TENANT.md (a fresh copy each call)."""
    text = resources.files(__package__).joinpath("demo_tenant.json").read_text(encoding="utf-8")
    return Tenant.from_json(text)
