"""`reconciler plugins` (text and --json), and the pip-installable example found through its entry point."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler import __version__, plugins
from reconciler.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
PACKAGED = ROOT / "plugins" / "packaged-example"

OVERRIDE_XLSX = '''
"""Replaces the built-in xlsx writer."""
from pathlib import Path
from reconciler.hookspecs import hookimpl
from reconciler.writers.registry import Writer

__version__ = "0.3"

@hookimpl
def register_writers(register):
    register(Writer("xlsx", lambda ctx: Path(ctx.output_path), ".xlsx", "our own workbook"))
    register(Writer("pdf", lambda ctx: Path(ctx.output_path), ".pdf", "a PDF"))
'''


def listing(*args) -> dict:
    result = CliRunner().invoke(cli, ["plugins", "--json", *map(str, args)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def by_name(report: dict) -> dict:
    return {p["name"]: p for p in report["plugins"]}


def test_plugins_lists_the_builtins_with_source_version_hooks_and_registrations():
    report = by_name(listing())
    assert report["reconciler.builtin.matchers"] == {
        "name": "reconciler.builtin.matchers", "source": "built-in", "version": __version__, "location": None,
        "hooks": ["register_matchers"], "matchers": ["email", "id_number", "mobile"], "rules": ["all", "any"],
        "writers": [], "overrides": [], "overridden_by": [],
    }
    assert report["reconciler.builtin.writers"]["writers"] == ["csv", "jsonl", "xlsx"]


def test_plugins_with_plugins_option_shows_a_file_plugin_and_what_it_overrides(tmp_path):
    path = tmp_path / "ours.py"
    path.write_text(textwrap.dedent(OVERRIDE_XLSX), encoding="utf-8")
    report = listing("--plugins", path)
    ours = by_name(report)["ours"]
    assert (ours["source"], ours["version"], ours["location"]) == ("file", "0.3", str(path.resolve()))
    assert ours["hooks"] == ["register_writers"] and ours["writers"] == ["pdf", "xlsx"]
    assert ours["overrides"] == [{"kind": "writer", "name": "xlsx", "from": "reconciler.builtin.writers"}]
    assert by_name(report)["reconciler.builtin.writers"]["overridden_by"] == [
        {"kind": "writer", "name": "xlsx", "to": "ours"}]
    writers = {w["name"]: w for w in report["writers"]}
    assert writers["xlsx"] == {"name": "xlsx", "plugin": "ours", "description": "our own workbook", "suffix": ".xlsx"}

    text = CliRunner().invoke(cli, ["plugins", "--plugins", str(path)])
    assert text.exit_code == 0
    assert f"  ours  [file 0.3]  {path.resolve()}\n    hooks: register_writers\n    writers: pdf, xlsx\n" \
           "    overrides writer xlsx of reconciler.builtin.writers\n" in text.stdout
    assert "    writer xlsx is overridden by ours\n" in text.stdout
    assert "  xlsx   our own workbook  (.xlsx, ours)\n" in text.stdout


def test_plugins_with_recipe_option_loads_the_recipes_plugins(tmp_path):
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "ours.py").write_text(textwrap.dedent(OVERRIDE_XLSX), encoding="utf-8")
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("version: 1\ntalent: {inputs: {email: Email}}\nplugins: [team]\n", encoding="utf-8")
    assert "ours" not in by_name(listing())
    assert by_name(listing("--recipe", recipe))["ours"]["writers"] == ["pdf", "xlsx"]


def test_plugins_with_a_broken_plugin_is_exit_2(tmp_path):
    (tmp_path / "broken.py").write_text("raise RuntimeError('half written')\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["plugins", "--plugins", str(tmp_path / "broken.py")])
    assert result.exit_code == 2
    assert result.stderr == (f"Error: plugin broken.py ({(tmp_path / 'broken.py').resolve()}) failed to import: "
                             "RuntimeError: half written\n")


# ---------------------------------------------------------------- the packaged example


def _install_example(base: Path) -> None:
    source = base / "src"
    shutil.copytree(PACKAGED, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-deps", "--no-index",
         "--target", str(base / "site"), str(source)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="session")
def installed_example(build_once) -> Path:
    """plugins/packaged-example pip-installed into a target folder (offline: no build isolation, no deps),
    once per session (shared by the xdist workers)."""
    return build_once("packaged-example", _install_example) / "site"


def reconciler_with(site: Path, *args, env_extra: dict | None = None, cwd: Path | None = None):
    env = {k: v for k, v in os.environ.items() if k != plugins.LOAD_ENV}
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "reconciler.cli", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def test_the_packaged_example_installs_and_shows_in_plugins_as_an_entry_point(installed_example):
    assert (installed_example / "reconciler_markdown_summary-0.1.0.dist-info" / "entry_points.txt").is_file()
    done = reconciler_with(installed_example, "plugins", "--json")
    assert done.returncode == 0, done.stderr
    plugin = by_name(json.loads(done.stdout))["markdown_summary"]
    assert plugin["source"] == "entry point" and plugin["version"] == "0.1.0"
    assert plugin["location"] == "reconciler_markdown_summary" and plugin["writers"] == ["markdown"]
    assert plugin["hooks"] == ["register_writers"]


def test_the_packaged_example_writes_markdown_and_load_env_can_turn_it_off(installed_example, tmp_path):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text((ROOT / "recipes" / "talent_only.yaml").read_text(encoding="utf-8")
                      .replace("writers: [xlsx]", "writers: [xlsx, markdown]"), encoding="utf-8")
    sheet = ROOT / "sample_sheets" / "candidates_en.xlsx"
    done = reconciler_with(installed_example, "run", recipe, sheet, "--sandbox", "--no-cache", "-q",
                           "-o", tmp_path / "out.xlsx", env_extra={plugins.LOAD_ENV: "markdown_summary"})
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "out.md").read_text(encoding="utf-8")
    assert page.startswith("# Candidate check\n") and "| matched | 15 |" in page and "| conflict | 1 |" in page

    off = reconciler_with(installed_example, "run", recipe, sheet, "--sandbox", "--no-cache", "-q",
                          "-o", tmp_path / "off.xlsx", env_extra={plugins.LOAD_ENV: ""})
    assert off.returncode == 2
    assert "markdown" in off.stderr and not (tmp_path / "off.xlsx").exists()
