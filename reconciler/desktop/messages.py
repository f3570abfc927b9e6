"""What the person at the desk reads: one sentence in Chinese and the same in English.

Domain errors carry a message key written for people who run a command line;
here each kind becomes a sentence for someone who double-clicked a file. Errors
are told apart by class and by their key (never by their wording), so a new
error degrades to the generic sentence of its class, never to a traceback. The
texts are in the catalogues: `desktop.<name>` (what happened and what to do,
shown in zh-CN and in en-US) and `desktop.<name>.title` (a short title, for a
dialog's title bar).
The library's own sentence always goes to the log file; it is shown on screen
only where it says something the person can act on (which column is missing...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.errors import (
    FeishuAuthError,
    FeishuError,
    FeishuScopeError,
    OutputError,
    PluginError,
    ReconcilerError,
    RecipeError,
    SheetError,
    UsageError,
)
from reconciler.feishu.auth import MissingCredentialsError
from reconciler.messages.locale import EN, ZH
from reconciler.messages.render import Message, render, text


@dataclass(frozen=True)
class Plain:
    zh: str
    en: str
    exit_code: int = 1

    @classmethod
    def of(cls, which: str, exit_code: int = 1, /, **params: Any) -> Plain:
        """The desktop message `which`, whole (what to do included) in zh-CN and in en-US. A
        parameter may be a function of the locale (a library error's own sentence)."""
        def said(locale: str) -> str:
            return text(f"desktop.{which}", locale, **{k: v(locale) if callable(v) else v for k, v in params.items()})

        zh, en = said(ZH), said(EN)
        if zh == en:  # a sentence with no Chinese of its own (text from a plugin): the Chinese title says what it is
            zh = text(f"desktop.{which}.title", ZH)
        return cls(zh, en, exit_code)

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


class DesktopError(Exception):
    """A problem the helper itself found (no recipe, no credentials...), already in plain words."""

    def __init__(self, plain: Plain):
        super().__init__(str(plain))
        self.plain = plain


MISSING_CREDENTIALS = Plain.of("missing_credentials", 2)
EXCEL_OPEN = Plain.of("excel_open", 1)


@dataclass(frozen=True)
class _Rule:
    kinds: tuple[type[BaseException], ...]
    keys: frozenset[str] | None  # the library's message keys this rule covers; None: any
    name: str  # the desktop message; its sentence may use {name} (the input file) and {detail} (the library's)
    exit_code: int | None = None  # None: the error's own exit code


def _rule(kinds, keys, name, exit_code=None) -> _Rule:
    return _Rule(kinds if isinstance(kinds, tuple) else (kinds,), frozenset(keys) if keys else None, name, exit_code)


_RULES = (
    _rule(MissingCredentialsError, None, "missing_credentials", 2),
    _rule(FeishuScopeError, None, "scope"),
    _rule(FeishuAuthError, None, "credentials_refused"),
    _rule(FeishuError, {"error.unreachable", "error.feishu_timeout", "error.feishu_connection"}, "unreachable"),
    _rule(FeishuError, None, "feishu_error"),
    _rule(OutputError, {"error.output_locked", "error.output_in_use"}, "excel_open"),
    _rule(OutputError, {"error.output_folder_readonly", "error.output_temp_failed"}, "output_folder"),
    _rule(OutputError, None, "output_error"),
    _rule(SheetError, {"error.file_missing"}, "file_missing"),
    _rule(SheetError, {"error.password", "error.old_or_password"}, "password"),
    _rule(SheetError, {"error.is_folder"}, "is_folder"),
    _rule(SheetError, {"error.cannot_open"}, "cannot_open"),
    _rule(SheetError, {"error.not_spreadsheet", "error.damaged", "error.csv_is_workbook", "error.unsupported_format",
                       "error.csv_encoding", "error.csv_unreadable", "error.cannot_copy"}, "not_spreadsheet"),
    _rule(SheetError, {"error.no_such_sheet", "error.sheet_gone"}, "no_sheet"),
    _rule(SheetError, {"error.header_not_found"}, "lacks_columns"),
    _rule(SheetError, {"error.sheet_empty", "error.nothing_in_first_rows", "error.header_row_empty", "error.file_empty"},
          "empty"),
    _rule(SheetError, None, "sheet_error"),
    _rule(RecipeError, None, "recipe_error"),
    _rule(UsageError, None, "usage_error"),
    _rule(PluginError, None, "plugin_error"),
    _rule(ReconcilerError, None, "failed"),
)


def explain(exc: BaseException, *, name: str | None = None, missing: list[str] | None = None) -> Plain:
    """The plain sentence for `exc`, raised while reconciling the file called `name`.

    `missing`: the columns the sheet lacks when the caller worked them out (see
    peek.py); otherwise they come from the error's own parameters when it names them.
    """
    if isinstance(exc, DesktopError):
        return exc.plain
    shown = name if name is not None else Message("desktop.the_file")
    missing = missing or missing_columns(exc)
    if missing:
        which = "columns_missing" if len(missing) > 1 else "column_missing"
        return Plain.of(which, 2, name=shown, columns=", ".join(missing))
    key = getattr(exc, "key", None)
    for rule in _RULES:
        if isinstance(exc, rule.kinds) and (rule.keys is None or key in rule.keys):
            code = rule.exit_code if rule.exit_code is not None else getattr(exc, "exit_code", 1)
            return Plain.of(rule.name, code, name=shown, detail=lambda locale: _detail(exc, locale))
    return Plain.of("unexpected", 1, detail=type(exc).__name__)


def _detail(exc: BaseException, locale: str = EN) -> str:
    if isinstance(exc, RecipeError):
        first = exc.issues[0] if exc.issues else None
        if first is None:
            return str(exc)
        more = render(Message("desktop.and_more", n=len(exc.issues) - 1), locale) if len(exc.issues) > 1 else ""
        return f"{first.render(locale)}{more}"
    said = exc.render(locale) if isinstance(exc, ReconcilerError) else str(exc)
    return said.strip().rstrip(".")


def about_missing_columns(exc: BaseException) -> bool:
    """Whether `exc` says the sheet lacks columns the recipe reads."""
    if isinstance(exc, RecipeError):
        return bool(exc.issues) and all(issue.key == "recipe.header_missing" for issue in exc.issues)
    return isinstance(exc, SheetError) and exc.key in ("error.header_not_found", "error.header_row_lacks")


def missing_columns(exc: BaseException) -> list[str] | None:
    """The sheet columns a recipe needs but the sheet lacks, when `exc` names them."""
    if isinstance(exc, RecipeError):
        found = [issue.params["header"] for issue in exc.issues if issue.key == "recipe.header_missing"]
        return found if found and len(found) == len(exc.issues) else None
    if isinstance(exc, SheetError) and exc.key == "error.header_row_lacks":
        return list(exc.params.get("missing") or []) or None
    return None
