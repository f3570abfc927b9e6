"""`reconciler plugins`: every loaded plugin, what it implements and registers, who overrides whom."""

from __future__ import annotations

import json
from pathlib import Path

import click

from reconciler import plugins as plugin_system
from reconciler.cli.handling import handle_errors
from reconciler.plugins import Registry, source_of


def _overrides(registry: Registry, plugin: str) -> tuple[list[dict], list[dict]]:
    """(names this plugin took from another plugin, names another plugin took from it)."""
    took = [{"name": n, "from": source_of(loser).label} for n, loser in registry.overridden
            if registry.owners.get(n) == plugin and loser != plugin]
    lost = [{"name": n, "to": source_of(registry.owners[n]).label} for n, loser in registry.overridden
            if loser == plugin and registry.owners.get(n) != plugin]
    return took, lost


def plugin_report() -> dict:
    """Everything `reconciler plugins --json` prints: plugins in load order, then the registries."""
    matchers, rules = plugin_system.matcher_registry()
    writers = plugin_system.writer_registry()
    listed = []
    for name in plugin_system.loaded_names():
        src = source_of(name)
        hooks = sorted(c.name for c in plugin_system.pm.get_hookcallers(plugin_system.pm.get_plugin(name)) or ())
        entry = {
            "name": src.label, "source": src.source, "version": src.version, "location": src.location, "hooks": hooks,
            "overrides": [], "overridden_by": [],
        }
        for kind, registry in (("matchers", matchers), ("rules", rules), ("writers", writers)):
            entry[kind] = sorted(dict.fromkeys(registry.by_plugin.get(name, [])))
            took, lost = _overrides(registry, name)
            entry["overrides"] += [{"kind": kind[:-1], **t} for t in took]
            entry["overridden_by"] += [{"kind": kind[:-1], **t} for t in lost]
        listed.append(entry)

    def table(registry: Registry, **extra) -> list[dict]:
        return [
            {"name": n, "plugin": source_of(registry.owners[n]).label,
             "description": getattr(registry.items[n], "description", ""),
             **{k: getattr(registry.items[n], k, None) for k in extra}}
            for n in registry.names()
        ]

    return {
        "plugins": listed,
        "matchers": table(matchers),
        "rules": table(rules),
        "writers": table(writers, suffix=True),
    }


def _text(report: dict) -> list[str]:
    lines = [f"Plugins ({len(report['plugins'])}, later ones win a name):"]
    for p in report["plugins"]:
        head = f"  {p['name']}  [{p['source']}{' ' + p['version'] if p['version'] else ''}]"
        lines.append(head + (f"  {p['location']}" if p["location"] else ""))
        lines.append(f"    hooks: {', '.join(p['hooks']) or 'none (no @hookimpl function found)'}")
        for kind in ("matchers", "rules", "writers"):
            if p[kind]:
                lines.append(f"    {kind}: {', '.join(p[kind])}")
        for o in p["overrides"]:
            lines.append(f"    overrides {o['kind']} {o['name']} of {o['from']}")
        for o in p["overridden_by"]:
            lines.append(f"    {o['kind']} {o['name']} is overridden by {o['to']}")
    for title, key in (("Matchers (talent.inputs)", "matchers"), ("Rules (talent.mode)", "rules"),
                       ("Writers (output.writers)", "writers")):
        lines += ["", f"{title}:"]
        width = max((len(item["name"]) for item in report[key]), default=0)
        for item in report[key]:
            owner = f"{item['suffix']}, {item['plugin']}" if item.get("suffix") else item["plugin"]
            lines.append(f"  {item['name']:<{width}}  {item['description']}  ({owner})")
    return lines


@click.command("plugins")
@click.option("--plugins", "plugin_paths", multiple=True, type=click.Path(path_type=Path),
              help="Also load this plugin .py file or folder (repeatable).")
@click.option("--recipe", type=click.Path(dir_okay=False, path_type=Path),
              help="Also load the plugins listed under this recipe's plugins: key.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines instead of text.")
@handle_errors
def plugins_command(plugin_paths, recipe, as_json):
    """List the loaded plugins (built-in, entry point, file) with their version, the hooks
    they implement, and the matchers, rules and writers they register or override.

    Installed plugins load unless RECONCILER_LOAD_PLUGINS (a comma list; empty: none) limits them.

    Example:

        reconciler plugins --plugins plugins --json
    """
    _show(plugin_paths, recipe, as_json)


def _show(plugin_paths, recipe, as_json) -> None:
    if recipe is not None:
        from reconciler.recipe import load_recipe

        plugin_system.load_run_plugins(plugin_paths, load_recipe(recipe))
    else:
        plugin_system.load_plugin_paths(plugin_paths)
    report = plugin_report()
    click.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json else "\n".join(_text(report)))
