"""Building the Feishu client a run uses: real tenant, or the embedded sandbox."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .feishu import CacheSettings, FeishuClient, RateLimits, default_cache_path

CACHE_ENV = "RECONCILER_CACHE_PATH"


@dataclass(frozen=True)
class Connection:
    base_url: str | None
    app_id: str | None
    app_secret: str | None
    sandbox: bool = False


def cache_path(recipe_path: str | None, env=os.environ) -> Path:
    if recipe_path:
        return Path(recipe_path).expanduser()
    if env.get(CACHE_ENV):
        return Path(env[CACHE_ENV]).expanduser()
    return default_cache_path()


@contextmanager
def open_client(connection: Connection, *, cache: CacheSettings, limits: RateLimits | None = None, workers: int = 16):
    """Yield a FeishuClient; for the sandbox, serve the demo tenant for the client's lifetime."""
    if connection.sandbox:
        from .sandbox import SANDBOX_APP_ID, SANDBOX_APP_SECRET, Sandbox

        with Sandbox() as sandbox:
            client = FeishuClient(
                sandbox.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET, cache=cache, limits=limits, workers=workers,
                cache_identity="sandbox-demo",
            )
            try:
                yield client
            finally:
                client.close()
        return
    client = FeishuClient(
        connection.base_url, connection.app_id, connection.app_secret, cache=cache, limits=limits, workers=workers
    )
    try:
        yield client
    finally:
        client.close()
