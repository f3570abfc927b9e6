"""What both xlsx writers (openpyxl and streaming) decide the same way on the reconciled sheet.

Status labels and fills, where the output columns go, how wide an added column is
(the sheets the tool adds are decided in summary.py and review.py): kept here so
that the two writers cannot drift apart in what they write, only in how they write it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from reconciler.errors import SheetError
from reconciler.messages.render import is_key, text
from reconciler.model import WriteContext

# Summary sheet and comment labels: the catalogue's `label.*` keys (reconciler.messages).
LABEL_NAMES = ("recipe", "started_at", "input_file", "sheet", "rows", "talent_status", "job_status", "count", "requests",
               "requests_total", "cache_hits", "retries", "rate_limited", "seconds", "warnings", "none", "feishu", "blank")

# Fill colour (RGB) of a status cell. The label says the status; the fill lets a person
# see the rows that need them at a glance. In each status column every fill has a
# lightness of its own (CIELAB L* from 95, matched, down to 51, error, at least 5
# apart; darker for the urgent ones), so they stay apart in greyscale and on a
# black-and-white print; and the hues alternate between the blue and the
# yellow-orange axes, which red-green colour-blind readers still see
# (tests/test_workbook_layout.py checks both). Black text
# stays readable on every fill (the darkest, error, keeps a contrast above 4.5:1).
STATUS_FILLS: dict[str, str] = {
    "matched": "E8F5E1",  # pale green: nothing to do
    "found": "E8F5E1",
    "partial": "FFDF70",  # yellow
    "no_key": "DEDEDE",  # grey: normal, nothing to do yet
    "not_found": "B4D0EE",  # light blue
    "mismatch": "F0AC3A",  # amber
    "invalid": "EE9CBD",  # pink
    "ambiguous": "A99AD8",  # lavender
    "conflict": "DD6B22",  # orange
    "error": "D64545",  # red
}
MISMATCH_FILL = "FFF2CC"  # a subtle amber on a compare cell that differs from Feishu

MAX_ADDED_WIDTH = 50
# A note column is as wide as its longest note up to this, and wraps longer ones
# (about 20 Chinese characters or 40 letters a line, so a row stays 2-3 lines high).
NOTE_WIDTH = 42


def labels_for(locale: str) -> dict[str, str]:
    """The Summary sheet's and the comments' labels in `locale` (zh* -> zh-CN, anything else en-US)."""
    return {name: text(f"label.{name}", locale) for name in LABEL_NAMES}


# The East Asian wide and full-width blocks (Unicode's East_Asian_Width W and F): Hangul
# Jamo, CJK punctuation to Yi, Hangul syllables, CJK compatibility, full-width forms,
# emoji, the supplementary ideographs. A regular expression counts them at C speed.
_WIDE = re.compile("[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
                   "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U0001f300-\U0001f64f"
                   "\U0001f900-\U0001f9ff\U00020000-\U0003fffd]")


def display_width(text: str) -> int:
    """Columns a text takes in Excel: East Asian wide characters count twice."""
    if text.isascii():
        return len(text)
    return len(text) + len(_WIDE.findall(text))


def added_width(width: int, kind: str = "value") -> float:
    return min(max(width + 2, 10), NOTE_WIDTH if kind == "note" else MAX_ADDED_WIDTH)


@functools.lru_cache(maxsize=256)  # two status cells a row: a 100,000-row sheet asked 400,000 times
def status_label(status: str, locale: str) -> str:
    """A status as the workbook shows it: the label of spec 6a in `locale` (a plugin's
    own status, with no label in the catalogue, as it is)."""
    key = f"status.{status}"
    return text(key, locale) if is_key(key) else status


def shown_status(value: Any, ctx: WriteContext) -> tuple[Any, str | None]:
    """(what a status cell shows, its fill): the label (or the key with
    output.status_labels: keys); the fill follows the status whatever is shown."""
    if type(value) is not str:
        return value, None
    fill = STATUS_FILLS.get(value)
    return (value if ctx.status_labels == "keys" else status_label(value, ctx.locale)), fill


EXCEL_MAX_COLUMNS = 16_384  # column XFD


@dataclass
class Placement:
    """Where each output column goes: header -> (1-based column, appended?)."""

    columns: dict[str, tuple[int, bool]]
    last_column: int  # the last column the sheet uses once the output columns are added
    style_column: int  # the last header's column (the added headers copy its style), 0 if none


def place_columns(ctx: WriteContext, used_columns: int) -> Placement:
    """An output column the sheet already has is filled in place; the others are appended
    after the last used column (`used_columns` counts cells beyond the header's width too:
    nothing there is overwritten)."""
    last_header = max((i + 1 for i, h in enumerate(ctx.sheet.headers) if h.strip()), default=0)
    next_column = max(used_columns, last_header, len(ctx.sheet.headers)) + 1
    placed: dict[str, tuple[int, bool]] = {}
    for column in ctx.columns:
        if column.header in placed:
            continue
        existing = ctx.sheet.column_index(column.header)
        if existing is not None:
            placed[column.header] = (existing + 1, False)
        else:
            placed[column.header] = (next_column, True)
            next_column += 1
    if next_column - 1 > EXCEL_MAX_COLUMNS:  # beyond XFD Excel refuses to open the file
        appended = sum(1 for _, added in placed.values() if added)
        raise SheetError("error.no_room_for_columns", sheet=ctx.sheet.name or Path(ctx.input_path).name,
                         needed=appended, last=get_column_letter(min(used_columns, EXCEL_MAX_COLUMNS)))
    return Placement(placed, max(next_column - 1, 1), last_header)
