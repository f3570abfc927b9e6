"""Rows that repeat an earlier row (spec 6a): the same person listed twice.

Two rows are the same when their identifiers normalise to the same keys (a mobile
typed "138 0013 8000" and one stored as the number 13800138000 are one mobile) and
their employee keys are the same. The repeat keeps its status; its note says which
row it repeats, so the person can delete one of the two.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable

from reconciler.matching.talents import Resolved
from reconciler.messages.render import Message


def row_identity(identifiers: list[Resolved], employee_key: str | None) -> Hashable | None:
    """What makes two rows the same; None for a row with nothing to compare.

    A 16-byte digest of the row's keys (a key, or the text of a value that is not one)
    and its employee key: the first row of each identity is remembered to the end of
    the decisions, and 100,000 rows' tuples of keys took ~30 MB."""
    parts = []
    for r in identifiers:
        if r.normalised.present:
            key = r.normalised.key
            parts.append(f"{r.input}\x1f{key.kind}\x1f{key.group}\x1f{key.value}" if key is not None
                         else f"{r.input}\x1f\x1f{r.normalised.display.strip()}")
    if not parts and not employee_key:
        return None
    parts.append(employee_key or "")
    return hashlib.blake2b("\x1e".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest()


class Repeats:
    """Remembers the first row of each identity; `note(row, identity)` for a repeat."""

    def __init__(self) -> None:
        self._first: dict[Hashable, int] = {}

    def note(self, row_number: int, identity: Hashable | None) -> Message | None:
        if identity is None:
            return None
        first = self._first.setdefault(identity, row_number)
        return Message("note.duplicate", row=first) if first != row_number else None
