"""docs/plugin-reference.md is what scripts/plugin_reference.py makes of the code, and documents
every object reconciler.plugin_api exports, every field of it included."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from reconciler import plugin_api

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "plugin_reference.py"
REFERENCE = ROOT / "docs" / "plugin-reference.md"


def load_script():
    spec = importlib.util.spec_from_file_location("plugin_reference_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_reference_is_what_the_script_generates_from_the_code():
    files, missing = load_script().generate_files()
    assert missing == [], f"document these in the code (docstring Attributes:, Field description): {missing}"
    assert set(files) == {REFERENCE, ROOT / "docs" / "sandbox-tenant.md"}
    for path, text in files.items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name}: run python scripts/plugin_reference.py"


def test_the_sandbox_people_are_in_the_docs_where_the_guide_links_them():
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert "(sandbox-tenant.md)" in guide and "(plugin-reference.md)" in guide
    assert "| 21 | 6910000000000000021 | 陈小春 (Chan Siu-chun) | +852 91234567 |" in (
        ROOT / "docs" / "sandbox-tenant.md").read_text(encoding="utf-8")


def test_the_script_check_mode_says_the_reference_is_current():
    done = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_public_name_and_every_hook_is_in_the_reference():
    reference = REFERENCE.read_text(encoding="utf-8")
    for name in plugin_api.__all__:
        if name not in ("hookimpl", "RunOptions"):
            assert f"`{name}" in reference, name
    for hook in ("register_matchers(register)", "register_writers(register)", "normalise_value(kind, cell, spec, row)",
                 "register_output_columns(recipe, register)", "row_outputs(row, outcome, recipe)"):
        assert f"### `{hook}`" in reference
    # the fields the outsider had to guess are there, with what may be absent
    for said in ("| `row_number` | `int`", "| `mismatches` |", "| `talent_status` | `str \\| None`",
                 "blank rows are absent", "| `recipe` | `Recipe \\| None`", "| `options` | `dict[str, Any]`"):
        assert said in reference, said


def test_a_field_without_a_meaning_is_reported(monkeypatch):
    script = load_script()
    from reconciler.model import OutputColumn

    monkeypatch.setattr(OutputColumn, "__doc__", "A column, its fields undocumented.")
    _, missing = script.generate()
    assert {"OutputColumn.header", "OutputColumn.kind"} <= set(missing)  # section: its line comment counts
