"""Reading the items of an answer one by one, so one malformed item costs only its request.

Feishu's answers are validated with the pydantic models of `feishu.models`. A
validation dump would quote the offending values (a mobile number), so the error
here names only the item's position and the field.
"""

from __future__ import annotations

from pydantic import ValidationError

from reconciler.errors import FeishuError


class MalformedAnswerError(FeishuError):
    """An answer with code 0 whose items are not what the API page says (not objects, wrong types).

    Raised per request: the rows that request answers become `error` rows with this
    reason, every other request's answers are kept. The reason names the item and the
    field, never the values (they may hold a mobile number)."""


def validated_items(model, items, *, field: str):
    """`items` as `model` objects; MalformedAnswerError naming the first bad item and field."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise MalformedAnswerError("error.answer_not_list", field=field, found=type(items).__name__)
    out = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise MalformedAnswerError("error.answer_item_not_object", field=field, index=index + 1,
                                       found=type(item).__name__)
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            where = ".".join(str(part) for part in exc.errors()[0].get("loc", ())) or "?"
            raise MalformedAnswerError("error.answer_item_invalid", field=field, index=index + 1, where=where) from None
    return out
