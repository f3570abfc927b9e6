"""The command line: `reconciler run | check | init | plugins | cache | schema | sandbox`.

`handling` turns errors into exit codes for every command; `main` holds the group.
"""

from reconciler.cli.main import cli, main

__all__ = ["cli", "main"]
