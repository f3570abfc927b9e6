"""Which columns a run adds, where its files go, and the talent values it writes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from reconciler.errors import UsageError
from reconciler.feishu import Talent
from reconciler.model import OutputColumn
from reconciler.recipe import Recipe

# Talent fields written as numbers/booleans; everything else is an identifier: text.
_TALENT_VALUE_FIELDS = {"is_onboarded", "identification_type"}
# job_data fields that are numbers or booleans in the API; the rest are IDs, dates, text.
_JOB_VALUE_FIELDS = {"primary_job_data", "weekly_working_hours", "weekly_working_hours_v2"}


def output_columns(recipe: Recipe) -> list[OutputColumn]:
    columns: list[OutputColumn] = []
    if recipe.talent is not None:
        t = recipe.talent
        columns += [
            OutputColumn(header, "value" if field in _TALENT_VALUE_FIELDS else "text", "talent")
            for field, header in t.columns.items()
        ]
        columns += [OutputColumn(t.status_column, "status", "talent"), OutputColumn(t.note_column, "note", "talent")]
    if recipe.job_data is not None:
        j = recipe.job_data
        columns += [
            OutputColumn(header, "value" if path.split(".")[0] in _JOB_VALUE_FIELDS else "text", "job_data")
            for path, header in j.columns.items()
        ]
        columns += [OutputColumn(j.status_column, "status", "job_data"), OutputColumn(j.note_column, "note", "job_data")]
    return columns


def talent_values(recipe: Recipe, talent: Talent) -> dict[str, Any]:
    """The talent's values of talent.columns by header (a field Feishu added later: from its extras)."""
    declared, extra = talent.__dict__, talent.model_extra or {}  # a pydantic model's fields are in its __dict__
    return {header: declared[field] if field in declared else extra.get(field)
            for field, header in recipe.talent.columns.items()}


def output_paths(recipe: Recipe, input_path: Path, override: Path | None, writers) -> list[Path]:
    """One path per writer: the template (or -o) with the writer's suffix.

    The template is relative to the input's folder, {stem} the input's name without
    suffix; -o is relative to the current folder. A macro workbook keeps its .xlsm
    suffix so that the xlsx writer can keep the macros.
    """
    input_path = Path(input_path)
    if override is not None:
        base = Path(override).expanduser()
    else:
        try:
            name = recipe.output.path.format(stem=input_path.stem)
        except (KeyError, IndexError, ValueError) as exc:
            raise UsageError("error.output_placeholder", path=recipe.output.path, placeholder=str(exc)) from exc
        base = Path(name).expanduser()
        if not base.is_absolute():
            base = input_path.parent / base
    paths = []
    for writer in writers:
        suffix = writer.suffix
        if writer.name == "xlsx" and input_path.suffix.lower() == ".xlsm":
            suffix = ".xlsm"
        path = base if base.suffix.lower() == suffix else base.with_suffix(suffix)
        _check_name_length(path)
        if path.resolve() == input_path.resolve():
            raise UsageError("error.output_overwrites_input", path=path)
        paths.append(path)
    return paths


# The temporary file's name adds ".~" and ".xxxxxxxx" to the output's (see writers.tempfiles).
TEMP_NAME_EXTRA = 11


def _check_name_length(path: Path) -> None:
    """Refuse, before anything is sent, a file name the folder's file system cannot hold
    (naming the output, not the temporary file that would fail later)."""
    try:
        limit = os.pathconf(path.parent if path.parent.is_dir() else ".", "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # Windows has no pathconf: NTFS and FAT hold 255
        limit = 255
    size = len(path.name.encode("utf-8"))
    if size + TEMP_NAME_EXTRA > limit:
        raise UsageError("error.output_name_too_long", name=path.name[:40] + "…", size=size,
                         limit=limit - TEMP_NAME_EXTRA)
