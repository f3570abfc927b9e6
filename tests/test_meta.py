"""Guards on the project itself: every hook is tested and documented, every command has an example."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import click

from reconciler import hookspecs
from reconciler.cli.main import cli
from reconciler.plugins import HOOK_NAMES

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "plugins.md"


def hook_signatures() -> dict[str, str]:
    """hook name -> its exact signature as written in hookspecs.py, e.g. 'row_outputs(row, outcome, recipe)'."""
    return {name: f"{name}{inspect.signature(getattr(hookspecs, name))}" for name in HOOK_NAMES}


def test_the_hook_list_is_what_hookspecs_declares():
    assert set(HOOK_NAMES) == {"register_matchers", "register_writers", "normalise_value",
                               "register_output_columns", "row_outputs"}


def test_every_hook_has_a_test_named_after_it():
    test_names = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        if path.name != Path(__file__).name:
            test_names |= set(re.findall(r"^def (test_\w+)\(", path.read_text(encoding="utf-8"), re.M))
    untested = [hook for hook in HOOK_NAMES if not any(hook in name for name in test_names)]
    assert untested == [], f"hooks without a test named test_..{untested}..: add one"


def test_every_hook_is_in_the_guide_with_its_exact_signature():
    guide = GUIDE.read_text(encoding="utf-8")
    missing = [sig for sig in hook_signatures().values() if f"`{sig}`" not in guide]
    assert missing == [], f"docs/plugins.md lacks these hook signatures: {missing}"


def test_every_hook_spec_documents_its_arguments_and_return():
    for name in HOOK_NAMES:
        spec = getattr(hookspecs, name)
        doc = inspect.getdoc(spec) or ""
        assert doc.split("\n")[0].strip(), f"{name} has no summary line"
        for arg in inspect.signature(spec).parameters:
            assert f":param {arg}:" in doc, f"{name} does not document its argument {arg}"
        assert ":return:" in doc, f"{name} does not document what it returns"
        if spec.reconciler_spec.get("firstresult"):
            assert "firstresult" in doc, f"{name} is firstresult but does not say so"


def all_commands(group: click.Group, prefix: str = "reconciler"):
    ctx = click.Context(group)  # through click's own API: `init` and `plugins` load when asked for
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from all_commands(command, f"{prefix} {name}")


def test_every_cli_command_has_help_with_an_example():
    commands = [("reconciler", cli), *all_commands(cli)]
    assert {"reconciler plugins", "reconciler cache info", "reconciler run"} <= {n for n, _ in commands}
    lacking = [
        name for name, command in commands
        if not re.search(r"^\s*Example:\s*\n\s*\n?\s*reconciler\b", command.help or "", re.M)
    ]
    assert lacking == [], f"commands whose help has no 'Example:' with a reconciler command line: {lacking}"
