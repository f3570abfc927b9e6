"""Small edits to XML text that keep every other byte as it was.

The streaming writer changes a few elements of parts it otherwise copies
(styles.xml, workbook.xml, a worksheet's head and tail). Re-serialising those
parts with an XML library would rename namespace prefixes and drop declarations
that `mc:Ignorable` still names, which Excel reports as a damaged file; so the
parts are edited as text, guided by this tokenizer, which knows XML's syntax for
tags (quoted attribute values may hold ">"), comments, CDATA and processing
instructions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

_NAME = r"[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?"
_TOKEN = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE[^>]*>"
    rf"|<(?P<close>/)?(?P<name>{_NAME})(?P<attrs>(?:\s+{_NAME}\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(?P<empty>/)?>",
    re.S,
)
_ATTRIBUTE = re.compile(rf"({_NAME})\s*=\s*(\"[^\"]*\"|'[^']*')")
_ENTITIES = {"&quot;": '"', "&apos;": "'", "&lt;": "<", "&gt;": ">", "&amp;": "&"}


class XmlTextError(ValueError):
    """The text is not shaped as expected (the caller falls back to openpyxl)."""


@dataclass(frozen=True)
class Element:
    """One element of a text: where it starts and ends, and its start tag."""

    name: str  # qualified name as written ("x:row", "pane")
    start: int  # offset of "<"
    end: int  # offset just after its end tag (or after "/>")
    tag_end: int  # offset just after its start tag
    inner_end: int  # offset of its end tag (== tag_end when self-closed)
    attrs: dict[str, str]

    @property
    def local(self) -> str:
        return self.name.rsplit(":", 1)[-1]

    @property
    def prefix(self) -> str:
        return self.name[: -len(self.local)]

    def inner(self, text: str) -> str:
        return text[self.tag_end : self.inner_end]


def attributes(attrs_text: str) -> dict[str, str]:
    return {name: unescape(value[1:-1]) for name, value in _ATTRIBUTE.findall(attrs_text)}


def unescape(text: str) -> str:
    if "&" not in text:
        return text
    text = re.sub(r"&#x([0-9a-fA-F]+);", lambda m: chr(int(m.group(1), 16)), text)
    text = re.sub(r"&#([0-9]+);", lambda m: chr(int(m.group(1))), text)
    return re.sub(r"&(?:quot|apos|lt|gt|amp);", lambda m: _ENTITIES[m.group(0)], text)


def children(text: str, start: int = 0, end: int | None = None) -> Iterator[Element]:
    """The elements directly inside text[start:end] (which holds only content, no enclosing tag)."""
    end = len(text) if end is None else end
    depth = 0
    opened: tuple[str, int, int, dict] | None = None
    for token in _TOKEN.finditer(text, start, end):
        name = token.group("name")
        if name is None:
            continue  # comment, CDATA, processing instruction
        if token.group("close"):
            depth -= 1
            if depth < 0:
                raise XmlTextError(f"unbalanced </{name}>")
            if depth == 0 and opened is not None:
                yield Element(opened[0], opened[1], token.end(), opened[2], token.start(), opened[3])
                opened = None
        elif token.group("empty"):
            if depth == 0:
                yield Element(name, token.start(), token.end(), token.end(), token.end(), attributes(token.group("attrs")))
        else:
            if depth == 0:
                opened = (name, token.start(), token.end(), attributes(token.group("attrs")))
            depth += 1
    if depth != 0:
        raise XmlTextError("unclosed element")


def root(text: str) -> Element:
    """The document element (its `end` is the end of the text's last end tag)."""
    for element in children(text):
        return element
    raise XmlTextError("no document element")


def kids(text: str, parent: Element) -> Iterator[Element]:
    """The elements directly inside `parent`."""
    return children(text, parent.tag_end, parent.inner_end)


def child(text: str, parent: Element, local: str) -> Element | None:
    return next((e for e in kids(text, parent) if e.local == local), None)


def start_tag(name: str, attrs: dict[str, str], empty: bool = False) -> str:
    inner = "".join(f" {k}={quoteattr(str(v))}" for k, v in attrs.items())
    return f"<{name}{inner}{'/' if empty else ''}>"


def with_attributes(text: str, element: Element, changes: dict[str, str | None]) -> str:
    """The element's start tag with attributes set (None removes one), as text."""
    tag = text[element.start : element.tag_end]
    empty = tag.endswith("/>")
    attrs = dict(element.attrs)
    for name, value in changes.items():
        if value is None:
            attrs.pop(name, None)
        else:
            attrs[name] = value
    return start_tag(element.name, attrs, empty)


def replace(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply (start, end, new text) edits, which must not overlap."""
    out, last = [], 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < last:
            raise XmlTextError("overlapping edits")
        out.append(text[last:start])
        out.append(new)
        last = end
    out.append(text[last:])
    return "".join(out)


def insert_in_order(text: str, parent: Element, new: str, local: str, order: list[str]) -> tuple[int, int, str]:
    """An edit inserting `new` (an element named `local`) among parent's children in schema order."""
    rank = order.index(local)
    for element in kids(text, parent):
        if element.local in order and order.index(element.local) > rank:
            return (element.start, element.start, new)
        if element.local not in order and element.local in ("AlternateContent",):
            return (element.start, element.start, new)  # mc:AlternateContent wraps late elements
    if parent.tag_end == parent.end:  # <parent/>: cannot insert inside a self-closed tag here
        raise XmlTextError(f"<{parent.name}/> is empty")
    return (parent.inner_end, parent.inner_end, new)


def text_escape(text: str) -> str:
    return escape(text)


__all__ = [
    "Element", "XmlTextError", "attributes", "child", "children", "kids", "insert_in_order", "replace", "root",
    "start_tag", "text_escape", "unescape", "with_attributes",
]
