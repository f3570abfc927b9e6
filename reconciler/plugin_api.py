"""Everything a reconciler plugin needs, from one module: `from reconciler.plugin_api import ...`.

This is the plugin API's public surface: the names below keep their meaning across
releases, wherever the code behind them moves. docs/plugins.md is the guide;
docs/plugin-reference.md, generated from this module's docstrings and type hints
(scripts/plugin_reference.py), is the reference of every object a hook receives
or returns.

- marking hooks: `hookimpl`;
- matchers and rules (register_matchers, normalise_value): `IdentifierMatcher`,
  `DecisionRule`, `InputSpec`, `Normalised`, `TalentKey`, `valid_value`,
  `invalid_value`, `not_present`, the built-in normalisers, `Resolved`, `KeyLookup`,
  `Talent`, `TalentDecision`, `decide_talent`, `merge_talent`, `LOOKUP_KINDS`;
- writers (register_writers): `Writer`, `WriteContext`, `Sheet`, `SheetRow`, `Cell`,
  `OutputColumn`, `RowOutcome`, `RunSummary`, `atomic_output`;
- the recipe: `Recipe`, `InputSpec`; plugin options: `OptionError`;
- reports for people: `rows_needing_review`, `needs_review`, `REVIEW_ORDER`,
  `status_label`, `notes_text`, `mask`, `mask_text`, `Message`;
- errors: `PluginError`, `OptionError`;
- tests: `isolated`, `run`, `RunOptions`.
"""

from __future__ import annotations

from reconciler.errors import OptionError, PluginError
from reconciler.feishu.keys import KINDS as LOOKUP_KINDS
from reconciler.feishu.keys import TalentKey
from reconciler.feishu.lookups import KeyLookup
from reconciler.feishu.models import Talent
from reconciler.hookspecs import hookimpl
from reconciler.matching.normalize import Normalised, normalise_email, normalise_id_number, normalise_mobile
from reconciler.matching.review import REVIEW_ORDER, needs_review, notes_text, rows_needing_review, status_label
from reconciler.matching.talents import (
    DecisionRule,
    IdentifierMatcher,
    Resolved,
    TalentDecision,
    decide_talent,
    invalid_value,
    merge_talent,
    not_present,
    valid_value,
)
from reconciler.messages.render import Message
from reconciler.model import (
    JOB_STATUSES,
    TALENT_STATUSES,
    Cell,
    OutputColumn,
    RowOutcome,
    RunSummary,
    Sheet,
    SheetRow,
    WriteContext,
)
from reconciler.pipeline import RunOptions, run
from reconciler.plugins import isolated
from reconciler.privacy.logfile import mask_text
from reconciler.privacy.masking import mask
from reconciler.recipe import InputSpec, Recipe
from reconciler.writers.common import atomic_output
from reconciler.writers.registry import Writer

__all__ = [
    # hooks
    "hookimpl",
    # matchers and rules
    "IdentifierMatcher", "DecisionRule", "InputSpec", "Normalised", "TalentKey", "LOOKUP_KINDS",
    "valid_value", "invalid_value", "not_present", "normalise_mobile", "normalise_email", "normalise_id_number",
    "Resolved", "KeyLookup", "Talent", "TalentDecision", "decide_talent", "merge_talent", "TALENT_STATUSES",
    # writers
    "Writer", "WriteContext", "Sheet", "SheetRow", "Cell", "OutputColumn", "RowOutcome", "RunSummary",
    "JOB_STATUSES", "atomic_output",
    # the recipe
    "Recipe",
    # reports for people
    "rows_needing_review", "needs_review", "REVIEW_ORDER", "status_label", "notes_text", "mask", "mask_text", "Message",
    # errors
    "PluginError", "OptionError",
    # tests
    "isolated", "run", "RunOptions",
]
