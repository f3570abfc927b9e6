"""When a plugin fails: exit 2 and one sentence naming the plugin's file, the hook or writer and
the exception; the files earlier writers wrote are kept (docs/plugins.md, "When a plugin fails")."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler import plugins
from reconciler.cli.main import cli
from reconciler.errors import PluginError
from reconciler.pipeline import load_with_plugins

ROOT = Path(__file__).resolve().parents[1]
TALENT_ONLY = ROOT / "recipes" / "talent_only.yaml"
EN_SHEET = ROOT / "sample_sheets" / "candidates_en.xlsx"

WRITER = '''
from reconciler.plugin_api import PluginError, Writer, hookimpl

def write(ctx):
{body}

@hookimpl
def register_writers(register):
    register(Writer("boom", write, ".txt", "a writer that fails"))
'''


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RECONCILER_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    return tmp_path


def plugin(folder: Path, code: str, name: str = "boom.py") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(code), encoding="utf-8")
    return path.resolve()


def recipe_with(folder: Path, writers: str) -> Path:
    text = TALENT_ONLY.read_text(encoding="utf-8").replace("writers: [xlsx]", f"writers: {writers}")
    assert f"writers: {writers}" in text
    path = folder / "recipe.yaml"
    path.write_text(text.replace("locale: zh-CN", "locale: en-US"), encoding="utf-8")
    return path


def run(folder: Path, writers: str, plugin_path: Path):
    return CliRunner().invoke(cli, ["run", str(recipe_with(folder, writers)), str(EN_SHEET), "--sandbox",
                                    "-o", str(folder / "out.xlsx"), "--plugins", str(plugin_path)])


@pytest.mark.parametrize("body, said", [
    ('    raise RuntimeError("the disk is full")', "failed: RuntimeError: the disk is full"),
    ("    return None", "returned NoneType instead of the path it wrote; end write(ctx) with `return ctx.output_path`"),
    ("    return 42", "returned int instead of the path it wrote"),
    ('    raise PluginError("the table runs is locked by the BI tool")', "failed: the table runs is locked by the BI tool"),
])
def test_a_failing_writer_is_exit_2_naming_file_and_writer_and_earlier_outputs_are_kept(workdir, body, said):
    path = plugin(workdir, WRITER.format(body=body))
    result = run(workdir, "[xlsx, csv, boom, jsonl]", path)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: writer boom of plugin boom.py ({path}) {said}"), result.stderr
    assert result.stderr.rstrip().endswith("kept what the writers before it wrote: out.xlsx, out.csv")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert (workdir / "out.xlsx").is_file() and (workdir / "out.csv").is_file()
    assert not (workdir / "out.jsonl").exists()  # the writers after it do not run
    assert not (workdir / "out.txt").exists()


def test_a_writer_failing_first_leaves_nothing_and_lists_no_kept_files(workdir):
    path = plugin(workdir, WRITER.format(body='    raise OSError("no room")'))
    result = run(workdir, "[boom, xlsx]", path)
    assert result.exit_code == 2
    assert result.stderr == f"Error: writer boom of plugin boom.py ({path}) failed: OSError: no room\n"
    assert not (workdir / "out.xlsx").exists()


def test_a_registration_hook_that_raises_names_the_file_and_the_hook(workdir):
    path = plugin(workdir, '''
        from reconciler.plugin_api import hookimpl

        @hookimpl
        def register_writers(register):
            raise KeyError("sqlite")
    ''')
    result = run(workdir, "[xlsx]", path)
    assert result.exit_code == 2
    assert result.stderr == f"Error: plugin boom.py ({path}) failed in register_writers: KeyError: 'sqlite'\n"
    assert not (workdir / "out.xlsx").exists()


def test_a_hooks_own_plugin_error_is_said_as_written_with_the_plugin_and_the_hook(workdir):
    path = plugin(workdir, '''
        from reconciler.plugin_api import PluginError, hookimpl

        @hookimpl
        def row_outputs(row, outcome):
            if row.number == 3:
                raise PluginError("row 3 has no manager")
    ''')
    result = run(workdir, "[xlsx]", path)
    assert result.exit_code == 2
    assert result.stderr == f"Error: plugin boom.py ({path}) failed in row_outputs on row 3: PluginError: row 3 has no manager\n"


def test_a_hook_function_without_hookimpl_is_a_load_error(workdir):
    path = plugin(workdir, '''
        from reconciler.plugin_api import Writer

        def register_writers(register):  # @hookimpl forgotten: pluggy would skip it silently
            register(Writer("boom", print, ".txt"))
    ''')
    result = run(workdir, "[xlsx]", path)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: plugin boom.py ({path}) defines register_writers without @hookimpl, so "
                             "reconciler would never call it; put @hookimpl (from reconciler.plugin_api import "
                             "hookimpl) on the line above it\n")
    assert plugins.loaded_names() == list(plugins.DEFAULT_PLUGINS)


def test_check_options_that_crashes_is_exit_2_naming_the_plugin(workdir):
    path = plugin(workdir, '''
        from reconciler.plugin_api import Writer, hookimpl

        def check(options):
            return options["table"].upper()  # a bug: no table given

        @hookimpl
        def register_writers(register):
            register(Writer("boom", print, ".txt", check_options=check))
    ''')
    with pytest.raises(PluginError) as caught:
        load_with_plugins(recipe_with(workdir, "[xlsx, boom]"), [str(path)])
    assert str(caught.value) == f"plugin boom.py ({path}) failed checking the options of writer boom: KeyError: 'table'"


MATCHER = '''
from reconciler.plugin_api import IdentifierMatcher, hookimpl, valid_value

class Region(IdentifierMatcher):
    name = "region_mobile"

    def identify(self, row, spec):
        cell = row.get(spec.column)
        return valid_value(self.name, cell, cell.text)  # the guess the old guide invited

@hookimpl
def register_matchers(register):
    register(Region())
'''


def test_valid_value_with_a_matchers_name_says_which_kinds_there_are(workdir):
    path = plugin(workdir, MATCHER)
    recipe = workdir / "recipe.yaml"
    recipe.write_text("version: 1\ntalent:\n  inputs: {region_mobile: Mobile}\noutput: {locale: en-US}\n",
                      encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(recipe), str(EN_SHEET), "--sandbox", "-o", "out.xlsx",
                                      "--plugins", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"Error: matcher region_mobile of plugin boom.py ({path}) failed for column Mobile on row 2: InvalidValue: "
        "valid_value() was given the "
        "kind 'region_mobile', which is not what Feishu looks talents up by; give one of mobile, email, id_number"
    ), result.stderr
