"""Hook specifications: the whole plugin API of reconciler, and nothing else.

Grouped by the phase of a run in which they are called. A plugin implements any
of them with `@hookimpl` (from this module) and is loaded from an installed
package's `reconciler` entry point, a `.py` file or folder given with
`--plugins` / the recipe's `plugins:` key. Built-in matchers and writers are
plugins too, registered with `trylast=True` so that yours run first and win.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("reconciler")
hookimpl = pluggy.HookimplMarker("reconciler")


# -- load phase ---------------------------------------------------------------


@hookspec
def register_matchers(register):
    """Register identifier matchers and decision rules.

    Called once when plugins are loaded.

    :param register: call it once per object: ``register(matcher)``. An object
        with an ``identify(row, spec)`` method (a
        :class:`reconciler.matching.IdentifierMatcher`) becomes usable as a key
        of the recipe's ``talent.inputs``; an object with a ``decide(resolved)``
        method (a :class:`reconciler.matching.DecisionRule`) becomes usable as
        ``talent.mode``. The first registration of a name wins, so a plugin
        replaces a built-in of the same name.
    :return: nothing.
    """


@hookspec
def register_writers(register):
    """Register output writers.

    Called once when plugins are loaded.

    :param register: call it once per writer: ``register(Writer(name, write, suffix))``
        with a :class:`reconciler.writers.Writer`. ``write(ctx)`` receives a
        :class:`reconciler.model.WriteContext` and returns the path it wrote.
        The name is what the recipe lists under ``output.writers``. The first
        registration of a name wins, so a plugin replaces a built-in.
    :return: nothing.
    """
