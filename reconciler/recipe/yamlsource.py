"""Reading a recipe file into plain Python data, remembering the line of every key.

ruamel.yaml's round-trip loader keeps positions (`lc`), which pydantic's error
locations are later mapped onto. `${VAR}` placeholders are substituted here,
before validation, so that a value from the environment is validated like any
other.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from reconciler.errors import RecipeError, RecipeIssue
from reconciler.recipe.paths import Loc, format_loc

# ${NAME}, ${NAME:-default} (default when unset or empty), and $${NAME} for a literal ${NAME}.
_PLACEHOLDER = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
# Credentials may legitimately be absent (e.g. --sandbox): an unset variable there means "not given".
_OPTIONAL_ENV_SECTIONS = ("feishu",)
_DUPLICATE_KEY = re.compile(r'found duplicate key "(.*?)" with value')
# A real recipe has a few hundred values. YAML aliases (*name) may repeat a mapping
# many times over ("billion laughs"): copying it out would take minutes and all memory.
MAX_RECIPE_VALUES = 20_000


class _TooLarge(Exception):
    """The recipe expands (through aliases) to more than MAX_RECIPE_VALUES values."""


@dataclass
class RecipeDocument:
    """A parsed recipe file: plain data, the 1-based line of every key/item, and substitution issues."""

    file: str
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    issues: list[RecipeIssue] = field(default_factory=list)
    values: int = 0  # how many values have been copied out so far (see MAX_RECIPE_VALUES)


def read_recipe_text(path: Path, label: str) -> str:
    """The file's text, or a RecipeError naming the file."""
    def fail(key: str, **params: Any) -> RecipeError:
        return RecipeError(RecipeIssue(label, None, "", key, **params))

    if not path.exists():
        raise fail("recipe.file_missing")
    if path.is_dir():
        raise fail("recipe.is_folder")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise fail("recipe.unreadable", reason=str(exc.strerror or exc)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise fail("recipe.not_utf8") from None


def parse_recipe_yaml(text: str, label: str, env: Mapping[str, str]) -> RecipeDocument:
    """Parse YAML text into a RecipeDocument; YAML syntax problems raise RecipeError at their line."""
    try:
        root = YAML(typ="rt").load(text)
    except DuplicateKeyError as exc:
        # The parser's own message quotes both values, which may be secrets: name only the key.
        found = _DUPLICATE_KEY.search(exc.problem or "")
        key = f" '{found.group(1)}'" if found else ""
        raise RecipeError(
            RecipeIssue(label, _mark_line(exc), "", "recipe.duplicate_key", key=key)
        ) from None
    except MarkedYAMLError as exc:
        problem = (exc.problem or exc.context or "syntax error").rstrip(".")
        raise RecipeError(RecipeIssue(label, _mark_line(exc), "", "recipe.bad_yaml", problem=problem)) from None
    except YAMLError as exc:
        raise RecipeError(RecipeIssue(label, None, "", "recipe.bad_yaml", problem=str(exc))) from None
    if root is None:
        raise RecipeError(RecipeIssue(label, 1, "", "recipe.empty"))
    if not isinstance(root, CommentedMap):
        kind = "recipe.not_mapping_list" if isinstance(root, CommentedSeq) else "recipe.not_mapping_value"
        raise RecipeError(RecipeIssue(label, 1, "", kind))
    doc = RecipeDocument(file=label, data=None)
    doc.lines[()] = root.lc.line + 1
    try:
        doc.data = _plain(root, (), doc, env)
    except (_TooLarge, RecursionError):
        raise RecipeError(RecipeIssue(label, None, "", "recipe.too_many_values", limit=f"{MAX_RECIPE_VALUES:,}")) from None
    return doc


def _mark_line(exc: MarkedYAMLError) -> int | None:
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark is not None else None


def _plain(node: Any, loc: Loc, doc: RecipeDocument, env: Mapping[str, str]) -> Any:
    """Plain dict/list/str/int... copy of a ruamel node, recording lines and substituting ${VAR}."""
    doc.values += 1
    if doc.values > MAX_RECIPE_VALUES:
        raise _TooLarge
    if isinstance(node, CommentedMap):
        out = {}
        for key, value in node.items():
            key = _plain_scalar(key)
            doc.lines[loc + (key,)] = _position(node.lc.key, key, node)
            out[key] = _plain(value, loc + (key,), doc, env)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            doc.lines[loc + (index,)] = _position(node.lc.item, index, node)
            items.append(_plain(value, loc + (index,), doc, env))
        return items
    value = _plain_scalar(node)
    if isinstance(value, str) and "$" in value:
        return _substitute(value, loc, doc, env)
    return value


def _position(lookup: Any, key: Any, node: CommentedMap | CommentedSeq) -> int:
    """1-based line of a key or item; keys merged in with `<<: *anchor` have none, so use their mapping's."""
    try:
        return lookup(key)[0] + 1
    except (KeyError, IndexError, TypeError):
        return node.lc.line + 1


def _plain_scalar(value: Any) -> Any:
    # ruamel returns str/float/int subclasses carrying formatting; validators want the plain types.
    if isinstance(value, bool) or value is None or isinstance(value, (dt.date, dt.datetime)):
        return value
    for plain in (str, int, float):
        if isinstance(value, plain):
            return plain(value)
    return value


def _substitute(text: str, loc: Loc, doc: RecipeDocument, env: Mapping[str, str]) -> str | None:
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        escaped, name, default = match.groups()
        if escaped:
            return match.group(0)[1:]
        value = env.get(name)
        if default is not None and not value:
            return default
        if value is None:
            missing.append(name)
            return match.group(0)
        return value

    result = _PLACEHOLDER.sub(replace, text)
    if not missing:
        return result
    if loc and loc[0] in _OPTIONAL_ENV_SECTIONS:
        return None
    line = doc.lines.get(loc)
    for name in dict.fromkeys(missing):
        doc.issues.append(RecipeIssue(doc.file, line, format_loc(loc), "recipe.env_not_set", name=name))
    return text
