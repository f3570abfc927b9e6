"""The `reconciler` command group: run, check, schema, sandbox, cache; init and plugins live beside it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from reconciler import __version__
from reconciler.cli.handling import debug_option, handle_errors, plugins_option
from reconciler.messages.locale import cli_locale
from reconciler.messages.render import Message, render, summary_lines, text

# In click's context object when the command line started the process (`main`): the
# process ends with the command, so a command may set what only that process lives with.
OWN_PROCESS = "own_process"


class _Commands(click.Group):
    """The group, with `init` and `plugins` imported only when asked for: they import the recipe
    drafting and the plugin system, and `reconciler run` starts the sheet's parse before the
    pipeline's imports (sheets/early.py)."""

    LAZY = {"init": ("reconciler.cli.init_command", "init_command"),
            "plugins": ("reconciler.cli.plugins_command", "plugins_command")}

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx, name):
        if name in self.LAZY and name not in self.commands:
            import importlib

            module, attribute = self.LAZY[name]
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
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
@plugins_option
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Write a JSON summary (counts, requests, seconds) here.")
@click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path), help="Write a detailed log here (phones and IDs masked).")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary, only errors.")
@debug_option
@handle_errors
def run(recipe, input, output, sandbox, offline, no_cache, dry_run, plugin_paths, report, log_path, quiet, debug):
    """Reconcile INPUT (.xlsx or .csv) as RECIPE says and write the annotated copy.

    Example:

        reconciler run recipes/onboarding.yaml sample_sheets/onboarding_zh.xlsx --sandbox --report report.json
    """
    from reconciler.memory import collector_off_until_exit, steady_allocator
    from reconciler.sheets.early import read_ahead

    steady_allocator()  # before the parse starts (pipeline.run sets it again for programs calling run: the same value)
    read_ahead(input, recipe)  # the sheet parses while the rest loads
    from reconciler.cli.progress import console_progress
    from reconciler.pipeline import RunOptions
    from reconciler.pipeline import run as run_pipeline

    if (click.get_current_context().obj or {}).get(OWN_PROCESS):
        collector_off_until_exit()  # not when a program calls the command (click's CliRunner)
    with console_progress(enabled=not quiet and sys.stderr.isatty()) as progress:
        options = RunOptions(output=output, sandbox=sandbox, offline=offline, no_cache=no_cache, dry_run=dry_run,
                             plugins=[str(p) for p in plugin_paths], progress=progress, log_path=log_path,
                             report_path=report)
        result = run_pipeline(recipe, input, options)
    if report:
        _write_report(report, result.report)
    if dry_run:
        click.echo(text("summary.dry_run", cli_locale(recipe)))
        for line in result.plan:
            click.echo(f"  {line}")
        for endpoint, count in result.planned_requests.items():
            click.echo(f"  planned {endpoint}: {count}")
        return
    if not quiet:
        _print_summary(result, cli_locale(recipe))


def _write_report(path: Path, report: dict) -> None:
    from reconciler.errors import OutputError

    try:
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise OutputError("error.report_unwritable", path=path, reason=exc.strerror) from exc


def _print_summary(result, locale: str) -> None:
    lines, warnings = summary_lines(result.summary, result.outputs, locale)
    for warning in warnings:
        click.echo(warning, err=True)
    for line in lines:
        click.echo(line)


@cli.command()
@click.argument("recipe", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("input", required=False, type=click.Path(path_type=Path))
@plugins_option
@debug_option
@handle_errors
def check(recipe, input, plugin_paths, debug):
    """Validate RECIPE; with INPUT, also that the sheet has every mapped header.

    Every problem is listed at once. The recipe's plugins (and --plugins) are
    loaded, so their code runs, as it would in `run`; check says which it loaded.

    Example:

        reconciler check recipes/onboarding.yaml sample_sheets/onboarding_zh.xlsx
    """
    from reconciler import plugins as plugin_system
    from reconciler.pipeline import RunOptions, load_with_plugins, prepare

    locale = cli_locale(recipe)
    if input is None:
        loaded, _ = load_with_plugins(recipe, [str(p) for p in plugin_paths])
        _say_plugins(plugin_system, locale)
        click.echo(text("check.ok", locale, recipe=recipe, name=loaded.display_name))
        return
    prepared = prepare(recipe, input, RunOptions(plugins=[str(p) for p in plugin_paths]))
    _say_plugins(plugin_system, locale)
    where = (Message("where.sheet_named", sheet=prepared.sheet.name) if prepared.sheet.name
             else Message("plain", text=input.name))
    click.echo(text("check.ok_with_sheet", locale, recipe=recipe, input=input, where=where,
                    row=prepared.sheet.header_row, rows=len(prepared.sheet.rows)))
    for warning in prepared.warnings:
        click.echo(text("summary.warning", locale, text=render(warning, locale)), err=True)


def _say_plugins(plugin_system, locale: str) -> None:
    """`check` imports the recipe's plugins (their code runs, as in `run`): say which."""
    files = [plugin_system.describe(name) for name in plugin_system.loaded_names()
             if plugin_system.source_of(name).source != "built-in"]
    if files:
        click.echo(text("check.plugins_loaded", locale, plugins=", ".join(files)), err=True)


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the schema to this file instead of printing it (for editor completion).")
@handle_errors
def schema(output):
    """Print the recipe's JSON Schema, or write it with -o for an editor.

    A recipe whose first line is `# yaml-language-server: $schema=recipe.schema.json`
    gets completion and checks in VS Code (YAML extension) from that file;
    `reconciler init` writes both.

    Example:

        reconciler schema -o recipe.schema.json
    """
    from reconciler.recipe import recipe_json_schema
    from reconciler.recipe.schemafile import write_schema_file

    if output is None:
        click.echo(json.dumps(recipe_json_schema(), ensure_ascii=False, indent=2))
    else:
        write_schema_file(output, replace=True)
        click.echo(text("schema.wrote", cli_locale(None), path=output))


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
    from reconciler.sandbox import serve

    serve(port, host=host, latency=latency, fault_rate=fault_rate, token_ttl=token_ttl)


@cli.group()
def cache():
    """Inspect or clear the HTTP cache.

    Example:

        reconciler cache info
    """


def _cache_settings(recipe: Path | None):
    from reconciler.feishu.connection import cache_settings

    if recipe is not None:
        from reconciler.recipe import load_recipe

        return cache_settings(load_recipe(recipe))
    return cache_settings(None)


@cache.command("info")
@click.option("--recipe", type=click.Path(dir_okay=False, path_type=Path), help="Use this recipe's cache section (path, backend).")
@handle_errors
def cache_info(recipe):
    """Show the cache's backend, where it is, how many entries it holds and its size.

    Example:

        reconciler cache info --recipe recipes/onboarding.yaml
    """
    from reconciler.feishu.cachefiles import describe

    for key, value in describe(_cache_settings(recipe)).items():
        click.echo(f"{key}: {value}")


@cache.command("clear")
@click.option("--recipe", type=click.Path(dir_okay=False, path_type=Path), help="Use this recipe's cache section (path, backend).")
@handle_errors
def cache_clear(recipe):
    """Delete the cached answers (the cache files, or reconciler's keys in Redis).

    Example:

        reconciler cache clear
    """
    from reconciler.feishu.cachefiles import clear, where

    settings = _cache_settings(recipe)
    click.echo(f"removed {where(settings)}" if clear(settings) else f"no cache at {where(settings)}")


def main() -> None:
    cli(prog_name="reconciler", obj={OWN_PROCESS: True})


if __name__ == "__main__":
    main()
