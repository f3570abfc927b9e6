"""From a sheet to a recipe draft: which sections, which keys, and why.

A talent section when a mobile, email or ID number column is found; a job_data
section only when an employee-key column is found (工号 -> user_id_type user_id),
with `as_of` for a start-date column and `compare` for a department-ID column.
The draft is checked the way `reconciler check` would check it before anyone
sees it: the recipe validates and every header it names is in the sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.errors import SheetError
from reconciler.messages.locale import EN, ZH, system_locale
from reconciler.messages.render import text
from reconciler.init import roles as R
from reconciler.init.namecols import name_columns
from reconciler.init.headerrow import HeaderRow, find_header_row, where
from reconciler.init.yamltext import Commented
from reconciler.sheets.read import list_headers, read_sheet

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
JOB_FIELDS = ("department_id", "job_level_id", "probation_end_date", "assignment_start_reason")


@dataclass
class Draft:
    """A recipe drafted from a sheet, and what to tell the person about it."""

    sheet_path: Path
    header: HeaderRow
    rows: int  # non-blank data rows
    locale: str
    found: R.Recognition
    columns: list[R.Column]
    doc: Commented = field(default_factory=lambda: Commented({}))
    notes: list[str] = field(default_factory=list)  # already in `locale`
    header_row: int | str = "auto"

    def t(self, key: str, **params: Any) -> str:
        """An `init.*` message in the draft's language (the prefix may be left out)."""
        return text(key if key.startswith("init.") else f"init.{key}", self.locale, **params)

    @property
    def used(self) -> set[str]:
        return set(_mapped(self.doc.data))

    @property
    def unused(self) -> list[str]:
        used = self.used
        return [c.header for c in self.columns if c.header not in used]


def sheet_language(headers: list[str], env=None) -> str:
    """zh-CN when a header has Chinese characters, en-US when one has Latin letters, else the system's."""
    if any(_CJK.search(h) for h in headers):
        return ZH
    if any(_LATIN.search(h) for h in headers):
        return EN
    return system_locale(env)


def _mapped(data: dict) -> list[str]:
    """The sheet headers a recipe's data reads (as reconciler.recipe.mapped_headers, on plain data)."""
    found = []
    for spec in (data.get("talent") or {}).get("inputs", {}).values():
        spec = spec if isinstance(spec, dict) else {"column": spec}
        found += [spec[k] for k in ("column", "code_column", "type_column") if k in spec]
    job = data.get("job_data")
    if job:
        found.append(job["key"]["column"])
        found += ([job["as_of"]] if "as_of" in job else []) + list(job.get("compare", {}))
    return list(dict.fromkeys(found))


def why(draft: Draft, choice: R.Choice) -> str:
    parts = [draft.t("why.header", header=choice.column.header)] if choice.by_header else []
    if choice.total:
        what = draft.t(f"what.{choice.role}")
        parts.append(draft.t("why.values", valid=choice.valid, total=choice.total, what=what))
    return draft.t("why.sep").join(parts)


def draft_recipe(path: Path, sheet: str | None = None, locale: str | None = None) -> Draft:
    path = Path(path)
    header = find_header_row(path, sheet)
    data = read_sheet(path, sheet=header.sheet, header_row=header.number)
    columns = R.sample_columns(data)
    found = R.recognise(columns)
    rows = len(data.rows)
    draft = Draft(path, header, rows, locale or sheet_language(header.headers), found, columns)
    talent = _talent(draft)
    job = _job(draft)
    if not talent and not job:
        headers = draft.t("list.sep").join(h for h in header.headers if h)  # listed the way the draft speaks
        raise SheetError("init.no_identifiers", where=where(path, header.sheet), headers=headers)
    if not talent:
        draft.notes.append(draft.t("note.no_talent"))
    if not job:
        draft.notes.append(draft.t("note.no_job_key"))
    _notes_on_alternatives(draft)
    _assemble(draft, talent, job)
    return draft


# ---------------------------------------------------------------- sections


def _output_name(draft: Draft, key: str, taken: set[str]) -> str:
    """A new column's header that is not already a header of the sheet (nor another new column)."""
    name = draft.t(f"col.{key}")
    wanted, n = name, 1
    while name in taken:
        n += 1
        name = draft.t("col.renamed", name=wanted) if n == 2 else f"{draft.t('col.renamed', name=wanted)} {n}"
    if name != wanted:
        draft.notes.append(draft.t("note.renamed", header=wanted, new=name))
    taken.add(name)
    return name


def _needs(draft: Draft, role: str, needed: str) -> None:
    choice = draft.found.choices.get(role)
    if choice:
        draft.notes.append(draft.t("note.needs", header=choice.column.header, letter=choice.column.letter,
                                   role=draft.t(f"role.{role}"), needed=draft.t(f"role.{needed}")))


def _few_valid(draft: Draft, choice: R.Choice) -> None:
    if choice.total and choice.valid / choice.total < 0.5:
        draft.notes.append(draft.t("note.few_valid", valid=choice.valid, total=choice.total,
                                   header=choice.column.header, what=draft.t(f"what.{choice.role}")))


def _talent(draft: Draft) -> dict | None:
    choices = draft.found.choices
    doc, inputs = draft.doc, {}
    base = ("talent", "inputs")
    if R.MOBILE in choices:
        mobile = choices[R.MOBILE]
        spec: dict[str, Any] = {"column": mobile.column.header}
        doc.inline[base + ("mobile", "column")] = why(draft, mobile)
        if R.COUNTRY_CODE in choices:
            spec["code_column"] = choices[R.COUNTRY_CODE].column.header
            doc.inline[base + ("mobile", "code_column")] = draft.t("c.code_column", why=why(draft, choices[R.COUNTRY_CODE]))
        spec["default_code"] = "86"
        doc.inline[base + ("mobile", "default_code")] = draft.t("c.default_code")
        inputs["mobile"] = spec
        _few_valid(draft, mobile)
    elif R.COUNTRY_CODE in choices:
        _needs(draft, R.COUNTRY_CODE, R.MOBILE)
    if R.EMAIL in choices:
        inputs["email"] = choices[R.EMAIL].column.header
        doc.inline[base + ("email",)] = why(draft, choices[R.EMAIL])
        _few_valid(draft, choices[R.EMAIL])
    if R.ID_NUMBER in choices:
        ids = choices[R.ID_NUMBER]
        spec = {"column": ids.column.header}
        doc.inline[base + ("id_number", "column")] = why(draft, ids)
        if R.ID_TYPE in choices:
            spec["type_column"] = choices[R.ID_TYPE].column.header
            doc.inline[base + ("id_number", "type_column")] = draft.t("c.type_column", why=why(draft, choices[R.ID_TYPE]))
        elif ids.by_header and ("passport" in ids.column.key or "护照" in ids.column.key):
            spec["type"] = 2
            doc.inline[base + ("id_number", "type")] = draft.t("c.type2")
        else:
            spec["type"] = 1
            doc.inline[base + ("id_number", "type")] = draft.t("c.type1")
            _few_valid(draft, ids)
        inputs["id_number"] = spec
    elif R.ID_TYPE in choices:
        _needs(draft, R.ID_TYPE, R.ID_NUMBER)
    return inputs or None


def _user_id_type(column: R.Column) -> str:
    key = column.key
    texts = [c.text.strip() for c in column.values]
    for kind, marker, prefix in (("open_id", "openid", "ou_"), ("union_id", "unionid", "on_")):
        if marker in key or (texts and sum(t.startswith(prefix) for t in texts) / len(texts) >= R.VALUE_SHARE):
            return kind
    return "people_corehr_id" if "corehr" in key else "user_id"


def _department_id_type(column: R.Column | None) -> str:
    texts = [c.text.strip() for c in column.values] if column else []
    if texts and sum(t.isdigit() and len(t) >= 10 for t in texts) / len(texts) >= R.VALUE_SHARE:
        return "people_corehr_department_id"
    if texts and sum(t.startswith("od-") for t in texts) / len(texts) >= R.VALUE_SHARE:
        return "open_department_id"
    return "department_id"


def _job(draft: Draft) -> dict | None:
    choices = draft.found.choices
    named = {c.column.header for c in name_columns(draft.columns, {c.column.header for c in choices.values()})}
    for role, column in draft.found.rejected:
        if role == R.DEPARTMENT and column.header not in named:  # a column of names is compared by name
            draft.notes.append(draft.t("note.rejected_department", header=column.header, letter=column.letter))
    if R.EMPLOYEE_KEY not in choices:
        _needs(draft, R.START_DATE, R.EMPLOYEE_KEY)
        _needs(draft, R.DEPARTMENT, R.EMPLOYEE_KEY)
        return None
    key = choices[R.EMPLOYEE_KEY]
    doc = draft.doc
    job: dict[str, Any] = {"key": {"column": key.column.header, "user_id_type": _user_id_type(key.column)}}
    doc.inline[("job_data", "key", "column")] = why(draft, key)
    doc.inline[("job_data", "key", "user_id_type")] = draft.t("c.user_id_type")
    department = choices.get(R.DEPARTMENT)
    job["department_id_type"] = _department_id_type(department.column if department else None)
    doc.inline[("job_data", "department_id_type")] = draft.t("c.dept_type")
    if R.START_DATE in choices:
        job["as_of"] = choices[R.START_DATE].column.header
        doc.inline[("job_data", "as_of")] = draft.t("c.as_of", why=why(draft, choices[R.START_DATE]))
    job["columns"] = {}
    if department:
        job["compare"] = {department.column.header: "department_id"}
        doc.inline[("job_data", "compare")] = draft.t("c.compare")
        doc.inline[("job_data", "compare", department.column.header)] = why(draft, department)
    taken = {c.column.header for c in choices.values()}
    job["names"] = name_columns(draft.columns, taken)  # joined in _assemble, with the other new columns
    for named in job["names"]:
        if named.compared:
            job.setdefault("compare", {})[named.column.header] = named.path
            doc.inline[("job_data", "compare")] = draft.t("c.compare")
            doc.inline[("job_data", "compare", named.column.header)] = draft.t("c.compare_name", header=named.column.header)
    return job


def _notes_on_alternatives(draft: Draft) -> None:
    for other in draft.found.passed_over:
        chosen = draft.found.choices[other.role].column
        draft.notes.append(draft.t("note.passed_over", header=other.column.header, letter=other.column.letter,
                                   role=draft.t(f"role.{other.role}"), chosen=chosen.header))


# ---------------------------------------------------------------- the whole recipe


def _assemble(draft: Draft, talent_inputs: dict | None, job: dict | None) -> None:
    doc, t = draft.doc, draft.t
    taken = set(draft.header.headers)
    data: dict[str, Any] = {"version": 1, "name": t("name.recipe", stem=draft.sheet_path.stem)}
    source: dict[str, Any] = {}
    if draft.header.sheet is not None:
        source["sheet"] = draft.header.sheet
        doc.inline[("source", "sheet")] = t("c.sheet")
    source["header_row"] = "auto"
    name = R.name_header(draft.header.headers)
    if name is not None:  # who a row is: the review sheet shows it, and it stays in view when scrolling right
        source["label_columns"] = [name]
        doc.inline[("source", "label_columns")] = t("c.label_columns")
    data["source"] = source
    data["feishu"] = {"app_id": "${FEISHU_APP_ID}", "app_secret": "${FEISHU_APP_SECRET}"}
    doc.above[("feishu", "app_id")] = [t("c.feishu1"), t("c.feishu2"), t("c.feishu3")]
    if talent_inputs:
        data["talent"] = {
            "inputs": talent_inputs,
            "mode": "all",
            "columns": {f: _output_name(draft, f, taken) for f in ("talent_id", "is_onboarded")},
            "status_column": _output_name(draft, "talent_status", taken),
            "note_column": _output_name(draft, "talent_note", taken),
        }
        doc.above[("talent",)] = ["", t("c.talent")]
        doc.inline.update({("talent", "mode"): t("c.mode"), ("talent", "columns"): t("c.columns"),
                           ("talent", "status_column"): t("c.talent_status"), ("talent", "note_column"): t("c.note")})
    if job:
        named = job.pop("names", [])
        job["columns"] = {f: _output_name(draft, f, taken) for f in JOB_FIELDS}
        for name in named:  # Feishu's name beside the sheet's (8 catalogues: a "col." text each)
            job["columns"][name.path] = _output_name(draft, name.path, taken)
            if not name.compared:
                doc.inline[("job_data", "columns", name.path)] = t("c.join_name", header=name.column.header, path=name.path)
        job["status_column"] = _output_name(draft, "job_status", taken)
        job["note_column"] = _output_name(draft, "job_note", taken)
        data["job_data"] = job
        doc.above[("job_data",)] = ["", t("c.job")]
        doc.inline.update({("job_data", "columns"): t("c.columns"), ("job_data", "status_column"): t("c.job_status"),
                           ("job_data", "note_column"): t("c.note")})
    data["output"] = {"path": "{stem}.reconciled.xlsx", "writers": ["xlsx"], "locale": draft.locale,
                      "status_labels": "locale"}
    doc.inline[("output", "status_labels")] = t("c.status_labels")
    data["cache"] = {"enabled": True, "expire_after": "1h"}
    doc.inline.update({("version",): t("c.version"), ("name",): t("c.name"), ("output", "path"): t("c.output_path"),
                       ("output", "writers"): t("c.writers"), ("output", "locale"): t("c.locale"),
                       ("cache", "expire_after"): t("c.cache")})
    for section in ("source", "feishu", "output", "cache"):
        doc.above.setdefault((section,), []).insert(0, "")
    doc.data = data
    _settle_header_row(draft)


def _settle_header_row(draft: Draft) -> None:
    """Keep `header_row: auto` when the reader's own search lands on the same row; else write the number."""
    source = draft.doc.data["source"]
    _, auto_row, _ = list_headers(draft.sheet_path, draft.header.sheet, "auto", _mapped(draft.doc.data))
    if auto_row == draft.header.number:
        draft.doc.inline[("source", "header_row")] = draft.t("c.header_auto", row=draft.header.number)
    else:
        source["header_row"] = draft.header.number
        draft.doc.inline[("source", "header_row")] = draft.t("c.header_number")
    draft.header_row = source["header_row"]
