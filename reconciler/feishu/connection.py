"""Building the Feishu client a run uses: real tenant, or the embedded sandbox."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from reconciler.errors import RecipeError, RecipeIssue
from reconciler.messages.render import message_of
from reconciler.feishu import CacheSettings, FeishuClient, RateLimits, default_cache_path
from reconciler.feishu.cacheowner import sqlite_file
from reconciler.feishu.transport import RATELIMIT_FILE
from reconciler.recipe.values import check_redis_url

CACHE_ENV = "RECONCILER_CACHE_PATH"
REDIS_URL_ENV = "REDIS_URL"


@dataclass(frozen=True)
class Connection:
    base_url: str | None
    app_id: str | None
    app_secret: str | None
    sandbox: bool = False


def cache_path(recipe_path: str | None, env=os.environ) -> Path:
    """The HTTP cache's file, as requests-cache names it (`.sqlite` added to a name
    without a suffix), so that info, clear, modes and the key store see the real file."""
    if recipe_path:
        return sqlite_file(Path(recipe_path).expanduser())
    if env.get(CACHE_ENV):
        return sqlite_file(Path(env[CACHE_ENV]).expanduser())
    return default_cache_path()


def ratelimit_path(env=os.environ) -> Path:
    """The rate-limit file every run on this machine shares (sqlite backend): beside
    RECONCILER_CACHE_PATH when that is set, else in the user's cache folder. Never
    beside a recipe's cache.path: runs that keep separate caches still spend one
    app's budget, so they must still share one bucket."""
    base = Path(env[CACHE_ENV]).expanduser() if env.get(CACHE_ENV) else default_cache_path()
    return base.with_name(RATELIMIT_FILE)


def cache_settings(recipe=None, env=os.environ, *, no_cache: bool = False, offline: bool = False) -> CacheSettings:
    """The cache a run (or `reconciler cache`) uses: the recipe's cache section, the
    environment, and the command line. No recipe: the defaults (sqlite)."""
    section = recipe.cache if recipe is not None else None
    backend = section.backend if section is not None else "sqlite"
    redis_url = None
    if backend == "redis":
        redis_url = section.redis_url or env.get(REDIS_URL_ENV) or None
        if redis_url is None:
            raise RecipeError(recipe.issue_at(("cache", "backend"), "recipe.redis_no_url", env=REDIS_URL_ENV))
        if not section.redis_url:
            try:
                check_redis_url(redis_url)
            except ValueError as exc:
                raise RecipeError(RecipeIssue("environment", None, REDIS_URL_ENV, message_of(exc))) from None
    return CacheSettings(
        enabled=(section.enabled if section is not None else True) and not no_cache,
        path=cache_path(section.path if section is not None else None, env),
        expire_after=section.expire_after if section is not None else CacheSettings.expire_after,
        offline=offline,
        backend=backend,
        redis_url=redis_url,
        ratelimit_path=ratelimit_path(env),
    )


@contextmanager
def open_client(connection: Connection, *, cache: CacheSettings, limits: RateLimits | None = None, workers: int = 16,
                **client_options):
    """Yield a FeishuClient; for the sandbox, serve the demo tenant for the client's lifetime."""
    if connection.sandbox:
        from reconciler.sandbox import SANDBOX_APP_ID, SANDBOX_APP_SECRET, Sandbox

        with Sandbox() as sandbox:
            # The embedded simulator serves this run alone: its budget is not shared with other runs.
            cache = replace(cache, ratelimit_path=None)
            client = FeishuClient(
                sandbox.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET, cache=cache, limits=limits, workers=workers,
                cache_identity="sandbox-demo", **client_options,
            )
            try:
                yield client
            finally:
                client.close()
        return
    client = FeishuClient(
        connection.base_url, connection.app_id, connection.app_secret, cache=cache, limits=limits, workers=workers,
        **client_options,
    )
    try:
        yield client
    finally:
        client.close()
