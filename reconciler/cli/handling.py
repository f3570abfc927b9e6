"""How every command ends: domain errors become one sentence and the spec's exit code.

Only the command line turns errors into exit codes (spec section 3): 0 the run
completed (whatever the row statuses); 2 bad recipe, input file or arguments;
3 Feishu refused the credentials or a scope; 1 anything else. Every non-zero exit
prints one clear sentence on stderr first; --debug adds the traceback. Every
command module imports `handle_errors` and the shared options from here.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys
import threading
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


class Signalled(BaseException):
    """SIGTERM or SIGHUP arrived: unwind like Ctrl-C, so every `finally` removes its temporary files."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_signalled(signum, _frame):
    raise Signalled(signum)


def _quiet_thread_errors(args) -> None:
    """A library's background thread that fails (e.g. the rate limiter's leaker) must not
    print a traceback on the person's terminal: it goes to the log; --debug shows it."""
    logging.getLogger("reconciler").debug("background thread %s stopped", getattr(args.thread, "name", "?"),
                                          exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
    if os.environ.get(DEBUG_ENV) == "1":
        _default_thread_hook(args)


_default_thread_hook = threading.excepthook


def unwind_on_signals() -> None:
    """Turn SIGTERM and SIGHUP (a closed terminal, `kill`) into an exception in the main thread.

    Python's default for both is to die at once, skipping the cleanup of temporary
    output files that holds on errors and Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _raise_signalled)


def handle_errors(func):
    """Domain errors -> one sentence (in the command's language, see reconciler.messages) and the spec's exit code;
    anything else -> exit 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        debug = kwargs.get("debug") or os.environ.get(DEBUG_ENV) == "1"
        unwind_on_signals()
        threading.excepthook = _default_thread_hook if debug else _quiet_thread_errors
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
        except Signalled as exc:
            locale = _command_locale(kwargs)
            _fail(message("error.interrupted", locale), 128 + exc.signum, locale)
        except Exception as exc:  # noqa: BLE001 - the promise is: never a bare traceback
            if debug:
                traceback.print_exc()
            locale = _command_locale(kwargs)
            _fail(message("error.unexpected", locale, type=type(exc).__name__, text=exc), 1, locale)

    return wrapper


debug_option = click.option("--debug", is_flag=True, help="Show the traceback of an error.")


plugins_option = click.option("--plugins", "plugin_paths", multiple=True, type=click.Path(path_type=Path),
                              help="A plugin .py file or folder (repeatable).")
