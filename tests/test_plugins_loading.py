"""Loading plugins each way (entry point, file, folder, recipe key), overriding built-ins, broken plugins.

Plugins live in one process-global PluginManager: every test runs inside
`plugins.isolated()` (tests/conftest.py), so what it loads is unloaded afterwards.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from reconciler import plugins
from reconciler.cli.main import cli
from reconciler.errors import PluginError, RecipeError
from reconciler.pipeline import RunOptions, load_with_plugins, run

ROOT = Path(__file__).resolve().parents[1]
TALENT_ONLY = ROOT / "recipes" / "talent_only.yaml"
EN_SHEET = ROOT / "sample_sheets" / "candidates_en.xlsx"

COUNTS_WRITER = '''
from pathlib import Path
from reconciler.hookspecs import hookimpl
from reconciler.writers.registry import Writer

__version__ = "2.5"

def write(ctx):
    Path(ctx.output_path).write_text(f"rows: {ctx.summary.rows}", encoding="utf-8")
    return Path(ctx.output_path)

@hookimpl
def register_writers(register):
    register(Writer("{name}", write, "{suffix}", "row count"))
'''

# Replaces the built-in `mobile` matcher and `xlsx` writer.
OVERRIDE = '''
from pathlib import Path
from reconciler.hookspecs import hookimpl
from reconciler.matching.talents import IdentifierMatcher, invalid_value
from reconciler.writers.registry import Writer

class NoMobiles(IdentifierMatcher):
    name = "mobile"
    description = "company policy: mobiles are not used"
    def identify(self, row, spec):
        return invalid_value("mobile", row.get(spec.column), "mobiles are not used here")

def write(ctx):
    Path(ctx.output_path).write_text("statuses: " + ",".join(o.talent_status for o in ctx.outcomes.values()))
    return Path(ctx.output_path)

@hookimpl
def register_matchers(register):
    register(NoMobiles())

@hookimpl
def register_writers(register):
    register(Writer("xlsx", write, ".xlsx", "not a workbook at all"))
'''


def write_plugin(folder: Path, name: str, code: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(code), encoding="utf-8")
    return path


def counts_writer(name: str = "counts", suffix: str = ".txt") -> str:
    return COUNTS_WRITER.replace("{name}", name).replace("{suffix}", suffix)


def file_plugins() -> list[str]:
    return [n for n in plugins.loaded_names() if n.startswith("file:")]


def invoke(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


# ---------------------------------------------------------------- files and folders


def test_a_file_plugin_loads_registers_its_writer_and_unloads(tmp_path):
    path = write_plugin(tmp_path, "counts.py", counts_writer())
    names = plugins.load_plugin_paths([path])
    assert names == [f"file:{path.resolve()}"]
    registry = plugins.writer_registry()
    assert registry.owners["counts"] == names[0]
    assert plugins.SOURCES[names[0]] == plugins.PluginSource("counts", "file", "2.5", str(path.resolve()))
    assert plugins.load_plugin_paths([path]) == []  # loading again is a no-op
    plugins.unload(names)
    assert "counts" not in plugins.writer_registry().items


def test_a_folder_loads_every_py_file_but_helpers_and_tests(tmp_path):
    folder = tmp_path / "team"
    write_plugin(folder, "b_counts.py", counts_writer("b_counts"))
    write_plugin(folder, "a_counts.py", counts_writer("a_counts"))
    write_plugin(folder, "_helpers.py", "raise RuntimeError('a helper is not a plugin')")
    write_plugin(folder, "test_counts.py", "raise RuntimeError('a test is not a plugin')")
    write_plugin(folder, "notes.txt", "not python")
    names = plugins.load_plugin_paths([folder])
    assert [Path(n).name for n in names] == ["a_counts.py", "b_counts.py"]
    assert {"a_counts", "b_counts"} <= set(plugins.writer_registry().items)


def test_cli_plugins_option_loads_a_file_for_check(tmp_path):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(TALENT_ONLY.read_text(encoding="utf-8").replace("writers: [xlsx]", "writers: [xlsx, counts]"),
                      encoding="utf-8")
    assert invoke("check", recipe).exit_code == 2  # `counts` is nobody's writer yet
    path = write_plugin(tmp_path / "p", "counts.py", counts_writer())
    result = invoke("check", recipe, "--plugins", path)
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_recipe_plugins_key_is_relative_to_the_recipe_and_runs(tmp_path, monkeypatch):
    recipe_dir = tmp_path / "recipes"
    write_plugin(recipe_dir / "team_plugins", "counts.py", counts_writer())
    text = TALENT_ONLY.read_text(encoding="utf-8").replace("writers: [xlsx]", "writers: [xlsx, counts]")
    recipe = recipe_dir / "recipe.yaml"
    recipe.write_text(text + "\nplugins: [team_plugins]\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # relative to the recipe, not to the working folder
    result = run(recipe, EN_SHEET, RunOptions(output=tmp_path / "out.xlsx", sandbox=True, no_cache=True))
    assert [p.name for p in result.outputs] == ["out.xlsx", "out.txt"]
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "rows: 23"


def test_a_recipe_plugin_path_that_does_not_exist_is_a_recipe_error_at_its_line(tmp_path):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(TALENT_ONLY.read_text(encoding="utf-8") + "\nplugins:\n  - nowhere/\n", encoding="utf-8")
    with pytest.raises(RecipeError) as caught:
        load_with_plugins(recipe)
    issue = caught.value.issues[0]
    assert issue.path == "plugins[0]" and issue.line == len(recipe.read_text(encoding="utf-8").splitlines())
    assert "nowhere" in issue.message and "does not exist" in issue.message


# ---------------------------------------------------------------- entry points


def install_fake_distribution(root: Path, dist: str, entry_points: dict[str, str], modules: dict[str, str]) -> None:
    """What `pip install` leaves behind: modules plus a .dist-info with entry_points.txt."""
    root.mkdir(parents=True, exist_ok=True)
    for module, code in modules.items():
        (root / f"{module}.py").write_text(textwrap.dedent(code), encoding="utf-8")
    info = root / f"{dist.replace('-', '_')}-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n", encoding="utf-8")
    lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[reconciler]\n{lines}", encoding="utf-8")


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """An installed distribution `team-writers` with entry point `team_counts` (module unique to this test)."""
    module = f"team_counts_{abs(hash(str(tmp_path)))}"
    install_fake_distribution(tmp_path / "site", "team-writers", {"team_counts": module},
                              {module: counts_writer("team_counts")})
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.delenv(plugins.LOAD_ENV, raising=False)
    yield module
    sys.modules.pop(module, None)


def test_an_installed_entry_point_plugin_loads_with_its_package_version(installed):
    assert plugins.load_entry_point_plugins() == ["team_counts"]
    assert plugins.SOURCES["team_counts"] == plugins.PluginSource(
        "team_counts", "entry point", "1.2.3", installed)
    assert plugins.writer_registry().owners["team_counts"] == "team_counts"


@pytest.mark.parametrize("wanted, loads", [("team_counts", True), ("team-writers", True), (" other_thing , team_counts", None), ("", False)])
def test_reconciler_load_plugins_limits_installed_plugins(installed, monkeypatch, wanted, loads):
    monkeypatch.setenv(plugins.LOAD_ENV, wanted)
    if loads is None:  # a name nothing provides: a typo is an error, not silence
        with pytest.raises(PluginError, match="RECONCILER_LOAD_PLUGINS names other_thing, which no installed package"):
            plugins.load_entry_point_plugins()
        assert "team_counts" not in plugins.loaded_names()
        return
    assert plugins.load_entry_point_plugins() == (["team_counts"] if loads else [])
    assert ("team_counts" in plugins.writer_registry().items) is loads


def test_an_entry_point_that_fails_to_import_is_named_and_nothing_of_it_stays(tmp_path, monkeypatch):
    good, bad = (f"{n}_{abs(hash(str(tmp_path)))}" for n in ("good", "bad"))
    install_fake_distribution(tmp_path / "site", "mixed", {"a_good": good, "b_bad": bad},
                              {good: counts_writer("good"), bad: "import module_that_is_not_installed\n"})
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.delenv(plugins.LOAD_ENV, raising=False)
    with pytest.raises(PluginError) as caught:
        plugins.load_entry_point_plugins()
    message = str(caught.value)
    assert message.startswith(f"plugin b_bad (entry point {bad} of mixed) failed to import: ModuleNotFoundError")
    assert "a_good" not in plugins.loaded_names() and "good" not in plugins.writer_registry().items


# ---------------------------------------------------------------- overriding built-ins


def test_a_plugin_overrides_the_builtin_mobile_matcher_and_xlsx_writer(tmp_path):
    path = write_plugin(tmp_path / "p", "override.py", OVERRIDE)
    out = tmp_path / "out.xlsx"
    result = run(TALENT_ONLY, EN_SHEET, RunOptions(output=out, sandbox=True, no_cache=True, plugins=[str(path)]))
    # every mobile is now invalid, so no row is `matched` under mode all; the xlsx is the plugin's text
    assert "matched" not in {o.talent_status for o in result.outcomes.values()}
    assert all("mobiles are not used here" in o.talent_note for o in result.outcomes.values())
    assert out.read_text().startswith("statuses: partial,")
    matchers, _ = plugins.matcher_registry()
    writers = plugins.writer_registry()
    name = f"file:{path.resolve()}"
    assert matchers.owners["mobile"] == name and writers.owners["xlsx"] == name
    assert ("mobile", "reconciler.builtin.matchers") in matchers.overridden
    assert ("xlsx", "reconciler.builtin.writers") in writers.overridden


def test_without_the_override_the_builtins_are_back(tmp_path):
    path = write_plugin(tmp_path / "p", "override.py", OVERRIDE)
    names = plugins.load_plugin_paths([path])
    plugins.unload(names)
    out = tmp_path / "out.xlsx"
    run(TALENT_ONLY, EN_SHEET, RunOptions(output=out, sandbox=True, no_cache=True))
    assert openpyxl.load_workbook(out).sheetnames[-2:] == ["Summary", "To review"]


# ---------------------------------------------------------------- broken plugins


BROKEN = {
    "import": ("import module_that_is_not_installed\n",
               "plugin broken.py ({path}) failed to import: ModuleNotFoundError: No module named "
               "'module_that_is_not_installed'"),
    "unknown hook": ("from reconciler.hookspecs import hookimpl\n\n@hookimpl\ndef register_matcher(register):\n    pass\n",
                     "plugin broken.py ({path}) implements register_matcher, which is not a reconciler hook; "
                     "the hooks are: normalise_value, register_matchers, register_output_columns, register_writers, "
                     "row_outputs"),
    "wrong argument": ("from reconciler.hookspecs import hookimpl\n\n@hookimpl\ndef row_outputs(row, result):\n    pass\n",
                       "plugin broken.py ({path}) implements row_outputs(row, result), but the hook offers "
                       "row_outputs(row, outcome, recipe); rename or remove result"),
    "hook wrapper": ("from reconciler.hookspecs import hookimpl\n\n@hookimpl(wrapper=True)\n"
                     "def row_outputs(row):\n    return (yield)\n",
                     "plugin broken.py ({path}) implements row_outputs as a hook wrapper, which reconciler does not"),
}


@pytest.mark.parametrize("fault", sorted(BROKEN))
def test_a_broken_plugin_stops_the_run_with_exit_2_naming_it_and_nothing_stays_loaded(tmp_path, fault):
    code, expected = BROKEN[fault]
    folder = tmp_path / "team"
    write_plugin(folder, "a_good.py", counts_writer("good"))
    path = write_plugin(folder, "broken.py", code)
    result = invoke("run", TALENT_ONLY, EN_SHEET, "--sandbox", "--no-cache", "-o", tmp_path / "out.xlsx",
                    "--plugins", folder)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: " + expected.format(path=path.resolve())), result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.xlsx").exists()
    assert file_plugins() == []  # a_good.py was rolled back with it
    assert not [m for m in sys.modules if m.startswith("reconciler_plugin_") and m.endswith(("a_good", "broken"))]


def test_a_plugins_path_that_does_not_exist_is_exit_2(tmp_path):
    result = invoke("check", TALENT_ONLY, "--plugins", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "Error: plugin path" in result.stderr and "(from --plugins) does not exist" in result.stderr


def test_a_registration_without_a_name_is_reported_by_plugin(tmp_path):
    path = write_plugin(tmp_path, "nameless.py", """
        from reconciler.hookspecs import hookimpl

        @hookimpl
        def register_matchers(register):
            register(object())
    """)
    plugins.load_plugin_paths([path])
    with pytest.raises(PluginError, match=r"plugin nameless.py \(.*\) registered <object object at .*> without a name"):
        plugins.matcher_registry()
