"""Messages as data: a key and its parameters, rendered in zh-CN or en-US on demand.

A `Message` is what the library produces for a person to read (an error, a
warning, a row note); the text is made only where it is shown, from the catalogue
of that language (`en-US.json`, `zh-CN.json` beside this module: flat `{key: template}`
objects with `str.format` placeholders, the same placeholders in both; data, not code,
so a translator edits them without reading Python). Values quoted from the sheet or from Feishu are
parameters, never part of a template. A parameter may itself be a `Message`
(rendered in the same language) or a list of them (joined by the language's
list separator). Plain text (from a plugin, say) is shown as it is, in any language.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

from reconciler.messages.locale import EN, ZH, normalise_locale


def _catalogue(locale: str) -> dict[str, str]:
    return json.loads(resources.files("reconciler.messages").joinpath(f"{locale}.json").read_text(encoding="utf-8"))


CATALOGUES: dict[str, dict[str, str]] = {EN: _catalogue(EN), ZH: _catalogue(ZH)}
PLAIN = "plain"  # the key of plain text: "{text}" in every language


class Message(str):
    """A key of the catalogue and its parameters.

    It *is* its en-US text (a `str`), so that code which treats notes and warnings
    as text (logs, plugins, `in`, `==`) keeps working; `render(locale)` gives any
    other language, `.key` and `.params` are the data.

    Attributes:
        key: the catalogue key ("note.conflict"); "plain" for plain text.
        params: the values the text is made from (quoted cells, row numbers...).
    """

    key: str
    params: dict[str, Any]

    def __new__(cls, key: str, /, **params: Any) -> Message:
        self = super().__new__(cls, _format(key, params, EN))
        self.key = key
        self.params = params
        return self

    def __reduce__(self):
        return (_rebuild, (self.key, self.params))

    @classmethod
    def plain(cls, text: str) -> Message:
        """Text shown as it is in every language (a plugin's own note, say)."""
        return cls(PLAIN, text=text)

    @classmethod
    def of(cls, value: Message | str) -> Message:
        """`value` if it is a Message, else plain text."""
        return value if isinstance(value, Message) else cls.plain(str(value))

    def render(self, locale: str | None = EN) -> str:
        """The text in `locale` (zh-CN / en-US)."""
        return render(self, locale)

    def as_dict(self, locale: str | None = EN) -> dict[str, Any]:
        """{"key", "params", "text"}: for JSON (the --report file), so programs need not parse sentences."""
        return {"key": self.key, "params": {k: _jsonable(v) for k, v in self.params.items()}, "text": self.render(locale)}

    def __str__(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        params = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"Message({self.key!r}{params})"


def _rebuild(key: str, params: dict[str, Any]) -> Message:
    return Message(key, **params)


class InvalidValue(ValueError):
    """A ValueError that carries its message as data (raised by recipe validators)."""

    def __init__(self, key: str, /, **params: Any):
        self.message = Message(key, **params)
        super().__init__(str(self.message))


def message_of(exc: BaseException) -> Message:
    """The message an exception carries (a domain error, an InvalidValue), else its text as plain text."""
    found = getattr(exc, "message", None)
    return found if isinstance(found, Message) else Message.plain(str(exc))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Message):
        return {"key": value.key, "params": {k: _jsonable(v) for k, v in value.params.items()}}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def is_key(key: object) -> bool:
    return isinstance(key, str) and key in CATALOGUES[EN]


def _param(value: Any, locale: str) -> Any:
    if isinstance(value, Message):
        return render(value, locale)
    if isinstance(value, (list, tuple)):
        return CATALOGUES[locale].get("list.sep", ", ").join(str(_param(v, locale)) for v in value)
    return value


def render(message: Message | str, locale: str | None = EN) -> str:
    """The text of `message` in `locale` (zh-CN / en-US; other tags are normalised).

    A key missing in zh-CN falls back to en-US; a template the parameters do not fit
    falls back to en-US, then to the key and its parameters: rendering never fails.
    """
    if not isinstance(message, Message):
        return str(message)
    locale = normalise_locale(locale) or EN
    return str.__str__(message) if locale == EN else _format(message.key, message.params, locale)


def _format(key: str, params: dict[str, Any], locale: str) -> str:
    for lang in dict.fromkeys((locale, EN)):
        template = CATALOGUES[lang].get(key)
        if template is None:
            continue
        try:
            return template.format(**{k: _param(v, lang) for k, v in params.items()})
        except (KeyError, IndexError, ValueError, AttributeError):
            continue
    return f"{key} {params}" if params else key


def text(key: str, locale: str | None = EN, /, **params: Any) -> str:
    """`render(Message(key, **params), locale)`, e.g. text("summary.wrote", "zh-CN", path=p)."""
    return render(Message(key, **params), locale)


def join(messages: Iterable[Message | str], locale: str | None = EN) -> str:
    """Several notes as one cell's text: "a; b" / "a；b"; empty ones dropped."""
    locale = normalise_locale(locale) or EN
    parts = [render(m, locale) for m in messages]
    return CATALOGUES[locale]["note.sep"].join(p for p in parts if p)


def templates(locale: str) -> Mapping[str, str]:
    return CATALOGUES[normalise_locale(locale) or EN]


# ---------------------------------------------------------------- errors and the run summary on the terminal


def render_error(exc: BaseException, locale: str | None) -> str:
    """One sentence for an error in `locale` (without the "Error:" framing): a domain error renders
    its own message (a RecipeError frames its issues); any other exception is its own text."""
    own = getattr(exc, "render", None)
    return own(locale) if callable(own) else str(exc)


def error_line(said: str, locale: str | None) -> str:
    """The framing of an error on stderr: "Error: ..." / "错误：..."."""
    return text("error.prefix", locale, text=said)


def summary_lines(summary: Any, outputs: list, locale: str | None) -> tuple[list[str], list[str]]:
    """(lines for stdout, warning lines for stderr) after a run. Statuses are their keys
    (matched, not_found...), as in --report and the csv/jsonl outputs: the command line is
    read by scripts too; the workbook and the desktop window show the labels."""
    out: list[str] = []
    sep = text("summary.count_sep", locale)
    for key, counts in (("summary.talent", summary.talent_counts), ("summary.job_data", summary.job_counts)):
        if counts:
            parts = sep.join(f"{status} {n}" for status, n in counts.items() if n)
            out.append(text(key, locale, counts=parts or text("summary.no_rows", locale)))
    out.append(text("summary.totals", locale, rows=summary.rows, sent=sum(summary.requests.values()),
                    from_cache=summary.requests_from_cache, remembered=summary.remembered, seconds=summary.seconds))
    out.extend(text("summary.wrote", locale, path=path) for path in outputs)
    warnings = [text("summary.warning", locale, text=render(w, locale)) for w in summary.warnings]
    return out, warnings
