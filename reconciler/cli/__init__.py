"""The command line: `reconciler run | check | init | plugins | cache | schema | sandbox`.

`handling` turns errors into exit codes for every command; `main` holds the group.
Nothing is imported here until asked for, so that `reconciler run` can start parsing
the sheet before the heavier imports (reconciler.sheets.early).
"""

from __future__ import annotations

__all__ = ["cli", "main"]


def main() -> None:
    """The `reconciler` command."""
    from reconciler.cli.main import main as run_command_line

    run_command_line()


def __getattr__(name: str):
    if name == "cli":
        from reconciler.cli.main import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
