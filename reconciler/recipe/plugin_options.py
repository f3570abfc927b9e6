"""Plugins' own settings in the recipe: `options:` of a plugin matcher's input, and writers
with options in `output.writers` (`[xlsx, {sqlite: {table: runs}}]`). The recipe only
checks their shape; each plugin checks their content (reconciler.plugin_hooks)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import WithJsonSchema
from pydantic_core import InitErrorDetails

from reconciler.messages.render import Message
from reconciler.recipe.strictness import recipe_error

# An entry of output.writers: a writer's name, or {name: {option: value}} for a writer with options.
WriterList = Annotated[list[str], WithJsonSchema({"type": "array", "minItems": 1, "items": {"anyOf": [
    {"type": "string"},
    {"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": {"type": ["object", "null"]}},
]}})]


def split_writer_entries(entries: list[Any]) -> tuple[list[Any], dict[str, dict[str, Any]], list[InitErrorDetails]]:
    """output.writers as written -> (names, options by name, errors at the entries that are neither form)."""
    names: list[Any] = []
    options: dict[str, dict[str, Any]] = {}
    errors: list[InitErrorDetails] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            names.append(entry)  # a name; pydantic reports anything else at this index
            continue
        name, settings = next(iter(entry.items()), (None, None))
        if len(entry) != 1 or not isinstance(name, str):
            errors.append(recipe_error(("writers", index), Message("recipe.writer_entry", example="{sqlite: {table: runs}}"), entry))
        elif settings is not None and not isinstance(settings, Mapping):
            errors.append(recipe_error(("writers", index, name), Message("recipe.writer_options", name=name), settings))
        else:
            options[name] = dict(settings or {})
        names.append(name if isinstance(name, str) else "?")
    return names, options, errors
