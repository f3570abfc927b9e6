"""The `feishu:` section and its environment overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import Field, SecretStr, field_validator

from reconciler.errors import RecipeError, RecipeIssue
from reconciler.messages.render import message_of
from reconciler.recipe.strictness import StrictModel
from reconciler.recipe.values import SANDBOX, check_base_url

DEFAULT_BASE_URL = "https://open.feishu.cn"
ENV_BASE_URL, ENV_APP_ID, ENV_APP_SECRET = "FEISHU_BASE_URL", "FEISHU_APP_ID", "FEISHU_APP_SECRET"


@dataclass(frozen=True)
class ResolvedFeishu:
    """Feishu connection settings after environment overrides; the secret stays out of repr."""

    base_url: str
    app_id: str | None
    app_secret: str | None = field(default=None, repr=False)

    @property
    def is_sandbox(self) -> bool:
        return self.base_url == SANDBOX


class FeishuSection(StrictModel):
    """Where Feishu is and which app to use. Environment FEISHU_BASE_URL, FEISHU_APP_ID and
    FEISHU_APP_SECRET override these keys. An unset ${VAR} in this section means "not given"
    (credentials may be absent, e.g. with --sandbox); the client reports them when needed."""

    base_url: str | None = Field(
        default=None,
        description=(
            "https://open.feishu.cn (default), https://open.larksuite.com, or the word sandbox "
            "for the embedded simulator."
        ),
    )
    app_id: str | None = Field(default=None, description="App ID, e.g. ${FEISHU_APP_ID} to read it from the environment.")
    app_secret: SecretStr | None = Field(
        default=None,
        description="App secret; write ${FEISHU_APP_SECRET} rather than the secret itself.",
    )

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        return None if value is None else check_base_url(value)

    def resolved(self, env: Mapping[str, str]) -> ResolvedFeishu:
        """The settings to use: a non-empty environment variable wins over the recipe."""
        base_url = env.get(ENV_BASE_URL) or self.base_url or DEFAULT_BASE_URL
        try:
            base_url = check_base_url(base_url)
        except ValueError as exc:
            raise RecipeError(RecipeIssue("environment", None, ENV_BASE_URL, message_of(exc))) from None
        secret = self.app_secret.get_secret_value() if self.app_secret is not None else None
        return ResolvedFeishu(
            base_url=base_url,
            app_id=env.get(ENV_APP_ID) or self.app_id,
            app_secret=env.get(ENV_APP_SECRET) or secret,
        )


