"""Messages a person reads on the terminal, in Chinese (zh-CN) or English (en-US).

Which language: the recipe's `output.locale` when the recipe gives one, else the
system locale (LC_ALL, LC_MESSAGES, LANG, then `locale.getlocale()`): zh* is
zh-CN, anything else en-US.

Domain errors are raised with English sentences built in many modules. They are
the source of truth; `render_error` translates the common ones a user can fix
(missing file, not a spreadsheet, header not found, credentials, output file
locked or folder missing) by matching the English sentence and reusing its
parameters, and falls back to the English text for everything else. An error
may instead carry `message_key` / `message_params` (see `keyed_error`): then it
is rendered from the catalogue directly, no matching needed.

The catalogue is `{key: {locale: template}}` with `str.format` placeholders, so
another front end (e.g. a desktop app) can add its own table and use
`translate(table, key, locale, **params)`.
"""

from __future__ import annotations

import locale as _locale
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.errors import FeishuAuthError, FeishuError, FeishuScopeError, OutputError, RecipeError, SheetError

ZH, EN = "zh-CN", "en-US"

Catalogue = Mapping[str, Mapping[str, str]]

MESSAGES: dict[str, dict[str, str]] = {
    # ---- framing
    "error.prefix": {EN: "Error: {text}", ZH: "错误：{text}"},
    "error.recipe": {
        EN: "the recipe {file} has {count} problem{plural}; fix and run again:\n{issues}",
        ZH: "配方 {file} 有 {count} 处问题，请修改后重新运行：\n{issues}",
    },
    "error.interrupted": {
        EN: "interrupted; the input file is unchanged and no partial output was left",
        ZH: "已中断；输入文件未被修改，也没有留下写了一半的输出",
    },
    "error.unexpected": {
        EN: "unexpected {type}: {text} (run again with --debug for details)",
        ZH: "意外错误 {type}：{text}（加 --debug 重新运行可查看详情）",
    },
    # ---- the input file
    "error.file_missing": {EN: "{path} does not exist; check the file name and folder",
                           ZH: "找不到文件 {path}；请检查文件名和所在文件夹"},
    "error.is_folder": {EN: "{path} is a folder, not a spreadsheet; give the path of an .xlsx or .csv file",
                        ZH: "{path} 是文件夹，不是表格；请给出 .xlsx 或 .csv 文件的路径"},
    "error.file_empty": {EN: "{path} is empty (0 bytes); export the sheet again",
                         ZH: "{path} 是空文件（0 字节）；请重新导出表格"},
    "error.unsupported_format": {
        EN: "{name} {kind}; open it in Excel and save it as .xlsx (Excel Workbook), then run again",
        ZH: "{name} 是{kind}，reconciler 读不了；请用 Excel 打开，另存为 .xlsx（Excel 工作簿）后重新运行",
    },
    "error.not_spreadsheet": {
        EN: "{name} is not a spreadsheet reconciler reads (.xlsx, .xlsm or .csv); save it as .xlsx and run again",
        ZH: "{name} 不是 reconciler 能读取的表格（.xlsx、.xlsm 或 .csv）；请另存为 .xlsx（Excel 工作簿）后重新运行",
    },
    "error.password": {
        EN: "{name} is password-protected; remove the password in Excel, save it, then run again",
        ZH: "{name} 设有密码；请在 Excel 中取消密码（文件 > 信息 > 保护工作簿 > 用密码进行加密）并保存后重新运行",
    },
    "error.old_or_password": {
        EN: "{name} is password-protected or an old .xls file renamed; save it as .xlsx and run again",
        ZH: "{name} 设有密码，或是改了后缀名的旧版 .xls 文件；请在 Excel 中取消密码并另存为 .xlsx（Excel 工作簿）后重新运行",
    },
    "error.damaged": {
        EN: "{name} is damaged or not an Excel workbook; save it as .xlsx and run again",
        ZH: "{name} 已损坏或不是 Excel 工作簿；请用 Excel 打开并另存为 .xlsx（Excel 工作簿）后重新运行",
    },
    "error.cannot_open": {EN: "cannot open {path}: {reason}; if it is open in another program, close it",
                          ZH: "无法打开 {path}（{reason}）；如果它正在其他程序中打开，请先关闭"},
    "error.no_such_sheet": {EN: "{name} has no sheet named '{sheet}'; its sheets are: {sheets}",
                            ZH: "{name} 中没有名为“{sheet}”的工作表；现有工作表：{sheets}"},
    "error.header_not_found": {
        EN: "no row within the first {n} of {where} holds all the headers: {required}; the first non-empty row "
            "(row {row}) has: {found}; rename the columns in the sheet or in the recipe, or set the header row number",
        ZH: "{where} 的前 {n} 行中没有一行同时包含这些列名：{required}；第一个非空行（第 {row} 行）是：{found}；"
            "请修改表格或配方中的列名，或写明表头所在的行号",
    },
    "error.header_row_lacks": {
        EN: "row {row} of {where} has no column {missing}; its headers are: {found}",
        ZH: "{where} 的第 {row} 行没有列 {missing}；该行的列名是：{found}",
    },
    "error.sheet_empty": {EN: "{where} is empty; choose the sheet that holds the data, or fill this one and save it",
                          ZH: "{where} 是空的；请选择有数据的工作表，或填好数据后保存"},
    "error.nothing_in_first_rows": {
        EN: "{where} has nothing in its first {n} rows; move the header row up or set the header row number",
        ZH: "{where} 的前 {n} 行都是空的；请把表头行移到前面，或写明表头所在的行号",
    },
    "where.sheet": {EN: "sheet '{sheet}' in {file}", ZH: "{file} 的工作表“{sheet}”"},
    # ---- Feishu
    "error.missing_credentials": {
        EN: "no Feishu app credentials: set FEISHU_APP_ID and FEISHU_APP_SECRET "
            "(or feishu.app_id / feishu.app_secret in the recipe), or run with --sandbox",
        ZH: "没有飞书应用凭据：请设置环境变量 FEISHU_APP_ID 和 FEISHU_APP_SECRET"
            "（或在配方中写 feishu.app_id / feishu.app_secret），或加 --sandbox 在沙箱中运行",
    },
    "error.credentials_refused": {
        EN: "Feishu refused the app credentials (code {code}): {reason}; "
            "check FEISHU_APP_ID / FEISHU_APP_SECRET and that the app is enabled",
        ZH: "飞书拒绝了应用凭据（错误码 {code}：{reason}）；请检查 FEISHU_APP_ID / FEISHU_APP_SECRET，并确认应用已启用",
    },
    "error.app_refused": {EN: "Feishu refused the app (code {code}): {reason}",
                          ZH: "飞书拒绝了该应用（错误码 {code}：{reason}）；请在开发者后台确认应用已启用并已安装"},
    "error.scope_missing": {
        EN: "the Feishu app lacks a required permission scope for {endpoint} (code 99991672); "
            "grant it in the developer console and publish the app",
        ZH: "飞书应用缺少调用 {endpoint} 所需的权限（错误码 99991672）；请在开发者后台开通该权限并发布应用",
    },
    "error.unreachable": {EN: "could not reach Feishu at {url} to get an access token",
                          ZH: "无法连接飞书（{url}）获取访问凭证；请检查网络或 FEISHU_BASE_URL"},
    # ---- outputs
    "error.output_folder_missing": {
        EN: "Cannot write {name}: the folder {folder} does not exist; create it or choose another output path.",
        ZH: "无法写入 {name}：文件夹 {folder} 不存在；请先创建它，或换一个输出路径。",
    },
    "error.output_folder_readonly": {
        EN: "Cannot write {name}: the folder {folder} is not writable; choose another output path.",
        ZH: "无法写入 {name}：文件夹 {folder} 没有写权限；请换一个输出路径。",
    },
    "error.output_locked": {
        EN: "Cannot write {path}: it is open in Excel (lock file {lock} beside it); close it and run again.",
        ZH: "无法写入 {path}：它正在 Excel 中打开（旁边有锁文件 {lock}）；请关闭后重新运行，"
            "如果 Excel 并没有运行，请删除该锁文件。",
    },
    "error.output_in_use": {EN: "Cannot replace {path}: it is open in another program (Excel?); close it and run again.",
                            ZH: "无法替换 {path}：它正被其他程序（Excel？）打开；请关闭后重新运行。"},
    "error.output_is_folder": {EN: "Cannot write {path}: a folder of that name exists; choose another output path.",
                               ZH: "无法写入 {path}：已有同名文件夹；请换一个输出路径。"},
    # ---- the run summary
    "summary.talent": {EN: "talent: {counts}", ZH: "人才：{counts}"},
    "summary.job_data": {EN: "job data: {counts}", ZH: "任职数据：{counts}"},
    "summary.no_rows": {EN: "no rows", ZH: "无"},
    "summary.count_sep": {EN: ", ", ZH: "，"},
    "summary.totals": {
        EN: "{rows} rows, {sent} requests sent, {cache_hits} from cache, {seconds:.1f} s",
        ZH: "共 {rows} 行，发送 {sent} 个请求，{cache_hits} 个来自缓存，用时 {seconds:.1f} 秒",
    },
    "summary.warning": {EN: "warning: {text}", ZH: "警告：{text}"},
    "summary.wrote": {EN: "wrote {path}", ZH: "已写入 {path}"},
    "summary.dry_run": {EN: "Dry run: nothing was sent.", ZH: "试运行：没有发送任何请求。"},
}

# Words inside English sentences that are worth translating when they are a parameter.
_TERMS: dict[str, str] = {
    "is an old Excel 97-2003 file": "旧版 Excel 97-2003 文件（.xls）",
    "is an Excel binary workbook": "Excel 二进制工作簿（.xlsb）",
    "is an OpenDocument (LibreOffice / WPS) spreadsheet": "OpenDocument（LibreOffice / WPS）表格（.ods）",
    "is an Apple Numbers file": "Apple Numbers 文件",
    "is a WPS spreadsheet": "WPS 表格（.et）",
    "the app_id is not valid": "app_id 无效",
    "the app secret is not valid": "app secret 无效",
    "the app_id or app secret is wrong": "app_id 或 app secret 不正确",
    "the app is disabled or not installed in this tenant": "应用已停用或未安装在该租户",
    "the app is disabled": "应用已停用",
    "the app is unavailable": "应用不可用",
}


# ---------------------------------------------------------------- locale choice


def normalise_locale(tag: str | None) -> str | None:
    """zh-CN or en-US for a language tag (zh, zh_CN.UTF-8, Chinese (Simplified)_China, en, fr-FR...);
    None when the tag expresses no preference (empty, C, POSIX)."""
    if not tag or not tag.strip():
        return None
    text = tag.strip().lower().replace("_", "-")
    if text in ("c", "posix") or text.startswith(("c.", "posix.")):
        return None
    return ZH if text.startswith(("zh", "chinese")) else EN


def system_locale(env: Mapping[str, str] | None = None) -> str:
    """The terminal's language: the first of LC_ALL, LC_MESSAGES, LANG that is set
    (POSIX order), else `locale.getlocale()` (what Windows reports); en-US by default."""
    env = os.environ if env is None else env
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):
            return normalise_locale(env[name]) or EN
    try:
        found = _locale.getlocale()[0]
    except ValueError:  # an unparsable locale setting: no preference
        found = None
    return normalise_locale(found) or EN


def choose_locale(preferred: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """`preferred` (e.g. a recipe's output.locale) when given, else the system locale."""
    return normalise_locale(preferred) or system_locale(env)


def locale_of_recipe_file(path: str | Path | None) -> str | None:
    """The `output.locale` a recipe file gives, or None (no file, not given, not readable).

    Read leniently on purpose: it chooses the language of the error that says the
    recipe is broken, so it must not fail where the recipe loader does.
    """
    if path is None:
        return None
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8"))
        value = data["output"]["locale"]
    except Exception:  # noqa: BLE001 - any failure means "the recipe does not say"
        return None
    return normalise_locale(value) if isinstance(value, str) else None


def cli_locale(recipe_path: str | Path | None = None, env: Mapping[str, str] | None = None) -> str:
    """The language of the CLI's messages for a command that may name a recipe."""
    return choose_locale(locale_of_recipe_file(recipe_path), env)


# ---------------------------------------------------------------- messages


def translate(table: Catalogue, key: str, locale: str | None, **params: Any) -> str:
    """`table[key]` in `locale` (zh-CN / en-US; other tags are normalised), formatted with `params`."""
    texts = table[key]
    template = texts.get(normalise_locale(locale) or EN) or texts[EN]
    return template.format(**params)


def message(key: str, locale: str | None, **params: Any) -> str:
    """A message of the CLI's catalogue, e.g. message("summary.wrote", "zh-CN", path=p)."""
    return translate(MESSAGES, key, locale, **params)


def error_line(text: str, locale: str | None) -> str:
    """The framing of an error on stderr: "Error: ..." / "错误：..."."""
    return message("error.prefix", locale, text=text)


def keyed_error(error_type: type[Exception], key: str, **params: Any) -> Exception:
    """An error whose English text comes from the catalogue and which renders in any locale,
    e.g. `raise keyed_error(UsageError, "init.exists", path=p)` (the key may be in `MESSAGES`
    or in a table passed as `catalogue=`)."""
    table: Catalogue = params.pop("catalogue", MESSAGES)
    error = error_type(translate(table, key, EN, **params))
    error.message_key, error.message_params, error.message_table = key, params, table  # type: ignore[attr-defined]
    return error


@dataclass(frozen=True)
class _Rule:
    """An English error sentence (by type and pattern) and the catalogue key that says it."""

    types: tuple[type[Exception], ...]
    pattern: re.Pattern[str]
    key: str
    convert: Callable[[dict[str, str], str], dict[str, str]] | None = None


def _where(params: dict[str, str], locale: str) -> dict[str, str]:
    match = re.fullmatch(r"sheet '(?P<sheet>.*)' in (?P<file>.+)", params["where"])
    if match:
        params["where"] = message("where.sheet", locale, **match.groupdict())
    return params


def _terms(*names: str) -> Callable[[dict[str, str], str], dict[str, str]]:
    def convert(params: dict[str, str], locale: str) -> dict[str, str]:
        if locale == ZH:
            for name in names:
                params[name] = _TERMS.get(params[name], params[name])
        return params

    return convert


def _rule(types, pattern: str, key: str, convert=None) -> _Rule:
    return _Rule(types if isinstance(types, tuple) else (types,), re.compile(pattern, re.DOTALL), key, convert)


def _missing_credentials_type() -> type[Exception]:
    from reconciler.feishu.auth import MissingCredentialsError

    return MissingCredentialsError


# Order matters: the first rule whose type and pattern match wins.
_RULES = (
    _rule(SheetError, r"^(?P<path>.+) does not exist; check the file name", "error.file_missing"),
    _rule(SheetError, r"^(?P<path>.+) is a folder, not a spreadsheet", "error.is_folder"),
    _rule(SheetError, r"^(?P<path>.+) is empty \(0 bytes\)", "error.file_empty"),
    _rule(SheetError, r"^(?P<name>.+?) (?P<kind>is an? (?:old Excel 97-2003 file|Excel binary workbook|OpenDocument "
          r"\(LibreOffice / WPS\) spreadsheet|Apple Numbers file|WPS spreadsheet)); open it in Excel",
          "error.unsupported_format", _terms("kind")),
    _rule(SheetError, r"^(?P<name>.+?) is not a spreadsheet reconciler reads", "error.not_spreadsheet"),
    _rule(SheetError, r"^(?P<name>.+?) is password-protected; ", "error.password"),
    _rule(SheetError, r"^(?P<name>.+?) is password-protected or an old Excel 97-2003 file", "error.old_or_password"),
    _rule(SheetError, r"^(?P<name>.+?) is damaged or not an Excel workbook", "error.damaged"),
    _rule(SheetError, r"^cannot open (?P<path>.+): (?P<reason>.+); if it is open in another program", "error.cannot_open"),
    _rule(SheetError, r"^(?P<name>.+?) has no sheet named '(?P<sheet>.*)'; its sheets are: (?P<sheets>.+)$",
          "error.no_such_sheet"),
    _rule(SheetError, r"^no row within the first (?P<n>\d+) of (?P<where>.+?) holds all the headers: (?P<required>.+); "
          r"the first non-empty row \(row (?P<row>\d+)\) has: (?P<found>.*); rename", "error.header_not_found", _where),
    _rule(SheetError, r"^row (?P<row>\d+) of (?P<where>.+?) has no column (?P<missing>.+); its headers are: (?P<found>.*)$",
          "error.header_row_lacks", _where),
    _rule(SheetError, r"^(?P<where>.+?) is empty; choose the sheet", "error.sheet_empty", _where),
    _rule(SheetError, r"^(?P<where>.+?) has nothing in its first (?P<n>\d+) rows", "error.nothing_in_first_rows", _where),
    _rule(FeishuScopeError, r"permission scope for (?P<endpoint>.+?) \(code 99991672\)", "error.scope_missing"),
    _rule(FeishuAuthError, r"^Feishu refused the app credentials \(code (?P<code>[^)]*)\): (?P<reason>.+?); check",
          "error.credentials_refused", _terms("reason")),
    _rule(FeishuAuthError, r"^Feishu refused the app \(code (?P<code>[^)]*)\): (?P<reason>.+)$", "error.app_refused",
          _terms("reason")),
    _rule(FeishuError, r"^could not reach Feishu at (?P<url>\S+)", "error.unreachable"),
    _rule(OutputError, r"^Cannot write (?P<name>.+?): the folder (?P<folder>.+) does not exist;", "error.output_folder_missing"),
    _rule(OutputError, r"^Cannot write (?P<name>.+?): the folder (?P<folder>.+) is not writable;",
          "error.output_folder_readonly"),
    _rule(OutputError, r"^Cannot write (?P<path>.+?): it is open in Excel \(lock file (?P<lock>.+) beside it\)",
          "error.output_locked"),
    _rule(OutputError, r"^Cannot replace (?P<path>.+?): it is open in another program", "error.output_in_use"),
    _rule(OutputError, r"^Cannot write (?P<path>.+?): a folder of that name exists", "error.output_is_folder"),
)


def render_error(exc: BaseException, locale: str | None) -> str:
    """One sentence for a domain error in `locale` (without the "Error:" framing).

    English is the error's own text. Chinese: the catalogue sentence when the error
    is keyed or matches a known sentence, else the English text (better than nothing).
    """
    locale = normalise_locale(locale) or EN
    if isinstance(exc, RecipeError):
        count = len(exc.issues)
        head = exc.issues[0].file if exc.issues else "recipe"
        issues = "\n".join(f"  {issue}" for issue in exc.issues)
        return message("error.recipe", locale, file=head, count=count, plural="s" if count != 1 else "", issues=issues)
    key = getattr(exc, "message_key", None)
    if key is not None:
        params = dict(getattr(exc, "message_params", {}))
        if isinstance(params.get("where"), str):
            _where(params, locale)
        return translate(getattr(exc, "message_table", MESSAGES), key, locale, **params)
    text = str(exc)
    if locale == EN:
        return text
    if isinstance(exc, _missing_credentials_type()):
        return message("error.missing_credentials", locale)
    for rule in _RULES:
        match = rule.pattern.search(text) if isinstance(exc, rule.types) else None
        if match:
            params = match.groupdict()
            return message(rule.key, locale, **(rule.convert(params, locale) if rule.convert else params))
    return text


# ---------------------------------------------------------------- the run summary


def summary_lines(summary: Any, outputs: list[Path], locale: str | None) -> tuple[list[str], list[str]]:
    """(lines for stdout, warning lines for stderr) after a run. Status names stay as
    they are written in the workbook (matched, not_found...), so they can be filtered on."""
    out: list[str] = []
    sep = message("summary.count_sep", locale)
    for key, counts in (("summary.talent", summary.talent_counts), ("summary.job_data", summary.job_counts)):
        if counts:
            parts = sep.join(f"{status} {n}" for status, n in counts.items() if n)
            out.append(message(key, locale, counts=parts or message("summary.no_rows", locale)))
    out.append(message("summary.totals", locale, rows=summary.rows, sent=sum(summary.requests.values()),
                       cache_hits=summary.cache_hits, seconds=summary.seconds))
    out.extend(message("summary.wrote", locale, path=path) for path in outputs)
    warnings = [message("summary.warning", locale, text=w) for w in summary.warnings]
    return out, warnings
