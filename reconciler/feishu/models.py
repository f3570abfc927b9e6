"""Typed answers of the two endpoints.

Every model allows extra fields: Feishu adds fields over time and we must keep
working (and keep them available to plugins through `model_extra`). A field
missing from an answer stays None: for scoped fields that means "no scope", not
"empty", so we never invent a default such as False.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic_core import to_json


@functools.cache
def declared_fields(model: type[BaseModel]) -> frozenset[str]:
    """A model's declared field names: `model_fields` goes through a descriptor on every
    access, and a 100,000-row run asks for a few values of every row."""
    return frozenset(model.model_fields)


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class I18nText(_Tolerant):
    lang: str | None = None
    value: str | None = None


class EnumValue(_Tolerant):
    """An enum as the API sends it: {enum_name, display: [{lang, value}]}."""

    enum_name: str | None = None
    display: list[I18nText] = []

    def display_text(self, locale: str | None) -> str | None:
        """The display text in `locale` (exact, then same language), falling back to enum_name."""
        if locale:
            want = locale.lower()
            lang = want.split("-")[0]
            for exact in (True, False):
                for item in self.display:
                    have = (item.lang or "").lower()
                    if item.value and (have == want if exact else have.split("-")[0] == lang):
                        return item.value
        return self.enum_name


class CostCenterRate(_Tolerant):
    cost_center_id: str | None = None
    rate: int | float | None = None


class Talent(_Tolerant):
    """One entry of batch_get_id's data.talent_list; fields Feishu adds later are kept as extras.

    Attributes:
        talent_id: the talent's ID in Feishu Hire.
        mobile_code: the mobile's country calling code ("86"), when the request asked by mobile.
        mobile_number: the national mobile number, when the request asked by mobile.
        email: the email, when the request asked by email.
        identification_type: the ID's type (1 mainland ID card...), when the request asked by ID number.
        identification_number: the ID number, when the request asked by ID number.
        is_onboarded: whether the talent has joined; None when the app lacks hire:talent_onboard_status:readonly.
    """

    talent_id: str
    mobile_code: str | None = None
    mobile_number: str | None = None
    email: str | None = None
    identification_type: int | None = None
    identification_number: str | None = None
    is_onboarded: bool | None = None  # None: the app lacks hire:talent_onboard_status:readonly


_TALENT_FIELDS = Talent.model_fields
_TALENT_DEFAULTS = {name: f.default for name, f in _TALENT_FIELDS.items() if not f.is_required()}


def trusted_talent(fields: dict) -> Talent:
    """A talent from fields validated before (stored answers, answers merged), not validated again.

    What pydantic's `model_construct` does for this flat model (declared fields over
    their defaults, the rest as extras, the fields set), without its per-call
    generality: 1.2 us instead of 5 us a talent, and a warm 100,000-row run rebuilds
    ~190,000 of them (test_keystore_rebuilds_talents_like_model_construct checks
    the two agree)."""
    if fields.keys() <= _TALENT_FIELDS.keys():  # the usual case: no field Feishu added later
        values, extra = {**_TALENT_DEFAULTS, **fields}, {}
    else:
        values = dict(_TALENT_DEFAULTS)
        extra = {}
        for name, value in fields.items():
            if name in _TALENT_FIELDS:
                values[name] = value
            else:
                extra[name] = value
    talent = Talent.__new__(Talent)
    object.__setattr__(talent, "__dict__", values)
    object.__setattr__(talent, "__pydantic_fields_set__", set(fields) - extra.keys())
    object.__setattr__(talent, "__pydantic_extra__", extra)
    object.__setattr__(talent, "__pydantic_private__", None)
    return talent


def share_equal_parts(model: BaseModel, seen: dict) -> BaseModel:
    """`model` with each nested value (an enum with its display names, a list of cost
    centres...) replaced by an equal one `seen` before, which it then shares.

    The models are frozen, so sharing is safe; a tenant's job data repeats a few dozen
    such values thousands of times, and each, as its own models, took ~15 KB a record:
    ~45 MB for 3,000 employees, held until the rows are decided."""
    fields = model.__dict__
    for name in _nesting_fields(type(model)):
        value = fields.get(name)
        if value and isinstance(value, (BaseModel, list)):
            # pydantic's own JSON of the value: its repr would do, at 12 times the cost
            fields[name] = seen.setdefault((name, to_json(value, fallback=repr)), value)
    return model


@functools.lru_cache(maxsize=None)
def _nesting_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of `model` that may hold a model or a list (the others hold a str, a number...):
    a job data's 31 fields, each looked at, were ~half of `share_equal_parts`' time."""
    return tuple(name for name, info in model.model_fields.items() if _may_nest(info.annotation))


def _may_nest(annotation: Any) -> bool:
    if annotation in (str, int, float, bool, type(None)):
        return False
    args = typing.get_args(annotation)
    if args and typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_may_nest(arg) for arg in args)
    return True  # a model, a list, Any, anything else: looked at


class JobData(_Tolerant):
    """One job_data object of GET /corehr/v1/job_datas (every field of the seed page)."""

    id: str | None = None
    version_id: str | None = None
    job_level_id: str | None = None
    job_grade_id: str | None = None
    employee_type_id: str | None = None
    working_hours_type_id: str | None = None
    work_location_id: str | None = None
    department_id: str | None = None
    job_id: str | None = None
    probation_start_date: str | None = None
    probation_end_date: str | None = None
    primary_job_data: bool | None = None
    employment_id: str | None = None
    effective_time: str | None = None
    expiration_time: str | None = None
    job_family_id: str | None = None
    assignment_start_reason: EnumValue | None = None
    probation_expected_end_date: str | None = None
    probation_outcome: EnumValue | None = None
    weekly_working_hours: int | float | None = None
    direct_manager_id: str | None = None
    dotted_line_manager_id_list: list[str] | None = None
    second_direct_manager_id: str | None = None
    cost_center_rate: list[CostCenterRate] | None = None
    weekly_working_hours_v2: float | None = None
    work_shift: EnumValue | None = None
    compensation_type: EnumValue | None = None
    service_company: str | None = None
    employee_subtype_id: str | None = None
    position_id: str | None = None
    job_data_reason: EnumValue | None = None

    def field(self, path: str) -> Any:
        """Value at a dotted field path ("assignment_start_reason.enum_name"); None if absent."""
        node: Any = self
        for part in path.split("."):
            if node is None:
                return None
            if isinstance(node, BaseModel):
                if part in declared_fields(type(node)):
                    node = getattr(node, part)
                else:
                    node = (node.model_extra or {}).get(part)
            elif isinstance(node, dict):
                node = node.get(part)
            else:
                return None
        return node

    @classmethod
    def known_field(cls, path: str) -> bool:
        """Whether the first part of a field path names a documented job_data field."""
        return path.split(".")[0] in cls.model_fields


# -- the answers of the name look-ups (feishu-names.md): each item's ID and its i18n names --


class _Named(_Tolerant):
    """An item of a name look-up; `item_id` and `i18n` say where its ID and names are."""

    @property
    def item_id(self) -> str | None:
        raise NotImplementedError

    @property
    def i18n(self) -> list[I18nText]:
        raise NotImplementedError


class Department(_Named):
    id: str | None = None
    department_name: list[I18nText] = []

    item_id = property(lambda self: self.id)
    i18n = property(lambda self: self.department_name)


class JobLevel(_Named):
    job_level_id: str | None = None
    name: list[I18nText] = []

    item_id = property(lambda self: self.job_level_id)
    i18n = property(lambda self: self.name)


class JobGrade(_Named):
    job_grade_id: str | None = None
    names: list[I18nText] = []  # plural on this API

    item_id = property(lambda self: self.job_grade_id)
    i18n = property(lambda self: self.names)


class JobFamily(_Named):
    job_family_id: str | None = None
    name: list[I18nText] = []

    item_id = property(lambda self: self.job_family_id)
    i18n = property(lambda self: self.name)


class EmployeeType(_Named):
    id: str | None = None
    name: list[I18nText] = []

    item_id = property(lambda self: self.id)
    i18n = property(lambda self: self.name)


class HiberarchyCommon(_Tolerant):
    name: list[I18nText] = []


class Location(_Named):
    location_id: str | None = None
    hiberarchy_common: HiberarchyCommon | None = None  # the name is not at the top level

    item_id = property(lambda self: self.location_id)
    i18n = property(lambda self: self.hiberarchy_common.name if self.hiberarchy_common else [])


class Company(_Named):
    company_id: str | None = None
    hiberarchy_common: HiberarchyCommon | None = None

    item_id = property(lambda self: self.company_id)
    i18n = property(lambda self: self.hiberarchy_common.name if self.hiberarchy_common else [])


class Position(_Named):
    position_id: str | None = None
    names: list[I18nText] = []

    item_id = property(lambda self: self.position_id)
    i18n = property(lambda self: self.names)


class CostCenter(_Named):
    cost_center_id: str | None = None
    name: list[I18nText] = []

    item_id = property(lambda self: self.cost_center_id)
    i18n = property(lambda self: self.name)


class PersonInfo(_Tolerant):
    preferred_name: str | None = None  # the display name, e.g. "刘梓新(Henry)"
    preferred_local_full_name: str | None = None
    preferred_english_full_name: str | None = None


class Employee(_Tolerant):
    """An item of corehr/v2/employees/batch_get (person names are plain strings, not i18n)."""

    employment_id: str | None = None
    person_info: PersonInfo | None = None

    @property
    def display_name(self) -> str | None:
        info = self.person_info
        if info is None:
            return None
        return info.preferred_name or info.preferred_local_full_name or info.preferred_english_full_name
