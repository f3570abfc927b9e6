"""Cell styles for the streaming writer: the input's styles.xml plus the few styles it adds.

A cell's style is an index into `cellXfs`. The writer needs variations of
existing styles (the same cell with a status fill, a text format, a date format,
a quote prefix; the header's style in bold), which are appended as new fonts,
fills, number formats and xfs, each only once. Everything already in styles.xml
keeps its index and its bytes, so every untouched cell looks as it did.
"""

from __future__ import annotations

import re

from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE

from reconciler.ooxml import xmltext
from reconciler.ooxml.xmltext import Element, XmlTextError

# CT_Stylesheet's children, in schema order.
_ORDER = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles",
          "colors", "extLst"]
_BOLD = re.compile(r"<(?:[\w.-]+:)?b(?:\s[^>]*)?/>|<(?:[\w.-]+:)?b(?:\s[^>]*)?>\s*</(?:[\w.-]+:)?b>")
FIRST_CUSTOM_FORMAT = 164
_PLAIN_XF = {"numFmtId": "0", "fontId": "0", "fillId": "0", "borderId": "0", "xfId": "0"}


class StyleSheet:
    """styles.xml as text, with `derive()` / `bold_copy()` appending what they need."""

    def __init__(self, xml: bytes):
        self.original = xml
        self.text = xml.decode("utf-8")
        self.root = xmltext.root(self.text)
        if self.root.local != "styleSheet":
            raise XmlTextError("styles part is not a styleSheet")
        self.p = self.root.prefix
        self.parts: dict[str, Element] = {e.local: e for e in xmltext.kids(self.text, self.root)}
        for needed in ("fonts", "fills", "cellXfs"):
            if needed not in self.parts:
                raise XmlTextError(f"styles.xml has no {needed}")
        self.fonts = self._items("fonts")
        self.fills = self._items("fills")
        self.xfs = self._items("cellXfs")
        formats = self._items("numFmts") if "numFmts" in self.parts else []
        self.formats = {int(e.attrs.get("numFmtId", "-1")): e.attrs.get("formatCode", "") for e in formats}
        self.new_fonts: list[str] = []
        self.new_fills: list[str] = []
        self.new_formats: dict[int, str] = {}
        self.new_xfs: list[str] = []
        self._made: dict[tuple, int] = {}

    def _items(self, local: str) -> list[Element]:
        parent = self.parts[local]
        return [e for e in xmltext.kids(self.text, parent)]

    # ------------------------------------------------------------------ lookups

    def _xf(self, index: int) -> tuple[dict[str, str], str]:
        """(attributes, inner XML) of cell style `index`; an index past the styles reads as a plain style."""
        if index < len(self.xfs):
            element = self.xfs[index]
            return dict(element.attrs), element.inner(self.text)
        extra = index - len(self.xfs)
        if extra < len(self.new_xfs):
            element = xmltext.root(self.new_xfs[extra])
            return dict(element.attrs), element.inner(self.new_xfs[extra])
        return dict(_PLAIN_XF), ""

    def number_format(self, index: int) -> str:
        attrs, _ = self._xf(index)
        number = int(attrs.get("numFmtId", "0") or 0)
        return self.formats.get(number) or self.new_formats.get(number) or _builtin_code(number)

    def _format_id(self, code: str) -> int:
        if code in BUILTIN_FORMATS_REVERSE:
            return BUILTIN_FORMATS_REVERSE[code]
        for number, existing in list(self.formats.items()) + list(self.new_formats.items()):
            if existing == code:
                return number
        number = max([FIRST_CUSTOM_FORMAT - 1, *self.formats, *self.new_formats]) + 1
        self.new_formats[number] = code
        return number

    def _fill_id(self, rgb: str) -> int:
        key = ("fill", rgb)
        if key not in self._made:
            p = self.p
            self.new_fills.append(f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="FF{rgb}"/>'
                                  f'<{p}bgColor indexed="64"/></{p}patternFill></{p}fill>')
            self._made[key] = len(self.fills) + len(self.new_fills) - 1
        return self._made[key]

    def _bold_font_id(self, font_id: int) -> int:
        key = ("bold", font_id)
        if key not in self._made:
            fonts = self.fonts
            source = self.text[fonts[font_id].start:fonts[font_id].end] if font_id < len(fonts) else f"<{self.p}font/>"
            font = xmltext.root(source)
            inner = _BOLD.sub("", font.inner(source))
            self.new_fonts.append(f"<{font.name}>" + f'<{self.p}b val="1"/>' + inner + f"</{font.name}>")
            self._made[key] = len(fonts) + len(self.new_fonts) - 1
        return self._made[key]

    def _add_xf(self, attrs: dict[str, str], inner: str) -> int:
        key = ("xf", tuple(sorted(attrs.items())), inner)
        if key not in self._made:
            name = f"{self.p}xf"
            self.new_xfs.append(xmltext.start_tag(name, attrs, empty=not inner) + (f"{inner}</{name}>" if inner else ""))
            self._made[key] = len(self.xfs) + len(self.new_xfs) - 1
        return self._made[key]

    # ------------------------------------------------------------------ what the writer asks for

    def derive(self, base: int, *, number_format: str | None = None, fill: str | None = None,
               quote_prefix: bool = False, wrap: bool = False, top: bool = False) -> int:
        """Style `base` with another number format, a solid fill (RGB), Excel's quote prefix
        and/or wrapped text (`top`: aligned to the top of the row, as every cell of a line on
        the sheets the tool adds)."""
        if number_format is None and fill is None and not quote_prefix and not wrap:
            return base
        key = ("derive", base, number_format, fill, quote_prefix, wrap, top)
        if key in self._made:
            return self._made[key]
        attrs, inner = self._xf(base)
        if number_format is not None:
            attrs["numFmtId"] = str(self._format_id(number_format))
            attrs["applyNumberFormat"] = "1"
        if fill is not None:
            attrs["fillId"] = str(self._fill_id(fill))
            attrs["applyFill"] = "1"
        if quote_prefix:
            attrs["quotePrefix"] = "1"
        if wrap:
            inner = _wrapped(inner, self.p, top)
            attrs["applyAlignment"] = "1"
        self._made[key] = index = self._add_xf(attrs, inner)
        return index

    def header_style(self, source: int | None) -> int:
        """A new header cell's style: the last header's font in bold, its fill, border and
        alignment (what the openpyxl writer copies), or just bold without a source style."""
        key = ("header", source)
        if key in self._made:
            return self._made[key]
        attrs, inner = self._xf(source or 0)
        new = {"numFmtId": "0", "fontId": str(self._bold_font_id(int(attrs.get("fontId", "0") or 0))),
               "fillId": attrs.get("fillId", "0") if source else "0",
               "borderId": attrs.get("borderId", "0") if source else "0", "xfId": "0", "applyFont": "1"}
        alignment = ""
        if source:
            found = re.search(r"<(?:[\w.-]+:)?alignment\b[^>]*/>|<(?:[\w.-]+:)?alignment\b.*?</(?:[\w.-]+:)?alignment>",
                              inner, re.S)
            alignment = found.group(0) if found else ""
            new.update({"applyFill": "1", "applyBorder": "1"})
            if alignment:
                new["applyAlignment"] = "1"
        self._made[key] = index = self._add_xf(new, alignment)
        return index

    def bold(self) -> int:
        """Style 0 in bold (Summary sheet headings)."""
        return self.header_style(None)

    def link(self) -> int:
        """Style 0 in Excel's hyperlink look: blue, underlined (what the openpyxl writer's LINK_FONT is)."""
        key = ("link",)
        if key not in self._made:
            p, fonts = self.p, self.fonts
            source = self.text[fonts[0].start:fonts[0].end] if fonts else f"<{p}font/>"
            font = xmltext.root(source)
            inner = _UNDERLINE_OR_COLOR.sub("", font.inner(source)) if font.tag_end != font.end else ""
            for tag, before in ((f'<{p}u/>', "vertAlign|sz|name|family|charset|scheme"),
                                (f'<{p}color rgb="FF0563C1"/>', "name|family|charset|scheme")):  # CT_Font's order
                at = re.search(rf"<{re.escape(p)}(?:{before})\b", inner)
                inner = inner[:at.start()] + tag + inner[at.start():] if at else inner + tag
            self.new_fonts.append(f"<{font.name}>{inner}</{font.name}>")
            font_id = len(fonts) + len(self.new_fonts) - 1
            self._made[key] = self._add_xf({**_PLAIN_XF, "fontId": str(font_id), "applyFont": "1"}, "")
        return self._made[key]

    # ------------------------------------------------------------------ output

    def to_bytes(self) -> bytes:
        if not (self.new_fonts or self.new_fills or self.new_formats or self.new_xfs):
            return self.original
        text, p = self.text, self.p
        edits = []
        formats = "".join(f'<{p}numFmt numFmtId="{n}" formatCode={_quote(code)}/>' for n, code in self.new_formats.items())
        if formats:
            total = len(self.formats) + len(self.new_formats)
            if "numFmts" in self.parts:
                edits += self._append("numFmts", formats, total)
            else:
                edits.append(xmltext.insert_in_order(
                    text, self.root, f'<{p}numFmts count="{total}">{formats}</{p}numFmts>', "numFmts", _ORDER))
        for local, items, new in (("fonts", self.fonts, self.new_fonts), ("fills", self.fills, self.new_fills),
                                  ("cellXfs", self.xfs, self.new_xfs)):
            if new:
                edits += self._append(local, "".join(new), len(items) + len(new))
        return xmltext.replace(text, edits).encode("utf-8")

    def _append(self, local: str, new: str, count: int) -> list[tuple[int, int, str]]:
        """Edits appending `new` inside the element `local` and setting its count."""
        element = self.parts[local]
        tag = xmltext.with_attributes(self.text, element, {"count": str(count)})
        if element.tag_end == element.end:  # <numFmts count="0"/>
            return [(element.start, element.end, tag[:-2].rstrip() + ">" + new + f"</{element.name}>")]
        close = element.inner_end
        return [(element.start, element.tag_end, tag), (close, close, new)]


_UNDERLINE_OR_COLOR = re.compile(r"<(?:[\w.-]+:)?(?:u|color)\b[^>]*/>|<(?:[\w.-]+:)?(?:u|color)\b[^>]*>.*?</(?:[\w.-]+:)?(?:u|color)>",
                                 re.S)
_ALIGNMENT = re.compile(r"<((?:[\w.-]+:)?)alignment\b([^>]*?)(/?)>")
_WRAP_ATTRIBUTE = re.compile(r"""\swrapText\s*=\s*["'][^"']*["']""")
_VERTICAL_ATTRIBUTE = re.compile(r"""\svertical\s*=\s*["'][^"']*["']""")


def _wrapped(inner: str, prefix: str, top: bool) -> str:
    """An xf's inner XML with its alignment wrapping text (and top-aligned when `top`)."""
    found = _ALIGNMENT.search(inner)
    vertical = ' vertical="top"' if top else ""
    if found is None:  # alignment is the first child of an xf
        return f'<{prefix}alignment{vertical} wrapText="1"/>' + inner
    attrs = _WRAP_ATTRIBUTE.sub("", found.group(2))
    if top:
        attrs = _VERTICAL_ATTRIBUTE.sub("", attrs) + vertical
    tag = f"<{found.group(1)}alignment{attrs} wrapText=\"1\"{found.group(3)}>"
    return inner[:found.start()] + tag + inner[found.end():]


def _quote(text: str) -> str:
    from xml.sax.saxutils import quoteattr

    return quoteattr(text)


def _builtin_code(number: int) -> str:
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    return BUILTIN_FORMATS.get(number, "General")
