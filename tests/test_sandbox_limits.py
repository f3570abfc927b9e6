"""Sandbox rate limits, statistics, faults, latency, concurrency and the `python -m reconciler.sandbox` entry."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from reconciler.sandbox import (ENDPOINT_AUTH, ENDPOINT_JOB_DATAS, ENDPOINT_TALENTS, SANDBOX_APP_ID,
                                SANDBOX_APP_SECRET, Sandbox)

BODY = {"mobile_number_list": ["13800138001"]}


def bearer(sb: Sandbox) -> dict[str, str]:
    r = requests.post(f"{sb.url}/open-apis/{ENDPOINT_AUTH}",
                      json={"app_id": SANDBOX_APP_ID, "app_secret": SANDBOX_APP_SECRET}, timeout=5)
    return {"Authorization": f"Bearer {r.json()['tenant_access_token']}"}


def post_talents(sb: Sandbox, headers: dict[str, str]) -> requests.Response:
    return requests.post(f"{sb.url}/open-apis/{ENDPOINT_TALENTS}", json=BODY, headers=headers, timeout=10)


def get_job_datas(sb: Sandbox, headers: dict[str, str]) -> requests.Response:
    return requests.get(f"{sb.url}/open-apis/{ENDPOINT_JOB_DATAS}", params={"page_size": "1"}, headers=headers,
                        timeout=10)


def burst(sb: Sandbox, headers: dict[str, str], n: int) -> list[requests.Response]:
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda _: post_talents(sb, headers), range(n)))


def test_burst_over_per_second_gets_429_with_both_headers():
    with Sandbox(per_second=5, per_minute=1000) as sb:
        headers = bearer(sb)
        answers = burst(sb, headers, 20)
        limited = [r for r in answers if r.status_code == 429]
        assert len(limited) >= 10  # 20 concurrent requests cannot spread over 3 s
        for r in limited:
            assert r.json() == {"code": 99991400, "msg": "request trigger frequency limit"}
            assert r.headers["x-ogw-ratelimit-limit"] == "5"
            assert r.headers["x-ogw-ratelimit-reset"] == "1"
            assert r.headers["Content-Type"] == "application/json; charset=utf-8"
        ok = [r for r in answers if r.status_code == 200]
        assert ok and all("x-ogw-ratelimit-limit" in r.headers and int(r.headers["x-ogw-ratelimit-reset"]) >= 1
                          for r in ok)
        stats = sb.stats.snapshot()[ENDPOINT_TALENTS]
        assert stats["requests"] == 20
        assert stats["accepted"] + stats["rate_limited"] == 20 and stats["rate_limited"] == len(limited)
        assert stats["max_per_second"] == 5
        # job_datas has its own windows
        assert get_job_datas(sb, headers).status_code == 200


def test_per_minute_limit_and_reset_header():
    with Sandbox(per_second=50, per_minute=3) as sb:
        headers = bearer(sb)
        statuses = [post_talents(sb, headers).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        r = post_talents(sb, headers)
        assert r.status_code == 429
        assert r.headers["x-ogw-ratelimit-limit"] == "3"
        assert 55 <= int(r.headers["x-ogw-ratelimit-reset"]) <= 60
        stats = sb.stats.snapshot()[ENDPOINT_TALENTS]
        assert (stats["accepted"], stats["rate_limited"], stats["max_per_minute"]) == (3, 1, 3)
        # the auth endpoint is not limited by the API windows
        assert all("Authorization" in bearer(sb) for _ in range(5))
        assert sb.stats.snapshot()[ENDPOINT_AUTH]["rate_limited"] == 0


def test_accepted_requests_never_exceed_the_window_under_sustained_load():
    with Sandbox(per_second=10, per_minute=1000) as sb:
        headers = bearer(sb)
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda _: post_talents(sb, headers), range(80)))
        assert {r.status_code for r in answers} == {200, 429}
        stats = sb.stats.snapshot()[ENDPOINT_TALENTS]
        assert stats["max_per_second"] == 10
        assert stats["max_per_minute"] == stats["accepted"]
        sb.stats.reset()
        assert sb.stats.snapshot()[ENDPOINT_TALENTS]["requests"] == 0


def test_keep_alive_serves_many_requests_on_one_connection():
    with Sandbox() as sb:
        headers = {**bearer(sb), "Content-Type": "application/json; charset=utf-8"}
        conn = http.client.HTTPConnection(sb.host, sb.port, timeout=5)
        try:
            conn.connect()
            sock = conn.sock
            for _ in range(3):
                conn.request("POST", f"/open-apis/{ENDPOINT_TALENTS}", body=json.dumps(BODY), headers=headers)
                resp = conn.getresponse()
                payload = resp.read()
                assert resp.status == 200 and json.loads(payload)["code"] == 0
                assert resp.getheader("Content-Length") == str(len(payload))
                assert conn.sock is sock  # the server did not close the connection
        finally:
            conn.close()


@pytest.mark.parametrize("fault, status, code", [
    ("1002001", 200, 1002001),
    ("500", 500, 1002001),
])
def test_talent_faults(fault, status, code):
    with Sandbox(fault_rate=1.0, faults=(fault,)) as sb:
        r = post_talents(sb, bearer(sb))
        assert (r.status_code, r.json()["code"]) == (status, code)
        assert sb.stats.snapshot()[ENDPOINT_TALENTS]["faults"] == 1


@pytest.mark.parametrize("fault", ["1002001", "500"])
def test_job_data_faults_are_500_1160999(fault):
    with Sandbox(fault_rate=1.0, faults=(fault,)) as sb:
        r = get_job_datas(sb, bearer(sb))
        assert (r.status_code, r.json()) == (500, {"code": 1160999, "msg": "unknown error"})


def test_502_fault_is_an_html_bad_gateway():
    with Sandbox(fault_rate=1.0, faults=("502",)) as sb:
        r = post_talents(sb, bearer(sb))
        assert r.status_code == 502
        assert r.headers["Content-Type"].startswith("text/html")
        assert "Bad Gateway" in r.text and r.text.lstrip().startswith("<html>")


def test_drop_fault_closes_the_connection_without_an_answer():
    with Sandbox(fault_rate=1.0, faults=("drop",)) as sb:
        with pytest.raises(requests.ConnectionError):
            post_talents(sb, bearer(sb))
        stats = sb.stats.snapshot()[ENDPOINT_TALENTS]
        assert (stats["requests"], stats["accepted"], stats["faults"]) == (1, 1, 1)


def test_slow_fault_answers_normally_after_slow_seconds():
    with Sandbox(fault_rate=1.0, faults=("slow",), slow_seconds=0.3) as sb:
        headers = bearer(sb)
        started = time.monotonic()
        r = post_talents(sb, headers)
        assert time.monotonic() - started >= 0.3
        assert r.json()["code"] == 0


def test_faults_are_seeded_and_follow_fault_rate():
    def outcomes(seed: int) -> list[int]:
        with Sandbox(fault_rate=0.5, faults=("500",), seed=seed) as sb:
            headers = bearer(sb)
            return [post_talents(sb, headers).status_code for _ in range(30)]

    first = outcomes(7)
    assert first == outcomes(7)
    assert set(first) == {200, 500}
    assert first != outcomes(8)


def test_latency_is_added_to_api_answers_and_configurable():
    with Sandbox(latency=0.25) as sb:
        headers = bearer(sb)
        started = time.monotonic()
        assert post_talents(sb, headers).status_code == 200
        assert time.monotonic() - started >= 0.25
        sb.configure(latency=(0.1, 0.2))
        started = time.monotonic()
        assert get_job_datas(sb, headers).status_code == 200
        assert time.monotonic() - started >= 0.1


def test_configure_rejects_unknown_options():
    sb = Sandbox()
    with pytest.raises(TypeError):
        sb.configure(tenant=None)
    with pytest.raises(ValueError):
        sb.configure(faults=("explode",))
    with pytest.raises(RuntimeError):
        sb.url


def test_python_dash_m_serves_and_answers():
    proc = subprocess.Popen([sys.executable, "-m", "reconciler.sandbox", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("Feishu sandbox listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1]
        r = requests.post(f"{url}/open-apis/{ENDPOINT_AUTH}",
                          json={"app_id": SANDBOX_APP_ID, "app_secret": SANDBOX_APP_SECRET}, timeout=5)
        assert r.json()["code"] == 0
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
