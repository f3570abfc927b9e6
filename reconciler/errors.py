"""Domain errors.

The library raises these; only the CLI turns them into one sentence on stderr and
an exit code (spec section 3: 2 bad recipe / input / arguments, 3 credentials or
scope refused by Feishu, 1 anything else). Messages never contain a secret or a
token: whoever raises is responsible for that, and tests grep for it.

Every error is raised with a catalogue key and its parameters, e.g.
`raise SheetError("error.file_missing", path=path)`: `.key` and `.params` are the
data, `.message` the `Message`, `str(exc)` the en-US text and `exc.render(locale)`
the text in any language (see reconciler.messages). Text that is not a key (a
plugin's own sentence) is kept as plain text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.messages.render import PLAIN, Message, is_key, render

# Tests set this to refuse an error raised with text instead of a key.
STRICT_KEYS = False


def _message(key: str | Message, params: dict[str, Any]) -> Message:
    if isinstance(key, Message):
        return key
    if is_key(key):
        return Message(key, **params)
    if STRICT_KEYS:
        raise TypeError(f"a domain error must be raised with a catalogue key, not {key!r}")
    return Message.plain(str(key))


class ReconcilerError(Exception):
    """Base of every error reconciler raises on purpose."""

    exit_code = 1

    def __init__(self, key: str | Message, /, **params: Any):
        self.message = _message(key, params)
        super().__init__(self.message.render())

    @property
    def key(self) -> str:
        return self.message.key

    @property
    def params(self) -> dict[str, Any]:
        return self.message.params

    @property
    def keyed(self) -> bool:
        return self.message.key != PLAIN

    def render(self, locale: str | None) -> str:
        return self.message.render(locale)


class UsageError(ReconcilerError):
    """Bad command-line arguments (e.g. the output path is the input path)."""

    exit_code = 2


@dataclass(frozen=True, init=False)
class RecipeIssue:
    """One thing wrong with a recipe, located as precisely as we can: file, line, path and a message
    (a key and its parameters; `.message` is kept as its en-US text for older callers)."""

    file: str
    line: int | None
    path: str
    text: Message = field(compare=True)

    def __init__(self, file: str, line: int | None, path: str, key: str | Message, /, **params: Any):
        object.__setattr__(self, "file", file)
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "text", _message(key, params))

    @property
    def key(self) -> str:
        return self.text.key

    @property
    def params(self) -> dict[str, Any]:
        return self.text.params

    @property
    def message(self) -> str:
        return self.text.render()

    def render(self, locale: str | None) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        said = render(self.text, locale)
        return f"{where} {self.path}: {said}" if self.path else f"{where}: {said}"

    def __str__(self) -> str:
        return self.render(None)


def _problems(count: int) -> Message:
    return Message("word.problem" if count == 1 else "word.problems")


class RecipeError(ReconcilerError):
    """The recipe is not valid; carries every issue found, not just the first."""

    exit_code = 2

    def __init__(self, issues: list[RecipeIssue] | RecipeIssue):
        if isinstance(issues, RecipeIssue):
            issues = [issues]
        self.issues = list(issues)
        head = self.issues[0].file if self.issues else "recipe"
        count = len(self.issues)
        super().__init__("error.recipe", file=head, count=count, problems=_problems(count),
                         issues="\n".join(f"  {issue}" for issue in self.issues))

    def render(self, locale: str | None) -> str:
        count = len(self.issues)
        head = self.issues[0].file if self.issues else "recipe"
        issues = "\n".join(f"  {issue.render(locale)}" for issue in self.issues)
        return render(Message("error.recipe", file=head, count=count, problems=_problems(count), issues=issues), locale)

    def __str__(self) -> str:
        return "\n".join(str(i) for i in self.issues)


class SheetError(ReconcilerError):
    """The input file cannot be read as the recipe needs (missing, wrong format, header absent...)."""

    exit_code = 2


class OutputError(ReconcilerError):
    """An output cannot be written (folder not writable, file open in Excel...)."""

    exit_code = 1


class PluginError(ReconcilerError):
    """A plugin failed to load (import error, unknown hook, a hook without @hookimpl...) or failed
    during a run (a hook, matcher, rule or writer raised or returned something unusable): exit 2,
    one sentence naming the plugin. A plugin may raise it itself with a sentence of its own
    (`raise PluginError("the table name is missing")`): it is shown as written, after the
    plugin and the hook or writer that raised it."""

    exit_code = 2


class FeishuError(ReconcilerError):
    """Feishu answered with an error we cannot recover from, or could not be reached."""

    exit_code = 1

    def __init__(self, key: str | Message, /, *, code: int | None = None, http_status: int | None = None, **params: Any):
        # templates may quote the code; an answer without one still renders
        super().__init__(key, code=code if code is not None else "-", **params)
        self.code = code
        self.http_status = http_status


class FeishuAuthError(FeishuError):
    """Feishu refused the app: bad credentials, a disabled app, or a missing scope."""

    exit_code = 3


class FeishuScopeError(FeishuAuthError):
    """The app lacks a scope the request needs (99991672)."""


class OptionError(ValueError):
    """A plugin's option that it refuses, raised from a matcher's or writer's `check_options`.

    reconciler reports it as a recipe error at the option's line (`key`: the option's name,
    e.g. "region_column"; None: the options as a whole). `message` is one sentence: a
    `Message`, or plain text, shown as it is.
    """

    def __init__(self, message: Message | str, key: str | None = None):
        self.message = Message.of(message)
        self.key = key
        super().__init__(str(self.message))
