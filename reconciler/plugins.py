"""The one PluginManager, loading plugins into it, and the registries built from it.

Load order (a later plugin is called earlier, so it wins a name): the built-ins
(DEFAULT_PLUGINS, `trylast`), installed packages of the `reconciler` entry-point
group (RECONCILER_LOAD_PLUGINS, a comma list of entry-point or distribution
names, limits which; empty means none), then the recipe's `plugins:`, then
`--plugins`. Each load is all or nothing: a plugin that fails to import, or
implements a hook that does not exist, raises PluginError naming it and the
reason, and nothing of that load stays registered or imported.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import inspect
import os
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pluggy

from reconciler import hookspecs
from reconciler.errors import PluginError, RecipeError, ReconcilerError
from reconciler.messages.render import Message

DEFAULT_PLUGINS = ("reconciler.builtin.matchers", "reconciler.builtin.writers")
ENTRY_POINT_GROUP = "reconciler"
LOAD_ENV = "RECONCILER_LOAD_PLUGINS"
HOOK_NAMES = tuple(sorted(n for n in vars(hookspecs) if hasattr(getattr(hookspecs, n), "reconciler_spec")))

pm = pluggy.PluginManager("reconciler")
pm.add_hookspecs(hookspecs)

_lock = threading.RLock()
_defaults_loaded = False


@dataclass(frozen=True)
class PluginSource:
    """Where a loaded plugin came from, for messages and `reconciler plugins`."""

    label: str  # what people call it: module name, entry-point name, file stem
    source: str  # "built-in" | "entry point" | "file"
    version: str | None
    location: str | None  # entry point "module:attr" or the file's path


# registered plugin name -> where it came from
SOURCES: dict[str, PluginSource] = {}


def source_of(name: str) -> PluginSource:
    return SOURCES.get(name) or PluginSource(name, "unknown", None, None)


def describe(name: str) -> str:
    """A plugin as named in messages: 'hk_mobile.py (/path/hk_mobile.py)', 'markdown (entry point pkg:mod)'."""
    src = source_of(name)
    if src.source == "file":
        return f"{Path(src.location or src.label).name} ({src.location})"
    if src.source == "entry point":
        return f"{src.label} (entry point {src.location})"
    return src.label


# ---------------------------------------------------------------- loading


def _rollback(names: Iterable[str]) -> None:
    for name in names:
        plugin = pm.get_plugin(name)
        if plugin is not None:
            pm.unregister(plugin)
            if source_of(name).source == "file":
                sys.modules.pop(getattr(plugin, "__name__", ""), None)
        SOURCES.pop(name, None)


def _validate(names: list[str]) -> None:
    """Unknown hooks and hook wrappers, reported per plugin; then pluggy's own check."""
    for name in names:
        plugin = pm.get_plugin(name)
        for caller in pm.get_hookcallers(plugin) or ():
            if caller.spec is None:
                raise PluginError("error.plugin_unknown_hook", plugin=describe(name), hook=caller.name,
                                  hooks=", ".join(HOOK_NAMES))
            for impl in caller.get_hookimpls():
                if impl.plugin_name == name and (impl.hookwrapper or impl.wrapper):
                    raise PluginError("error.plugin_wrapper", plugin=describe(name), hook=caller.name)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError("error.plugin_broken", plugin=exc.plugin_name, detail=" ".join(str(exc).split())) from exc


def _hook_arguments(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def _check_arguments(module: object, name: str) -> None:
    """An implementation taking an argument its hook does not offer, or a hook's function
    without its `@hookimpl` mark (pluggy would silently skip it), said in reconciler's words."""
    for hook in HOOK_NAMES:
        function = getattr(module, hook, None)
        if function is None:
            continue
        if pm.parse_hookimpl_opts(module, hook) is None:
            if callable(function) and getattr(function, "__module__", None) == getattr(module, "__name__", None):
                raise PluginError("error.plugin_unmarked_hook", plugin=describe(name), hook=hook)
            continue
        taken, offered = _hook_arguments(function), _hook_arguments(getattr(hookspecs, hook))
        extra = [a for a in taken if a not in offered]
        if extra:
            raise PluginError("error.plugin_arguments", plugin=describe(name), hook=hook, taken=", ".join(taken),
                              offered=", ".join(offered), extra=", ".join(extra))


def _register(module: object, name: str, src: PluginSource) -> bool:
    if pm.get_plugin(name) is not None or pm.is_registered(module):
        return False
    SOURCES[name] = src
    try:
        _check_arguments(module, name)
        pm.register(module, name=name)
    except PluginError:
        SOURCES.pop(name, None)
        raise
    except (ValueError, pluggy.PluginValidationError) as exc:
        SOURCES.pop(name, None)
        raise PluginError("error.plugin_unregistrable", plugin=describe(name), detail=" ".join(str(exc).split())) from exc
    return True


@contextmanager
def _all_or_nothing() -> Iterator[list[str]]:
    """Collect the names registered inside; on any error unregister them all."""
    added: list[str] = []
    with _lock:
        try:
            yield added
            _validate(added)
        except BaseException:
            _rollback(added)
            raise


def load_default_plugins() -> None:
    """Register the built-ins and the installed entry-point plugins, once per process."""
    global _defaults_loaded
    with _lock:
        if _defaults_loaded:
            return
        from reconciler import __version__

        for module_name in DEFAULT_PLUGINS:
            _register(importlib.import_module(module_name), module_name,
                      PluginSource(module_name, "built-in", __version__, None))
        load_entry_point_plugins()
        _defaults_loaded = True


def _wanted_entry_points() -> set[str] | None:
    allowed = os.environ.get(LOAD_ENV)
    return None if allowed is None else {n.strip() for n in allowed.split(",") if n.strip()}


def load_entry_point_plugins() -> list[str]:
    """Register installed `reconciler` entry points not yet registered; return their names.

    RECONCILER_LOAD_PLUGINS (unset: all; empty: none; else a comma list of
    entry-point or distribution names) limits which. A listed name that no
    installed package provides is an error: it is usually a typo.
    """
    wanted = _wanted_entry_points()
    entry_points = list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))
    if wanted:
        known = {ep.name for ep in entry_points} | {ep.dist.name for ep in entry_points if ep.dist}
        missing = sorted(wanted - known)
        if missing:
            raise PluginError("error.plugin_env_missing", env=LOAD_ENV, names=", ".join(missing), group=ENTRY_POINT_GROUP,
                              installed=", ".join(sorted(known)) or "none")
    with _all_or_nothing() as added:
        for ep in entry_points:
            dist = ep.dist.name if ep.dist else None
            if wanted is not None and ep.name not in wanted and dist not in wanted:
                continue
            src = PluginSource(ep.name, "entry point", ep.dist.version if ep.dist else None, ep.value)
            if pm.get_plugin(ep.name) is not None:
                continue
            try:
                module = ep.load()
            except Exception as exc:  # noqa: BLE001 - any import failure is reported by name
                raise PluginError("error.plugin_entry_point_import", plugin=ep.name, value=ep.value,
                                  dist=f" of {dist}" if dist else "", type=type(exc).__name__, detail=str(exc)) from exc
            if _register(module, ep.name, src):
                added.append(ep.name)
    return added


def plugin_files(paths: Iterable[str | Path], *, base: Path | None = None, origin: str = "--plugins") -> list[Path]:
    """The .py files named by plugin paths: a file, or every .py of a folder (not recursive).

    In a folder, files starting with `_` or `test_` and conftest.py are not
    plugins (helpers and the plugins' own tests may live beside them).
    """
    files: list[Path] = []
    for entry in paths or ():
        path = Path(entry).expanduser()
        if base is not None and not path.is_absolute():
            path = base / path
        if path.is_dir():
            files.extend(sorted(
                p for p in path.glob("*.py")
                if not p.name.startswith(("_", "test_")) and p.name != "conftest.py"
            ))
        elif path.is_file() and path.suffix == ".py":
            files.append(path)
        else:
            what = "error.plugin_path_missing" if not path.exists() else "error.plugin_path_not_py"
            raise PluginError(what, path=path, origin=origin)
    return files


def load_plugin_paths(paths: Iterable[str | Path], *, base: Path | None = None, origin: str = "--plugins") -> list[str]:
    """Load plugins from .py files or folders of them (relative paths against `base`); return the new names."""
    load_default_plugins()
    return _load_files(plugin_files(paths, base=base, origin=origin))


def load_run_plugins(cli_paths: Iterable[str | Path], recipe) -> list[str]:
    """The recipe's `plugins:` (relative to the recipe) and then `--plugins`, in one all-or-nothing load.

    A recipe entry that is not a file or folder is a RecipeError at that key.
    """
    load_default_plugins()
    files: list[Path] = []
    for index, entry in enumerate(recipe.plugins):
        try:
            files += plugin_files([recipe.resolve_path(entry)], origin=Message("origin.recipe_plugins"))
        except PluginError as exc:
            raise RecipeError(recipe.issue_at(("plugins", index), exc.message)) from exc
    files += plugin_files(cli_paths)
    return _load_files(files)


def _file_plugin_name(file: Path) -> str:
    return f"file:{file.resolve()}"


def _load_files(files: list[Path]) -> list[str]:
    with _all_or_nothing() as added:
        for file in dict.fromkeys(f.resolve() for f in files):
            name = _file_plugin_name(file)
            if pm.get_plugin(name) is not None:
                continue
            module = _import_file(file)
            version = getattr(module, "__version__", None)
            src = PluginSource(file.stem, "file", str(version) if version is not None else None, str(file))
            try:
                _register(module, name, src)
            except PluginError:
                sys.modules.pop(module.__name__, None)
                raise
            added.append(name)
    return added


def _import_file(file: Path) -> ModuleType:
    # A unique module name per path: two folders may both hold a "report.py".
    module_name = f"reconciler_plugin_{abs(hash(str(file)))}_{file.stem}"
    spec = importlib.util.spec_from_file_location(module_name, file)
    if spec is None or spec.loader is None:
        raise PluginError("error.plugin_not_python", name=file.name, path=file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up here
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, whatever the error
        sys.modules.pop(module_name, None)
        raise PluginError("error.plugin_import", name=file.name, path=file, type=type(exc).__name__, detail=str(exc)) from exc
    return module


def unload(names: Iterable[str]) -> None:
    """Unregister plugins by registered name (tests; a long-lived process between recipes)."""
    with _lock:
        _rollback(list(names))


def loaded_names() -> list[str]:
    """Registered plugin names, in load order."""
    return [name for name, plugin in pm.list_name_plugin() if plugin is not None]


@contextmanager
def isolated() -> Iterator[None]:
    """Within the block, load plugins freely; afterwards every plugin loaded inside is unregistered.

    For tests (a plugin's own, too): `with plugins.isolated(): run(...)`.
    """
    load_default_plugins()
    before = set(loaded_names())
    try:
        yield
    finally:
        unload([name for name in loaded_names() if name not in before])


# ---------------------------------------------------------------- registries


@dataclass
class Registry:
    """Named objects registered through a hook, with the plugin that registered each."""

    items: dict[str, object] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)  # name -> plugin whose registration won
    overridden: list[tuple[str, str]] = field(default_factory=list)  # (name, plugin whose registration lost)
    by_plugin: dict[str, list[str]] = field(default_factory=dict)  # plugin -> every name it registered

    def names(self) -> list[str]:
        return sorted(self.items)


def hook_impls_in_call_order(hook_name: str) -> list:
    """The implementations of a hook in the order pluggy calls them: plugins first, trylast built-ins last."""
    return list(reversed(getattr(pm.hook, hook_name).get_hookimpls()))


def call_impl(impl, hook_name: str, where: str = "", **kwargs):
    """Call one implementation with the arguments it asks for; its failure becomes a PluginError naming it."""
    try:
        return impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
    except PluginError as exc:
        if exc.keyed:  # reconciler's own (a register callback's), already naming the plugin
            raise
        # the plugin's own sentence (`raise PluginError("...")`): said as written, with the plugin and hook
        raise PluginError("error.plugin_failed", plugin=describe(impl.plugin_name), hook=hook_name, where=where,
                          type="PluginError", detail=str(exc)) from exc
    except ReconcilerError:
        raise
    except Exception as exc:  # noqa: BLE001 - a plugin's bug is reported with its name, not as a traceback
        raise PluginError("error.plugin_failed", plugin=describe(impl.plugin_name), hook=hook_name, where=where,
                          type=type(exc).__name__, detail=str(exc)) from exc


def _collect(hook_name: str) -> Registry:
    load_default_plugins()
    registry = Registry()
    for impl in hook_impls_in_call_order(hook_name):
        plugin = impl.plugin_name

        def register(obj, _plugin=plugin):
            name = getattr(obj, "name", "")
            if not name or not isinstance(name, str):
                raise PluginError("error.plugin_unnamed", plugin=describe(_plugin), value=repr(obj), hook=hook_name)
            registry.by_plugin.setdefault(_plugin, []).append(name)
            if name in registry.items:
                registry.overridden.append((name, _plugin))
                return
            registry.items[name] = obj
            registry.owners[name] = _plugin

        call_impl(impl, hook_name, register=register)
    return registry


def matcher_registry() -> tuple[Registry, Registry]:
    """(identifier matchers, decision rules), by name; a rule is an object with `decide`."""
    every = _collect("register_matchers")
    matchers, rules = Registry(), Registry()
    for name, obj in every.items.items():
        target = rules if hasattr(obj, "decide") else matchers
        target.items[name] = obj
        target.owners[name] = every.owners[name]
    for target in (matchers, rules):
        target.overridden = [(n, p) for n, p in every.overridden if n in target.items]
        target.by_plugin = {
            p: [n for n in names if n in target.items] for p, names in every.by_plugin.items()
        }
    return matchers, rules


def writer_registry() -> Registry:
    return _collect("register_writers")
