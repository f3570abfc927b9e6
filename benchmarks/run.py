"""Benchmarks of issue 6: `python benchmarks/run.py` (about 2.5 minutes on 2 cores).

Prints one line per figure with its target and writes benchmarks/results/latest.json.
Every figure is measured against the embedded sandbox, run in a process of its own:

1. requests sent vs the minimum, cold run of a 5,000-row sheet;
2. wall time of that run's API traffic vs the rate-limit bound (benchmarks/bounds.py),
   at 150 ms latency with Feishu's limits (50/s and 1000/min per endpoint), and 429s;
3. the peer (benchmarks/peer.py): a per-row loop like an official-SDK user's, on a
   sample of the rows, extrapolated to the whole sheet;
4. reruns: the same sheet again (warm), then after editing 5 of its rows;
5. a 100,000-row x 12-column sheet with a warm cache: the whole `reconciler run`
   vs openpyxl's own load_workbook + save of the same file, each in its own
   process (wall time, peak RSS from os.wait4).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bounds import Request, bound  # noqa: E402
from benchmarks.measure import Measured, run_measured  # noqa: E402
from benchmarks.names import name_lookups, names_line  # noqa: E402
from benchmarks.peer import run_peer  # noqa: E402
from benchmarks.sandbox_process import SandboxProcess  # noqa: E402
from benchmarks.workload import TenantSpec, minimum_requests, sheet_rows, write_recipe, write_sheet  # noqa: E402

APP_ID, APP_SECRET = "cli_sandbox", "sandbox-secret"
TALENTS, JOB_DATAS = "hire/v1/talents/batch_get_id", "corehr/v1/job_datas"
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"


def reconciler_command(*args) -> list[str]:
    return [sys.executable, "-c", "from reconciler.cli import main; main()", *map(str, args)]


def feishu_env(url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FEISHU_", "RECONCILER_"))}
    return {**env, "FEISHU_BASE_URL": url, "FEISHU_APP_ID": APP_ID, "FEISHU_APP_SECRET": APP_SECRET}


def run_reconciler(url: str, recipe: Path, sheet: Path, out: Path) -> tuple[Measured, dict]:
    report = out.with_suffix(".report.json")
    measured = run_measured(reconciler_command("run", recipe, sheet, "-o", out, "--report", report, "-q"),
                            env=feishu_env(url))
    if measured.returncode != 0:
        raise RuntimeError(f"reconciler run failed ({measured.returncode}):\n{measured.output}")
    return measured, json.loads(report.read_text("utf-8"))


def sent(log: list[Request]) -> dict[str, int]:
    return {endpoint: sum(r.endpoint == endpoint for r in log) for endpoint in (TALENTS, JOB_DATAS)}


def as_requests(raw) -> list[Request]:
    return [Request(*entry) for entry in raw]


# ---------------------------------------------------------------------- 1-4: a 5,000-row sheet


def edited_rows(rows: list[list], tenant, count: int) -> tuple[list[list], list[int]]:
    """`count` rows spread over the sheet now name people the sheet did not have (new mobile,
    email, employee): values nobody looked up before."""
    edited = copy.deepcopy(rows)
    where = [len(rows) * (k + 1) // (count + 1) for k in range(count)]
    for n, index in enumerate(where):
        other = tenant.talents[len(rows) + n]
        edited[index][1:4] = [None, other.mobile_number or f"1390000{n:04d}", other.email]
        edited[index][6] = tenant.employees[(index + len(tenant.employees) // 2) % len(tenant.employees)].user_id
    return edited, where


def small_sheet(work: Path, args) -> dict:
    spec = TenantSpec(talents=args.rows + 1000, employees=args.employees)
    tenant = spec.build()
    rows = sheet_rows(tenant, args.rows)
    sheet = write_sheet(work / "people.xlsx", rows)
    recipe = write_recipe(work / "bench.yaml", work / "cache" / "cache.sqlite")
    minimum = minimum_requests(rows, tenant)
    figures: dict = {"rows": args.rows, "employees": args.employees, "latency_s": args.latency,
                     "minimum": {TALENTS: minimum["talents"], JOB_DATAS: minimum["job_datas"]}}
    with SandboxProcess(spec, latency=args.latency, per_second=50, per_minute=1000) as sandbox:
        cold, report = run_reconciler(sandbox.url, recipe, sheet, work / "cold.xlsx")
        log = as_requests(sandbox.requests_log())
        timing = bound(log)
        figures["cold"] = {"sent": sent(log), "report_requests": report["requests"], "run_seconds": cold.seconds,
                           "api_wall_s": timing["wall"], "bound_s": timing["bound"],
                           "bound_without_chains_s": timing["without_chains"],
                           "bound_by_endpoint_s": timing["by_endpoint"], "rate_limited": timing["rate_limited"],
                           "counts": report["counts"]}

        run_reconciler(sandbox.url, recipe, sheet, work / "warm.xlsx")
        figures["warm"] = {"sent": sent(as_requests(sandbox.requests_log()))}

        edited, where = edited_rows(rows, tenant, args.edits)
        write_sheet(sheet, edited)
        run_reconciler(sandbox.url, recipe, sheet, work / "edited.xlsx")
        figures["edited"] = {"rows_edited": len(where), "sent": sent(as_requests(sandbox.requests_log()))}

        step = max(1, len(rows) // args.peer_sample)
        sample = rows[::step][: args.peer_sample]
        peer = run_peer(sandbox.url, APP_ID, APP_SECRET, sample)
        scale = len(rows) / peer["rows"]
        figures["peer"] = {**peer, "extrapolated_requests": round(peer["requests"] * scale),
                           "extrapolated_seconds": peer["seconds"] * scale}
    return figures


# ---------------------------------------------------------------------- 5: 100,000 rows, warm cache


def big_sheet(work: Path, args) -> dict:
    from reconciler.feishu import RateLimits
    from reconciler.pipeline import RunOptions, run

    spec = TenantSpec(talents=args.big_rows + 1000, employees=args.employees)
    rows = sheet_rows(spec.build(), args.big_rows)
    sheet = write_sheet(work / "big.xlsx", rows)
    del rows
    recipe = write_recipe(work / "big.yaml", work / "big-cache" / "cache.sqlite")
    figures: dict = {"rows": args.big_rows, "columns": 12, "file_mb": sheet.stat().st_size / 2**20}
    with SandboxProcess(spec, per_second=10**6, per_minute=10**8) as sandbox:
        started = time.perf_counter()  # warm the cache; not measured: the API's limits would dominate
        run(recipe, sheet, RunOptions(env=feishu_env(sandbox.url), output=work / "warmup.xlsx",
                                      limits=RateLimits(per_second=10**5, per_minute=10**7)))
        figures["warmup_seconds"] = time.perf_counter() - started
        sandbox.requests_log()
        attempts: dict[str, list[Measured]] = {"reconciler": [], "openpyxl": []}
        for attempt in range(args.repeat):
            measured, report = run_reconciler(sandbox.url, recipe, sheet, work / f"big.out{attempt}.xlsx")
            attempts["reconciler"].append(measured)
            figures["reconciler_requests"] = sum(report["requests"].values())
            roundtrip = [sys.executable, str(ROOT / "benchmarks" / "openpyxl_roundtrip.py"), sheet,
                         work / f"big.openpyxl{attempt}.xlsx"]
            attempts["openpyxl"].append(run_measured([str(a) for a in roundtrip]))
        figures["sent_while_measured"] = len(sandbox.requests_log())
    for name, runs in attempts.items():
        if any(m.returncode for m in runs):
            raise RuntimeError(f"{name} failed:\n{runs[0].output}")
        best = min(runs, key=lambda m: m.seconds)
        figures[name] = {"seconds": best.seconds, "cpu_seconds": best.cpu_seconds,
                         "peak_mb": max(m.peak_mb for m in runs), "all_seconds": [m.seconds for m in runs]}
    return figures


# ---------------------------------------------------------------------- report


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    except OSError:
        memory = None
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=False).stdout.strip() or None
    except OSError:
        commit = None
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory, 1) if memory else None,
            "os": platform.platform(), "python": platform.python_version(), "commit": commit}


def lines(small: dict, big: dict | None) -> list[tuple[str, str, str, bool]]:
    """(figure, value, target, met) for each figure."""
    out = []
    if small:
        cold, minimum = small["cold"], small["minimum"]
        total_sent, total_min = sum(cold["sent"].values()), sum(minimum.values())
        out.append(("1 requests sent / minimum", f"{total_sent / total_min:.2f}  ({total_sent} sent: "
                    f"{cold['sent'][TALENTS]} talents + {cold['sent'][JOB_DATAS]} job data; minimum "
                    f"{minimum[TALENTS]} + {minimum[JOB_DATAS]})", "1.00", total_sent == total_min))
        ratio = cold["api_wall_s"] / cold["bound_s"]
        out.append(("2 API wall time / rate-limit bound", f"{ratio:.3f}  ({cold['api_wall_s']:.2f} s vs "
                    f"{cold['bound_s']:.2f} s at {small['latency_s'] * 1000:.0f} ms; {cold['rate_limited']} x 429; "
                    f"whole run {cold['run_seconds']:.1f} s)", "<= 1.10, 0 x 429",
                    ratio <= 1.10 and cold["rate_limited"] == 0))
        peer = small["peer"]
        out.append(("3 peer (per-row SDK loop) / reconciler",
                    f"{peer['extrapolated_requests'] / total_sent:.0f}x the requests, "
                    f"{peer['extrapolated_seconds'] / cold['run_seconds']:.0f}x the time  ({peer['extrapolated_requests']} "
                    f"requests, {peer['extrapolated_seconds'] / 60:.1f} min, from {peer['rows']} rows)", "(context)", True))
        warm = sum(small["warm"]["sent"].values())
        out.append(("4a warm rerun: requests", str(warm), "0", warm == 0))
        edited = small["edited"]
        per_row = sum(edited["sent"].values()) / edited["rows_edited"]
        out.append(("4b rerun after editing 5 rows: requests per edited row",
                    f"{per_row:.1f}  ({sum(edited['sent'].values())} requests)", "<= 3", per_row <= 3))
    if big:
        rec, opx = big["reconciler"], big["openpyxl"]
        time_ratio, memory_ratio = rec["seconds"] / opx["seconds"], rec["peak_mb"] / opx["peak_mb"]
        out.append((f"5a {big['rows']:,} rows, warm: reconciler run / openpyxl load+save, time",
                    f"{time_ratio:.2f}  ({rec['seconds']:.1f} s vs {opx['seconds']:.1f} s; CPU "
                    f"{rec['cpu_seconds']:.1f} s vs {opx['cpu_seconds']:.1f} s)", "<= 0.50",
                    time_ratio <= 0.5 and big["reconciler_requests"] == 0))
        out.append((f"5b {big['rows']:,} rows, warm: reconciler run / openpyxl load+save, peak memory",
                    f"{memory_ratio:.2f}  ({rec['peak_mb']:.0f} MB vs {opx['peak_mb']:.0f} MB)", "<= 1.00",
                    memory_ratio <= 1.0))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--employees", type=int, default=3000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument("--peer-sample", type=int, default=50)
    parser.add_argument("--big-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side of figure 5 (the fastest counts)")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="reconciler-bench-"))
    started = time.perf_counter()
    try:
        small = small_sheet(work, args)
        big = None if args.skip_big else big_sheet(work, args)
        names = name_lookups(work)  # issue 14: name lookups vs their minimum
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures = lines(small, big) + [names_line(names)]
    for name, value, target, met in figures:
        print(f"{name:<62} {value}   target {target}   {'OK' if met else 'MISSED'}")
    result = {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "machine": machine(),
              "seconds": round(time.perf_counter() - started, 1), "small_sheet": small, "big_sheet": big, "names": names,
              "figures": [{"figure": n, "value": v, "target": t, "met": m} for n, v, t, m in figures]}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results: {args.output} ({result['seconds']:.0f} s)")
    return 0 if all(m for *_, m in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
