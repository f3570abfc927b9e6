"""Issue 15, from outside: a Feishu that misbehaves, unreachable or answering what the API
pages do not say, and base URLs that would leak. The command runs in a subprocess against
a small real HTTP server on loopback that answers as each case needs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openpyxl
import pytest

RECIPE = "version: 1\ntalent:\n  inputs:\n    mobile: 手机号\n    email: 邮箱\n  columns: {talent_id: Talent ID}\n"
MOBILE = "13800138001"
TOKEN = {"code": 0, "msg": "ok", "tenant_access_token": "t-abcdefgh12345678", "expire": 7200}


class Feishu(BaseHTTPRequestHandler):
    """Answers every request with `self.server.answer(path)` -> (status, content type, body bytes)."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        self._answer()

    def do_GET(self):
        self._answer()

    def _answer(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append((self.command, self.path, self.headers.get("Content-Type")))
        status, kind, body = self.server.answer(self.path)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def feishu():
    """feishu(answer) -> (base URL, the requests seen: (method, path, content type))."""
    servers = []

    def start(answer):
        server = ThreadingHTTPServer(("127.0.0.1", 0), Feishu)
        server.answer, server.seen = answer, []
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}", server.seen

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def as_json(payload, status=200):
    return status, "application/json; charset=utf-8", json.dumps(payload).encode()


def token_then(api):
    return lambda path: as_json(TOKEN) if "tenant_access_token" in path else api(path)


@pytest.fixture
def work(tmp_path) -> Path:
    (tmp_path / "recipe.yaml").write_text(RECIPE, encoding="utf-8")
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "手机号", "邮箱"])
    wb.active.append(["张伟", MOBILE, "zhang.wei@example.com"])
    wb.save(tmp_path / "in.xlsx")
    return tmp_path


def run(work: Path, base_url: str, *extra) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FEISHU_", "RECONCILER_"))}
    env.update({"LANG": "en_US.UTF-8", "FEISHU_BASE_URL": base_url, "FEISHU_APP_ID": "cli_x",
                "FEISHU_APP_SECRET": "s3cret-value", "RECONCILER_CACHE_PATH": str(work / "c.sqlite")})
    return subprocess.run([sys.executable, "-m", "reconciler.cli", "run", "recipe.yaml", "in.xlsx", "--no-cache",
                           "--log", "run.log", *extra], cwd=work, env=env, capture_output=True, text=True, timeout=120)


def statuses(work: Path) -> list:
    ws = openpyxl.load_workbook(work / "in.reconciled.xlsx").active
    header = [c.value for c in ws[1]]
    return [row[header.index("Talent status")] for row in ws.iter_rows(min_row=2, values_only=True)]


def no_leak(done: subprocess.CompletedProcess, work: Path) -> None:
    text = done.stdout + done.stderr + (work / "run.log").read_text(encoding="utf-8")
    assert "Traceback" not in done.stderr and "unexpected" not in done.stderr.lower(), done.stderr
    assert MOBILE not in text and "s3cret-value" not in text and "t-abcdefgh12345678" not in text


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_feishu_unreachable_is_said_on_the_terminal_with_the_url(work):
    url = f"http://127.0.0.1:{closed_port()}"
    done = run(work, url)
    assert done.returncode == 0, done.stderr
    assert "could not reach Feishu at " + url in done.stderr and "failed after retries" in done.stderr
    assert statuses(work) == ["Error"] or statuses(work) == ["error"]
    no_leak(done, work)


@pytest.mark.parametrize(("answer", "phrase"), [
    (lambda path: (200, "text/html", b"<html><body>Welcome to nginx</body></html>"), "with text/html instead of JSON"),
    (lambda path: as_json({"hello": "world"}), "not a Feishu answer (no code field)"),
])
def test_an_address_that_is_not_feishu_says_what_came_back(work, feishu, answer, phrase):
    url, _ = feishu(answer)
    done = run(work, url)
    assert done.returncode == 0, done.stderr
    assert phrase in done.stderr and url in done.stderr and "FEISHU_BASE_URL" in done.stderr, done.stderr
    no_leak(done, work)


def test_a_token_answer_with_a_non_numeric_expire_still_works(work, feishu):
    url, _ = feishu(lambda path: as_json({**TOKEN, "expire": "soon"}) if "tenant_access_token" in path
                    else as_json({"code": 0, "data": {"talent_list": []}}))
    done = run(work, url)
    assert done.returncode == 0, done.stderr
    assert statuses(work) in (["Not found"], ["not_found"])
    no_leak(done, work)


@pytest.mark.parametrize(("talents", "phrase"), [
    (["x", None], "item 1 of talent_list is a str, not an object"),
    ([{"talent_id": ["not", "text"], "mobile_code": "86", "mobile_number": MOBILE}], "item 1 of talent_list has a talent_id"),
    ("a string", "talent_list is a str, not a list"),
])
def test_malformed_items_become_error_rows_with_a_reason_and_no_personal_data(work, feishu, talents, phrase):
    url, _ = feishu(token_then(lambda path: as_json({"code": 0, "data": {"talent_list": talents}})))
    done = run(work, url)
    assert done.returncode == 0, done.stderr
    assert phrase in done.stderr, done.stderr
    assert statuses(work) in (["Error"], ["error"])
    no_leak(done, work)


def test_json_bodies_say_utf_8(work, feishu):
    url, seen = feishu(token_then(lambda path: as_json({"code": 0, "data": {"talent_list": []}})))
    assert run(work, url).returncode == 0
    posts = [kind for method, _, kind in seen if method == "POST"]
    assert len(posts) >= 2 and set(posts) == {"application/json; charset=utf-8"}


@pytest.mark.parametrize(("url", "phrase"), [
    ("https://admin:hunter2@open.feishu.cn", "user name or password"),
    ("http://open.feishu.cn", "unencrypted"),
])
def test_base_urls_that_would_leak_are_refused(work, url, phrase):
    done = run(work, url)
    assert done.returncode == 2 and phrase in done.stderr, done.stderr
    assert "hunter2" not in done.stdout + done.stderr
    assert not (work / "in.reconciled.xlsx").exists()
