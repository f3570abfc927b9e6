"""The command line (spec section 3). Only this module turns errors into exit codes.

Exit status: 0 the run completed (whatever the row statuses); 2 bad recipe, input
file or arguments; 3 Feishu refused the credentials or a scope; 1 anything else.
Every non-zero exit prints one clear sentence on stderr first; --debug adds the
traceback.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import traceback
from pathlib import Path

import click

from . import __version__
from .errors import ReconcilerError, RecipeError

DEBUG_ENV = "RECONCILER_DEBUG"


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def handle_errors(func):
    """Domain errors -> one sentence and the spec's exit code; anything else -> exit 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        debug = kwargs.get("debug") or os.environ.get(DEBUG_ENV) == "1"
        try:
            return func(*args, **kwargs)
        except RecipeError as exc:
            if debug:
                traceback.print_exc()
            count = len(exc.issues)
            head = exc.issues[0].file if exc.issues else "recipe"
            lines = "\n".join(f"  {issue}" for issue in exc.issues)
            _fail(f"the recipe {head} has {count} problem{'s' if count != 1 else ''}; fix and run again:\n{lines}", 2)
        except ReconcilerError as exc:
            if debug:
                traceback.print_exc()
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted; the input file is unchanged and no partial output was left", 130)
        except Exception as exc:  # noqa: BLE001 - the promise is: never a bare traceback
            if debug:
                traceback.print_exc()
            _fail(f"unexpected {type(exc).__name__}: {exc} (run again with --debug for details)", 1)

    return wrapper


debug_option = click.option("--debug", is_flag=True, help="Show the traceback of an error.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
def cli():
    """Reconcile HR spreadsheets against Feishu / Lark Hire and CoreHR.

    Example:

        reconciler run recipes/onboarding.yaml sample_sheets/onboarding_zh.xlsx --sandbox
    """


@cli.command()
@click.argument("recipe", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("input", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: output.path of the recipe).")
@click.option("--sandbox", is_flag=True, help="Run against the embedded Feishu simulator and its demo tenant.")
@click.option("--offline", is_flag=True, help="Answer only from the cache; a miss is a row error.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--dry-run", is_flag=True, help="Print the planned requests per endpoint and send nothing.")
@click.option("--plugins", "plugin_paths", multiple=True, type=click.Path(path_type=Path), help="A plugin .py file or folder (repeatable).")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Write a JSON summary (counts, requests, seconds) here.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary, only errors.")
@debug_option
@handle_errors
def run(recipe, input, output, sandbox, offline, no_cache, dry_run, plugin_paths, report, quiet, debug):
    """Reconcile INPUT (.xlsx or .csv) as RECIPE says and write the annotated copy.

    Example:

        reconciler run recipes/onboarding.yaml sample_sheets/onboarding_zh.xlsx --sandbox --report report.json
    """
    from .pipeline import RunOptions
    from .pipeline import run as run_pipeline
    from .progress import console_progress

    with console_progress(enabled=not quiet and sys.stderr.isatty()) as progress:
        options = RunOptions(output=output, sandbox=sandbox, offline=offline, no_cache=no_cache, dry_run=dry_run,
                             plugins=[str(p) for p in plugin_paths], progress=progress)
        result = run_pipeline(recipe, input, options)
    if report:
        _write_report(report, result.report)
    if dry_run:
        click.echo("Dry run: nothing was sent.")
        for line in result.plan:
            click.echo(f"  {line}")
        for endpoint, count in result.planned_requests.items():
            click.echo(f"  planned {endpoint}: {count}")
        return
    if not quiet:
        _print_summary(result)


def _write_report(path: Path, report: dict) -> None:
    from .errors import OutputError

    try:
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write the report {path}: {exc.strerror}") from exc


def _print_summary(result) -> None:
    s = result.summary
    for title, counts in (("talent", s.talent_counts), ("job data", s.job_counts)):
        if counts:
            parts = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
            click.echo(f"{title}: {parts or 'no rows'}")
    sent = sum(s.requests.values())
    click.echo(f"{s.rows} rows, {sent} requests sent, {s.cache_hits} from cache, {s.seconds:.1f} s")
    for warning in s.warnings:
        click.echo(f"warning: {warning}", err=True)
    for path in result.outputs:
        click.echo(f"wrote {path}")


@cli.command()
@click.argument("recipe", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("input", required=False, type=click.Path(path_type=Path))
@click.option("--plugins", "plugin_paths", multiple=True, type=click.Path(path_type=Path), help="A plugin .py file or folder (repeatable).")
@debug_option
@handle_errors
def check(recipe, input, plugin_paths, debug):
    """Validate RECIPE; with INPUT, also that the sheet has every mapped header.

    Example:

        reconciler check recipes/onboarding.yaml sample_sheets/onboarding_zh.xlsx
    """
    from .pipeline import RunOptions, load_with_plugins, prepare

    if input is None:
        loaded, _ = load_with_plugins(recipe, [str(p) for p in plugin_paths])
        click.echo(f"{recipe}: OK ({loaded.display_name})")
        return
    prepared = prepare(recipe, input, RunOptions(plugins=[str(p) for p in plugin_paths]))
    where = f"sheet '{prepared.sheet.name}'" if prepared.sheet.name else input.name
    click.echo(f"{recipe}: OK with {input} ({where}, header on row {prepared.sheet.header_row}, "
               f"{sum(not r.is_blank for r in prepared.sheet.rows)} rows)")
    for warning in prepared.warnings:
        click.echo(f"warning: {warning}", err=True)


@cli.command()
@handle_errors
def schema():
    """Print the recipe's JSON Schema.

    Example:

        reconciler schema > recipe.schema.json
    """
    from .recipe import recipe_json_schema

    click.echo(json.dumps(recipe_json_schema(), ensure_ascii=False, indent=2))


@cli.command()
@click.option("--port", default=8765, show_default=True, help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--latency", default=0.0, help="Seconds added to every API answer.")
@click.option("--fault-rate", default=0.0, help="Share of API requests answered with a transient fault.")
@click.option("--token-ttl", default=7200, help="Seconds an access token lives.")
@handle_errors
def sandbox(port, host, latency, fault_rate, token_ttl):
    """Serve the embedded Feishu simulator with its demo tenant until Ctrl-C.

    Its demo app is app_id cli_sandbox, app_secret sandbox-secret (see README).

    Example:

        reconciler sandbox --port 8765
    """
    from .sandbox import serve

    serve(port, host=host, latency=latency, fault_rate=fault_rate, token_ttl=token_ttl)


@cli.group()
def cache():
    """Inspect or clear the HTTP cache.

    Example:

        reconciler cache info
    """


def _cache_file(recipe: Path | None) -> Path:
    from .connect import cache_path

    if recipe is not None:
        from .recipe import load_recipe

        return cache_path(load_recipe(recipe).cache.path)
    return cache_path(None)


@cache.command("info")
@click.option("--recipe", type=click.Path(dir_okay=False, path_type=Path), help="Use this recipe's cache.path.")
@handle_errors
def cache_info(recipe):
    """Show where the cache is, how many entries it holds and its size.

    Example:

        reconciler cache info --recipe recipes/onboarding.yaml
    """
    from .cachefile import describe

    for key, value in describe(_cache_file(recipe)).items():
        click.echo(f"{key}: {value}")


@cache.command("clear")
@click.option("--recipe", type=click.Path(dir_okay=False, path_type=Path), help="Use this recipe's cache.path.")
@handle_errors
def cache_clear(recipe):
    """Delete the cache file.

    Example:

        reconciler cache clear
    """
    from .cachefile import clear

    path = _cache_file(recipe)
    click.echo(f"removed {path}" if clear(path) else f"no cache at {path}")


def main() -> None:
    cli(prog_name="reconciler")


if __name__ == "__main__":
    main()
