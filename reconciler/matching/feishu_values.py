"""Turning Feishu values into cell values (spec section 2, field paths).

Enums render as their display text in the output locale (falling back to
enum_name), lists join with "; " (cost centres as "id:rate"), booleans stay
booleans so the workbook shows TRUE/FALSE, whole floats lose their ".0".
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from reconciler.feishu import CostCenterRate, EnumValue, I18nText


def render(value: Any, locale: str | None) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, EnumValue):
        return value.display_text(locale)
    if isinstance(value, CostCenterRate):
        return f"{value.cost_center_id}:{as_text(render(value.rate, locale))}"
    if isinstance(value, I18nText):
        return value.value
    if isinstance(value, (list, tuple)):
        return "; ".join(as_text(render(v, locale)) for v in value if v is not None)
    if isinstance(value, BaseModel):
        return as_text(value.model_dump(exclude_none=True))
    if isinstance(value, dict):
        if "enum_name" in value or "display" in value:
            return render(EnumValue.model_validate(value), locale)
        return "; ".join(f"{k}:{as_text(render(v, locale))}" for k, v in value.items())
    return str(value)


def as_text(value: Any) -> str:
    """The text a person would compare: TRUE/FALSE, digits without .0, "" for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
