"""Pydantic validation errors as RecipeIssues: located at a line, phrased for a recipe author."""

from __future__ import annotations

import datetime as dt
import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from reconciler.errors import RecipeIssue
from reconciler.messages.render import Message
from reconciler.recipe.paths import Loc, format_loc
from reconciler.recipe.strictness import RECIPE_ERROR_TYPE

# Values under these sections are never quoted back: they may be credentials.
_SECRET_SECTIONS = ("feishu",)

_EXPECTED = {  # pydantic error type -> catalogue key
    "string_type": "recipe.expected_text",
    "int_type": "recipe.expected_number",
    "int_parsing": "recipe.expected_number",
    "int_from_float": "recipe.expected_number",
    "bool_type": "recipe.expected_bool",
    "bool_parsing": "recipe.expected_bool",
    "dict_type": "recipe.expected_mapping",
    "model_type": "recipe.expected_mapping",
    "model_attributes_type": "recipe.expected_mapping",
    "list_type": "recipe.expected_list",
}


def issues_from_validation(
    exc: ValidationError, root: type[BaseModel], data: Any, lines: dict[Loc, int], file: str
) -> list[RecipeIssue]:
    """One issue per pydantic error, deduplicated, in the order pydantic reported them."""
    issues: list[RecipeIssue] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        present = _present_prefix(loc, data)
        if err["type"] == RECIPE_ERROR_TYPE:
            shown = loc  # our own checks name exact keys, present or not
        elif err["type"] == "missing":
            shown = loc[: len(present) + 1]
        else:
            shown = present  # drops pydantic's union-member tags such as 'literal[...]'
        line = _line(present, lines)
        issue = RecipeIssue(file, line, format_loc(shown), _message(err, loc, present, root))
        if issue not in issues:
            issues.append(issue)
    return issues


def _present_prefix(loc: Loc, data: Any) -> Loc:
    node, depth = data, 0
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            break
        depth += 1
    return loc[:depth]


def _line(loc: Loc, lines: dict[Loc, int]) -> int | None:
    for depth in range(len(loc), -1, -1):
        if (line := lines.get(loc[:depth])) is not None:
            return line
    return None


def _message(err: Any, loc: Loc, present: Loc, root: type[BaseModel]) -> Message:
    kind, value = err["type"], err["input"]
    secret = bool(loc) and loc[0] in _SECRET_SECTIONS
    ctx = err.get("ctx") or {}
    if kind == RECIPE_ERROR_TYPE:
        return Message.of(ctx.get("message", err["msg"]))
    if kind == "extra_forbidden":
        return _unknown_key(str(loc[-1]), _allowed_keys(root, loc[:-1]))
    if kind == "missing":
        name = loc[len(present)] if len(present) < len(loc) else loc[-1]
        if loc == ("version",):
            return Message("recipe.version_missing")
        return Message("recipe.key_missing", name=name)
    if kind == "value_error":
        carried = getattr(ctx.get("error"), "message", None)
        return carried if isinstance(carried, Message) else Message.plain(str(err["msg"]).removeprefix("Value error, "))
    if kind == "invalid_key":
        return Message("recipe.key_not_text", key=repr(loc[-1]))
    if kind == "too_short":
        return Message("recipe.too_short")
    if kind == "literal_error":
        return Message("recipe.literal", expected=ctx["expected"], got=_describe(value, secret))
    if kind in _EXPECTED:
        quote = kind == "string_type" and isinstance(value, (int, float, dt.date)) and not isinstance(value, bool)
        return Message("recipe.expected_got", expected=Message(_EXPECTED[kind]), got=_describe(value, secret),
                       hint=Message("recipe.quote_hint") if quote else "")
    return Message.plain(str(err["msg"]).replace("Input should", "should", 1))  # pydantic's own words


def _describe(value: Any, secret: bool) -> Message:
    if value is None:
        return Message("value.empty")
    if isinstance(value, bool):
        return Message("value.bool", value=str(value).lower())
    if isinstance(value, (int, float)):
        return Message("value.a_number") if secret else Message("value.number", value=value)
    if isinstance(value, (dt.date, dt.datetime)):
        return Message("value.a_date") if secret else Message("value.date", value=value.isoformat())
    if isinstance(value, dict):
        return Message("value.mapping")
    if isinstance(value, list):
        return Message("value.list")
    if isinstance(value, str) and not secret:
        text = value if len(value) <= 40 else value[:37] + "..."
        return Message("value.text", value=text)
    return Message("value.some_text")


def _unknown_key(key: str, allowed: list[str]) -> Message:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return Message("recipe.unknown_key_close", key=key, close=close[0])
    if allowed:
        return Message("recipe.unknown_key_allowed", key=key, allowed=", ".join(allowed))
    return Message("recipe.unknown_key", key=key)


def _allowed_keys(root: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the model found at `loc` (walking fields, dict values and list items)."""
    tp: Any = root
    for part in loc:
        model = _model_in(tp)
        if model is not None and isinstance(part, str) and part in model.model_fields:
            tp = model.model_fields[part].annotation
            continue
        tp = _item_type(tp)
        if tp is None:
            return []
    model = _model_in(tp)
    return list(model.model_fields) if model is not None else []


def _unwrap(tp: Any) -> list[Any]:
    """The alternatives of a possibly Annotated / Optional / Union type."""
    if typing.get_origin(tp) is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [alt for arg in typing.get_args(tp) for alt in _unwrap(arg)]
    return [tp]


def _model_in(tp: Any) -> type[BaseModel] | None:
    for alt in _unwrap(tp):
        if isinstance(alt, type) and issubclass(alt, BaseModel):
            return alt
    return None


def _item_type(tp: Any) -> Any:
    for alt in _unwrap(tp):
        origin, args = typing.get_origin(alt), typing.get_args(alt)
        if origin is dict and len(args) == 2:
            return args[1]
        if origin is list and args:
            return args[0]
    return None
