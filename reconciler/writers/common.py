"""Helpers shared by the writers: where a writer may write, how it writes
atomically, and how an outcome value becomes a cell value or text.

Every writer goes through `atomic_output`, so the input is never the target, a
crash never leaves half a file behind, and the usual Windows/Excel failures turn
into one `OutputError` sentence instead of a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
from collections.abc import Callable, Iterator
from operator import attrgetter
from pathlib import Path
from typing import Any

from reconciler.errors import OutputError, UsageError
from reconciler.messages.render import join
from reconciler.model import OutputColumn, RowOutcome, WriteContext
from reconciler.writers.tempfiles import temp_output

# A spreadsheet program treats a cell starting with one of these as a formula
# (OWASP "CSV injection"); tab and CR are on OWASP's list too.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def text_of(value: Any) -> str:
    """A value as the text a person expects to read (csv cells, text columns, notes)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and math.isfinite(value):
            return str(int(value))  # 13800138000.0 -> "13800138000", as Excel shows it
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(text_of(v) for v in value)
    return str(value)


def outcome_value(column: OutputColumn, outcome: RowOutcome, status_columns: dict[str, str], locale: str = "en-US") -> Any:
    """What `column` holds for the row of `outcome`.

    Status and note columns of the talent / job_data sections come from the
    outcome's own fields; everything else (value and text columns, a plugin's
    status or note columns) from `outcome.values`.
    """
    return outcome_getter(column, status_columns, locale)(outcome)


def outcome_getter(column: OutputColumn, status_columns: dict[str, str], locale: str = "en-US") -> Callable[[RowOutcome], Any]:
    """`outcome_value` for one column, decided once (a writer calls it for every cell); notes in `locale`."""
    section = column.section
    for name, header in status_columns.items():
        if header == column.header and column.kind == "status":
            section = name
    if column.kind == "status":
        if section == "talent":
            return attrgetter("talent_status")
        if section == "job_data":
            return attrgetter("job_status")
    elif column.kind == "note":
        # Most rows have no note: asked for each row twice, joining nothing was 0.7 s of a 100,000-row run.
        if section == "talent":
            return lambda outcome: (join(outcome.talent_notes, locale) or None) if outcome.talent_notes else None
        if section == "job_data":
            return lambda outcome: (join(outcome.job_notes, locale) or None) if outcome.job_notes else None
    header = column.header
    return lambda outcome: outcome.values.get(header)


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)  # hard links, case-insensitive file systems
    return False


def check_output_path(ctx: WriteContext) -> Path:
    """Refuse an output that would overwrite the input or cannot be written; return it."""
    out = Path(ctx.output_path)
    if _same_file(out, Path(ctx.input_path)):
        raise UsageError("error.output_is_input", path=out)
    folder = out.parent
    if not folder.is_dir():
        raise OutputError("error.output_folder_missing", name=out.name, folder=folder)
    if not os.access(folder, os.W_OK):
        raise OutputError("error.output_folder_readonly", name=out.name, folder=folder)
    if out.is_dir():
        raise OutputError("error.output_is_folder", path=out)
    if (folder / f"~${out.name}").exists():
        raise OutputError("error.output_locked", path=out, lock=f"~${out.name}")
    return out


def _default_file_mode() -> int:
    """The mode `open()` would give a new file (the temp file is created 0600)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def output_mode(input_path: Path) -> int:
    """Permission bits of an output: what `open()` would give, and never broader than the
    input's (a 0600 workbook of phone numbers must not produce a 0644 copy)."""
    mode = _default_file_mode()
    with contextlib.suppress(OSError):
        mode &= os.stat(input_path).st_mode & 0o777
    return mode | 0o600  # the owner can always read and replace their own output


@contextlib.contextmanager
def atomic_output(ctx: WriteContext) -> Iterator[Path]:
    """Yield a temporary path beside the output; on success rename it onto the output.

    The temporary file lives in the output's folder (so the rename is atomic); on
    Linux it has no name until complete, elsewhere it is `.~<name>.<random><suffix>`,
    removed on any failure (see `reconciler.writers.tempfiles`).
    """
    out = check_output_path(ctx)
    cleanup = contextlib.ExitStack()
    try:
        temp = cleanup.enter_context(temp_output(out))
    except OSError as exc:
        reason = exc.strerror or exc
        raise OutputError("error.output_temp_failed", name=out.name, folder=out.parent, reason=reason) from exc
    try:
        yield temp.path
        try:
            temp.publish(out, output_mode(Path(ctx.input_path)))
        except PermissionError as exc:
            raise OutputError("error.output_in_use", path=out) from exc
    except OSError as exc:
        reason = exc.strerror or exc
        raise OutputError("error.output_failed", path=out, reason=reason) from exc
    finally:
        cleanup.close()
