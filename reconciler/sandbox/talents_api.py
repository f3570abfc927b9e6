"""POST /open-apis/hire/v1/talents/batch_get_id, as the seed page and feishu-api.md describe it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import phonenumbers

from reconciler.feishu.endpoints import TALENT_IDS
from reconciler.sandbox.answer import Answer, fail, invalid_field, ok
from reconciler.sandbox.tenant import Talent, Tenant

MAX_LIST = TALENT_IDS.max_ids or 100
MOBILE_INVALID = 1002009
ONBOARD_SCOPE = "hire:talent_onboard_status:readonly"
ID_TYPES = {1, 2, 3, 4, 5, 6, 9}
LISTS = ("mobile_number_list", "email_list", "identification_number_list")


class _Index:
    """Which talents (tenant positions) hold each mobile, email and ID number.

    A lookup scanned every talent: at 60,000 talents that is ~20 ms of one
    interpreter per request, and at 50 requests/s the sandbox fell behind reading
    requests, so its arrival times (what its rate limiter counts) lagged the wire
    by up to half a second. Rebuilt when the talent list is replaced or grows."""

    def __init__(self, talents: list[Talent]):
        self.source, self.size = talents, len(talents)
        self.mobile: dict[tuple, list[int]] = {}
        self.email: dict[str, list[int]] = {}
        self.id_number: dict[tuple, list[int]] = {}
        for position, t in enumerate(talents):
            if t.mobile_number:
                self.mobile.setdefault((t.mobile_code, t.mobile_number), []).append(position)
            if t.email:
                self.email.setdefault(t.email.lower(), []).append(position)
            if t.identification_number:
                self.id_number.setdefault((t.identification_type, t.identification_number.upper()), []).append(position)

    def fits(self, talents: list[Talent]) -> bool:
        return self.source is talents and self.size == len(talents)


_INDEXES: dict[int, tuple[Tenant, _Index]] = {}


def index_talents(tenant: Tenant) -> _Index:
    """The index of `tenant`'s talents, built now if it is not yet (a server may build it before serving)."""
    held = _INDEXES.get(id(tenant))
    if held is None or held[0] is not tenant or not held[1].fits(tenant.talents):
        held = _INDEXES[id(tenant)] = (tenant, _Index(tenant.talents))
    return held[1]


def mobile_is_valid(code: str, number: str) -> bool:
    """What the API accepts: a mainland mobile for 86, else a possible number for that country."""
    if not (code.isascii() and code.isdigit() and number.isascii() and number.isdigit()):
        return False
    if code == "86":
        return len(number) == 11 and number[0] == "1" and number[1] in "3456789"
    if phonenumbers.region_code_for_country_code(int(code)) == phonenumbers.UNKNOWN_REGION:
        return False
    try:
        parsed = phonenumbers.parse(f"+{code}{number}", None)
    except phonenumbers.NumberParseException:
        return False
    # "+85" + "2..." would parse as +852: the code must be the one sent.
    return parsed.country_code == int(code) and phonenumbers.is_possible_number(parsed)


def _read_body(raw: bytes) -> dict[str, Any] | Answer:
    try:
        body = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return invalid_field("body", "request body is not valid JSON")
    if not isinstance(body, dict):
        return invalid_field("body", "request body must be a JSON object")
    for name in LISTS:
        value = body.get(name)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return invalid_field(name, "must be an array of strings")
    code = body.get("mobile_code")
    if code is not None and not isinstance(code, str):
        return invalid_field("mobile_code", "must be a string")
    id_type = body.get("identification_type")
    if id_type is not None and (not isinstance(id_type, int) or isinstance(id_type, bool) or id_type not in ID_TYPES):
        return invalid_field("identification_type", f"must be one of {sorted(ID_TYPES)}")
    return body


def batch_get_id(raw_body: bytes, tenant: Tenant, has_scope: Callable[[str], bool]) -> Answer:
    body = _read_body(raw_body)
    if isinstance(body, Answer):
        return body
    # An empty list is treated as not sent: it neither filters nor is echoed.
    mobiles, emails, ids = (body.get(name) or [] for name in LISTS)
    if not (mobiles or emails or ids):
        return invalid_field("mobile_number_list", "at least one of mobile_number_list, email_list, "
                             "identification_number_list must be non-empty")
    for name, values in zip(LISTS, (mobiles, emails, ids)):
        if len(values) > MAX_LIST:
            return invalid_field(name, f"at most {MAX_LIST} items")
    id_type = body.get("identification_type")
    if ids and id_type is None:
        return invalid_field("identification_type", "required when identification_number_list is sent")
    code = body.get("mobile_code") or "86"
    if mobiles and not all(mobile_is_valid(code, m) for m in mobiles):
        # One bad number fails the whole request (seed page: 400 1002009).
        return fail(400, MOBILE_INVALID, "invalid mobile number or mobile_code")

    mobile_set = set(mobiles)
    email_set = {e.lower() for e in emails}
    id_set = {i.upper() for i in ids}

    def matches(t: Talent) -> bool:
        if mobiles and not (t.mobile_code == code and t.mobile_number in mobile_set):
            return False
        if emails and not (t.email and t.email.lower() in email_set):
            return False
        if ids and not (t.identification_type == id_type and t.identification_number
                        and t.identification_number.upper() in id_set):
            return False
        return True

    show_onboarded = has_scope(ONBOARD_SCOPE)
    # Candidates from the index (the first list sent narrows them), checked as before.
    index = index_talents(tenant)
    if mobiles:
        positions = {p for m in mobile_set for p in index.mobile.get((code, m), ())}
    elif emails:
        positions = {p for e in email_set for p in index.email.get(e, ())}
    else:
        positions = {p for i in id_set for p in index.id_number.get((id_type, i), ())}
    found = []
    for t in (tenant.talents[p] for p in sorted(positions)):  # tenant order: deterministic
        if not matches(t):
            continue
        item: dict[str, Any] = {"talent_id": t.talent_id}
        if mobiles:
            item.update(mobile_code=t.mobile_code, mobile_number=t.mobile_number)
        if emails:
            item["email"] = t.email
        if ids:
            item.update(identification_type=t.identification_type, identification_number=t.identification_number)
        if show_onboarded:
            item["is_onboarded"] = bool(t.is_onboarded)
        found.append(item)
    return ok({"talent_list": found})
