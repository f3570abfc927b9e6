"""Built-in matchers (mobile, email, id_number) and decision rules (all, any)."""

from __future__ import annotations

from reconciler.hookspecs import hookimpl
from reconciler.matching.talents import DecisionRule, IdentifierMatcher, Resolved, TalentDecision, decide_talent
from reconciler.model import SheetRow
from reconciler.matching.normalize import Normalised, normalise_email, normalise_id_number, normalise_mobile


class MobileMatcher(IdentifierMatcher):
    name = "mobile"
    pure = True
    description = "mobile number; country code from +CC/00CC, code_column or default_code"

    def columns(self, spec) -> list[str]:
        return [c for c in (spec.column, spec.code_column) if c]

    def identify(self, row: SheetRow, spec) -> Normalised:
        code_cell = row.get(spec.code_column) if spec.code_column else None
        return normalise_mobile(row.get(spec.column), code_cell=code_cell, default_code=spec.default_code, column=spec.column)


class EmailMatcher(IdentifierMatcher):
    name = "email"
    pure = True
    description = "email address, trimmed and lower-cased"

    def identify(self, row: SheetRow, spec) -> Normalised:
        return normalise_email(row.get(spec.column), column=spec.column)


class IdNumberMatcher(IdentifierMatcher):
    name = "id_number"
    pure = True
    description = "ID number of a type (1 mainland ID, check digit verified), or a type column"

    def columns(self, spec) -> list[str]:
        return [c for c in (spec.column, spec.type_column) if c]

    def identify(self, row: SheetRow, spec) -> Normalised:
        type_cell = row.get(spec.type_column) if spec.type_column else None
        return normalise_id_number(row.get(spec.column), id_type=spec.type, type_cell=type_cell, column=spec.column)


class AllRule(DecisionRule):
    name = "all"
    description = "matched only when every present identifier is valid and resolves to the one talent"

    def decide(self, resolved: list[Resolved]) -> TalentDecision:
        return decide_talent(resolved, require_all=True)


class AnyRule(DecisionRule):
    name = "any"
    description = "matched when the identifiers that resolve agree on one talent"

    def decide(self, resolved: list[Resolved]) -> TalentDecision:
        return decide_talent(resolved, require_all=False)


@hookimpl(trylast=True)
def register_matchers(register):
    for matcher in (MobileMatcher(), EmailMatcher(), IdNumberMatcher(), AllRule(), AnyRule()):
        register(matcher)
