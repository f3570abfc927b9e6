"""GET /open-apis/corehr/v1/job_datas, as the seed page and feishu-api.md describe it.

Order: by employment (people_corehr_id), then effective_time, then job-data ID and
version. The page token is opaque to clients: urlsafe base64 of the offset and a
fingerprint of the filters, signed with the sandbox's key, so a token used with
other filters or tampered with is a 400 99992402, as Feishu does.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from reconciler.feishu.endpoints import DEPARTMENT_ID_TYPES, JOB_DATAS, USER_ID_TYPES
from reconciler.sandbox.answer import Answer, invalid_field, ok
from reconciler.sandbox.jobdata import FIELD_SCOPES
from reconciler.sandbox.tenant import Tenant

EMPLOYEE_ID_SCOPE = "contact:user.employee_id:readonly"
MAX_PAGE_SIZE, MAX_IDS = JOB_DATAS.page_size or 100, JOB_DATAS.max_ids or 100
DEFAULT_ID_TYPES = JOB_DATAS.id_types  # user_id_type people_corehr_id, department_id_type people_corehr_department_id
# Go's strconv.ParseBool, which the Open Platform's gateway uses for boolean query params.
_BOOLS = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
          "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}
BEIJING = dt.timezone(dt.timedelta(hours=8))


def beijing_now() -> str:
    """Job-data timestamps are Beijing wall-clock time ("YYYY-MM-DD HH:MM:SS")."""
    return dt.datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def is_current(record: dict[str, Any], now: str) -> bool:
    """effective_time <= now < expiration_time; a missing or empty expiration is open-ended."""
    expiration = record.get("expiration_time") or None
    return record["effective_time"] <= now and (expiration is None or now < expiration)


class PageTokens:
    def __init__(self, key: bytes):
        self._key = key

    def _sign(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:16]

    def make(self, offset: int, fingerprint: str) -> str:
        text = f"{offset}:{fingerprint}"
        return base64.urlsafe_b64encode(f"{text}:{self._sign(text)}".encode()).decode().rstrip("=")

    def read(self, token: str, fingerprint: str) -> int | None:
        """The offset a token stands for, or None if it is not one of ours for these filters."""
        try:
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            offset, fp, sig = text.split(":")
        except (ValueError, UnicodeDecodeError):
            return None
        if not hmac.compare_digest(sig, self._sign(f"{offset}:{fp}")) or fp != fingerprint or not offset.isdigit():
            return None
        return int(offset)


def _single(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _parse(query: dict[str, list[str]]) -> dict[str, Any] | Answer:
    page_size = _single(query, "page_size")
    if page_size is None or page_size == "":
        return invalid_field("page_size", "is required")
    if not (page_size.isascii() and page_size.isdigit()) or not 1 <= int(page_size) <= MAX_PAGE_SIZE:
        return invalid_field("page_size", f"must be an integer from 1 to {MAX_PAGE_SIZE}")
    user_id_type = _single(query, "user_id_type") or DEFAULT_ID_TYPES["user_id_type"]
    if user_id_type not in USER_ID_TYPES:
        return invalid_field("user_id_type", f"must be one of {', '.join(USER_ID_TYPES)}")
    department_id_type = _single(query, "department_id_type") or DEFAULT_ID_TYPES["department_id_type"]
    if department_id_type not in DEPARTMENT_ID_TYPES:
        return invalid_field("department_id_type", f"must be one of {', '.join(DEPARTMENT_ID_TYPES)}")
    all_versions = _single(query, "get_all_version") or "false"
    if all_versions not in _BOOLS:
        return invalid_field("get_all_version", "must be true or false")
    job_data_ids = [v for v in query.get("job_data_id_list", []) if v]
    if len(job_data_ids) > MAX_IDS:
        return invalid_field("job_data_id_list", f"at most {MAX_IDS} items")
    return {
        "page_size": int(page_size),
        "page_token": _single(query, "page_token") or None,
        "employment_id": _single(query, "employment_id") or None,
        "job_data_id_list": job_data_ids,
        "department_id": _single(query, "department_id") or None,
        "job_id": _single(query, "job_id") or None,
        "get_all_version": _BOOLS[all_versions],
        "user_id_type": user_id_type,
        "department_id_type": department_id_type,
    }


def _fingerprint(params: dict[str, Any]) -> str:
    filters = {k: v for k, v in params.items() if k not in ("page_size", "page_token")}
    filters["job_data_id_list"] = sorted(filters["job_data_id_list"])
    return hashlib.sha256(json.dumps(filters, sort_keys=True).encode()).hexdigest()[:16]


def _select(tenant: Tenant, p: dict[str, Any], now: str) -> list[dict[str, Any]]:
    employment = department = None
    if p["employment_id"] is not None:
        by_id = {e.id_of_type(p["user_id_type"]): e.people_corehr_id for e in tenant.employees}
        employment = by_id.get(p["employment_id"], "")  # unknown ID: matches nothing
    if p["department_id"] is not None:
        by_id = {d.id_of_type(p["department_id_type"]): d.people_corehr_department_id for d in tenant.departments}
        department = by_id.get(p["department_id"], "")
    wanted_ids = set(p["job_data_id_list"])
    chosen = [
        r for r in tenant.job_datas
        if (employment is None or r.get("employment_id") == employment)
        and (department is None or r.get("department_id") == department)
        and (p["job_id"] is None or r.get("job_id") == p["job_id"])
        and (not wanted_ids or r.get("id") in wanted_ids)
        and (p["get_all_version"] or is_current(r, now))
    ]
    chosen.sort(key=lambda r: (r.get("employment_id", ""), r["effective_time"], r["id"], r.get("version_id", "")))
    return chosen


def _render(record: dict[str, Any], tenant_maps: tuple[dict, dict], p: dict[str, Any],
            has_scope: Callable[[str], bool]) -> dict[str, Any]:
    employees, departments = tenant_maps
    item = dict(record)
    for name, scopes in FIELD_SCOPES.items():
        if not any(has_scope(s) for s in scopes):
            item.pop(name, None)
    employee = employees.get(record.get("employment_id"))
    if p["user_id_type"] == "user_id" and not has_scope(EMPLOYEE_ID_SCOPE):
        item.pop("employment_id", None)
    elif employee is not None:
        item["employment_id"] = employee.id_of_type(p["user_id_type"])
    elif p["user_id_type"] != "people_corehr_id":
        item.pop("employment_id", None)
    department = departments.get(record.get("department_id"))
    if department is not None:
        item["department_id"] = department.id_of_type(p["department_id_type"])
    return item


def list_job_datas(query: dict[str, list[str]], tenant: Tenant, has_scope: Callable[[str], bool],
                   tokens: PageTokens, now: str | None = None) -> Answer:
    p = _parse(query)
    if isinstance(p, Answer):
        return p
    fingerprint = _fingerprint(p)
    offset = 0
    if p["page_token"] is not None:
        offset = tokens.read(p["page_token"], fingerprint)
        if offset is None:
            return invalid_field("page_token", "is not valid for this query")
    records = _select(tenant, p, now or beijing_now())
    page = records[offset:offset + p["page_size"]]
    maps = ({e.people_corehr_id: e for e in tenant.employees},
            {d.people_corehr_department_id: d for d in tenant.departments})
    data: dict[str, Any] = {"items": [_render(r, maps, p, has_scope) for r in page]}
    end = offset + len(page)
    data["has_more"] = end < len(records)
    if data["has_more"]:
        data["page_token"] = tokens.make(end, fingerprint)
    return ok(data, msg="success")
