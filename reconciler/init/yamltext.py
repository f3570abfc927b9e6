"""Recipe data + comments -> YAML text a person can read.

The data is the truth; the text is a rendering with comments. Block style only
(no flow mappings, whose quoting rules are stricter), strings plain when YAML
reads them back unchanged and double-quoted otherwise, and `render` reads its own
output back to prove it says exactly what was drafted.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML

Path_ = tuple[str, ...]
COMMENT_COLUMN = 34
# Plain strings that YAML 1.1 readers (PyYAML, many editors) take for booleans or null.
_YAML11_WORDS = {"yes", "no", "y", "n", "on", "off", "true", "false", "null", "~"}


@dataclass
class Commented:
    """Plain recipe data, comment lines above keys, and end-of-line comments, by key path."""

    data: dict[str, Any]
    above: dict[Path_, list[str]] = field(default_factory=dict)
    inline: dict[Path_, str] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)  # comment lines at the top of the file


def _safe_load(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def _reads_back(text: str, expected: Any) -> bool:
    try:
        return _safe_load(text) == expected
    except Exception:  # noqa: BLE001 - not valid YAML as plain text: quote it
        return False


def scalar(value: Any, *, key: bool = False) -> str:
    """A YAML scalar for `value`: plain when that reads back as the same value, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    plain_ok = (text and text == text.strip() and "\n" not in text and not text.startswith(("{", "[", "'", '"'))
                and text.lower() not in _YAML11_WORDS)
    if plain_ok:
        probe, expected = (f"{text}: x", {text: "x"}) if key else (f"k: {text}", {"k": text})
        if _reads_back(probe, expected):
            return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _with_comment(line: str, comment: str | None) -> str:
    if not comment:
        return line
    pad = max(COMMENT_COLUMN - width(line), 2)
    return f"{line}{' ' * pad}# {comment}"


def render(doc: Commented) -> str:
    lines = [f"# {line}".rstrip() for line in doc.header]

    def emit(mapping: dict[str, Any], path: Path_, indent: int) -> None:
        pad = " " * indent
        for name, value in mapping.items():
            here = path + (name,)
            for note in doc.above.get(here, []):
                lines.append(f"{pad}# {note}".rstrip() if note else "")
            head = f"{pad}{scalar(name, key=True)}:"
            if isinstance(value, dict):
                lines.append(_with_comment(head, doc.inline.get(here)))
                emit(value, here, indent + 2)
            elif isinstance(value, list):
                items = ", ".join(scalar(v) for v in value)
                lines.append(_with_comment(f"{head} [{items}]", doc.inline.get(here)))
            else:
                lines.append(_with_comment(f"{head} {scalar(value)}", doc.inline.get(here)))

    emit(doc.data, (), 0)
    text = "\n".join(lines) + "\n"
    if _safe_load(text) != doc.data:  # a bug here would silently map the wrong column: refuse instead
        raise RuntimeError("the drafted recipe text does not read back as the drafted recipe")
    return text
