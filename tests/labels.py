"""Status labels back to their keys, for tests that check statuses in a workbook (spec 6a:
status cells show the label in output.locale, e.g. 已匹配 / Matched for matched)."""

from __future__ import annotations

from reconciler.messages.render import text
from reconciler.model import JOB_STATUSES, TALENT_STATUSES

KEY_OF = {text(f"status.{s}", locale): s for locale in ("zh-CN", "en-US") for s in {*TALENT_STATUSES, *JOB_STATUSES}}


def as_key(value):
    """The status key a status cell's label stands for; anything else as it is."""
    return KEY_OF.get(value, value) if isinstance(value, str) else value
