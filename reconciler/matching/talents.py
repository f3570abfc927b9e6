"""Deciding a row's talent status from its identifiers (spec section 4).

An `IdentifierMatcher` turns a row's cells into one normalised lookup key; a
`DecisionRule` turns the looked-up identifiers into a status. The built-ins
(mobile, email, id_number; all, any) are registered by
`reconciler.builtin.matchers` through the same hook a team's plugin uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.feishu import KeyLookup, Talent, TalentKey
from reconciler.model import Cell, SheetRow
from reconciler.matching.normalize import Normalised
from reconciler.messages.render import Message, join


@dataclass(frozen=True, slots=True)
class Resolved:
    """One identifier of a row: which input, what it normalised to, what Feishu said."""

    input: str  # the key of talent.inputs ("mobile")
    column: str  # the sheet header it was read from
    normalised: Normalised
    lookup: KeyLookup | None = None  # None when blank or invalid (never sent)

    @property
    def talent_ids(self) -> set[str]:
        return {t.talent_id for t in self.lookup.talents} if self.lookup else set()


@dataclass
class TalentDecision:
    status: str
    talent: Talent | None = None
    notes: list[Message | str] = field(default_factory=list)  # plain strings are shown as they are

    @property
    def note(self) -> str:
        """The notes as one en-US text."""
        return join(self.notes)


class IdentifierMatcher:
    """Base for matchers: reads a row's cell(s) and returns one `Normalised` key.

    Subclasses set `name` (the key used under talent.inputs) and implement
    `identify`. `columns(spec)` names every header the input reads, so that the
    recipe check can report a missing one.
    """

    name: str = ""
    description: str = ""
    # True when `identify` depends on nothing but the cells of `columns(spec)` (and spec):
    # the run then normalises each distinct combination of those cells once, not each row.
    pure: bool = False

    def columns(self, spec: Any) -> list[str]:
        return [c for c in (getattr(spec, "column", None),) if c]

    def identify(self, row: SheetRow, spec: Any) -> Normalised:  # pragma: no cover - abstract
        raise NotImplementedError


class DecisionRule:
    """Base for decision rules: `decide(resolved) -> TalentDecision`."""

    name: str = ""
    description: str = ""

    def decide(self, resolved: list[Resolved]) -> TalentDecision:  # pragma: no cover - abstract
        raise NotImplementedError


# What a key's `group` is when a plugin does not say: mainland mobiles, mainland ID cards.
_DEFAULT_GROUPS = {"mobile": "86", "email": "", "id_number": "1"}


def valid_value(kind: str, cell: Cell, value: str, *, group: str | None = None) -> Normalised:
    """A valid identifier for plugins (matchers, normalise_value): what is sent to Feishu.

    kind:  "mobile", "email" or "id_number" (what Feishu looks the value up as)
    value: the normalised value: national mobile digits, lower-case email, ID number
    group: mobile country code digits ("852"), ID type ("2"); default 86 / 1 / ""
    """
    group = _DEFAULT_GROUPS.get(kind, "") if group is None else str(group)
    return Normalised(kind, TalentKey(kind, group, value), None, True, cell.text)


def invalid_value(kind: str, cell: Cell, error: Message | str) -> Normalised:
    """An invalid identifier: never sent; `error` (one sentence: a Message, or plain text) goes into the row's note."""
    return Normalised(kind, None, error, True, cell.text)


def _located(column: str, message: Message | str) -> Message | str:
    """Prefix a message with its column unless it already names it."""
    return message if column and column in str(message) else Message("note.in_column", column=column, text=message)


def merge_talent(talent_id: str, resolved: list[Resolved]) -> Talent:
    """One talent as seen across requests: each request echoed only the kind it sent."""
    records = [t for r in resolved for t in (r.lookup.talents if r.lookup else ()) if t.talent_id == talent_id]
    if len(records) == 1:
        return records[0]
    merged: dict[str, Any] = {}
    for record in records:  # already validated answers: combine their fields, no new validation
        for name, value in (*record.__dict__.items(), *(record.model_extra or {}).items()):
            if value is not None and name not in merged:
                merged[name] = value
    return Talent.model_construct(**merged) if merged else Talent(talent_id=talent_id)


def decide_talent(resolved: list[Resolved], *, require_all: bool) -> TalentDecision:
    """The status table of spec section 4, in its order; `require_all` is mode `all`."""
    present = [r for r in resolved if r.normalised.present]
    invalid = [r for r in present if r.normalised.key is None]
    valid = [r for r in present if r.normalised.key is not None]
    faults = [_located(r.column, r.normalised.error) for r in invalid if r.normalised.error]
    if not valid:
        return TalentDecision("invalid", notes=faults or [Message("note.no_identifier")])
    failed = [r for r in valid if r.lookup is None or r.lookup.error]
    if failed:
        why = [_located(r.column, r.lookup.error if r.lookup else Message("note.not_looked_up")) for r in failed]
        return TalentDecision("error", notes=why + faults)
    hits = [r for r in valid if r.talent_ids]
    if not hits:
        return TalentDecision("not_found", notes=faults)
    candidates = set.intersection(*(r.talent_ids for r in hits))
    if not candidates:
        involved = ", ".join(f"{r.column} -> {', '.join(sorted(r.talent_ids))}" for r in hits)
        return TalentDecision("conflict", notes=[Message("note.conflict", involved=involved), *faults])
    if len(candidates) > 1:
        return TalentDecision("ambiguous", notes=[Message("note.ambiguous", ids=", ".join(sorted(candidates))), *faults])
    talent = merge_talent(next(iter(candidates)), hits)
    unresolved = [Message("note.no_talent", column=r.column) for r in valid if not r.talent_ids]
    if (invalid or unresolved) and require_all:
        return TalentDecision("partial", talent, notes=faults + unresolved)
    return TalentDecision("matched", talent, notes=faults + unresolved)
