"""Masking identifiers for logs and notes: 138****8000, 1101**********1234, a***@example.com.

A module of its own so that both the client layer and the sheet side can use it
without importing each other.
"""

from __future__ import annotations

# The identifier kinds of reconciler.feishu.keys, spelled out: this module imports nothing of ours.
EMAIL, MOBILE = "email", "mobile"


def _mask_middle(value: str, head: int, tail: int) -> str:
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]


def mask(kind: str, value: str) -> str:
    """Hide the middle of an identifier for logs and reports: 138****8000, 1101**********1234, a***@example.com.

    :param kind: "mobile", "email" or "id_number" (anything else is masked like an ID number).
    :param value: the identifier as text; "" stays "".
    """
    value = value.strip()
    if not value:
        return ""
    if kind == EMAIL and "@" in value:
        local, _, domain = value.rpartition("@")
        return f"{local[:1]}***@{domain}"
    keep = len(value) // 4  # short values keep less, so most of them stays hidden
    if kind == MOBILE and len(value) >= 9:
        return _mask_middle(value, 3, 4)
    return _mask_middle(value, min(4, keep), min(4, keep))
