"""The recipe reference (docs/recipe.md) documents every key of the recipe's JSON Schema,
and its generated table is what scripts/recipe_reference.py makes of today's schema."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from reconciler.recipe import recipe_json_schema

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("recipe_reference", ROOT / "scripts" / "recipe_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_schema_key_is_documented_in_docs_recipe_md():
    generator = _generator()
    keys = [key for key, _, _ in generator.key_rows(recipe_json_schema())]
    assert len(keys) > 30 and "talent.inputs.*.column" in keys and "output.status_labels" in keys
    doc = (ROOT / "docs" / "recipe.md").read_text(encoding="utf-8")
    missing = [key for key in keys if f"`{key}`" not in doc]
    assert not missing, f"docs/recipe.md lacks {missing}: run python scripts/recipe_reference.py"


def test_the_generated_table_is_up_to_date():
    doc = (ROOT / "docs" / "recipe.md").read_text(encoding="utf-8")
    assert _generator().rendered(doc) == doc, "run python scripts/recipe_reference.py"
