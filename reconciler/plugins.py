"""The one PluginManager, and the registries of matchers and writers built from it.

Load order: the built-ins (DEFAULT_PLUGINS, `trylast`), installed packages of the
`reconciler` entry-point group (RECONCILER_LOAD_PLUGINS, a comma list, limits
which; empty means none), then files and folders given by `--plugins` or a
recipe's `plugins:` key. A plugin that fails to import, or implements a hook that
does not exist, raises PluginError naming it; nothing of that load stays registered.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pluggy

from . import hookspecs
from .errors import PluginError

DEFAULT_PLUGINS = ("reconciler.builtin.matchers", "reconciler.builtin.writers")
ENTRY_POINT_GROUP = "reconciler"
LOAD_ENV = "RECONCILER_LOAD_PLUGINS"

pm = pluggy.PluginManager("reconciler")
pm.add_hookspecs(hookspecs)

_lock = threading.Lock()
_defaults_loaded = False
# plugin name -> (source, version, location): for `reconciler plugins`
SOURCES: dict[str, tuple[str, str | None, str | None]] = {}


def _check(names: list[str]) -> None:
    """pm.check_pending(), but a failure unregisters what this load added and names the plugin."""
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        for name in names:
            plugin = pm.get_plugin(name)
            if plugin is not None:
                pm.unregister(plugin)
                SOURCES.pop(name, None)
        raise PluginError(f"plugin {exc.plugin_name or names[0]!r} is broken: {exc}") from exc


def _register(module: ModuleType, name: str, source: str, version: str | None, location: str | None) -> None:
    if pm.get_plugin(name) is not None or pm.is_registered(module):
        return
    try:
        pm.register(module, name=name)
    except (ValueError, pluggy.PluginValidationError) as exc:
        raise PluginError(f"plugin {name!r} from {location or source} cannot be registered: {exc}") from exc
    SOURCES[name] = (source, version, location)


def load_default_plugins() -> None:
    """Register the built-ins and the installed entry-point plugins, once per process."""
    global _defaults_loaded
    with _lock:
        if _defaults_loaded:
            return
        from . import __version__

        for module_name in DEFAULT_PLUGINS:
            _register(importlib.import_module(module_name), module_name, "built-in", __version__, None)
        added: list[str] = []
        try:
            for name, module, version, location in _entry_point_plugins():
                _register(module, name, "entry point", version, location)
                added.append(name)
        except PluginError:
            for name in added:
                pm.unregister(name=name)
                SOURCES.pop(name, None)
            raise
        _check(added)
        _defaults_loaded = True


def _entry_point_plugins():
    allowed = os.environ.get(LOAD_ENV)
    wanted = None if allowed is None else {n.strip() for n in allowed.split(",") if n.strip()}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist.name if ep.dist else None
        if wanted is not None and ep.name not in wanted and dist not in wanted:
            continue
        try:
            module = ep.load()
        except Exception as exc:  # noqa: BLE001 - any import failure is reported by name
            raise PluginError(f"plugin {ep.name!r} (entry point {ep.value}) failed to load: {exc}") from exc
        yield ep.name, module, ep.dist.version if ep.dist else None, ep.value


def load_plugin_paths(paths, *, base: Path | None = None) -> list[str]:
    """Load plugins from .py files or folders of them (relative paths against `base`)."""
    load_default_plugins()
    files: list[Path] = []
    for entry in paths or ():
        path = Path(entry).expanduser()
        if base is not None and not path.is_absolute():
            path = base / path
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.py") if not p.name.startswith("_")))
        elif path.is_file() and path.suffix == ".py":
            files.append(path)
        else:
            raise PluginError(f"plugin path {path} is not a .py file or a folder; check --plugins or the recipe's plugins:")
    added: list[str] = []
    with _lock:
        try:
            for file in files:
                name = f"file:{file.resolve()}"
                if pm.get_plugin(name) is None:
                    _register(_import_file(file), name, "file", None, str(file))
                    added.append(name)
        except PluginError:
            for name in added:
                pm.unregister(name=name)
                SOURCES.pop(name, None)
            raise
        _check(added)
    return added


def _import_file(file: Path) -> ModuleType:
    module_name = f"reconciler_plugin_{abs(hash(str(file.resolve())))}_{file.stem}"
    spec = importlib.util.spec_from_file_location(module_name, file)
    if spec is None or spec.loader is None:
        raise PluginError(f"plugin {file} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, whatever the error
        sys.modules.pop(module_name, None)
        raise PluginError(f"plugin {file.name} failed to load: {type(exc).__name__}: {exc}") from exc
    return module


def unload(names) -> None:
    """Unregister plugins loaded from files (tests; a long-lived process between recipes)."""
    with _lock:
        for name in names:
            if pm.get_plugin(name) is not None:
                pm.unregister(name=name)
            SOURCES.pop(name, None)


@dataclass
class Registry:
    """Named objects registered through a hook, with the plugin that registered each."""

    items: dict[str, object] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    overridden: list[tuple[str, str]] = field(default_factory=list)  # (name, plugin whose entry lost)

    def names(self) -> list[str]:
        return sorted(self.items)


def _collect(hook_name: str, name_of) -> Registry:
    load_default_plugins()
    registry = Registry()
    hook = getattr(pm.hook, hook_name)
    # Same order pluggy calls them in: plugins first, trylast built-ins last.
    for impl in reversed(hook.get_hookimpls()):
        def register(obj, _plugin=impl.plugin_name):
            name = name_of(obj)
            if not name:
                raise PluginError(f"plugin {_plugin!r} registered an object without a name in {hook_name}")
            if name in registry.items:
                registry.overridden.append((name, _plugin))
                return
            registry.items[name] = obj
            registry.owners[name] = _plugin

        impl.function(**{arg: register for arg in impl.argnames})
    return registry


def matcher_registry() -> tuple[Registry, Registry]:
    """(identifier matchers, decision rules), by name."""
    every = _collect("register_matchers", lambda obj: getattr(obj, "name", ""))
    matchers, rules = Registry(), Registry()
    for name, obj in every.items.items():
        target = rules if hasattr(obj, "decide") else matchers
        target.items[name] = obj
        target.owners[name] = every.owners[name]
    matchers.overridden = rules.overridden = every.overridden
    return matchers, rules


def writer_registry() -> Registry:
    return _collect("register_writers", lambda obj: getattr(obj, "name", ""))
