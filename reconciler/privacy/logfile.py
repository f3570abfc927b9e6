"""Logging that is safe to keep: identifiers masked, secrets and tokens never written.

The library logs to the `reconciler` logger only; `setup_file_logging` (the CLI's
`--log`, the desktop launcher's log file) attaches a handler whose filter masks
every mobile, ID number and email in the final text, whoever formatted it, and
removes anything that looks like a bearer token or the app secret.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from reconciler.privacy.masking import mask

LOGGER_NAME = "reconciler"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ID = re.compile(r"(?<![\w])\d{6}(?:19|20)\d{2}\d{7}[\dXx](?![\w])|(?<![\w])\d{15}(?![\w])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# What is not a *valid* identifier is still a person's data: a mistyped mobile
# (12345678901, 1380013800), a foreign number (+85291234567), one written with
# separators (138-0013-8000, +86 138 0013 8000), an email without a dotted domain.
# Runs of 19+ digits are Feishu's own IDs (talents, job data) and stay readable.
_DIGITS = re.compile(r"(?<![\w*])\+?\d{7,18}[Xx]?(?![\w*])")
_FORMATTED = re.compile(r"(?<![\w*+])(?:\+\d{1,3}[ -]?)?\(?\d{2,4}\)?(?:[ .-]\d{3,4}){2}(?![\w*])")
_LOOSE_EMAIL = re.compile(r"[\w.+-]+@[\w.-]+")
_TOKEN = re.compile(r"\b[tu]-[A-Za-z0-9._-]{8,}")
_BEARER = re.compile(r"(Bearer\s+)\S+", re.IGNORECASE)


def mask_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Mask personal identifiers and drop tokens/secrets from a piece of text."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[secret]")
    text = _BEARER.sub(r"\1[token]", text)
    text = _TOKEN.sub("[token]", text)
    text = _EMAIL.sub(lambda m: mask("email", m.group(0)), text)
    text = _ID.sub(lambda m: mask("id_number", m.group(0)), text)
    text = _MOBILE.sub(lambda m: mask("mobile", m.group(0)), text)
    text = _LOOSE_EMAIL.sub(lambda m: m.group(0) if "***@" in m.group(0) else mask("email", m.group(0)), text)
    text = _FORMATTED.sub(lambda m: mask("mobile", m.group(0)), text)
    return _DIGITS.sub(lambda m: mask("mobile", m.group(0)), text)


class MaskingFilter(logging.Filter):
    def __init__(self, secrets: tuple[str, ...] = ()):
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage(), self.secrets)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text, self.secrets)
        return True


def setup_file_logging(path: Path, *, level: int = logging.DEBUG, secrets: tuple[str, ...] = ()) -> logging.Handler:
    """Log reconciler's messages to `path` (mode 0600), masked. Returns the handler to remove later."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # an existing log keeps its mode otherwise, and this one holds row details
    finally:
        os.close(fd)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter(tuple(s for s in secrets if s)))
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(min(level, logger.level or level))
    logger.addHandler(handler)
    return handler


def remove_handler(handler: logging.Handler) -> None:
    logging.getLogger(LOGGER_NAME).removeHandler(handler)
    handler.close()
