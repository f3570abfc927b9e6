"""Domain errors.

The library raises these; only the CLI turns them into one sentence on stderr and
an exit code (spec section 3: 2 bad recipe / input / arguments, 3 credentials or
scope refused by Feishu, 1 anything else). Messages never contain a secret or a
token: whoever raises is responsible for that, and tests grep for it.
"""

from __future__ import annotations

from dataclasses import dataclass


class ReconcilerError(Exception):
    """Base of every error reconciler raises on purpose."""

    exit_code = 1


class UsageError(ReconcilerError):
    """Bad command-line arguments (e.g. the output path is the input path)."""

    exit_code = 2


@dataclass(frozen=True)
class RecipeIssue:
    """One thing wrong with a recipe, located as precisely as we can."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where} {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class RecipeError(ReconcilerError):
    """The recipe is not valid; carries every issue found, not just the first."""

    exit_code = 2

    def __init__(self, issues: list[RecipeIssue] | RecipeIssue | str):
        if isinstance(issues, (RecipeIssue, str)):
            issues = [issues]
        self.issues = [i if isinstance(i, RecipeIssue) else RecipeIssue("recipe", None, "", i) for i in issues]
        super().__init__("\n".join(str(i) for i in self.issues))


class SheetError(ReconcilerError):
    """The input file cannot be read as the recipe needs (missing, wrong format, header absent...)."""

    exit_code = 2


class OutputError(ReconcilerError):
    """An output cannot be written (folder not writable, file open in Excel...)."""

    exit_code = 1


class PluginError(ReconcilerError):
    """A plugin failed to load or implements a hook that does not exist."""

    exit_code = 2


class FeishuError(ReconcilerError):
    """Feishu answered with an error we cannot recover from, or could not be reached."""

    exit_code = 1

    def __init__(self, message: str, *, code: int | None = None, http_status: int | None = None):
        super().__init__(message)
        self.code = code
        self.http_status = http_status


class FeishuAuthError(FeishuError):
    """Feishu refused the app: bad credentials, a disabled app, or a missing scope."""

    exit_code = 3


class FeishuScopeError(FeishuAuthError):
    """The app lacks a scope the request needs (99991672)."""
