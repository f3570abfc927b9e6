"""What an endpoint handler returns, and the Feishu error bodies they share."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = "application/json; charset=utf-8"
FIELD_VALIDATION_FAILED = 99992402


@dataclass
class Answer:
    status: int
    body: dict[str, Any] | str
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)

    def payload(self) -> bytes:
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


def ok(data: dict[str, Any], msg: str = "ok") -> Answer:
    return Answer(200, {"code": 0, "msg": msg, "data": data})


def fail(status: int, code: int, msg: str) -> Answer:
    return Answer(status, {"code": code, "msg": msg})


def invalid_field(field_name: str, description: str) -> Answer:
    """400 99992402, shaped like the Open Platform's field-validation error."""
    return Answer(400, {
        "code": FIELD_VALIDATION_FAILED,
        "msg": f"field validation failed: {field_name}: {description}",
        "error": {"field_violations": [{"field": field_name, "description": description}]},
    })
