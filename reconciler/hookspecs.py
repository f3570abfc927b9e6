"""Hook specifications: the whole plugin API of reconciler, and nothing else.

A plugin is a module with functions marked `@hookimpl` (`from reconciler.plugin_api
import hookimpl`, the same marker as this module's) whose
names and argument names are those of the specs below; it may implement any
subset, and may take fewer arguments than a spec offers. It is loaded from an
installed package's `reconciler` entry point, or from a `.py` file or folder
given with `--plugins` or the recipe's `plugins:` key (see docs/plugins.md).

The specs are grouped by the phase of a run in which they are called:

- load:  register_matchers, register_writers (when plugins are loaded)
- match: normalise_value (once per identifier cell, before any lookup)
- write: register_output_columns (once per run), row_outputs (once per row,
  after matching, before the writers run)

Order: the built-ins are registered with `trylast=True`, and pluggy calls the
most recently loaded plugin first (built-ins < installed packages < the recipe's
`plugins:` < `--plugins`), so a plugin's registration of a name wins over a
built-in's. An exception a hook raises stops the run with one sentence naming the
plugin's file, the hook and the exception (exit 2). A function named like a hook but
without `@hookimpl`, or taking an argument its hook does not offer, is refused when the
plugin loads. Hook wrappers are not supported. Every object named below is importable
from `reconciler.plugin_api`; docs/plugin-reference.md lists their fields.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("reconciler")
hookimpl = pluggy.HookimplMarker("reconciler")


# -- load phase ---------------------------------------------------------------


@hookspec
def register_matchers(register):
    """Register identifier matchers and decision rules.

    Called whenever reconciler builds its matcher registry (each run, `check`,
    `plugins`); must only call ``register``.

    :param register: call it once per object: ``register(obj)``. A subclass of
        :class:`IdentifierMatcher` (a ``name`` and ``identify(row, spec)`` returning a
        :class:`Normalised`: ``valid_value``, ``invalid_value`` or ``not_present``)
        becomes usable as a key of the recipe's ``talent.inputs``; ``spec`` is that
        key's :class:`InputSpec` (``column``, ``code_column``, ``default_code``,
        ``type``, ``type_column``, and ``options``: the matcher's own, checked by its
        ``check_options``). Its ``columns(spec)`` lists every header it reads. A
        subclass of :class:`DecisionRule` (a ``name`` and ``decide(resolved)``
        returning a :class:`TalentDecision`) becomes usable as ``talent.mode``.
        When two plugins register the same name, the one called first wins: a
        plugin replaces a built-in of that name.
    :return: nothing (ignored).
    """


@hookspec
def register_writers(register):
    """Register output writers.

    Called whenever reconciler builds its writer registry; must only call ``register``.

    :param register: call it once per writer:
        ``register(Writer(name, write, suffix, description, check_options))`` with a
        :class:`Writer`. ``write(ctx)`` receives a :class:`WriteContext` (the sheet,
        the outcomes, the summary, the recipe, the locale and ``ctx.options``: the
        writer's options from ``output.writers``, checked by ``check_options``),
        writes ``ctx.output_path`` (the run's output path with ``suffix``) and
        returns that path. A writer that raises, or returns anything but a path,
        stops the run with exit 2 naming the plugin and the writer; the files the
        writers before it wrote are kept, and the error lists them. ``name``
        is what a recipe lists under ``output.writers``. When two plugins
        register the same name the one called first wins, so a plugin replaces
        a built-in writer (xlsx, csv, jsonl) of that name.
    :return: nothing (ignored).
    """


# -- match phase --------------------------------------------------------------


@hookspec(firstresult=True)
def normalise_value(kind, cell, spec, row):
    """Normalise and validate one identifier cell before it is looked up.

    Called for each identifier of ``talent.inputs`` whose cell is not blank,
    on every row, before the matcher of that identifier. firstresult: the first plugin returning
    something other than None decides, and the matcher is then not called;
    return None to leave the value to the next plugin and finally the matcher.
    Use it for a country's phone rules or a company's ID format without
    replacing a whole matcher.

    :param kind: the identifier's key in ``talent.inputs``: "mobile", "email",
        "id_number", or a plugin matcher's name ("region_mobile").
    :param cell: the :class:`Cell` of the identifier's column
        in this row (``value`` as stored, ``text`` as displayed).
    :param spec: the :class:`InputSpec` of that identifier
        (``column``, ``code_column``, ``default_code``, ``type``, ``type_column``, ``options``).
    :param row: the whole :class:`SheetRow` (``number``,
        ``get(header)``), to read other columns such as a country column.
    :return: a :class:`Normalised`, or None to fall through. Build it with
        ``valid_value(lookup_kind, cell, value, group=...)``, where ``lookup_kind`` is
        what Feishu looks the value up as ("mobile", "email", "id_number"), not
        ``kind``; ``invalid_value(kind, cell, error)``; or ``not_present(kind, cell)``
        for a placeholder that means "no identifier here".
    """


# -- write phase --------------------------------------------------------------


@hookspec
def register_output_columns(recipe, register):
    """Declare the output columns this plugin fills with ``row_outputs``.

    Called once per run (and by ``check``) after the recipe and the sheet are
    read, before anything is sent. Declared columns are appended after the
    recipe's own output columns, in plugin load order, in every writer's output; a
    header the sheet already has is filled in place, as for recipe columns.
    Declaring a header that is already an output column adds nothing (use
    it to change that column's values).

    :param recipe: the loaded :class:`Recipe`; declare a
        column only when it makes sense for this recipe (e.g. it has a talent
        section).
    :param register: call ``register(header, kind="value")`` once per column.
        kind "value" writes the Python value (bool, number, date, text);
        "text" always writes text (IDs, phones); "status" and "note" style
        the cell like the status and note columns.
    :return: nothing (ignored).
    """


@hookspec
def row_outputs(row, outcome, recipe):
    """Add or change output values of one row after matching.

    Called once per non-blank row, after the talent and job-data decisions
    and before the status counts and the writers. Every plugin is called;
    when two return the same header, the one called first wins.

    :param row: the :class:`SheetRow` as read from the sheet.
    :param outcome: the row's :class:`RowOutcome`:
        ``talent_status``/``talent_notes``, ``job_status``/``job_notes`` (None
        when the recipe has no such section), ``values`` (output column
        header -> value; the status and note columns are not in it) and
        ``mismatches``, as decided so far. It may be changed in place, e.g.
        to add to a note; a changed status is counted in the summary.
    :param recipe: the loaded :class:`Recipe`.
    :return: a dict of output column header -> value, or None. Every header
        must be an output column: one of the recipe's or one declared with
        ``register_output_columns``.
    """
