"""Issue 7: killed runs leave nothing half-written; reruns and concurrent runs share the cache safely."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from reconciler.sandbox import ENDPOINT_TALENTS, SANDBOX_APP_ID, SANDBOX_APP_SECRET, Sandbox, generate_tenant
from rowdata import check_records, write_case, write_recipe

EXE = str(Path(sys.executable).with_name("reconciler"))


def env_for(sb):
    return {**os.environ, "FEISHU_BASE_URL": sb.url, "FEISHU_APP_ID": SANDBOX_APP_ID,
            "FEISHU_APP_SECRET": SANDBOX_APP_SECRET}


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def accepted(sb) -> int:
    return sb.stats.snapshot()[ENDPOINT_TALENTS]["accepted"]


def test_sigkill_leaves_no_output_and_the_rerun_sends_only_what_was_missing(tmp_path):
    tenant = generate_tenant(talents=3000, employees=50, seed=41)
    write_case(tmp_path / "s.xlsx", tenant, seed=42)
    recipe = write_recipe(tmp_path / "r.yaml", cache=tmp_path / "c.sqlite", job_data=False, writers="xlsx")
    with Sandbox(tenant, latency=0.4) as sb:
        cold = subprocess.run([EXE, "run", recipe, tmp_path / "s.xlsx", "--dry-run"], env=env_for(sb),
                              capture_output=True, text=True, check=True)
        planned = int(cold.stdout.split(f"planned {ENDPOINT_TALENTS}: ")[1].split()[0])
        proc = subprocess.Popen([EXE, "run", recipe, tmp_path / "s.xlsx", "-q"], env=env_for(sb))
        # The sandbox counts a request when it arrives; beyond one per worker (16), some answers came back.
        deadline = time.monotonic() + 60
        while accepted(sb) < 26 and time.monotonic() < deadline:  # wait for progress, not for time
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        before_kill = accepted(sb)
        assert 0 < before_kill < planned
        assert not (tmp_path / "s.reconciled.xlsx").exists()
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~")]  # no temp file either
        for cache_file in tmp_path.glob("c*.sqlite"):
            assert integrity(cache_file) == "ok"
        rerun = subprocess.run([EXE, "run", recipe, tmp_path / "s.xlsx", "-q", "--report", tmp_path / "rep.json"],
                               env=env_for(sb), capture_output=True, text=True)
        assert rerun.returncode == 0, rerun.stderr
    resent = json.loads((tmp_path / "rep.json").read_text())["requests"][ENDPOINT_TALENTS]
    in_flight = 16  # requests on the wire when the first run died are asked again: at most one per worker
    assert planned > 26
    assert resent < planned and resent + before_kill <= planned + in_flight
    assert (tmp_path / "s.reconciled.xlsx").exists()


def test_two_recipes_sharing_one_cache_file_at_once(tmp_path):
    tenant = generate_tenant(talents=2500, employees=1200, seed=51)
    truth, expected_job = write_case(tmp_path / "s.xlsx", tenant, seed=52)
    cache = tmp_path / "shared.sqlite"
    talent_recipe = write_recipe(tmp_path / "talent.yaml", cache=cache, job_data=False)
    job_recipe = write_recipe(tmp_path / "job.yaml", cache=cache, talent=False)
    with Sandbox(tenant, latency=0.05) as sb:
        runs = [subprocess.Popen([EXE, "run", r, tmp_path / "s.xlsx", "-q", "-o", tmp_path / f"{r.stem}.jsonl"],
                                 env=env_for(sb), stderr=subprocess.PIPE, text=True)
                for r in (talent_recipe, job_recipe)]
        for proc in runs:
            assert proc.wait(timeout=120) == 0, proc.stderr.read()
    for name, kind in (("talent", {"job_data": False}), ("job", {"talent": False})):
        records = [json.loads(line) for line in (tmp_path / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
        assert not check_records(records, tenant, truth, expected_job, **kind)
    for cache_file in tmp_path.glob("shared*.sqlite"):
        assert integrity(cache_file) == "ok"
