"""The recipe's JSON Schema as a file beside recipes, for editor completion.

VS Code's YAML extension (and other editors using yaml-language-server) reads a
first-line comment `# yaml-language-server: $schema=recipe.schema.json` and then
completes keys, shows each key's description and flags mistakes as you type.
"""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.errors import OutputError
from reconciler.recipe.loader import recipe_json_schema

SCHEMA_FILE = "recipe.schema.json"
MODELINE = f"# yaml-language-server: $schema={SCHEMA_FILE}\n"


def schema_text() -> str:
    return json.dumps(recipe_json_schema(), ensure_ascii=False, indent=2) + "\n"


def write_schema_file(path: Path, *, replace: bool) -> bool:
    """Write the schema to `path`; without `replace`, only when absent or an earlier
    reconciler schema (never over a file of the user's). True when written."""
    path = Path(path)
    if path.exists() and not replace:
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("title") != "reconciler recipe":
                return False
        except (OSError, ValueError, AttributeError):
            return False
    try:
        path.write_text(schema_text(), encoding="utf-8")
    except OSError as exc:
        raise OutputError("init.cannot_write", path=path, reason=str(exc.strerror or exc)) from exc
    return True
