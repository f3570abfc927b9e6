"""How every command ends: domain errors become one sentence and the spec's exit code.

Only the command line turns errors into exit codes (spec section 3): 0 the run
completed (whatever the row statuses); 2 bad recipe, input file or arguments;
3 Feishu refused the credentials or a scope; 1 anything else. Every non-zero exit
prints one clear sentence on stderr first; --debug adds the traceback. Every
command module imports `handle_errors` and the shared options from here.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from pathlib import Path

import click

from reconciler.errors import ReconcilerError
from reconciler.messages.locale import choose_locale, locale_of_recipe_file
from reconciler.messages.render import error_line, render_error, text as message

DEBUG_ENV = "RECONCILER_DEBUG"


def _fail(text: str, code: int, locale: str | None = None) -> None:
    click.echo(error_line(text, locale), err=True)
    sys.exit(code)


def _command_locale(kwargs: dict) -> str:
    """The language of a command's messages: its --locale, else the recipe's output.locale, else the system's."""
    return choose_locale(kwargs.get("locale") or locale_of_recipe_file(kwargs.get("recipe")))


def handle_errors(func):
    """Domain errors -> one sentence (in the command's language, see reconciler.messages) and the spec's exit code;
    anything else -> exit 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        debug = kwargs.get("debug") or os.environ.get(DEBUG_ENV) == "1"
        try:
            return func(*args, **kwargs)
        except ReconcilerError as exc:  # RecipeError included: render_error frames its issues
            if debug:
                traceback.print_exc()
            locale = _command_locale(kwargs)
            _fail(render_error(exc, locale), exc.exit_code, locale)
        except KeyboardInterrupt:
            locale = _command_locale(kwargs)
            _fail(message("error.interrupted", locale), 130, locale)
        except Exception as exc:  # noqa: BLE001 - the promise is: never a bare traceback
            if debug:
                traceback.print_exc()
            locale = _command_locale(kwargs)
            _fail(message("error.unexpected", locale, type=type(exc).__name__, text=exc), 1, locale)

    return wrapper


debug_option = click.option("--debug", is_flag=True, help="Show the traceback of an error.")


plugins_option = click.option("--plugins", "plugin_paths", multiple=True, type=click.Path(path_type=Path),
                              help="A plugin .py file or folder (repeatable).")
