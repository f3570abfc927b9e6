"""The Writer type plugins register (kept apart from the writers themselves)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.model import WriteContext


@dataclass(frozen=True)
class Writer:
    """An output format, registered with `register(Writer(...))` in register_writers.

    Attributes:
        name: what a recipe lists under output.writers ("xlsx", "csv", "sqlite"...).
        write: write(ctx) -> Path: writes ctx.output_path (through `atomic_output(ctx)`) and
            returns it. Raising, or returning anything but a path, stops the run (exit 2)
            naming the plugin and the writer; files earlier writers wrote are kept.
        suffix: the file suffix this writer produces (".sqlite"); the output path gets it.
        description: one line shown by `reconciler plugins`.
        check_options: check_options(options) -> None, called once when the recipe is loaded
            with the writer's options ({sqlite: {table: runs}} -> {"table": "runs"}, {} when
            none); raise OptionError(message, key) for a wrong one. None (the default): the
            writer takes no options. `write` finds them in `ctx.options`.
    """

    name: str
    write: Callable[[WriteContext], Path]
    suffix: str
    description: str = ""
    check_options: Callable[[dict[str, Any]], None] | None = None
