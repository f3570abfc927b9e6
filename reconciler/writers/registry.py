"""The Writer type plugins register (kept apart from the writers themselves)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reconciler.model import WriteContext


@dataclass(frozen=True)
class Writer:
    """An output format.

    name:   what a recipe lists under output.writers ("xlsx", "csv", "html"...)
    write:  write(ctx) -> Path; writes ctx.output_path and returns it
    suffix: the file suffix this writer produces; the output path gets it
    description: one line shown by `reconciler plugins`
    """

    name: str
    write: Callable[[WriteContext], Path]
    suffix: str
    description: str = ""
