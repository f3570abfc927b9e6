"""Issue 9: many runs of one app share one rate limit and one cache, on one machine
(file-backed bucket, SQLite cache) or across machines (everything in Redis).

The Redis tests start their own redis-server (the distribution's package) on a free
loopback port; where the binary or the redis package is missing they skip and say why.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.feishu import CacheSettings, FeishuClient, RateLimitedError, RateLimits
from reconciler.feishu.ratelimit import WINDOW_SLACK_MS
from reconciler.sandbox import (
    ENDPOINT_AUTH,
    ENDPOINT_JOB_DATAS,
    ENDPOINT_TALENTS,
    SANDBOX_APP_ID,
    SANDBOX_APP_SECRET,
    Sandbox,
    generate_tenant,
)

# requests-cache calls redis-py's setex, which redis-py 6+ marks deprecated: theirs to change, not ours.
pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")

EXE = str(Path(sys.executable).with_name("reconciler"))
RUNS = 4
ROWS_PER_RUN = 2500  # ~68 talent requests per run: four runs need ~6 s of the shared 50/s budget
REDIS_PASSWORD = "s3cret-redis-pw"
RECIPE = """\
version: 1
talent:
  inputs:
    mobile: {column: Mobile, code_column: Code}
    email: Email
    id_number: {column: ID number, type_column: ID type}
  columns: {talent_id: Talent ID}
output:
  writers: [jsonl]
"""


# -- fixtures ---------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    """A private redis-server (no persistence) with a password; yields its URL."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed (Debian/Ubuntu: apt-get install redis-server; .ci/run does it)")
    redis = pytest.importorskip("redis", reason="the redis package is not installed (pip install 'reconciler[redis]')")
    folder = tmp_path / "redis"
    folder.mkdir()
    for _ in range(3):  # a port found free can be taken before the server binds it: try another
        port = _free_port()
        proc = subprocess.Popen(
            [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(folder), "--requirepass", REDIS_PASSWORD, "--logfile", str(folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        url = f"redis://:{REDIS_PASSWORD}@127.0.0.1:{port}/0"
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 15
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)  # polling for start-up, not a timing assertion
        else:
            proc.kill()
            proc.wait()
            continue
        try:
            yield url
        finally:
            client.close()
            proc.terminate()
            proc.wait(timeout=10)
        return
    pytest.fail(f"redis-server did not start; see {folder / 'redis.log'}")


def _redis(url):
    import redis

    return redis.Redis.from_url(url)


@pytest.fixture(scope="module")
def big_tenant():
    return generate_tenant(talents=RUNS * ROWS_PER_RUN, employees=0, seed=90)


def write_sheet(path: Path, talents) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Mobile", "Code", "Email", "ID type", "ID number"])
        for t in talents:
            writer.writerow([t.mobile_number or "", t.mobile_code or "", t.email or "",
                             t.identification_type or "", t.identification_number or ""])
    return path


def write_recipe(path: Path, backend: str = "sqlite") -> Path:
    path.write_text(RECIPE + ("cache:\n  backend: redis\n" if backend == "redis" else ""), encoding="utf-8")
    return path


def base_env(tmp_path: Path, sb: Sandbox | None = None, redis_url: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "RECONCILER_CACHE_PATH")}
    env.update({"RECONCILER_CACHE_PATH": str(tmp_path / "shared-cache" / "cache.sqlite"),
                "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),  # nothing lands in the real user's cache
                "LC_ALL": "C.UTF-8"})  # messages in English, whatever the machine's language
    if sb is not None:
        env.update({"FEISHU_BASE_URL": sb.url, "FEISHU_APP_ID": SANDBOX_APP_ID, "FEISHU_APP_SECRET": SANDBOX_APP_SECRET})
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def run_wave(recipe: Path, sheets: list[Path], out: Path, env: dict) -> list[dict]:
    """Start one `reconciler run` per sheet at once; wait for all; return their reports."""
    out.mkdir()
    procs = [
        subprocess.Popen([EXE, "run", str(recipe), str(sheet), "-q", "-o", str(out / f"run{i}.jsonl"),
                          "--report", str(out / f"run{i}.json")], env=env, stderr=subprocess.PIPE, text=True)
        for i, sheet in enumerate(sheets)
    ]
    failures = []
    for i, proc in enumerate(procs):
        _, stderr = proc.communicate(timeout=180)
        if proc.returncode != 0:
            failures.append(f"run {i} exited {proc.returncode}: {stderr[-2000:]}")
    assert not failures, "\n".join(failures)
    return [json.loads((out / f"run{i}.json").read_text(encoding="utf-8")) for i in range(len(sheets))]


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- four runs at once -------------------------------------------------------------------

@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_four_runs_at_once_share_one_budget_and_the_second_wave_one_cache(backend, big_tenant, tmp_path, request):
    url = request.getfixturevalue("redis_url") if backend == "redis" else None
    sheets = [write_sheet(tmp_path / f"sheet{i}.csv", big_tenant.talents[i * ROWS_PER_RUN:(i + 1) * ROWS_PER_RUN])
              for i in range(RUNS)]
    recipe = write_recipe(tmp_path / "recipe.yaml", backend)
    with Sandbox(big_tenant) as sb:  # Feishu's real limits: 50/s and 1000/min per endpoint
        env = base_env(tmp_path, sb, url)
        first = run_wave(recipe, sheets, tmp_path / "wave1", env)
        after_first = sb.stats.snapshot()
        # The second wave: every run takes a sheet another run of the first wave looked up.
        second = run_wave(recipe, sheets[1:] + sheets[:1], tmp_path / "wave2", env)
        after_second = sb.stats.snapshot()

    talents = after_first[ENDPOINT_TALENTS]
    sent = [r["requests"][ENDPOINT_TALENTS] for r in first]
    assert all(n >= 60 for n in sent) and sum(sent) == talents["requests"]
    assert talents["max_per_second"] <= 50 and talents["max_per_minute"] <= 1000
    assert talents["accepted"] >= RUNS * 60
    # One shared budget: Feishu refuses (almost) nothing. Four runs with a bucket each
    # would offer ~4 x 50/s to a 50/s API and have about a quarter refused.
    assert talents["rate_limited"] <= talents["accepted"] // 10, talents
    assert sum(r["rate_limited"] for r in first) == talents["rate_limited"]
    for i in range(RUNS):
        rows = records(tmp_path / "wave1" / f"run{i}.jsonl")
        assert len(rows) == ROWS_PER_RUN and not [r for r in rows if r["Talent status"] == "error"]

    # The second wave is answered by the shared cache: nothing reaches Feishu, not even a token request.
    assert after_second == after_first
    assert all(r["requests"] == {ENDPOINT_TALENTS: 0, ENDPOINT_JOB_DATAS: 0} for r in second)
    for i in range(RUNS):
        looked_up_before = (i + 1) % RUNS
        assert records(tmp_path / "wave2" / f"run{i}.jsonl") == records(tmp_path / "wave1" / f"run{looked_up_before}.jsonl")

    cache_dir = tmp_path / "shared-cache"
    if backend == "sqlite":
        limit_file = cache_dir / "feishu-ratelimit.sqlite"
        assert limit_file.stat().st_mode & 0o777 == 0o600
        with sqlite3.connect(limit_file) as db:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert any(t.endswith("_hire_v1_talents_batch_get_id") for t in tables)  # one bucket per app and endpoint
    else:
        client = _redis(url)
        keys = {k.decode() for k in client.scan_iter()}
        client.close()
        assert any(k.startswith("reconciler-http:") for k in keys)
        assert any(k.startswith("reconciler-keys:") for k in keys)
        assert any(k.startswith("reconciler-ratelimit:") and k.endswith(ENDPOINT_TALENTS) for k in keys)
        assert not any(cache_dir.glob("*.sqlite"))  # nothing of it on this machine's disk


# -- adaptive: a 429 anywhere slows every run ---------------------------------------------

def _settings(backend: str, tmp_path: Path, url: str | None) -> CacheSettings:
    if backend == "redis":
        return CacheSettings(enabled=False, backend="redis", redis_url=url)
    return CacheSettings(enabled=False, ratelimit_path=tmp_path / "feishu-ratelimit.sqlite")


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_429_seen_by_one_run_pauses_every_run_of_the_app(backend, tmp_path, request):
    url = request.getfixturevalue("redis_url") if backend == "redis" else None
    with Sandbox(per_second=50, per_minute=10) as sb:
        # Another program using the same app spends Feishu's minute budget behind our back.
        with FeishuClient(sb.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET, limits=RateLimits(1000, 100000)) as outsider:
            for i in range(10):
                outsider.batch_get_talent_ids(email_list=[f"outsider{i}@example.com"])
        limits = RateLimits(per_second=1000, per_minute=8)  # one window: a minute
        runs = [FeishuClient(sb.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET, limits=limits, max_rate_limit_waits=0,
                             cache=_settings(backend, tmp_path, url)) for _ in range(2)]
        loner = FeishuClient(sb.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET, limits=limits,
                             cache=CacheSettings(enabled=False))  # a bucket of its own
        try:
            bucket = f"{runs[0].app_key}:{ENDPOINT_TALENTS}"
            with pytest.raises(RateLimitedError):
                runs[0].batch_get_talent_ids(email_list=["first@example.com"])  # 1 of 8 spent, then 429
            assert sb.stats.snapshot()[ENDPOINT_TALENTS]["rate_limited"] == 1
            # The run that saw the 429 filled the shared bucket: the other run, which has
            # sent nothing yet, must wait too. A run with a bucket of its own is not told.
            assert not runs[1].limiter.try_acquire(bucket, blocking=False)
            assert loner.limiter.try_acquire(bucket, blocking=False)
        finally:
            for client in runs + [loner]:
                client.close()


class _WatchedLock:
    """A bucket's lock that notes when the watched thread asks for it (the lock itself unchanged)."""

    def __init__(self, lock, events: list, asked: threading.Event, watched: int):
        self.lock, self.events, self.asked, self.watched = lock, events, asked, watched

    def _note(self):
        if threading.get_ident() == self.watched:
            self.events.append("asked for the lock")
            self.asked.set()

    def __enter__(self):
        self._note()
        return self.lock.__enter__()

    def acquire(self, *args, **kwargs):
        self._note()
        return self.lock.acquire(*args, **kwargs)

    def __exit__(self, *exc):
        return self.lock.__exit__(*exc)

    def __getattr__(self, name):
        return getattr(self.lock, name)


@pytest.mark.parametrize("shared", [True, False], ids=["rate-limit file", "memory"])
def test_a_request_is_stamped_only_once_it_holds_the_bucket(shared, tmp_path):
    """The bucket's lock is held now and then by the limiter's leaker thread (for the
    rate-limit file: a file lock, polled every 50 ms). A request stamped before it waited
    for that lock left later than its stamp, and Feishu counted 51 in its second one window
    later. Here another thread holds the bucket's lock while a request comes: its stamp
    must be taken after the lock is let go, not before."""
    cache = CacheSettings(enabled=False, ratelimit_path=tmp_path / "feishu-ratelimit.sqlite" if shared else None)
    with Sandbox() as sb, FeishuClient(sb.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET, cache=cache) as client:
        client.batch_get_talent_ids(email_list=["first@example.com"])  # the bucket exists
        bucket = client.limiter.bucket_factory[f"{client.app_key}:{ENDPOINT_TALENTS}"]
        attribute = "lock" if shared else "_lock"
        events: list[str] = []
        asked, holding = threading.Event(), threading.Event()
        me = threading.get_ident()  # the request goes out from this thread
        real_lock = getattr(bucket, attribute)
        setattr(bucket, attribute, _WatchedLock(real_lock, events, asked, me))
        clock = bucket.now

        def stamped():
            if threading.get_ident() == me:
                events.append("stamped")
            return clock()

        bucket.now = stamped

        def hold():  # as the leaker does, from another thread
            with real_lock:
                holding.set()
                asked.wait(30)
                events.append("let go")

        holder = threading.Thread(target=hold)
        holder.start()
        holding.wait(30)
        client.batch_get_talent_ids(email_list=["second@example.com"])
        holder.join(30)
        assert "stamped" in events and "let go" in events
        assert events.index("let go") < events.index("stamped"), events


def test_a_run_configured_above_feishus_limit_learns_it_and_converges(tmp_path):
    with Sandbox(per_second=50, per_minute=1000) as sb:
        settings = _settings("sqlite", tmp_path, None)
        with FeishuClient(sb.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET, limits=RateLimits(200, 5000), workers=16,
                          cache=settings) as eager, \
             FeishuClient(sb.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET, workers=16, cache=settings) as calm:

            def lookups(client, tag, n):
                with client.executor() as pool:
                    list(pool.map(lambda i: client.batch_get_talent_ids(email_list=[f"{tag}{i}@example.com"]), range(n)))

            both = [threading.Thread(target=lookups, args=(client, tag, 120))
                    for client, tag in ((eager, "eager"), (calm, "calm"))]
            for thread in both:
                thread.start()
            for thread in both:
                thread.join()
            refused = sb.stats.snapshot()[ENDPOINT_TALENTS]["rate_limited"]
            learned = eager.limiter.bucket_factory[f"{eager.app_key}:{ENDPOINT_TALENTS}"].rates
            lookups(eager, "again", 60)  # alone now, at what it learned
        stats = sb.stats.snapshot()[ENDPOINT_TALENTS]
    assert stats["accepted"] == 300 and stats["max_per_second"] <= 50
    # The eager run (200/s against Feishu's 50/s) took Feishu's word: 50 per second, spaced 4 per
    # 80 ms, from its first 429 on.
    assert [(r.limit, r.interval) for r in learned] == [(4, 80), (50, 1000 + WINDOW_SLACK_MS)]
    # No storm: what was refused is at most what the two runs had in flight when the first 429 came
    # back (without the shared bucket and the learning, about a third of the requests are refused).
    assert 1 <= refused <= eager.workers + calm.workers
    assert stats["rate_limited"] - refused <= 2  # and once learned, (almost) nothing more


# -- cache info / clear -------------------------------------------------------------------

def small_case(tmp_path: Path, sandbox: Sandbox, backend: str) -> tuple[Path, Path]:
    sheet = write_sheet(tmp_path / "few.csv", [t for t in sandbox.tenant.talents if t.email][:6])
    return write_recipe(tmp_path / f"{backend}.yaml", backend), sheet


def test_cache_info_and_clear_on_sqlite_leave_the_shared_rate_limit_alone(sandbox, tmp_path):
    recipe, sheet = small_case(tmp_path, sandbox, "sqlite")
    env = base_env(tmp_path, sandbox)
    runner = CliRunner()
    ran = runner.invoke(cli, ["run", str(recipe), str(sheet), "-q", "-o", str(tmp_path / "out.jsonl")], env=env)
    assert ran.exit_code == 0, ran.output
    limit_file = tmp_path / "shared-cache" / "feishu-ratelimit.sqlite"
    assert limit_file.stat().st_mode & 0o777 == 0o600
    assert Path(f"{limit_file}.lock").stat().st_mode & 0o777 == 0o600
    info = runner.invoke(cli, ["cache", "info"], env=env)
    assert info.exit_code == 0 and "backend: sqlite" in info.output and "size: " in info.output
    assert "remembered keys" in info.output and "entries: 0 " not in info.output
    cleared = runner.invoke(cli, ["cache", "clear"], env=env)
    assert cleared.exit_code == 0 and cleared.output.startswith("removed ")
    assert not (tmp_path / "shared-cache" / "cache.sqlite").exists() and limit_file.exists()
    assert "entries: 0 (no cache file yet)" in runner.invoke(cli, ["cache", "info"], env=env).output


def test_cache_info_and_clear_on_redis_touch_only_reconcilers_keys(sandbox, tmp_path, redis_url):
    recipe, sheet = small_case(tmp_path, sandbox, "redis")
    env = base_env(tmp_path, sandbox, redis_url)
    client = _redis(redis_url)
    client.set("payroll:not-ours", "keep me")
    runner = CliRunner()
    ran = runner.invoke(cli, ["run", str(recipe), str(sheet), "-q", "-o", str(tmp_path / "out.jsonl")], env=env)
    assert ran.exit_code == 0, ran.output
    info = runner.invoke(cli, ["cache", "info", "--recipe", str(recipe)], env=env)
    assert info.exit_code == 0, info.output
    lines = dict(line.split(": ", 1) for line in info.output.splitlines())
    assert lines["backend"] == "redis" and lines["url"].startswith("redis://127.0.0.1:")
    responses, remembered = [int(part.split()[0]) for part in lines["entries"].split(", ")]
    assert responses >= 1 and remembered >= 6 and float(lines["size"].split()[0]) > 0
    cleared = runner.invoke(cli, ["cache", "clear", "--recipe", str(recipe)], env=env)
    assert cleared.exit_code == 0 and cleared.output.startswith("removed redis://127.0.0.1:")
    left = {k.decode() for k in client.scan_iter()}
    assert "payroll:not-ours" in left
    assert not [k for k in left if k.startswith(("reconciler-http", "reconciler-keys"))]
    again = runner.invoke(cli, ["cache", "info", "--recipe", str(recipe)], env=env)
    assert "entries: 0 responses, 0 remembered keys" in again.output
    assert runner.invoke(cli, ["cache", "clear", "--recipe", str(recipe)], env=env).output.startswith("no cache at ")
    client.close()
    for result in (info, cleared, again):
        assert REDIS_PASSWORD not in result.output


# -- configuration errors -------------------------------------------------------------------

def test_redis_backend_needs_a_url_and_a_valid_one(sandbox, tmp_path):
    recipe, sheet = small_case(tmp_path, sandbox, "redis")
    env = base_env(tmp_path, sandbox)
    result = CliRunner().invoke(cli, ["run", str(recipe), str(sheet), "-q"], env=env)
    assert result.exit_code == 2
    assert "cache.backend is redis but no Redis URL is set" in result.output and "REDIS_URL" in result.output
    assert f"{recipe}:11" in result.output  # the line of `backend: redis`
    bad = tmp_path / "bad.yaml"
    bad.write_text(RECIPE + "cache:\n  backend: redis\n  redis_url: http://user:pw-in-url@cache.example/0\n",
                   encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(bad)], env=env)
    assert result.exit_code == 2 and "cache.redis_url" in result.output and "pw-in-url" not in result.output
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(RECIPE + "cache:\n  backend: memcached\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(unknown)], env=env)
    assert result.exit_code == 2 and "cache.backend" in result.output


def test_unreachable_redis_is_one_sentence_without_the_password(sandbox, tmp_path):
    pytest.importorskip("redis", reason="the redis package is not installed (pip install 'reconciler[redis]')")
    recipe, sheet = small_case(tmp_path, sandbox, "redis")
    port = _free_port()  # nothing listens there
    env = base_env(tmp_path, sandbox, f"redis://:{REDIS_PASSWORD}@127.0.0.1:{port}/0")
    result = subprocess.run([EXE, "run", str(recipe), str(sheet), "-q"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith(f"Error: cannot reach Redis at redis://127.0.0.1:{port}/0 ")
    assert "start Redis" in result.stderr and REDIS_PASSWORD not in result.stderr + result.stdout
    assert sandbox.stats.snapshot()[ENDPOINT_AUTH]["requests"] == 0  # nothing was sent
