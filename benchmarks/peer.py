"""The peer: the loop a user of Feishu's official SDK writes, one row at a time.

For each row: one `batch_get_id` carrying every identifier of the row (its
mobile, email and ID number lists together), then one `job_datas` call for the
row's employee; sequential, nothing cached, the token fetched once (the SDK
caches it). The official SDK (lark-oapi) sends each call as one HTTP request with
`requests` and does not retry; this does the same with a plain requests.Session.
"""

from __future__ import annotations

import time

import requests

ID_TYPES = {"身份证": 1, "护照": 2}


def row_body(row: list) -> dict:
    """The batch_get_id body an SDK user builds from a row, as the cells read."""
    _, code, mobile, email, id_type, id_number = row[:6]
    body: dict = {"mobile_code": str(code or "86").lstrip("+"), "mobile_number_list": [str(mobile)]}
    if email:
        body["email_list"] = [email]
    if id_number:
        body["identification_type"] = ID_TYPES.get(id_type, 1)
        body["identification_number_list"] = [id_number]
    return body


def run_peer(base_url: str, app_id: str, app_secret: str, rows: list[list]) -> dict:
    """Requests sent and seconds taken for `rows`, one row at a time."""
    session = requests.Session()
    started = time.perf_counter()
    token = session.post(f"{base_url}/open-apis/auth/v3/tenant_access_token/internal",
                         json={"app_id": app_id, "app_secret": app_secret}, timeout=30).json()["tenant_access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    sent = failed = 0
    for row in rows:
        answers = (
            session.post(f"{base_url}/open-apis/hire/v1/talents/batch_get_id", json=row_body(row), headers=headers,
                         timeout=30),
            session.get(f"{base_url}/open-apis/corehr/v1/job_datas", headers=headers, timeout=30,
                        params={"page_size": "100", "employment_id": row[6], "user_id_type": "user_id",
                                "department_id_type": "department_id"}),
        )
        sent += len(answers)
        failed += sum(a.json().get("code") != 0 for a in answers)
    session.close()
    return {"rows": len(rows), "requests": sent, "failed": failed, "seconds": time.perf_counter() - started}
