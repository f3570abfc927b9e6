"""The newcomer's path, literally: every shell block of README.md after the Quick start
runs as printed, in order, in a fresh copy of the checkout, against the sandbox, and
exits 0. A block whose first line says it needs something this machine has not (a real
Feishu tenant, a Redis server) or takes minutes is not run, and the test names them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_RUN = re.compile(r"^# (needs a real Feishu tenant|needs a Redis server|takes minutes)\b")


def shell_blocks(text: str) -> list[str]:
    """The ```bash (or ```sh) blocks after the Quick start's own commands, in order (those
    two set up and run the demo and the suite: CI and .ci/run run them)."""
    after = text[text.index("## Quick start"):]
    return [m.group(2) for m in re.finditer(r"```(bash|sh|shell)\n(.*?)```", after, re.S)][1:]


def fresh_copy(target: Path) -> None:
    """The tracked files of this checkout (a fresh clone's content, uncommitted edits included)."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, (f.decode() for f in files)):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(Path(sys.prefix))  # the environment the Quick start made


def test_every_readme_shell_block_after_the_quick_start_runs_as_printed(tmp_path):
    blocks = shell_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    run = [b for b in blocks if not NOT_RUN.match(b)]
    skipped = [NOT_RUN.match(b).group(1) for b in blocks if NOT_RUN.match(b)]
    assert len(run) >= 3 and any("reconciler init" in b for b in run) and any("reconciler sandbox" in b for b in run)
    assert set(skipped) <= {"needs a real Feishu tenant", "needs a Redis server", "takes minutes"}, skipped
    clone = tmp_path / "clone"
    clone.mkdir()
    fresh_copy(clone)
    script = "set -euo pipefail\n" + "\n".join(run)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FEISHU_", "RECONCILER_", "VIRTUAL_ENV"))}
    env.update({"LANG": "en_US.UTF-8", "RECONCILER_CACHE_PATH": str(tmp_path / "cache" / "c.sqlite"),
                "PATH": os.defpath})  # `reconciler` is on the PATH only once the README activates the environment
    done = subprocess.run(["bash", "-c", script], cwd=clone, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    for made in ("my_sheet.recipe.yaml", "recipe.schema.json", "my_sheet.reconciled.xlsx", "standalone.xlsx"):
        assert (clone / made).is_file(), made
