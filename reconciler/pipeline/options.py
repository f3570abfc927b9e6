"""What a run is given (`RunOptions`), what it returns (`RunResult`), and the state
between checking and sending (`Prepared`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.feishu import (
    CacheSettings,
    RateLimits,
)
from reconciler.feishu.connection import Connection
from reconciler.matching.normalize import Normalised
from reconciler.messages.render import Message
from reconciler.model import OutputColumn, RowOutcome, RunSummary, Sheet
from reconciler.recipe import Recipe
from reconciler.sheets.fingerprint import Fingerprint


class Progress:
    """Progress callbacks; the CLI passes a rich-backed one, the default is silent."""

    def start(self, stage: str, total: int) -> None: ...

    def advance(self, stage: str, n: int = 1) -> None: ...

    def message(self, text: str) -> None: ...


@dataclass
class RunOptions:
    output: Path | None = None
    sandbox: bool = False
    offline: bool = False
    no_cache: bool = False
    dry_run: bool = False
    plugins: Sequence[str] = ()
    env: Mapping[str, str] | None = None
    progress: Progress = field(default_factory=Progress)
    workers: int = 16
    limits: RateLimits | None = None
    log_path: Path | None = None  # a masked log file (--log)
    report_path: Path | None = None  # the JSON summary (--report), written by the caller: checked here
    client_options: dict = field(default_factory=dict)  # more FeishuClient settings (timeouts, retries)


@dataclass
class Prepared:
    recipe: Recipe
    sheet: Sheet
    matchers: dict
    rule: object | None
    writers: list
    outputs: list[Path]
    identifiers: dict[int, tuple[Normalised, ...]]  # row number -> its identifiers, in talent.inputs order
    connection: Connection
    cache: CacheSettings
    warnings: list[Message | str]
    plugin_columns: list[OutputColumn] = field(default_factory=list)  # declared by register_output_columns
    locale: str = "zh-CN"  # enum texts and the Summary sheet: output.locale if the recipe sets it, else the system's
    fingerprint: Fingerprint | None = None  # the input as read: checked again before writing
    writer_owners: dict[str, str] = field(default_factory=dict)  # writer name -> the plugin that registered it


@dataclass
class RunResult:
    summary: RunSummary
    outputs: list[Path]
    outcomes: dict[int, RowOutcome]
    plan: list[str]
    planned_requests: dict[str, int]  # endpoint path -> requests (for people: --dry-run, --report)
    report: dict
