"""The one helper behind Reconcile.bat, Reconcile.command and reconcile.sh.

    python -m reconciler.desktop [--folder DIR] [--sandbox] [FILE ...]

FOLDER (default: the current folder) holds recipe.yaml, reconciler.env (created
from reconciler.env.template on first run), inbox/ and outbox/. Each FILE is
reconciled with the folder's recipe; with no FILE a picker asks for them, or the
spreadsheets in inbox/ are reconciled into outbox/ (see choose.py).

Exit status: 0 when every file was reconciled; otherwise the status of the first
failure (2 bad input or settings, 3 Feishu refused the app, 1 anything else).
Nothing here prints a traceback: errors are one sentence in Chinese and English
(messages.py), the details go to a log file next to the output (runlog.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path

from reconciler import __version__
from reconciler.errors import ReconcilerError
from reconciler.recipe import Recipe
from reconciler.cli.handling import Signalled, unwind_on_signals
from reconciler.desktop import choose, settings
from reconciler.desktop.console import Console, both, open_folder, progress_for
from reconciler.desktop.messages import MISSING_CREDENTIALS, DesktopError, Plain, about_missing_columns, explain
from reconciler.desktop.peek import missing_from_best_row
from reconciler.desktop.runlog import file_log, log, silence_console_logging

RECIPE = "recipe.yaml"
DEMO = "demo"  # the sample sheet and its recipe, for trying it without a Feishu account (--demo)


@dataclass
class FileResult:
    job: choose.Job
    outputs: list[Path] = field(default_factory=list)
    error: Plain | None = None
    log: Path | None = None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m reconciler.desktop",
        description="Reconcile spreadsheets with the recipe next to the launcher (double-click helper).",
    )
    parser.add_argument("files", nargs="*", type=Path, help="spreadsheets to reconcile (.xlsx, .xlsm, .csv)")
    parser.add_argument("--folder", type=Path, default=None, help="the launcher's folder (default: the current one)")
    parser.add_argument("--recipe", type=Path, default=None, help=f"recipe to use (default: FOLDER/{RECIPE})")
    parser.add_argument("--sandbox", action="store_true", help="demo: the embedded Feishu simulator, no credentials")
    parser.add_argument("--demo", action="store_true",
                        help="try it: the sample sheet in FOLDER/demo with its recipe, against the simulator")
    parser.add_argument("--no-pause", action="store_true", help="do not wait for Enter at the end")
    parser.add_argument("--no-open", action="store_true", help="do not open the output folder")
    parser.add_argument("--version", action="version", version=f"reconciler {__version__}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, environ: MutableMapping[str, str] | None = None) -> int:
    args = parse_args(argv)
    environ = os.environ if environ is None else environ
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")  # a console that cannot show Chinese gets "?", not a crash
    interactive = sys.stdin is not None and sys.stdin.isatty() and not args.no_pause
    console = Console(interactive=interactive)
    silence_console_logging()
    folder = (args.folder or Path.cwd()).resolve()
    unwind_on_signals()  # a closed console window (SIGHUP) or kill: temporary files removed on the way out
    try:
        code = _main(args, folder, environ, console)
    except (KeyboardInterrupt, Signalled) as exc:
        console.say(both("desktop.say.interrupted"))
        code = 128 + exc.signum if isinstance(exc, Signalled) else 130
    except Exception as exc:  # noqa: BLE001 - the promise is one sentence, never a traceback
        plain = explain(exc)
        console.say(f"✗ {plain}")
        if not isinstance(exc, DesktopError):  # the helper's own sentences say all there is
            outbox = folder / choose.OUTBOX
            with file_log(outbox / "reconciler-error.log", outbox, (environ.get(settings.APP_SECRET, ""),)) as where:
                log.error("%s", plain, exc_info=exc)
            if where:
                console.say("  " + both("desktop.say.details", path=where))
        code = plain.exit_code
    console.pause()
    return code


def _main(args, folder: Path, environ: MutableMapping[str, str], console: Console) -> int:
    console.say(f"reconciler {__version__} · {both('desktop.say.banner')}")
    env_path, created = settings.ensure_env_file(folder)
    if created:
        console.say(both("desktop.say.created_env", path=env_path))
    settings.apply(settings.read_env_file(env_path), environ)
    if args.demo:  # the "Try the demo" launchers: never the person's own recipe, sheets or credentials
        args.sandbox, args.recipe = True, args.recipe or folder / DEMO / RECIPE
        args.files = args.files or _demo_sheets(folder)
    recipe_path = (args.recipe or folder / RECIPE).resolve()
    if not recipe_path.is_file():
        raise DesktopError(Plain.of("recipe_missing", 2, path=recipe_path))
    from reconciler.pipeline import load_with_plugins

    recipe, _ = load_with_plugins(recipe_path, env=environ)
    sandbox = args.sandbox or _check_credentials(recipe, environ)
    # kept out of every log line, wherever it came from (reconciler.env, the environment, the recipe)
    secrets = (environ.get(settings.APP_SECRET, ""), recipe.feishu.resolved(environ).app_secret or "")
    if sandbox:
        console.say(both("desktop.say.demo"))

    jobs = _jobs(args, folder, console, environ)
    if not jobs:
        console.say(both("desktop.say.nothing", inbox=folder / choose.INBOX))
        return 2
    results = [_reconcile(job, recipe_path, recipe, sandbox, environ, console, folder, secrets) for job in jobs]
    failed = [r for r in results if r.error]
    console.say()
    console.say(both("desktop.say.done", ok=len(results) - len(failed), failed=len(failed)))
    outputs = [p for r in results for p in r.outputs]
    if outputs and console.interactive and not args.no_open:
        open_folder(outputs[-1].parent)
    return failed[0].error.exit_code if failed else 0


def _demo_sheets(folder: Path) -> list[Path]:
    sheets = sorted(p for p in (folder / DEMO).glob("*.xlsx") if ".reconciled." not in p.name)
    if not sheets:
        raise DesktopError(Plain.of("file_missing", 2, name=folder / DEMO / "*.xlsx"))
    return sheets


def _check_credentials(recipe: Recipe, environ) -> bool:
    """True for a sandbox recipe/base URL; raise the plain sentence when credentials are missing."""
    feishu = recipe.feishu.resolved(environ)
    if feishu.is_sandbox:
        return True
    if not (feishu.app_id and feishu.app_secret):
        raise DesktopError(MISSING_CREDENTIALS)
    return False


def _jobs(args, folder: Path, console: Console, environ) -> list[choose.Job]:
    if args.files:
        return choose.file_jobs(args.files)
    picked = choose.pick_files(sys.platform, environ)
    if picked:
        return choose.file_jobs(picked)
    jobs = choose.inbox_jobs(folder)
    if jobs:
        console.say(both("desktop.say.inbox", n=len(jobs), inbox=folder / choose.INBOX, outbox=folder / choose.OUTBOX))
        (folder / choose.OUTBOX).mkdir(exist_ok=True)
    return jobs


def _reconcile(job: choose.Job, recipe_path: Path, recipe: Recipe, sandbox: bool, environ, console: Console,
               folder: Path, secrets: tuple[str, ...]) -> FileResult:
    from reconciler.pipeline import RunOptions, run

    result = FileResult(job)
    name = job.input.name
    console.say()
    console.say(f"▶ {name}")
    output_dir = job.output_dir
    if output_dir is None and job.input.parent.is_dir() and not os.access(job.input.parent, os.W_OK):
        output_dir = folder / choose.OUTBOX
        output_dir.mkdir(exist_ok=True)
        console.say("  " + both("desktop.say.readonly", folder=output_dir))
    expected = _expected_output(recipe, job.input, output_dir)
    with file_log(expected.with_suffix(".log"), folder / choose.OUTBOX, secrets) as result.log:
        log.info("reconciler %s from %s, Python %s, %s", __version__, Path(__file__).resolve().parents[1],
                 platform.python_version(), platform.platform())
        log.info("folder %s; recipe %s; input %s; sandbox %s", folder, recipe_path, job.input, sandbox)
        for line in settings.describe(environ):
            log.info("%s", line)
        try:
            with progress_for(console) as progress:
                options = RunOptions(output=expected if output_dir else None, sandbox=sandbox, env=environ,
                                     progress=progress)
                outcome = run(recipe_path, job.input, options)
            result.outputs = list(outcome.outputs)
            console.summary(outcome.summary, result.outputs)
            log.info("report %s", json.dumps(outcome.report, ensure_ascii=False))
            if job.from_inbox:
                moved = choose.move_to_done(job.input)
                console.say("  " + both("desktop.say.moved", folder=moved.parent))
                log.info("moved the input to %s", moved)
        except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the others
            result.error = explain(exc, name=name, missing=_missing(exc, job.input, recipe))
            log.error("%s", result.error, exc_info=not isinstance(exc, ReconcilerError))
            log.error("%s: %s", type(exc).__name__, exc)
            console.say(f"  ✗ {result.error}")
    if result.log:
        console.say("  " + both("desktop.say.details", path=result.log))
    return result


def _expected_output(recipe: Recipe, input_path: Path, output_dir: Path | None) -> Path:
    """Where the annotated copy goes: the recipe's output.path, in output_dir when given."""
    try:
        name = Path(recipe.output.path.format(stem=input_path.stem))
    except (KeyError, IndexError, ValueError):  # the run itself reports a bad template in plain words
        name = Path(f"{input_path.stem}.reconciled.xlsx")
    if output_dir is not None:
        return output_dir / name.name
    return name if name.is_absolute() else input_path.parent / name


def _missing(exc: BaseException, input_path: Path, recipe: Recipe) -> list[str] | None:
    """The columns the sheet lacks, judged against the row near the top that has most of them
    (the library compares with the first non-empty row, often a title)."""
    if not about_missing_columns(exc):
        return None
    from reconciler.recipe import required_headers

    return missing_from_best_row(input_path, recipe.source.sheet, required_headers(recipe))
