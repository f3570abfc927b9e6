"""Shared fixtures: plugin isolation for every test, folders built once per session
(virtual environments, the desktop bundle...), a real sandbox on loopback and real
clients against it."""

from __future__ import annotations

import fcntl
import os
import traceback
from collections.abc import Callable
from pathlib import Path

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


@pytest.fixture(scope="session")
def build_once(tmp_path_factory) -> Callable[[str, Callable[[Path], None]], Path]:
    """build_once(name, build) -> a folder that `build(folder)` filled once in this test session.

    For the slow set-ups (a pip install, a virtual environment, the desktop bundle):
    the folder lives in the session's temporary directory, shared by every xdist
    worker; the first worker to ask builds it under a file lock, the others wait for
    it and reuse it. A build that failed is not retried: the others fail with its error.
    """
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the session's folder, above each worker's own

    def once(name: str, build: Callable[[Path], None]) -> Path:
        folder = base / name
        folder.mkdir(exist_ok=True)
        built, failed = folder / ".built", folder / ".failed"
        with open(folder / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if failed.exists():
                    pytest.fail(f"building {name} failed (in another xdist worker):\n{failed.read_text()}")
                if not built.exists():
                    try:
                        build(folder)
                    except BaseException:
                        failed.write_text(traceback.format_exc(), encoding="utf-8")
                        raise
                    built.touch()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return folder

    return once


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
