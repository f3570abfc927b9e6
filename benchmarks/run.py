"""Benchmarks of issues 6 and 16: `python benchmarks/run.py` (about 5 minutes on 2 cores).

Prints one line per figure with its goal and whether it is met, and writes every raw
number to benchmarks/results/runs/<date>.json (ignored by git); `--publish` also
rewrites benchmarks/results/latest.json, the tracked figures the README quotes.
Every figure is measured against the embedded sandbox, run in a process of its own:

1. requests sent vs the minimum, cold run of a 5,000-row sheet;
2. wall time of that run's API traffic vs the rate-limit bound (benchmarks/bounds.py),
   at 150 ms latency with Feishu's limits (50/s and 1000/min per endpoint), and 429s;
   this run's wall is bounded by the sequential job-data page-through;
3. the peer (benchmarks/peer.py): a per-row loop like an official-SDK user's, on a
   sample of the rows, extrapolated to the whole sheet;
4. reruns: the same sheet again (warm), then after editing 5 of its rows;
5. a 100,000-row x 12-column sheet with a warm cache: the whole `reconciler run`
   vs openpyxl's own load_workbook + save of the same file, each in its own
   process (wall time, peak RSS from os.wait4), alternating, `--repeat` times;
6. pacing: a talent-heavy, talent-only sheet (40,000 rows, 596 requests) against a
   60,000-talent tenant at 150 ms latency and Feishu's limits: API wall vs the
   bound of a perfect scheduler pacing evenly at 50/s, 0 x 429, and the most
   requests the sandbox ever accepted in a rolling second and minute;
7. (hook) CoreHR name lookups: see `names_figures`.

Figures with repetitions print the median and the range.
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


def spread(values: list[float]) -> dict:
    """Median and range of repeated measurements."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return {"median": median, "min": ordered[0], "max": ordered[-1], "all": list(values)}


def shown(figure: dict, digits: int = 2) -> str:
    if figure["min"] == figure["max"]:
        return f"{figure['median']:.{digits}f}"
    return f"{figure['median']:.{digits}f} ({figure['min']:.{digits}f}-{figure['max']:.{digits}f})"

APP_ID, APP_SECRET = "cli_sandbox", "sandbox-secret"
TALENTS, JOB_DATAS = "hire/v1/talents/batch_get_id", "corehr/v1/job_datas"
RESULTS = ROOT / "benchmarks" / "results"
PUBLISHED = RESULTS / "latest.json"  # tracked: rewritten only with --publish


def reconciler_command(*args) -> list[str]:
    return [sys.executable, "-c", "from reconciler.cli import main; main()", *map(str, args)]


def feishu_env(url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FEISHU_", "RECONCILER_"))}
    env = {**env, "FEISHU_BASE_URL": url, "FEISHU_APP_ID": APP_ID, "FEISHU_APP_SECRET": APP_SECRET}
    if os.environ.get("RECONCILER_CACHE_PATH"):  # main() points it into the work folder
        env["RECONCILER_CACHE_PATH"] = os.environ["RECONCILER_CACHE_PATH"]
    return env


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
        attempts: dict[str, list[Measured]] = {"reconciler": [], "openpyxl": []}  # alternating, in pairs
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
        figures[name] = {"seconds": spread([m.seconds for m in runs]), "cpu_seconds": spread([m.cpu_seconds for m in runs]),
                         "peak_mb": spread([m.peak_mb for m in runs])}
    # Ratios of each repetition's pair (measured one after the other), so load shared by both counts once.
    pairs = list(zip(attempts["reconciler"], attempts["openpyxl"]))
    figures["time_ratio"] = spread([r.seconds / o.seconds for r, o in pairs])
    figures["memory_ratio"] = spread([r.peak_mb / o.peak_mb for r, o in pairs])
    return figures


# ---------------------------------------------------------------------- 6: pacing at the limit


def pacing(work: Path, args) -> dict:
    """A talent-only sheet whose lookups need hundreds of requests of one endpoint: how
    close the run's API phase comes to a perfect even pacer, and that no rolling second
    or minute ever held more than Feishu's limits. Each repetition gets a fresh sandbox
    (its windows empty) and a cold cache."""
    spec = TenantSpec(talents=args.pacing_talents, employees=args.employees)
    tenant = spec.build()
    rows = sheet_rows(tenant, args.pacing_rows)
    minimum = minimum_requests(rows, tenant)["talents"]
    sheet = write_sheet(work / "pacing.xlsx", rows)
    del rows, tenant
    figures: dict = {"rows": args.pacing_rows, "talents": args.pacing_talents, "latency_s": args.latency,
                     "minimum": minimum, "runs": []}
    for attempt in range(args.pacing_repeat):
        cache = work / f"pacing-cache{attempt}" / "cache.sqlite"
        recipe = write_recipe(work / f"pacing{attempt}.yaml", cache, talent_only=True)
        os.environ["RECONCILER_CACHE_PATH"] = str(cache)  # the rate-limit file beside it: this run's alone
        with SandboxProcess(spec, latency=args.latency, per_second=50, per_minute=1000) as sandbox:
            measured, report = run_reconciler(sandbox.url, recipe, sheet, work / f"pacing{attempt}.out.xlsx")
            log = as_requests(sandbox.requests_log())
            stats = sandbox.stats()[TALENTS]
        timing = bound(log)
        first = min((r.arrived for r in log if r.endpoint == TALENTS), default=0.0)
        refused_at = [round(r.arrived - first, 3) for r in log if r.endpoint == TALENTS and r.status == 429]
        figures["runs"].append({"rate_limited_at_s": refused_at,  # after the first talent request arrived
                                "api_wall_s": timing["wall"], "paced_bound_s": timing["paced"],
                                "window_bound_s": timing["bound"], "rate_limited": timing["rate_limited"],
                                "sent": sent(log)[TALENTS], "max_per_second": stats["max_per_second"],
                                "max_per_minute": stats["max_per_minute"], "run_seconds": measured.seconds})
    runs = figures["runs"]
    figures["ratio"] = spread([r["api_wall_s"] / r["paced_bound_s"] for r in runs])
    figures["window_ratio"] = spread([r["api_wall_s"] / r["window_bound_s"] for r in runs])
    figures["api_wall_s"] = spread([r["api_wall_s"] for r in runs])
    figures["paced_bound_s"] = spread([r["paced_bound_s"] for r in runs])
    return figures


# ---------------------------------------------------------------------- 7: names (hook)


def names_figures(work: Path, args) -> tuple[dict | None, list[tuple[str, str, str, bool]]]:
    """The CoreHR name lookups (benchmarks/names.py): requests per name endpoint in a cold
    run against ⌈distinct IDs / 100⌉; (raw figures for the JSON, its line)."""
    figures = name_lookups(work)
    name, value, target, met = names_line(figures)
    return figures, [(name.replace("6 name", "7 name"), value, target, met)]


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


def lines(small: dict | None, big: dict | None, paced: dict | None = None) -> list[tuple[str, str, str, bool]]:
    """(figure, value, goal, met) for each figure."""
    out = []
    if small:
        cold, minimum = small["cold"], small["minimum"]
        total_sent, total_min = sum(cold["sent"].values()), sum(minimum.values())
        out.append(("1 requests sent / minimum", f"{total_sent / total_min:.2f}  ({total_sent} sent: "
                    f"{cold['sent'][TALENTS]} talents + {cold['sent'][JOB_DATAS]} job data; minimum "
                    f"{minimum[TALENTS]} + {minimum[JOB_DATAS]})", "1.00", total_sent == total_min))
        ratio = cold["api_wall_s"] / cold["bound_s"]
        out.append(("2 API wall time / rate-limit bound (job-data chain)", f"{ratio:.3f}  ({cold['api_wall_s']:.2f} s vs "
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
        time_ratio, memory_ratio = big["time_ratio"], big["memory_ratio"]
        out.append((f"5a {big['rows']:,} rows, warm: reconciler run / openpyxl load+save, time",
                    f"{shown(time_ratio)}  ({shown(rec['seconds'], 1)} s vs {shown(opx['seconds'], 1)} s; CPU "
                    f"{rec['cpu_seconds']['median']:.1f} s vs {opx['cpu_seconds']['median']:.1f} s)", "<= 0.50",
                    time_ratio["median"] <= 0.5 and big["reconciler_requests"] == 0))
        out.append((f"5b {big['rows']:,} rows, warm: reconciler run / openpyxl load+save, peak memory",
                    f"{shown(memory_ratio)}  ({rec['peak_mb']['median']:.0f} MB vs {opx['peak_mb']['median']:.0f} MB)",
                    "<= 0.60", memory_ratio["median"] <= 0.6))
    if paced:
        runs = paced["runs"]
        refused = sum(r["rate_limited"] for r in runs)
        most_second = max(r["max_per_second"] for r in runs)
        most_minute = max(r["max_per_minute"] for r in runs)
        ratio = paced["ratio"]
        out.append((f"6 pacing, {paced['rows']:,} talent rows: API wall / even-pacing bound",
                    f"{shown(ratio, 3)}  ({shown(paced['api_wall_s'])} s vs {shown(paced['paced_bound_s'])} s; "
                    f"{runs[0]['sent']} requests, minimum {paced['minimum']}; {refused} x 429; at most "
                    f"{most_second} in a second, {most_minute} in a minute; vs the burst bound "
                    f"{shown(paced['window_ratio'], 3)})", "<= 1.05, 0 x 429, <= 50/s, <= 1000/min",
                    ratio["median"] <= 1.05 and refused == 0 and most_second <= 50 and most_minute <= 1000))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--employees", type=int, default=3000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument("--peer-sample", type=int, default=50)
    parser.add_argument("--big-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side of figure 5 (median and range)")
    parser.add_argument("--pacing-rows", type=int, default=40_000)
    parser.add_argument("--pacing-talents", type=int, default=60_000)
    parser.add_argument("--pacing-repeat", type=int, default=3, help="runs of figure 6 (median and range)")
    parser.add_argument("--only", choices=("small", "big", "pacing", "names"), action="append",
                        help="run only these parts (repeatable); default: all")
    parser.add_argument("--skip-big", action="store_true", help="leave out figure 5")
    parser.add_argument("--output", type=Path, default=None,
                        help="where to write the raw results (default: benchmarks/results/runs/<date>.json, ignored by git)")
    parser.add_argument("--publish", action="store_true",
                        help="also rewrite benchmarks/results/latest.json, the published figures")
    args = parser.parse_args(argv)
    parts = set(args.only or ("small", "big", "pacing", "names")) - ({"big"} if args.skip_big else set())
    work = Path(tempfile.mkdtemp(prefix="reconciler-bench-"))
    os.environ["RECONCILER_CACHE_PATH"] = str(work / "cache" / "cache.sqlite")  # never the user's rate-limit file
    started = time.perf_counter()
    try:
        small = small_sheet(work, args) if "small" in parts else None
        big = big_sheet(work, args) if "big" in parts else None
        paced = pacing(work, args) if "pacing" in parts else None
        names, name_lines = names_figures(work, args) if "names" in parts else (None, [])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures = lines(small, big, paced) + name_lines
    for name, value, goal, met in figures:
        print(f"{name:<62} {value}   goal {goal}   {'met' if met else 'MISSED'}")
    now = dt.datetime.now().astimezone()
    result = {"date": now.isoformat(timespec="seconds"), "machine": machine(),
              "seconds": round(time.perf_counter() - started, 1), "small_sheet": small, "big_sheet": big,
              "pacing": paced, "names": names,
              "figures": [{"figure": n, "value": v, "goal": g, "met": m} for n, v, g, m in figures]}
    text = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    output = args.output or RESULTS / "runs" / f"{now:%Y%m%d-%H%M%S}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"results: {output} ({result['seconds']:.0f} s)")
    if args.publish:
        PUBLISHED.write_text(text, encoding="utf-8")
        print(f"published: {PUBLISHED}")
    return 0 if all(m for *_, m in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
