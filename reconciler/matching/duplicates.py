"""Rows that repeat an earlier row (spec 6a): the same person listed twice.

Two rows are the same when their identifiers normalise to the same keys (a mobile
typed "138 0013 8000" and one stored as the number 13800138000 are one mobile) and
their employee keys are the same. The repeat keeps its status; its note says which
row it repeats, so the person can delete one of the two.
"""

from __future__ import annotations

from collections.abc import Hashable

from reconciler.matching.talents import Resolved
from reconciler.messages.render import Message


def row_identity(identifiers: list[Resolved], employee_key: str | None) -> Hashable | None:
    """What makes two rows the same; None for a row with nothing to compare."""
    keys = tuple(
        (r.input, r.normalised.key if r.normalised.key is not None else r.normalised.display.strip())
        for r in identifiers if r.normalised.present
    )
    if not keys and not employee_key:
        return None
    return keys, employee_key or ""


class Repeats:
    """Remembers the first row of each identity; `note(row, identity)` for a repeat."""

    def __init__(self) -> None:
        self._first: dict[Hashable, int] = {}

    def note(self, row_number: int, identity: Hashable | None) -> Message | None:
        if identity is None:
            return None
        first = self._first.setdefault(identity, row_number)
        return Message("note.duplicate", row=first) if first != row_number else None
