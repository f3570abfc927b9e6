"""Running a command in a child process and measuring its wall time and peak memory.

Peak memory is the child's ru_maxrss from `os.wait4`, which is that child's own
figure, not the largest of all children (RUSAGE_CHILDREN). One trap: at exec,
Linux counts the exec-ing process's old peak into the new program's ru_maxrss,
so a child started straight from a big parent (this benchmark holds a tenant and
a warmed-up run) would report the parent's peak. The command is therefore started
by a small launcher process, whose own peak is a few MB; ru_maxrss is in kB on Linux.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

_LAUNCHER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as report:
    json.dump({"seconds": seconds, "maxrss_kb": usage.ru_maxrss, "cpu_seconds": usage.ru_utime + usage.ru_stime,
               "returncode": os.waitstatus_to_exitcode(status)}, report)
"""


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_mb: float
    cpu_seconds: float
    returncode: int
    output: str


def run_measured(command: list[str], env: dict | None = None, cwd: str | None = None) -> Measured:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "measured.json"
        launched = subprocess.run([sys.executable, "-c", _LAUNCHER, str(report), *map(str, command)], env=env, cwd=cwd,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
        output = launched.stdout.decode("utf-8", "replace")
        if not report.exists():
            raise RuntimeError(f"the measuring launcher failed:\n{output}")
        found = json.loads(report.read_text())
    kilobytes = found["maxrss_kb"] if sys.platform != "darwin" else found["maxrss_kb"] / 1024
    return Measured(found["seconds"], kilobytes / 1024, found["cpu_seconds"], found["returncode"], output)


def _self_test() -> None:  # pragma: no cover - `python benchmarks/measure.py` prints a sanity check
    started = time.perf_counter()
    small = run_measured([sys.executable, "-c", "x = bytearray(50 * 2**20)"])
    print(f"50 MB child: peak {small.peak_mb:.0f} MB, {small.seconds:.2f} s (launcher overhead "
          f"{time.perf_counter() - started - small.seconds:.2f} s), pid {os.getpid()}")


if __name__ == "__main__":
    _self_test()
