"""Parsing of the recipe's small value types (durations, URLs, country codes, locales).

Each parser raises InvalidValue (a ValueError carrying a message key and its
parameters), shown to the user located by the loader at the offending key.
"""

from __future__ import annotations

import ipaddress
import re
import string
from urllib.parse import urlsplit

import phonenumbers

from reconciler.messages.render import InvalidValue

_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", re.IGNORECASE)
_UNIT_SECONDS = (86400, 3600, 60, 1)
_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")

SANDBOX = "sandbox"


def parse_duration(text: str | int) -> int:
    """Seconds in `30s`, `15m`, `1h`, `2d`, `1h30m`, or a bare number of seconds.

    Zero is refused on purpose: talents and job data change, so a cache entry
    must always expire.
    """
    if isinstance(text, bool):
        raise InvalidValue("recipe.duration_not", value=str(text).lower())
    if isinstance(text, int):
        seconds = text
    elif isinstance(text, str):
        compact = re.sub(r"\s+", "", text)
        if compact.isdigit():
            seconds = int(compact)
        else:
            match = _DURATION.fullmatch(compact)
            if not compact or match is None:
                raise InvalidValue("recipe.not_duration", value=text)
            seconds = sum(int(n) * unit for n, unit in zip(match.groups(), _UNIT_SECONDS) if n)
    else:
        raise InvalidValue("recipe.duration_expected")
    if seconds <= 0:
        raise InvalidValue("recipe.duration_zero")
    return seconds


def check_base_url(value: str) -> str:
    """`sandbox`, or an http(s) URL without a path; returned without a trailing slash."""
    text = value.strip()
    if text.lower() == SANDBOX:
        return SANDBOX
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InvalidValue("recipe.base_url")
    if "@" in parts.netloc:  # never repeat the text: it holds a password
        raise InvalidValue("recipe.base_url_credentials")
    if parts.scheme.lower() == "http" and not _is_loopback(parts.hostname or ""):
        raise InvalidValue("recipe.base_url_plain_http")
    return text.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_country_code(value: str | int) -> str:
    """A calling code such as `86` or `+852`, returned as digits only."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidValue("recipe.country_code_expected")
    digits = str(value).strip().removeprefix("+")
    if not digits.isdigit() or not 1 <= len(digits) <= 3:
        raise InvalidValue("recipe.not_country_code", value=value)
    if phonenumbers.region_code_for_country_code(int(digits)) == phonenumbers.UNKNOWN_REGION:
        raise InvalidValue("recipe.unknown_country_code", value=value)
    return digits


def check_locale(value: str) -> str:
    """A language tag such as zh-CN, en-US, zh or en; kept as given."""
    if not _LOCALE.fullmatch(value.strip()):
        raise InvalidValue("recipe.not_locale", value=value)
    return value.strip()


REDIS_SCHEMES = ("redis", "rediss", "unix")


def check_redis_url(value: str) -> str:
    """A Redis URL: redis://[:password@]host[:port][/db], rediss:// (TLS) or unix:///path/to/socket."""
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme not in REDIS_SCHEMES or not (parts.netloc or (parts.scheme == "unix" and parts.path)):
        # Never echo the value: a Redis URL may hold a password.
        raise InvalidValue("recipe.redis_url")
    return text


def check_path_template(value: str) -> str:
    """output.path: plain text and `{stem}` only. A format spec or a field of a field
    (`{stem:>999999999}`, `{stem.__class__}`) could exhaust memory or leak objects."""
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError as exc:
        raise InvalidValue("recipe.path_template_invalid", reason=str(exc)) from None
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name != "stem" or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise InvalidValue("recipe.path_placeholder", placeholder=shown)
    if len(value) > 1024:
        raise InvalidValue("recipe.path_too_long", limit=1024)
    return value
