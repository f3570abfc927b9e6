"""Loading a recipe file: YAML -> plain data -> Recipe, with every issue reported at once."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reconciler.errors import RecipeError, RecipeIssue
from reconciler.recipe.messages import issues_from_validation
from reconciler.recipe.models import Recipe
from reconciler.recipe.paths import Loc, format_loc
from reconciler.recipe.yamlsource import RecipeDocument, parse_recipe_yaml, read_recipe_text

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def load_recipe(
    path: str | Path,
    *,
    env: Mapping[str, str] | None = None,
    matchers: Collection[str] | None = None,
    modes: Collection[str] | None = None,
    writers: Collection[str] | None = None,
) -> Recipe:
    """Read and validate a recipe file; raise RecipeError listing every issue found.

    `env` (default os.environ) fills `${VAR}` placeholders. `matchers`, `modes` and
    `writers` are the names registered by plugins; when given, other names are issues.
    """
    label = str(path)
    source = Path(path)
    text = read_recipe_text(source, label)
    return parse_recipe(text, file=label, source_path=source, env=env, matchers=matchers, modes=modes, writers=writers)


def parse_recipe(
    text: str,
    *,
    file: str = "recipe.yaml",
    source_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    matchers: Collection[str] | None = None,
    modes: Collection[str] | None = None,
    writers: Collection[str] | None = None,
) -> Recipe:
    """Like load_recipe, for recipe text already in memory; `file` names it in issues."""
    doc = parse_recipe_yaml(text, file, os.environ if env is None else env)
    issues = list(doc.issues)
    issues += _unknown_names(doc, matchers, modes, writers)
    recipe: Recipe | None = None
    try:
        recipe = Recipe.model_validate(doc.data)
    except ValidationError as exc:
        issues += issues_from_validation(exc, Recipe, doc.data, doc.lines, file)
    if issues or recipe is None:
        error = RecipeError(sorted(issues, key=lambda issue: issue.line or 0))
        error.document = doc  # so the headers can still be checked against a sheet (recipe.headers)
        raise error
    recipe._file_label = file
    recipe._lines = dict(doc.lines)
    recipe.source_path = source_path
    return recipe


def recipe_json_schema() -> dict[str, Any]:
    """The recipe's JSON Schema (printed by `reconciler schema`)."""
    schema = Recipe.model_json_schema()
    schema["title"] = "reconciler recipe"
    return {"$schema": JSON_SCHEMA_DIALECT, **schema}


def _unknown_names(
    doc: RecipeDocument,
    matchers: Collection[str] | None,
    modes: Collection[str] | None,
    writers: Collection[str] | None,
) -> list[RecipeIssue]:
    """Names that no loaded plugin registered: matchers (talent.inputs keys), talent.mode, output.writers."""
    found: list[tuple[Loc, str, str, Collection[str]]] = []
    data = doc.data
    talent = data.get("talent")
    if isinstance(talent, dict):
        inputs = talent.get("inputs")
        if matchers is not None and isinstance(inputs, dict):
            found += [(("talent", "inputs", k), "recipe.unknown_matcher", k, matchers) for k in inputs if isinstance(k, str)]
        mode = talent.get("mode")
        if modes is not None and isinstance(mode, str):
            found.append((("talent", "mode"), "recipe.unknown_mode", mode, modes))
    output = data.get("output")
    if writers is not None and isinstance(output, dict) and isinstance(output.get("writers"), list):
        for i, entry in enumerate(output["writers"]):
            if isinstance(entry, str):
                found.append((("output", "writers", i), "recipe.unknown_writer", entry, writers))
            elif isinstance(entry, dict) and len(entry) == 1 and isinstance(name := next(iter(entry)), str):
                found.append((("output", "writers", i, name), "recipe.unknown_writer", name, writers))
    return [
        RecipeIssue(doc.file, doc.lines.get(loc), format_loc(loc), what, name=name,
                    known=", ".join(sorted(known)))
        for loc, what, name, known in found
        if name not in known
    ]
