"""reconciler.env: the settings file next to the launcher (FEISHU_APP_ID, FEISHU_APP_SECRET...).

Created from reconciler.env.template on first run, owner-only (it will hold a
secret). Its format is the plain KEY=VALUE that Notepad and TextEdit keep intact:
one setting per line, # starts a comment line, no comments after a value (a
secret may contain #), optional quotes around a value. A value filled in here
wins over the same variable in the environment: this file is where the person
at the desk was told to put it. Other keys (HTTPS_PROXY, RECONCILER_CACHE_PATH)
pass through to the environment too.
"""

from __future__ import annotations

import os
import re
from collections.abc import MutableMapping
from pathlib import Path

ENV_FILE = "reconciler.env"
TEMPLATE = "reconciler.env.template"
APP_ID, APP_SECRET, BASE_URL = "FEISHU_APP_ID", "FEISHU_APP_SECRET", "FEISHU_BASE_URL"
_FALLBACK_TEMPLATE = (
    "# reconciler settings: fill in after '=' (no quotes needed). 对账工具设置：在等号后填写。\n"
    f"{APP_ID}=\n{APP_SECRET}=\n{BASE_URL}=\n"
)
_LINE = re.compile(r"^(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.*)$")


def ensure_env_file(folder: Path) -> tuple[Path, bool]:
    """(path of reconciler.env, whether it was just created from the template)."""
    path = folder / ENV_FILE
    if path.exists():
        return path, False
    template = folder / TEMPLATE
    text = template.read_text(encoding="utf-8") if template.is_file() else _FALLBACK_TEMPLATE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another launcher window got there first
        return path, False
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return path, True


def read_env_file(path: Path) -> dict[str, str]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")  # Notepad may add a BOM
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")  # saved as "ANSI" on a Chinese Windows
    values = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match:
            values[match["key"]] = _unquote(match["value"].strip())
    return values


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def apply(values: dict[str, str], environ: MutableMapping[str, str]) -> None:
    """Put the filled-in values into `environ` (empty ones leave the environment alone)."""
    for key, value in values.items():
        if value:
            environ[key] = value


def describe(environ: MutableMapping[str, str]) -> list[str]:
    """For the log: which settings are present, never their secret values."""
    lines = [f"{APP_ID}: {environ.get(APP_ID) or '(not set)'}",
             f"{APP_SECRET}: {'(set, not shown)' if environ.get(APP_SECRET) else '(not set)'}",
             f"{BASE_URL}: {environ.get(BASE_URL) or '(not set: the recipe or https://open.feishu.cn)'}"]
    return lines
