"""The name endpoints of feishu-names.md, as the simulator answers them.

Faithful to the page: each API's own ID-type defaults (departments and employees:
open_department_id / open_id), `fields` (departments, positions and employees
return only IDs without them), list maxima (HTTP 400 with the API's parameter-error
code), required page_size, paging with opaque page tokens. Unknown or inactive IDs
are left out of `items`; duplicates come back once; order is by ID (inferred rules
of the page's "General simulator rules").
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from reconciler.feishu.endpoints import DEPARTMENT_ID_TYPES, USER_ID_TYPES
from reconciler.sandbox.answer import Answer, fail, invalid_field, ok
from reconciler.sandbox.job_datas_api import PageTokens
from reconciler.sandbox.tenant import Tenant

PARAM_INVALID = 1160001  # job levels, families, locations, companies, cost centres (and grades, positions: inferred)
DEPT_PARAM_INVALID = 1160102  # departments and employees
POSITION_IDS_MAX = 200  # the API's own maximum (the client sends 100 so that one page holds them)


def _body(raw: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _list(body: dict, name: str, most: int, code: int, *, required: bool = False) -> list[str] | Answer:
    values = body.get(name)
    if values is None:
        values = []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return fail(400, code, f"param invalid: {name} must be a list of strings")
    if len(values) > most:
        return fail(400, code, f"param invalid: {name} has {len(values)} items, at most {most}")
    if required and not values:
        return fail(400, code, f"param invalid: {name} is required")
    return list(dict.fromkeys(values))  # duplicates come back once


def _single(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _id_type(query, name: str, allowed: tuple[str, ...], default: str, code: int) -> str | Answer:
    value = _single(query, name) or default
    if value not in allowed:
        return fail(400, code, f"param invalid: {name} must be one of {', '.join(allowed)}")
    return value


def _page_size(query, code: int, most: int = 100) -> int | Answer:
    text = _single(query, "page_size")
    if not text or not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= most:
        return fail(400, code, f"param invalid: page_size is required, an integer from 1 to {most}")
    return int(text)


def _paged(items: list[dict], query, body: dict, page_size: int, tokens: PageTokens, code: int) -> Answer:
    fingerprint = hashlib.sha256(json.dumps([sorted((k, v) for k, v in query.items() if k != "page_token"), body],
                                            sort_keys=True, default=str).encode()).hexdigest()[:16]
    offset = 0
    token = _single(query, "page_token")
    if token:
        offset = tokens.read(token, fingerprint)
        if offset is None:
            return fail(400, code, "param invalid: page_token is not valid for this query")
    page = items[offset:offset + page_size]
    data: dict[str, Any] = {"items": page, "has_more": offset + len(page) < len(items)}
    if data["has_more"]:
        data["page_token"] = tokens.make(offset + len(page), fingerprint)
    return ok(data, msg="success")


def _chosen(tenant: Tenant, kind: str, ids: list[str]) -> list[dict]:
    """Active records of a catalogue with these IDs (no ID filter: every active record), by ID."""
    catalog = tenant.catalog(kind)
    records = [catalog[i] for i in ids if i in catalog] if ids else list(catalog.values())
    return sorted((r for r in records if r.get("active", True)), key=lambda r: r["id"])


def departments(query, raw: bytes, tenant: Tenant) -> Answer:
    body = _body(raw)
    if body is None:
        return fail(400, DEPT_PARAM_INVALID, "param invalid: the body is not a JSON object")
    dept_type = _id_type(query, "department_id_type", DEPARTMENT_ID_TYPES, "open_department_id", DEPT_PARAM_INVALID)
    user_type = _id_type(query, "user_id_type", USER_ID_TYPES, "open_id", DEPT_PARAM_INVALID)
    for checked in (dept_type, user_type):
        if isinstance(checked, Answer):
            return checked
    ids = _list(body, "department_id_list", 100, DEPT_PARAM_INVALID)
    names = _list(body, "department_name_list", 100, DEPT_PARAM_INVALID)
    fields = _list(body, "fields", 100, DEPT_PARAM_INVALID)
    for checked in (ids, names, fields):
        if isinstance(checked, Answer):
            return checked
    if not ids and not names:
        return ok({"items": []}, msg="success")  # both lists empty: the result is empty
    by_id = {d.id_of_type(dept_type): d for d in tenant.departments}
    items = []
    for dept_id in sorted(set(ids) if ids else by_id):
        dept = by_id.get(dept_id)
        names_of = (dept.names or []) if dept else []
        if dept is None or (names and not any(n["value"] in names for n in names_of)):
            continue
        item: dict[str, Any] = {"id": dept_id}
        if "department_name" in fields:
            item["department_name"] = names_of
        if "code" in fields:
            item["code"] = dept.department_id
        if "active" in fields:
            item["active"] = True
        items.append(item)
    return ok({"items": items}, msg="success")


def _ids_or_codes(body: dict | None, ids_key: str, codes_key: str) -> tuple[list[str], list[str]] | Answer:
    if body is None:
        return fail(400, PARAM_INVALID, "param invalid: the body is not a JSON object")
    ids = _list(body, ids_key, 100, PARAM_INVALID)
    codes = _list(body, codes_key, 100, PARAM_INVALID)
    for checked in (ids, codes):
        if isinstance(checked, Answer):
            return checked
    return ids, codes  # type: ignore[return-value]


def _by_ids_and_codes(tenant: Tenant, kind: str, ids: list[str], codes: list[str]) -> list[dict]:
    records = _chosen(tenant, kind, ids)
    return [r for r in records if not codes or r.get("code") in codes]


def job_levels(query, raw: bytes, tenant: Tenant) -> Answer:
    found = _ids_or_codes(_body(raw), "job_level_ids", "job_level_codes")
    if isinstance(found, Answer):
        return found
    ids, codes = found
    if not ids and not codes:
        return fail(400, PARAM_INVALID, "param invalid: job_level_ids or job_level_codes is required")
    items = [{"job_level_id": r["id"], "code": r.get("code"), "name": r["names"], "active": True,
              "level_order": r.get("order", 0)} for r in _by_ids_and_codes(tenant, "job_levels", ids, codes)]
    return ok({"items": items}, msg="success")


def job_families(query, raw: bytes, tenant: Tenant) -> Answer:
    found = _ids_or_codes(_body(raw), "job_family_ids", "job_family_codes")
    if isinstance(found, Answer):
        return found
    ids, codes = found
    if not ids and not codes:
        return fail(400, PARAM_INVALID, "param invalid: job_family_ids or job_family_codes is required")
    items = [{"job_family_id": r["id"], "code": r.get("code"), "name": r["names"], "active": True,
              "selectable": True} for r in _by_ids_and_codes(tenant, "job_families", ids, codes)]
    return ok({"items": items}, msg="success")


def job_grades(query, raw: bytes, tenant: Tenant, tokens: PageTokens) -> Answer:
    page_size = _page_size(query, PARAM_INVALID)
    if isinstance(page_size, Answer):
        return page_size
    body = _body(raw)
    found = _ids_or_codes(body, "ids", "codes")
    if isinstance(found, Answer):
        return found
    ids, codes = found
    items = [{"job_grade_id": r["id"], "code": r.get("code"), "names": r["names"], "active": True,
              "grade_order": r.get("order", 0)} for r in _by_ids_and_codes(tenant, "job_grades", ids, codes)]
    return _paged(items, query, body or {}, page_size, tokens, PARAM_INVALID)


def employee_types(query, raw: bytes, tenant: Tenant, tokens: PageTokens) -> Answer:
    text = _single(query, "page_size")
    if not text or not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2000:
        return invalid_field("page_size", "is required, an integer from 1 to 1999")
    items = [{"id": r["id"], "name": r["names"], "code": r.get("code"), "active": True,
              "default_employee_type": r.get("default", False)} for r in _chosen(tenant, "employee_types", [])]
    return _paged(items, query, {}, int(text), tokens, PARAM_INVALID)


def _hiberarchy(r: dict) -> dict:
    return {"name": r["names"], "active": True, "code": r.get("code"), "parent_id": r.get("parent_id")}


def locations(query, raw: bytes, tenant: Tenant) -> Answer:
    body = _body(raw)
    ids = _list(body or {}, "location_ids", 100, PARAM_INVALID, required=True)
    if isinstance(ids, Answer):
        return ids
    items = [{"location_id": r["id"], "hiberarchy_common": _hiberarchy(r)} for r in _chosen(tenant, "locations", ids)]
    return ok({"items": items}, msg="success")


def companies(query, raw: bytes, tenant: Tenant) -> Answer:
    body = _body(raw)
    ids = _list(body or {}, "company_ids", 100, PARAM_INVALID, required=True)
    if isinstance(ids, Answer):
        return ids
    items = [{"company_id": r["id"], "hiberarchy_common": _hiberarchy(r), "currency": {"currency_alpha_3_code": "CNY"}}
             for r in _chosen(tenant, "companies", ids)]
    return ok({"items": items}, msg="success")


def positions(query, raw: bytes, tenant: Tenant, tokens: PageTokens) -> Answer:
    page_size = _page_size(query, PARAM_INVALID)
    if isinstance(page_size, Answer):
        return page_size
    for name, allowed in (("department_id_type", DEPARTMENT_ID_TYPES), ("user_id_type", USER_ID_TYPES)):
        checked = _id_type(query, name, allowed, allowed[-1], PARAM_INVALID)
        if isinstance(checked, Answer):
            return checked
    body = _body(raw)
    if body is None:
        return fail(400, PARAM_INVALID, "param invalid: the body is not a JSON object")
    ids = _list(body, "position_ids", POSITION_IDS_MAX, PARAM_INVALID)
    fields = _list(body, "fields", 100, PARAM_INVALID)
    for checked in (ids, fields):
        if isinstance(checked, Answer):
            return checked
    items = []
    for r in _chosen(tenant, "positions", ids):
        item: dict[str, Any] = {"position_id": r["id"]}  # fields empty: only the ID comes back
        if "name" in fields:
            item["names"] = r["names"]
        if "code" in fields:
            item["code"] = r.get("code")
        if "active" in fields:
            item["active"] = True
        items.append(item)
    return _paged(items, query, body, page_size, tokens, PARAM_INVALID)


def cost_centers(query, raw: bytes, tenant: Tenant, tokens: PageTokens) -> Answer:
    page_size = _page_size(query, PARAM_INVALID)
    if isinstance(page_size, Answer):
        return page_size
    body = _body(raw)
    if body is None:
        return fail(400, PARAM_INVALID, "param invalid: the body is not a JSON object")
    ids = _list(body, "cost_center_id_list", 100, PARAM_INVALID)
    if isinstance(ids, Answer):
        return ids
    items = [{"cost_center_id": r["id"], "version_id": f"{r['id']}1", "name": r["names"], "code": r.get("code"),
              "active": True, "effective_time": "2020-01-01"} for r in _chosen(tenant, "cost_centers", ids)]
    return _paged(items, query, body, page_size, tokens, PARAM_INVALID)


def employees(query, raw: bytes, tenant: Tenant) -> Answer:
    user_type = _id_type(query, "user_id_type", USER_ID_TYPES, "open_id", DEPT_PARAM_INVALID)
    dept_type = _id_type(query, "department_id_type", DEPARTMENT_ID_TYPES, "open_department_id", DEPT_PARAM_INVALID)
    for checked in (user_type, dept_type):
        if isinstance(checked, Answer):
            return checked
    body = _body(raw)
    if body is None:
        return fail(400, DEPT_PARAM_INVALID, "param invalid: the body is not a JSON object")
    lists = {name: _list(body, name, 100, DEPT_PARAM_INVALID) for name in ("employment_ids", "person_ids", "work_emails")}
    fields = _list(body, "fields", 100, DEPT_PARAM_INVALID)
    for checked in (*lists.values(), fields):
        if isinstance(checked, Answer):
            return checked
    if not any(lists.values()):
        return fail(400, DEPT_PARAM_INVALID, "param invalid: employment_ids, person_ids or work_emails is required")
    by_id = {e.id_of_type(user_type): e for e in tenant.employees}  # type: ignore[arg-type]
    # Only the first non-empty list is used; the simulator knows employees by employment ID only.
    wanted = lists["employment_ids"] if lists["employment_ids"] else []
    items = []
    for employment_id in sorted(set(wanted)):
        person = by_id.get(employment_id)
        if person is None:
            continue
        item: dict[str, Any] = {"employment_id": employment_id, "employment_id_v2": employment_id}
        info = {}
        if "person_info.preferred_name" in fields:
            info["preferred_name"] = person.preferred_name
        if "person_info.preferred_local_full_name" in fields:
            info["preferred_local_full_name"] = person.local_name or person.name
        if "person_info.preferred_english_full_name" in fields and person.english_name:
            info["preferred_english_full_name"] = person.english_name
        if info:
            item["person_info"] = info
        items.append(item)
    return ok({"items": items}, msg="success")
