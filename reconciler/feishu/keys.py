"""The normalised identifiers the client looks talents up by."""

from __future__ import annotations

from dataclasses import dataclass, field

MOBILE, EMAIL, ID_NUMBER = "mobile", "email", "id_number"
KINDS = (MOBILE, EMAIL, ID_NUMBER)


@dataclass(frozen=True, order=True, slots=True)
class TalentKey:
    """One identifier, already normalised (see reconciler.matching.normalize).

    Attributes:
        kind: "mobile", "email" or "id_number": what Feishu looks the value up as.
        group: what every key of one request shares: the mobile's country calling code
            digits ("86", "852"), the identification type ("1"); "" for an email.
        value: the national mobile number's digits without the country code; the
            lower-cased email; the upper-cased ID number.
    """

    kind: str
    group: str
    value: str
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown identifier kind {self.kind!r}")
        # Worked out once: a warm 100,000-row run looks its ~150,000 keys up in dicts and
        # sets a million times, and the generated __hash__ builds a tuple every time.
        object.__setattr__(self, "_hash", hash((self.kind, self.group, self.value)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self):  # str hashes differ between processes: rebuilt, never copied
        return (TalentKey, (self.kind, self.group, self.value))

    @property
    def batch(self) -> tuple[str, str]:
        """Keys with the same batch can share one request (the API AND-combines lists)."""
        return (self.kind, self.group)
