"""Shared fixtures: plugin isolation for every test, a real sandbox on loopback and
real clients against it."""

from __future__ import annotations

import pytest

from reconciler import plugins
from reconciler.feishu import CacheSettings, FeishuClient, RateLimits
from reconciler.sandbox import SANDBOX_APP_ID, SANDBOX_APP_SECRET, Sandbox


@pytest.fixture(autouse=True)
def _plugins_isolated():
    """Every test runs inside `plugins.isolated()`: the plugin manager is process-global
    (and an xdist worker runs many modules), so whatever plugin a test loads, from a
    file, a folder, a recipe or an entry point, is unloaded when it ends."""
    with plugins.isolated():
        yield


@pytest.fixture
def sandbox():
    with Sandbox() as sb:
        yield sb


@pytest.fixture
def make_client(sandbox, tmp_path):
    """make_client(cache=True, offline=False, **client_kwargs) -> FeishuClient on the sandbox."""
    made = []

    def make(*, cache=False, offline=False, cache_file=None, url=None, app_secret=SANDBOX_APP_SECRET, **kwargs):
        settings = CacheSettings(enabled=cache, path=cache_file or tmp_path / "cache.sqlite", offline=offline)
        kwargs.setdefault("backoff", 0.01)
        kwargs.setdefault("max_backoff", 0.05)
        kwargs.setdefault("limits", RateLimits(per_second=1000, per_minute=100000))
        client = FeishuClient(url or sandbox.url, SANDBOX_APP_ID, app_secret, cache=settings, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
