"""Pydantic plumbing shared by the recipe models.

Pydantic stops a model at the first validator that raises, and a validator's
own error can only point at the model it sits on. The recipe promises every
issue at once, each at its exact key, so checks that look across keys run
*around* pydantic's own validation (`validate_with_extra`) and raise their
findings together with pydantic's, each with a precise `loc`.
"""

from __future__ import annotations

from typing import Any, Callable, get_args

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_core.core_schema import ErrorType

RECIPE_ERROR_TYPE = "recipe"
_KNOWN_ERROR_TYPES = frozenset(get_args(ErrorType))

from reconciler.messages.render import InvalidValue, Message
from reconciler.recipe.paths import Loc


class StrictModel(BaseModel):
    """Base of every recipe model: unknown keys are errors, inputs never echoed by pydantic."""

    # hide_input_in_errors: str(ValidationError) must never print an app_secret.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


def recipe_error(loc: Loc, message: Message, value: Any = None) -> InitErrorDetails:
    """A line error carrying its Message (the template is only a placeholder; ctx keeps the Message)."""
    return {
        "type": PydanticCustomError(RECIPE_ERROR_TYPE, "{message}", {"message": message}),
        "loc": loc,
        "input": value,
    }


def _as_init_error(err: Any) -> InitErrorDetails:
    if err["type"] in _KNOWN_ERROR_TYPES:
        out: InitErrorDetails = {"type": err["type"], "loc": err["loc"], "input": err["input"]}
        if "ctx" in err:
            out["ctx"] = err["ctx"]
        return out
    return {
        "type": PydanticCustomError(err["type"], "{message}", {"message": err["msg"], **err.get("ctx", {})}),
        "loc": err["loc"],
        "input": err["input"],
    }


def validate_with_extra(
    handler: Callable[[Any], Any], value: Any, extra: list[InitErrorDetails], title: str
) -> Any:
    """Run pydantic's validation and raise its errors together with `extra`, if any."""
    try:
        result = handler(value)
    except ValidationError as exc:
        errors = extra + [_as_init_error(e) for e in exc.errors()]
        raise ValidationError.from_exception_data(title, errors, hide_input=True) from None
    if extra:
        raise ValidationError.from_exception_data(title, extra, hide_input=True)
    return result


def short_form(value: Any, key: str, example: str) -> Any:
    """`"header"` -> `{key: "header"}`; mappings pass through; anything else is refused clearly."""
    if isinstance(value, str):
        return {key: value}
    if isinstance(value, (dict, BaseModel)):
        return value
    raise InvalidValue("recipe.short_form", example=example)
