"""The recipe: models, loading with located errors, JSON Schema, header checks (spec recipe.md section 2)."""

from reconciler.recipe.feishu import DEFAULT_BASE_URL, FeishuSection, ResolvedFeishu
from reconciler.recipe.headers import mapped_headers, required_headers, validate_headers
from reconciler.recipe.loader import load_recipe, parse_recipe, recipe_json_schema
from reconciler.recipe.models import (
    BUILTIN_MATCHERS,
    IDENTIFICATION_TYPES,
    CacheSection,
    InputSpec,
    JobDataSection,
    JobKey,
    OutputSection,
    Recipe,
    SourceSection,
    TalentSection,
)
from reconciler.recipe.paths import format_loc
from reconciler.recipe.values import parse_duration

__all__ = [
    "BUILTIN_MATCHERS",
    "DEFAULT_BASE_URL",
    "IDENTIFICATION_TYPES",
    "CacheSection",
    "FeishuSection",
    "InputSpec",
    "JobDataSection",
    "JobKey",
    "OutputSection",
    "Recipe",
    "ResolvedFeishu",
    "SourceSection",
    "TalentSection",
    "format_loc",
    "load_recipe",
    "mapped_headers",
    "parse_duration",
    "parse_recipe",
    "recipe_json_schema",
    "required_headers",
    "validate_headers",
]
