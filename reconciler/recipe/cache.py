"""The recipe's `cache:` section (spec recipe.md section 2), and the Duration type it uses."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema, field_validator

from reconciler.recipe.strictness import StrictModel
from reconciler.recipe.values import check_redis_url, parse_duration

Duration = Annotated[
    int,
    BeforeValidator(parse_duration),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*(\d+[dD])?\s*(\d+[hH])?\s*(\d+[mM])?\s*(\d+[sS])?\s*$"},
                {"type": "integer", "exclusiveMinimum": 0},
            ]
        }
    ),
]


class CacheSection(StrictModel):
    """HTTP cache of Feishu answers, and where runs of the same app share its rate limit."""

    enabled: bool = Field(default=True, description="Cache Feishu answers between runs.")
    path: str | None = Field(default=None, description="Cache file; default: a file in the user's cache folder.")
    expire_after: Duration = Field(
        default="1h",  # type: ignore[assignment]  # validated into seconds
        validate_default=True,
        description="How long an answer stays fresh: 30s, 15m, 1h, 2d, 1h30m, or seconds. Never 0: data changes.",
    )
    backend: Literal["sqlite", "redis"] = Field(
        default="sqlite",
        description=(
            "Where the cache and the shared rate limit live: sqlite (files on this machine, shared by its runs) "
            "or redis (a Redis server shared by several machines)."
        ),
    )
    redis_url: str | None = Field(
        default=None,
        description="With backend redis: redis://host:6379/0 (or rediss://, unix://); default: environment REDIS_URL.",
    )

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        return None if value is None else check_redis_url(value)
