"""What the person at the desk reads: one plain sentence in Chinese and English.

Domain errors carry an English sentence written for people who run a command
line; here each kind becomes a sentence for someone who double-clicked a file.
The library's own sentence always goes to the log file; it is shown on screen
only where it says something the person can act on (which column is missing...).
Errors are told apart by class first and by their wording second, so a wording
change in the library degrades to the generic sentence of that class, never to a
traceback; tests/test_desktop_helper.py raises the real errors to catch drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Plain:
    zh: str
    en: str
    exit_code: int = 1

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


class DesktopError(Exception):
    """A problem the helper itself found (no recipe, no credentials...), already in plain words."""

    def __init__(self, plain: Plain):
        super().__init__(str(plain))
        self.plain = plain


MISSING_CREDENTIALS = Plain(
    "未配置飞书应用凭据",
    "no Feishu app credentials: fill in FEISHU_APP_ID and FEISHU_APP_SECRET in reconciler.env next to "
    "this launcher (or try the demo with --sandbox)",
    2,
)
EXCEL_OPEN = Plain("文件正在被 Excel 使用", "the output file is open in Excel: close it and try again", 1)


@dataclass(frozen=True)
class _Rule:
    kinds: tuple[type[BaseException], ...]
    pattern: str | None  # regex searched in the library's sentence; None: any
    zh: str
    en: str  # may use {name} (the input file's name) and {detail} (the library's sentence)
    exit_code: int | None = None  # None: the error's own exit code


_RULES = (
    _Rule((MissingCredentialsError,), None, MISSING_CREDENTIALS.zh, MISSING_CREDENTIALS.en, 2),
    _Rule((FeishuScopeError,), None, "飞书应用缺少所需权限",
          "the Feishu app lacks a permission it needs: ask your Feishu admin to grant it ({detail})"),
    _Rule((FeishuAuthError,), None, "飞书拒绝了应用凭据",
          "Feishu refused the app credentials: check FEISHU_APP_ID and FEISHU_APP_SECRET in reconciler.env"),
    _Rule((FeishuError,), r"could not reach|connect|timed? ?out|unreachable", "无法连接飞书",
          "cannot reach Feishu: check the internet connection and FEISHU_BASE_URL in reconciler.env, then try again"),
    _Rule((FeishuError,), None, "飞书返回了错误", "Feishu answered with an error: {detail}"),
    _Rule((OutputError,), r"open in Excel|open in another program|lock file", EXCEL_OPEN.zh, EXCEL_OPEN.en),
    _Rule((OutputError,), r"not writable|permission|read-only", "无法写入结果文件夹",
          "cannot write into the output folder: copy {name} into inbox/ next to this launcher and try again"),
    _Rule((OutputError,), None, "无法写入结果文件", "cannot write the output file: {detail}"),
    _Rule((SheetError,), r"does not exist", "找不到文件", "{name} was not found: check the file and try again"),
    _Rule((SheetError,), r"password", "文件设有密码",
          "{name} is password-protected: remove the password in Excel, save it and try again"),
    _Rule((SheetError,), r"is a folder", "这是文件夹，不是表格",
          "{name} is a folder, not a spreadsheet: drop the .xlsx files themselves"),
    _Rule((SheetError,), r"cannot open .*(open in another program|close it)", "文件打不开，可能正被 Excel 使用",
          "cannot open {name}: close it in Excel (or any other program) and try again"),
    _Rule((SheetError,), r"not a spreadsheet|not an Excel workbook|damaged|is an Excel workbook, not text|"
          r"save it as \.xlsx|neither UTF-8|cannot be read as CSV", "这不是可用的 Excel 表格",
          "{name} is not a spreadsheet reconciler can read: open it in Excel, save it as .xlsx "
          "(Excel Workbook) and try again"),
    _Rule((SheetError,), r"no sheet named", "找不到配方指定的工作表", "{name} lacks the sheet the recipe reads: {detail}"),
    _Rule((SheetError,), r"holds all the headers", "表格缺少配方需要的列",
          "{name} lacks columns the recipe needs: {detail}"),
    _Rule((SheetError,), r"is empty|nothing in its first", "表格是空的", "{name} holds no data: {detail}"),
    _Rule((SheetError,), None, "无法读取表格", "cannot read {name}: {detail}"),
    _Rule((RecipeError,), None, "配方文件有误",
          "the recipe (recipe.yaml next to this launcher) has a problem: {detail}"),
    _Rule((UsageError,), None, "无法运行", "{detail}"),
    _Rule((PluginError,), None, "插件加载失败", "a plugin failed to load: {detail}"),
    _Rule((ReconcilerError,), None, "对账失败", "{detail}"),
)

UNEXPECTED = ("出现意外错误", "something unexpected went wrong ({detail}): the log file has the details")


def explain(exc: BaseException, *, name: str = "the file", missing: list[str] | None = None) -> Plain:
    """The plain sentence for `exc`, raised while reconciling the file called `name`.

    `missing`: the columns the sheet lacks when the caller worked them out (see
    peek.py); otherwise they come from the error's own wording when it names them.
    """
    if isinstance(exc, DesktopError):
        return exc.plain
    detail = _detail(exc)
    missing = missing or missing_columns(exc)
    if missing:
        return Plain(
            "表格缺少配方需要的列",
            f"{name} lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}: check the header "
            "row of the sheet (or that it is the right file) and try again",
            2,
        )
    for rule in _RULES:
        if isinstance(exc, rule.kinds) and (rule.pattern is None or re.search(rule.pattern, detail, re.IGNORECASE)):
            code = rule.exit_code if rule.exit_code is not None else getattr(exc, "exit_code", 1)
            return Plain(rule.zh, rule.en.format(name=name, detail=detail), code)
    return Plain(UNEXPECTED[0], UNEXPECTED[1].format(detail=type(exc).__name__), 1)


def _detail(exc: BaseException) -> str:
    if isinstance(exc, RecipeError):
        first = exc.issues[0] if exc.issues else None
        more = f" (and {len(exc.issues) - 1} more)" if len(exc.issues) > 1 else ""
        return f"{first}{more}" if first else str(exc)
    return str(exc).strip().rstrip(".")


_HEADER_SEARCH = re.compile(r"holds all the headers: (?P<wanted>.*?); the first non-empty row")
_HEADER_ROW = re.compile(r"has no column (?P<missing>.*?); its headers are")
_RECIPE_HEADER = re.compile(r"column '(?P<missing>[^']*)' is not in sheet")


def about_missing_columns(exc: BaseException) -> bool:
    """Whether `exc` says the sheet lacks columns the recipe reads (in any of the library's wordings)."""
    if isinstance(exc, RecipeError):
        return bool(exc.issues) and all(_RECIPE_HEADER.search(issue.message) for issue in exc.issues)
    return isinstance(exc, SheetError) and bool(_HEADER_SEARCH.search(str(exc)) or _HEADER_ROW.search(str(exc)))


def missing_columns(exc: BaseException) -> list[str] | None:
    """The sheet columns a recipe needs but the sheet lacks, when `exc` names them."""
    if isinstance(exc, RecipeError):
        found = [m.group("missing") for issue in exc.issues if (m := _RECIPE_HEADER.search(issue.message))]
        return found if found and len(found) == len(exc.issues) else None
    m = _HEADER_ROW.search(str(exc)) if isinstance(exc, SheetError) else None
    return (_split(m.group("missing")) or None) if m else None


def _split(listing: str) -> list[str]:
    return [part.strip() for part in listing.split(", ") if part.strip()]
