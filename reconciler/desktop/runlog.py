"""The log file next to each output: the details the console leaves out.

Built on `reconciler.privacy.logfile`: its handler masks every mobile, ID number and email
and removes the app secret and tokens from the final text, whoever wrote the
record, so the library's own records (plan, counts, retries, the traceback of a
run that stopped) land in the same file, masked the same way.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reconciler.feishu.keys import EMAIL, MOBILE
from reconciler.privacy.logfile import LOGGER_NAME, remove_handler, setup_file_logging
from reconciler.matching.normalize import mask

log = logging.getLogger(f"{LOGGER_NAME}.desktop")

# What reconciler.privacy.logfile leaves readable because it is not a *valid* identifier: a
# mistyped mobile (12345678901, 1380013800), a foreign number (+85291234567), an
# email without a dotted domain. People's data all the same. Runs of 19+ digits
# are Feishu's own IDs (talents, job data) and stay readable for support.
_DIGITS = re.compile(r"(?<![\w*])\+?\d{7,18}[Xx]?(?![\w*])")
_LOOSE_EMAIL = re.compile(r"[\w.+-]+@[\w.-]+")


class _MaskLeftovers(logging.Filter):
    """Runs after reconciler.privacy.logfile' filter, on the text it already masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_leftovers(record.getMessage())
        record.args = ()
        if record.exc_text:
            record.exc_text = mask_leftovers(record.exc_text)
        return True


def mask_leftovers(text: str) -> str:
    text = _LOOSE_EMAIL.sub(lambda m: mask(EMAIL, m.group()), text)
    return _DIGITS.sub(lambda m: mask(MOBILE, m.group()), text)


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
            handler.addFilter(_MaskLeftovers())
            break
        except OSError:
            continue
    try:
        yield where
    finally:
        if handler is not None:
            remove_handler(handler)
