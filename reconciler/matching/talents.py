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
from reconciler.feishu.models import trusted_talent
from reconciler.model import Cell, SheetRow
from reconciler.matching.normalize import Normalised
from reconciler.errors import OptionError
from reconciler.messages.render import InvalidValue, Message, join


@dataclass(frozen=True, slots=True)
class Resolved:
    """One identifier of a row: which input, what it normalised to, what Feishu said.

    Attributes:
        input: the key of talent.inputs ("mobile", "region_mobile").
        column: the sheet header it was read from.
        normalised: what the matcher (or a normalise_value plugin) made of the cell.
        lookup: Feishu's answer for the key; None when the identifier was blank or invalid
            (never sent).
    """

    input: str  # the key of talent.inputs ("mobile")
    column: str  # the sheet header it was read from
    normalised: Normalised
    lookup: KeyLookup | None = None  # None when blank or invalid (never sent)

    @property
    def talent_ids(self) -> set[str]:
        """The IDs of the talents Feishu found for this identifier; empty when none or not sent."""
        return {t.talent_id for t in self.lookup.talents} if self.lookup else set()


@dataclass
class TalentDecision:
    """What a decision rule says about a row.

    Attributes:
        status: one of TALENT_STATUSES.
        talent: the talent, for matched and partial (its fields fill talent.columns); None otherwise.
        notes: the row's talent note: Messages or plain strings.
    """

    status: str
    talent: Talent | None = None
    notes: list[Message | str] = field(default_factory=list)  # plain strings are shown as they are

    @property
    def note(self) -> str:
        """The notes as one en-US text."""
        return join(self.notes)


class IdentifierMatcher:
    """Base for matchers: reads a row's cell(s) and returns one `Normalised` key.

    Subclass it, set `name` and `description`, and implement `identify`. Override
    `columns` when the input reads more than `spec.column`, and `check_options` when
    it takes options of its own (`spec.options`).

    Attributes:
        name: the key of talent.inputs that uses this matcher ("region_mobile").
        description: one line shown by `reconciler plugins`.
        pure: True when `identify` depends only on the cells of `columns(spec)` (and spec):
            the run then normalises each distinct combination of those cells once, not each row.
            Default False: a plugin matcher is asked for every row.
    """

    name: str = ""
    description: str = ""
    pure: bool = False

    def columns(self, spec: Any) -> list[str]:
        """Every header this input reads for `spec` (an `InputSpec`); default: `[spec.column]`.

        The sheet must have each of them: a missing one stops the run before anything is sent.
        """
        return [c for c in (getattr(spec, "column", None),) if c]

    def check_options(self, options: dict[str, Any]) -> None:
        """Check `spec.options` (the input's `options:` in the recipe) once, when the recipe is loaded.

        Raise `OptionError(message, key)` for a wrong option: it is reported at that
        option's line of the recipe. Default: no options are allowed.
        """
        if options:
            raise OptionError(Message("recipe.matcher_no_options", name=self.name))

    def identify(self, row: SheetRow, spec: Any) -> Normalised:  # pragma: no cover - abstract
        """The row's identifier: `valid_value(...)`, `invalid_value(...)` or `not_present(...)`."""
        raise NotImplementedError


class DecisionRule:
    """Base for decision rules: `decide(resolved) -> TalentDecision`.

    Attributes:
        name: the value of talent.mode that uses this rule ("strict").
        description: one line shown by `reconciler plugins`.
    """

    name: str = ""
    description: str = ""

    def decide(self, resolved: list[Resolved]) -> TalentDecision:  # pragma: no cover - abstract
        """The row's status from its identifiers (one Resolved per talent.inputs key, in recipe order)."""
        raise NotImplementedError


# What a key's `group` is when a plugin does not say: mainland mobiles, mainland ID cards.
_DEFAULT_GROUPS = {"mobile": "86", "email": "", "id_number": "1"}


def valid_value(kind: str, cell: Cell, value: str, *, group: str | None = None) -> Normalised:
    """A valid identifier (from a matcher or normalise_value): what is looked up in Feishu.

    :param kind: what Feishu looks the value up as: "mobile", "email" or "id_number"
        (LOOKUP_KINDS), whatever the matcher is called: a `region_mobile` matcher
        returns "mobile" keys. Anything else raises ValueError.
    :param cell: the cell the value was read from (its text is kept for notes).
    :param value: the normalised value: the national mobile number's digits without
        the country code ("91234567"), the lower-case email, the upper-case ID number.
    :param group: the mobile's country calling code digits ("852"), the ID's
        identification type ("2"); default "86" for mobiles, "1" for ID numbers, "" for emails.
    """
    if kind not in _DEFAULT_GROUPS:
        raise InvalidValue("error.lookup_kind", kind=repr(kind), kinds=", ".join(_DEFAULT_GROUPS))
    group = _DEFAULT_GROUPS[kind] if group is None else str(group)
    return Normalised(kind, TalentKey(kind, group, str(value)), None, True, cell.text)


def invalid_value(kind: str, cell: Cell, error: Message | str) -> Normalised:
    """An invalid identifier: never sent; `error` (one sentence: a Message, or plain text) goes into the row's note."""
    return Normalised(kind, None, error, True, cell.text)


def not_present(kind: str, cell: Cell) -> Normalised:
    """No identifier in this row (a blank cell, a placeholder such as "-"): not looked up, no note.

    The row is decided by its other identifiers; with none present it is `invalid`.
    """
    return Normalised(kind, None, None, False, cell.text)


def _located(column: str, message: Message | str) -> Message | str:
    """Prefix a message with its column unless it already names it."""
    return message if column and column in str(message) else Message("note.in_column", column=column, text=message)


def pointed(hits: list[Resolved]) -> Message:
    """Each identifier as the sheet shows it with the talent IDs it found, e.g.
    "手机号 13800000000 → 6910…016; 邮箱 a@x.cn → 6910…017": the person sees which value
    to look into. The workbook shows the values; the log file masks them."""
    parts = [Message("note.pointed", column=r.column, value=r.normalised.display.strip(), ids=sorted(r.talent_ids))
             for r in hits]
    chained = parts[-1]
    for part in reversed(parts[:-1]):
        chained = Message("note.then", first=part, rest=chained)
    return chained


def merge_talent(talent_id: str, resolved: list[Resolved]) -> Talent:
    """One talent as seen across requests: each request echoed only the kind it sent."""
    records = [t for r in resolved for t in (r.lookup.talents if r.lookup else ()) if t.talent_id == talent_id]
    if len(records) == 1:
        return records[0]
    merged: dict[str, Any] = {}
    for record in records:  # already validated answers: combine their fields, no new validation
        for fields in (record.__dict__, record.model_extra):
            for name, value in (fields or {}).items():
                if value is not None and name not in merged:
                    merged[name] = value
    return trusted_talent(merged) if merged else Talent(talent_id=talent_id)


def decide_talent(resolved: list[Resolved], *, require_all: bool) -> TalentDecision:
    """The status table of spec section 4, in its order; `require_all` is mode `all`."""
    invalid: list[Resolved] = []
    valid: list[Resolved] = []
    for r in resolved:  # one pass: this runs for every row
        if r.normalised.present:
            (valid if r.normalised.key is not None else invalid).append(r)
    faults = [_located(r.column, r.normalised.error) for r in invalid if r.normalised.error]
    if not valid:
        return TalentDecision("invalid", notes=faults or [Message("note.no_identifier")])
    failed = [r for r in valid if r.lookup is None or r.lookup.error]
    if failed:
        why = [_located(r.column, r.lookup.error if r.lookup else Message("note.not_looked_up")) for r in failed]
        return TalentDecision("error", notes=why + faults)
    found = [(r, r.talent_ids) for r in valid]  # each identifier's talent IDs, worked out once
    hits = [r for r, ids in found if ids]
    if not hits:
        return TalentDecision("not_found", notes=faults)
    candidates = set.intersection(*(ids for _, ids in found if ids))
    if not candidates:
        return TalentDecision("conflict", notes=[Message("note.conflict", involved=pointed(hits)), *faults])
    if len(candidates) > 1:
        return TalentDecision("ambiguous", notes=[Message("note.ambiguous", ids=pointed(hits)), *faults])
    talent = merge_talent(next(iter(candidates)), hits)
    unresolved = [Message("note.no_talent", column=r.column) for r, ids in found if not ids]
    if (invalid or unresolved) and require_all:
        return TalentDecision("partial", talent, notes=faults + unresolved)
    return TalentDecision("matched", talent, notes=faults + unresolved)
