"""Sandbox auth: the token endpoint, token reuse/rotation, token errors, disabled apps, scopes."""

from __future__ import annotations

import pytest
import requests

from reconciler.sandbox import (ENDPOINT_AUTH, ENDPOINT_JOB_DATAS, ENDPOINT_TALENTS, SANDBOX_APP_ID,
                                SANDBOX_APP_SECRET, Sandbox)

CREDS = {"app_id": SANDBOX_APP_ID, "app_secret": SANDBOX_APP_SECRET}


def auth(sb: Sandbox, **body) -> requests.Response:
    return requests.post(f"{sb.url}/open-apis/{ENDPOINT_AUTH}", json=body or CREDS, timeout=5)


def token(sb: Sandbox) -> str:
    return auth(sb).json()["tenant_access_token"]


def talents(sb: Sandbox, authorization: str | None) -> requests.Response:
    headers = {"Authorization": authorization} if authorization is not None else {}
    return requests.post(f"{sb.url}/open-apis/{ENDPOINT_TALENTS}", json={"mobile_number_list": ["13800138001"]},
                         headers=headers, timeout=5)


def job_datas(sb: Sandbox, tok: str) -> requests.Response:
    return requests.get(f"{sb.url}/open-apis/{ENDPOINT_JOB_DATAS}", params={"page_size": "10"},
                        headers={"Authorization": f"Bearer {tok}"}, timeout=5)


@pytest.fixture
def sb():
    with Sandbox() as sandbox:
        yield sandbox


def test_auth_success_returns_a_t_token_and_its_lifetime(sb):
    r = auth(sb)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    body = r.json()
    assert body["code"] == 0 and body["msg"] == "ok"
    assert body["tenant_access_token"].startswith("t-") and len(body["tenant_access_token"]) > 20
    assert body["expire"] == 7200
    assert sb.stats.snapshot()[ENDPOINT_AUTH]["requests"] == 1


@pytest.mark.parametrize("body, code", [
    ({"app_id": "cli_unknown", "app_secret": SANDBOX_APP_SECRET}, 99991543),
    ({"app_id": SANDBOX_APP_ID, "app_secret": "wrong"}, 10014),
    ({"app_id": SANDBOX_APP_ID}, 10003),
])
def test_auth_errors(sb, body, code):
    r = auth(sb, **body)
    assert r.status_code == 400
    assert r.json()["code"] == code
    assert "tenant_access_token" not in r.json()


def test_custom_credentials_are_the_only_ones_accepted():
    with Sandbox(app_id="cli_custom", app_secret="s3cret") as sb:
        assert auth(sb).json()["code"] == 99991543
        assert auth(sb, app_id="cli_custom", app_secret="s3cret").json()["code"] == 0


def test_disabled_app_gets_no_token_and_existing_tokens_stop_working(sb):
    tok = token(sb)
    sb.configure(app_disabled=True)
    assert auth(sb).json()["code"] == 99991662
    r = talents(sb, f"Bearer {tok}")
    assert (r.status_code, r.json()["code"]) == (400, 99991662)
    sb.configure(app_disabled=False)
    assert talents(sb, f"Bearer {tok}").json()["code"] == 0


def test_token_is_reused_outside_the_refresh_window_and_rotated_inside_it(sb):
    first = auth(sb).json()
    again = auth(sb).json()
    assert again["tenant_access_token"] == first["tenant_access_token"]
    assert 7198 <= again["expire"] <= 7200

    sb.age_tokens(7200 - 1000)  # 1000 s left: inside the 30 min window
    rotated = auth(sb).json()
    assert rotated["tenant_access_token"] != first["tenant_access_token"]
    assert rotated["expire"] == 7200
    # the old token stays valid until its own expiry...
    assert talents(sb, f"Bearer {first['tenant_access_token']}").json()["code"] == 0
    # ...and then only the new one works
    sb.age_tokens(1001)
    assert talents(sb, f"Bearer {first['tenant_access_token']}").json()["code"] == 99991663
    assert talents(sb, f"Bearer {rotated['tenant_access_token']}").json()["code"] == 0
    assert auth(sb).json()["tenant_access_token"] == rotated["tenant_access_token"]


def test_refresh_window_scales_with_short_ttl():
    with Sandbox(token_ttl=100) as sb:  # window = 25 s
        first = auth(sb).json()
        assert first["expire"] == 100
        sb.age_tokens(70)  # 30 s left: still reused
        assert auth(sb).json()["tenant_access_token"] == first["tenant_access_token"]
        sb.age_tokens(10)  # 20 s left: rotated
        assert auth(sb).json()["tenant_access_token"] != first["tenant_access_token"]


def test_expire_tokens_makes_every_token_expired_and_the_next_auth_issues_a_new_one(sb):
    tok = token(sb)
    assert talents(sb, f"Bearer {tok}").json()["code"] == 0
    sb.expire_tokens()
    r = talents(sb, f"Bearer {tok}")
    assert (r.status_code, r.json()["code"]) == (400, 99991663)
    fresh = token(sb)
    assert fresh != tok
    assert talents(sb, f"Bearer {fresh}").json()["code"] == 0


@pytest.mark.parametrize("authorization, code", [
    (None, 99991661),
    ("", 99991661),
    ("Bearer ", 99991661),
    ("Bearer u-abcdef", 99991671),
    ("Basic dXNlcjpwYXNz", 99991671),
    ("Bearer t-not-a-token-we-issued", 99991665),
])
def test_token_errors(sb, authorization, code):
    r = talents(sb, authorization)
    assert r.status_code == 400
    assert r.json()["code"] == code
    assert "data" not in r.json()


def test_token_error_status_is_configurable():
    with Sandbox(token_error_status=200) as sb:
        r = talents(sb, "Bearer t-unknown")
        assert (r.status_code, r.json()["code"]) == (200, 99991665)


def test_missing_endpoint_scope_is_99991672():
    with Sandbox(scopes={"corehr:job_data:read"}) as sb:
        tok = token(sb)
        r = talents(sb, f"Bearer {tok}")
        assert r.json()["code"] == 99991672
        assert "hire:talent:readonly" in r.json()["msg"]
        assert job_datas(sb, tok).json()["code"] == 0
        sb.configure(scopes={"hire:talent"})
        assert talents(sb, f"Bearer {tok}").json()["code"] == 0
        assert job_datas(sb, tok).json()["code"] == 99991672


@pytest.mark.parametrize("scope", ["corehr:corehr:readonly", "corehr:job_data:read", "corehr:corehr",
                                   "corehr:job_data:write"])
def test_any_job_data_scope_is_enough(scope):
    with Sandbox(scopes={scope}) as sb:
        assert job_datas(sb, token(sb)).json()["code"] == 0


def test_unknown_path_is_a_json_404(sb):
    r = requests.get(f"{sb.url}/open-apis/hire/v1/talents", timeout=5)
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    assert r.json()["code"] != 0
    assert requests.get(f"{sb.url}/open-apis/{ENDPOINT_TALENTS}", timeout=5).status_code == 404
