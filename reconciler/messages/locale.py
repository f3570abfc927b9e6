"""Which language a person reads: zh-CN or en-US.

The recipe's `output.locale` when the recipe gives one, else the system locale
(LC_ALL, LC_MESSAGES, LANG, then `locale.getlocale()`): zh* is zh-CN, anything
else en-US.
"""

from __future__ import annotations

import locale as _locale
import functools
import os
from collections.abc import Mapping
from pathlib import Path

ZH, EN = "zh-CN", "en-US"
LOCALES = (ZH, EN)


@functools.lru_cache(maxsize=64)  # a run asks about the same one or two tags for every cell it writes
def normalise_locale(tag: str | None) -> str | None:
    """zh-CN or en-US for a language tag (zh, zh_CN.UTF-8, Chinese (Simplified)_China, en, fr-FR...);
    None when the tag expresses no preference (empty, C, POSIX)."""
    if not tag or not tag.strip():
        return None
    text = tag.strip().lower().replace("_", "-")
    if text in ("c", "posix") or text.startswith(("c.", "posix.")):
        return None
    return ZH if text.startswith(("zh", "chinese")) else EN


def system_locale(env: Mapping[str, str] | None = None) -> str:
    """The terminal's language: the first of LC_ALL, LC_MESSAGES, LANG that is set
    (POSIX order), else `locale.getlocale()` (what Windows reports); en-US by default."""
    env = os.environ if env is None else env
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):
            return normalise_locale(env[name]) or EN
    try:
        found = _locale.getlocale()[0]
    except ValueError:  # an unparsable locale setting: no preference
        found = None
    return normalise_locale(found) or EN


def choose_locale(preferred: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """`preferred` (e.g. a recipe's output.locale) when given, else the system locale."""
    return normalise_locale(preferred) or system_locale(env)


def locale_of_recipe_file(path: str | Path | None) -> str | None:
    """The `output.locale` a recipe file gives, or None (no file, not given, not readable).

    Read leniently on purpose: it chooses the language of the error that says the
    recipe is broken, so it must not fail where the recipe loader does.
    """
    if path is None:
        return None
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8"))
        value = data["output"]["locale"]
    except Exception:  # noqa: BLE001 - any failure means "the recipe does not say"
        return None
    return normalise_locale(value) if isinstance(value, str) else None


def cli_locale(recipe_path: str | Path | None = None, env: Mapping[str, str] | None = None) -> str:
    """The language of the CLI's messages for a command that may name a recipe."""
    return choose_locale(locale_of_recipe_file(recipe_path), env)
