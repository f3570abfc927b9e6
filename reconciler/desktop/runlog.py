"""The log file next to each output: the details the console leaves out.

Built on `reconciler.privacy.logfile`: its handler masks every mobile, ID number and email
and removes the app secret and tokens from the final text, whoever wrote the
record, so the library's own records (plan, counts, retries, the traceback of a
run that stopped) land in the same file, masked the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reconciler.privacy.logfile import LOGGER_NAME, mask_text, remove_handler, setup_file_logging

log = logging.getLogger(f"{LOGGER_NAME}.desktop")

def mask_leftovers(text: str) -> str:
    """Kept for callers of the desktop helper: the one masking of every log is `mask_text`."""
    return mask_text(text)


def silence_console_logging() -> None:
    """Without any handler, Python prints warnings and tracebacks logged by the library
    on stderr (logging.lastResort); the console must only ever show plain sentences."""
    logger = logging.getLogger(LOGGER_NAME)
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())


@contextmanager
def file_log(path: Path, fallback_dir: Path, secrets: tuple[str, ...] = ()) -> Iterator[Path | None]:
    """Log to `path`, or to the same name in `fallback_dir` when `path`'s folder cannot be written;
    yield where the log goes (None: nowhere writable, the run goes on without a log)."""
    handler, where = None, None
    for candidate in (path, fallback_dir / path.name):
        try:
            handler, where = setup_file_logging(candidate, secrets=tuple(s for s in secrets if s)), candidate
            break
        except OSError:
            continue
    try:
        yield where
    finally:
        if handler is not None:
            remove_handler(handler)
