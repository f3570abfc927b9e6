"""Which column holds what: by header name (Chinese or English), then by the values.

A header is compared after NFKC, case folding and dropping spaces and punctuation
("E-mail" -> "email", "ID number" -> "idnumber"). An exact synonym beats a name
that merely contains a keyword ("紧急联系人电话" is not the mobile column). Columns
whose header says nothing get a second chance from their values: mostly valid
mobiles, emails, or 18-character IDs with a valid check digit. Employee keys,
dates and departments are recognised by header only: their values look like
anything.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from reconciler.matching.jobdata import parse_date
from reconciler.model import Cell, Sheet
from reconciler.matching.normalize import normalise_email, normalise_id_number, normalise_mobile, parse_identification_type

MOBILE, COUNTRY_CODE, EMAIL = "mobile", "country_code", "email"
ID_TYPE, ID_NUMBER = "id_type", "id_number"
EMPLOYEE_KEY, START_DATE, DEPARTMENT = "employee_key", "start_date", "department"
TALENT_ROLES = (MOBILE, EMAIL, ID_NUMBER)
# Checked in this order, so that "Phone country code" is a code and "证件类型" is not an ID number.
ROLE_ORDER = (COUNTRY_CODE, ID_TYPE, START_DATE, DEPARTMENT, EMPLOYEE_KEY, EMAIL, ID_NUMBER, MOBILE)
REPORT_ORDER = (MOBILE, COUNTRY_CODE, EMAIL, ID_NUMBER, ID_TYPE, EMPLOYEE_KEY, START_DATE, DEPARTMENT)

VALUE_SHARE = 0.7  # share of sampled values that must fit for a value-based choice
SAMPLE = 500  # non-blank values sampled per column

_ID_LIKE = re.compile(r"[A-Za-z0-9_\-]+")
_DROP = re.compile(r"[\s_\-.·/\\:：#＃()（）\[\]【】'\"“”]")


@dataclass(frozen=True)
class HeaderRule:
    exact: frozenset[str]
    contains: tuple[str, ...]
    avoid: tuple[str, ...] = ()
    loose: frozenset[str] = frozenset()  # accepted only when the values agree (e.g. 部门 holding codes)


def _rule(exact: str, contains: str = "", avoid: str = "", loose: str = "") -> HeaderRule:
    return HeaderRule(frozenset(exact.split()), tuple(contains.split()), tuple(avoid.split()), frozenset(loose.split()))


RULES: dict[str, HeaderRule] = {
    COUNTRY_CODE: _rule(
        "区号 国家码 国家区号 国际区号 国家代码 电话区号 手机区号 国家地区代码 countrycode callingcode dialcode "
        "dialingcode phonecode phonecountrycode mobilecountrycode countrycallingcode",
        "区号 国家码 国际区号 countrycode callingcode dialcode dialingcode",
    ),
    ID_TYPE: _rule(
        "证件类型 证件种类 证件类别 身份证件类型 idtype documenttype identificationtype idcardtype doctype",
        "证件类型 证件种类 证件类别 idtype documenttype identificationtype",
    ),
    START_DATE: _rule(
        "入职日期 入职时间 到岗日期 入职日 报到日期 startdate hiredate joindate joiningdate joineddate onboardingdate "
        "dateofjoining dateofhire employmentstartdate",
        "入职日期 入职时间 到岗日期 startdate hiredate joindate joiningdate onboardingdate dateofjoining dateofhire",
    ),
    DEPARTMENT: _rule(
        "部门id 部门编码 部门编号 部门代码 departmentid deptid departmentcode deptcode departmentno",
        "部门id 部门编码 部门编号 部门代码 departmentid deptid departmentcode deptcode",
        loose="部门 所属部门 department dept",
    ),
    EMPLOYEE_KEY: _rule(
        "工号 员工号 员工工号 员工id 员工编号 员工编码 人员编号 职工号 职工编号 employeeid employeeno employeenumber "
        "empid empno staffid staffno staffnumber userid 用户id openid unionid peoplecorehrid corehrid",
        "工号 员工id 员工编号 employeeid employeeno employeenumber staffid userid openid unionid",
    ),
    EMAIL: _rule(
        "邮箱 邮件 电子邮箱 电子邮件 邮箱地址 邮件地址 个人邮箱 email mail emailaddress",
        "邮箱 邮件 email mail",
    ),
    ID_NUMBER: _rule(
        "证件号 证件号码 证件编号 身份证 身份证号 身份证号码 居民身份证号 idnumber idno idcard idcardno idcardnumber "
        "identificationnumber nationalid passport passportno passportnumber 护照 护照号 护照号码",
        "证件号 身份证 idnumber idcard passport 护照 identificationnumber",
    ),
    MOBILE: _rule(
        "手机号 手机 手机号码 电话 电话号码 联系电话 联系方式 移动电话 mobile phone mobilephone mobileno mobilenumber "
        "phonenumber phoneno cellphone cell tel telephone",
        "手机 电话 mobile phone cellphone",
        avoid="紧急 emergency 座机 固话 landline fax 传真",
    ),
}


def header_key(text: str) -> str:
    """"E-mail" -> "email", "ID number" -> "idnumber", "员工 ID" -> "员工id"."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text)).casefold()


# The column that says who a row is (source.label_columns): a person's name.
NAME_HEADERS = frozenset(
    "姓名 名字 员工姓名 候选人姓名 候选人 人员姓名 中文名 中文姓名 真实姓名 全名 name fullname employeename "
    "candidatename staffname personname legalname preferredname chinesename".split())


def name_header(headers: list[str]) -> str | None:
    """The first header naming a person's name column (姓名, Name, Full name...), or None."""
    return next((h for h in headers if h and header_key(h) in NAME_HEADERS), None)


def header_tier(role: str, key: str) -> int:
    """3 exact synonym, 2 contains a keyword, 1 loose (needs the values to agree), 0 no match."""
    rule = RULES[role]
    if key in rule.exact:
        return 3
    if any(word in key for word in rule.contains) and not any(word in key for word in rule.avoid):
        return 2
    return 1 if key in rule.loose else 0


# ---------------------------------------------------------------- value checks


def _dated(cell: Cell) -> bool:
    try:
        return parse_date(cell) is not None
    except ValueError:
        return False


VALUE_CHECKS: dict[str, Callable[[Cell], bool]] = {
    MOBILE: lambda c: normalise_mobile(c).valid,
    EMAIL: lambda c: normalise_email(c).valid,
    ID_NUMBER: lambda c: normalise_id_number(c, id_type=1).valid,
    ID_TYPE: lambda c: parse_identification_type(c.value if c.is_number else c.text) is not None,
    COUNTRY_CODE: lambda c: re.fullmatch(r"\+?0{0,2}[1-9][0-9]{0,3}(?:\.0+)?", c.text.strip()) is not None,
    START_DATE: _dated,
    EMPLOYEE_KEY: lambda c: _ID_LIKE.fullmatch(c.text.strip()) is not None,
    DEPARTMENT: lambda c: _ID_LIKE.fullmatch(c.text.strip()) is not None,
}
# Roles a column with an unhelpful header can get from its values alone. ID types only
# by name (身份证, Passport): small numbers are in many columns.
VALUE_ROLES: dict[str, Callable[[Cell], bool]] = {
    MOBILE: VALUE_CHECKS[MOBILE],
    EMAIL: VALUE_CHECKS[EMAIL],
    ID_NUMBER: VALUE_CHECKS[ID_NUMBER],
    ID_TYPE: lambda c: not c.is_number and not c.text.strip().isdigit() and VALUE_CHECKS[ID_TYPE](c),
}


# ---------------------------------------------------------------- columns and choices


@dataclass(frozen=True)
class Column:
    index: int  # 0-based
    header: str
    values: tuple[Cell, ...]  # non-blank sample

    @property
    def letter(self) -> str:
        return get_column_letter(self.index + 1)

    @property
    def key(self) -> str:
        return header_key(self.header)

    def count(self, check: Callable[[Cell], bool]) -> int:
        return sum(1 for cell in self.values if check(cell))

    def share(self, check: Callable[[Cell], bool]) -> float:
        return self.count(check) / len(self.values) if self.values else 0.0


@dataclass(frozen=True)
class Choice:
    role: str
    column: Column
    by_header: bool  # False: recognised from the values alone
    valid: int  # sampled values that fit the role
    total: int  # non-blank values sampled


@dataclass
class Recognition:
    choices: dict[str, Choice] = field(default_factory=dict)
    passed_over: list[Choice] = field(default_factory=list)  # fit a role another column got
    rejected: list[tuple[str, Column]] = field(default_factory=list)  # (role, column): header fits, values do not


def sample_columns(sheet: Sheet) -> list[Column]:
    """Every named column (the first of a repeated header) with up to SAMPLE non-blank values."""
    columns: list[Column] = []
    seen: set[str] = set()
    for index, header in enumerate(sheet.headers):
        if not header or header in seen:
            continue
        seen.add(header)
        values = []
        for row in sheet.rows:
            cell = row.get(header)
            if not cell.is_blank:
                values.append(cell)
                if len(values) >= SAMPLE:
                    break
        columns.append(Column(index, header, tuple(values)))
    return columns


def _choice(role: str, column: Column, by_header: bool) -> Choice:
    return Choice(role, column, by_header, column.count(VALUE_CHECKS[role]), len(column.values))


def _header_role(column: Column) -> tuple[str, int] | None:
    """(role, tier) of the best header match; tier 1 (loose) only counts when the values agree."""
    key = column.key
    for tier in (3, 2, 1):
        for role in ROLE_ORDER:
            if header_tier(role, key) == tier:
                return role, tier
    return None


def _value_role(column: Column) -> str | None:
    shares = {role: column.share(check) for role, check in VALUE_ROLES.items()}
    role = max(shares, key=lambda r: shares[r])
    return role if column.values and shares[role] >= VALUE_SHARE else None


def recognise(columns: list[Column]) -> Recognition:
    found = Recognition()
    candidates: dict[str, list[tuple[tuple, Choice]]] = {}
    by_values: list[Column] = []
    for column in columns:
        match = _header_role(column)
        if match is None:
            by_values.append(column)
            continue
        role, tier = match
        by_header = True
        if role in TALENT_ROLES and len(column.values) >= 3 and column.share(VALUE_CHECKS[role]) == 0:
            # A vague header (联系方式) whose values are clearly something else: trust the values.
            if (other := _value_role(column)) in TALENT_ROLES:
                role, tier, by_header = other, 0, False
        if tier == 1 and column.share(VALUE_CHECKS[role]) < VALUE_SHARE:
            found.rejected.append((role, column))
            continue
        choice = _choice(role, column, by_header=by_header)
        candidates.setdefault(role, []).append(((tier, choice.valid / max(choice.total, 1), -column.index), choice))
    for column in by_values:
        role = _value_role(column)
        if role is not None:
            choice = _choice(role, column, by_header=False)
            candidates.setdefault(role, []).append(((0, choice.valid / choice.total, -column.index), choice))
    for role in ROLE_ORDER:
        ranked = [c for _, c in sorted(candidates.get(role, []), key=lambda item: item[0], reverse=True)]
        if ranked:
            found.choices[role] = ranked[0]
            found.passed_over.extend(ranked[1:])
    return found
