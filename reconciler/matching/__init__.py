"""Normalising and deciding: identifiers to lookup keys, answers to row statuses.

- `normalize`: mobile, email and ID-number cells to the keys Feishu is asked about (spec section 5);
- `talents`: matchers, decision rules and the talent status of a row (spec section 4);
- `jobdata`: which job-data version a row joins, and what differs from the sheet;
- `feishu_values`: Feishu values (enums, lists, booleans) as the cells a person reads.

The names plugin authors import from `reconciler.matching` are re-exported here.
"""

from reconciler.matching.talents import (
    DecisionRule,
    IdentifierMatcher,
    Resolved,
    TalentDecision,
    decide_talent,
    invalid_value,
    merge_talent,
    valid_value,
)

__all__ = [
    "DecisionRule", "IdentifierMatcher", "Resolved", "TalentDecision",
    "decide_talent", "invalid_value", "merge_talent", "valid_value",
]
