"""Parsing of the recipe's small value types (durations, URLs, country codes, locales).

Each parser raises ValueError with one sentence that is shown to the user as-is,
located by the loader at the offending key.
"""

from __future__ import annotations

import ipaddress
import re
import string
from urllib.parse import urlsplit

import phonenumbers

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
        raise ValueError(f"expected a duration such as 30s, 15m, 1h or 2d, not {str(text).lower()}")
    if isinstance(text, int):
        seconds = text
    elif isinstance(text, str):
        compact = re.sub(r"\s+", "", text)
        if compact.isdigit():
            seconds = int(compact)
        else:
            match = _DURATION.fullmatch(compact)
            if not compact or match is None:
                raise ValueError(
                    f"'{text}' is not a duration; write e.g. 30s, 15m, 1h, 2d, 1h30m or a number of seconds"
                )
            seconds = sum(int(n) * unit for n, unit in zip(match.groups(), _UNIT_SECONDS) if n)
    else:
        raise ValueError("expected a duration such as 30s, 15m, 1h or 2d")
    if seconds <= 0:
        raise ValueError("the duration must be longer than 0 seconds: talents and job data change, so never cache forever")
    return seconds


def check_base_url(value: str) -> str:
    """`sandbox`, or an http(s) URL without a path; returned without a trailing slash."""
    text = value.strip()
    if text.lower() == SANDBOX:
        return SANDBOX
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(
            "expected an http(s) URL such as https://open.feishu.cn or https://open.larksuite.com, or the word sandbox"
        )
    if "@" in parts.netloc:  # the text is never repeated: it holds a password
        raise ValueError(
            "the URL holds a user name or password (user:password@...), which would travel and be shown with it; "
            "remove it: the app's credentials go in FEISHU_APP_ID and FEISHU_APP_SECRET"
        )
    if parts.scheme.lower() == "http" and not _is_loopback(parts.hostname or ""):
        raise ValueError(
            "plain http:// would send the app secret and access tokens unencrypted; use https:// "
            "(http:// is accepted only for this computer: localhost, 127.0.0.1, ::1)"
        )
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
        raise ValueError("expected a country calling code such as \"86\"")
    digits = str(value).strip().removeprefix("+")
    if not digits.isdigit() or not 1 <= len(digits) <= 3:
        raise ValueError(f"'{value}' is not a country calling code; write digits such as \"86\" or \"852\"")
    if phonenumbers.region_code_for_country_code(int(digits)) == phonenumbers.UNKNOWN_REGION:
        raise ValueError(f"'{value}' is not a known country calling code")
    return digits


def check_locale(value: str) -> str:
    """A language tag such as zh-CN, en-US, zh or en; kept as given."""
    if not _LOCALE.fullmatch(value.strip()):
        raise ValueError(f"'{value}' is not a language tag; write e.g. zh-CN, en-US, zh or en")
    return value.strip()


REDIS_SCHEMES = ("redis", "rediss", "unix")


def check_redis_url(value: str) -> str:
    """A Redis URL: redis://[:password@]host[:port][/db], rediss:// (TLS) or unix:///path/to/socket."""
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme not in REDIS_SCHEMES or not (parts.netloc or (parts.scheme == "unix" and parts.path)):
        # Never echo the value: a Redis URL may hold a password.
        raise ValueError("expected a Redis URL such as redis://localhost:6379/0 (or rediss://, unix:///path)")
    return text


def check_path_template(value: str) -> str:
    """output.path: plain text and `{stem}` only. A format spec or a field of a field
    (`{stem:>999999999}`, `{stem.__class__}`) could exhaust memory or leak objects."""
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError as exc:
        raise ValueError(f"not a valid file name template ({exc}); use {{stem}} for the input's name, "
                         "and {{{{ }}}} for a literal brace") from None
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name != "stem" or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise ValueError(f"{shown} is not allowed; the only placeholder is {{stem}} (the input's name "
                             "without suffix), without a format")
    if len(value) > 1024:
        raise ValueError("the template is longer than 1024 characters; use a shorter file name")
    return value
