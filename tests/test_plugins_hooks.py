"""Each hook, called by a real run against the sandbox (and, where it is about order, on its own).

Test names carry the hook's name: tests/test_meta.py checks that every hook has one.
"""

from __future__ import annotations

import csv
import textwrap
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from reconciler import plugin_hooks, plugins
from reconciler.cli.main import cli
from reconciler.errors import PluginError
from reconciler.model import Cell, SheetRow
from reconciler.pipeline import RunOptions, run
from reconciler.recipe import InputSpec

HEADERS = ["Name", "Mobile", "Email", "ID number"]
ROWS = [
    ["Chan Siu-chun", "HK-91234567", None, None],  # the company's own way of writing a Hong Kong mobile
    ["Zhang Wei", "13800138001", "zhang.wei@example.com", None],
    ["Badge Only", None, None, "X1234"],  # a company ID format the plugin rejects
    ["Zhou Jie", "13311112222", "wu.ting@example.com", None],  # conflict: two talents
]
RECIPE = """\
version: 1
name: Hook test
talent:
  inputs: {mobile: Mobile, email: Email, id_number: ID number}
  mode: any
  columns: {talent_id: Talent ID}
output:
  writers: [xlsx, csv]
"""
CHAN, ZHANG = "6910000000000000021", "6910000000000000001"

NORMALISE = '''
from reconciler.hookspecs import hookimpl
from reconciler.matching.talents import invalid_value, valid_value

@hookimpl
def normalise_value(kind, cell, spec, row):
    assert not cell.is_blank, "blank cells are not offered to plugins"
    text = cell.text.strip()
    if kind == "mobile" and text.startswith("HK-"):
        return valid_value("mobile", cell, text[3:], group="852")
    if kind == "id_number" and text.startswith("X"):
        return invalid_value("id_number", cell, f"{spec.column}: company IDs never start with X (row {row.number})")
    return None
'''

COLUMNS = '''
from reconciler.hookspecs import hookimpl

@hookimpl
def register_output_columns(recipe, register):
    register("Digits in mobile", kind="text")
    register("Checked")
    register("Talent ID")  # already a column of the recipe: adds nothing, but may be changed

@hookimpl
def row_outputs(row, outcome, recipe):
    if outcome.talent_status == "conflict":
        outcome.talent_status = "ambiguous"  # this team counts conflicts as ambiguous
        outcome.talent_note += " (sent to HR ops)"
    talent = outcome.values.get("Talent ID")
    digits = "".join(ch for ch in row.get("Mobile").text if ch.isdigit())
    return {"Digits in mobile": digits or None, "Checked": True, "Talent ID": talent and f"T-{talent}"}
'''


@pytest.fixture
def workdir(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    for row in ROWS:
        book.active.append(row)
    book.save(tmp_path / "people.xlsx")
    (tmp_path / "recipe.yaml").write_text(RECIPE, encoding="utf-8")
    return tmp_path


def plugin(folder: Path, name: str, code: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(textwrap.dedent(code), encoding="utf-8")
    return folder / name


def run_with(workdir: Path, *plugin_paths: Path):
    options = RunOptions(output=workdir / "out.xlsx", sandbox=True, no_cache=True, plugins=[str(p) for p in plugin_paths])
    return run(workdir / "recipe.yaml", workdir / "people.xlsx", options)


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


# ---------------------------------------------------------------- normalise_value


def test_hook_normalise_value_decides_before_the_matcher_and_none_falls_through(workdir):
    result = run_with(workdir, plugin(workdir / "p", "company_rules.py", NORMALISE))
    outcomes = result.outcomes
    assert (outcomes[2].talent_status, outcomes[2].values["Talent ID"]) == ("matched", CHAN)  # HK-... read as +852
    assert (outcomes[3].talent_status, outcomes[3].values["Talent ID"]) == ("matched", ZHANG)  # fell through
    assert outcomes[4].talent_status == "invalid"
    assert outcomes[4].talent_note == "ID number: company IDs never start with X (row 4)"
    assert outcomes[5].talent_status == "conflict"


def test_without_the_normalise_value_plugin_the_builtin_rules_apply(workdir):
    outcomes = run_with(workdir).outcomes
    assert outcomes[2].talent_status == "invalid" and "Mobile" in outcomes[2].talent_note
    assert outcomes[4].talent_status == "invalid" and "18 characters" in outcomes[4].talent_note


def test_hook_normalise_value_is_firstresult_the_plugin_loaded_last_is_asked_first(tmp_path):
    folder = tmp_path / "p"
    plugin(folder, "a_always.py", """
        from reconciler.hookspecs import hookimpl
        from reconciler.matching.talents import valid_value

        @hookimpl
        def normalise_value(cell):
            return valid_value("email", cell, "a@example.com")
    """)
    plugin(folder, "b_only_b.py", """
        from reconciler.hookspecs import hookimpl
        from reconciler.matching.talents import valid_value

        @hookimpl
        def normalise_value(kind, cell):
            return valid_value(kind, cell, "b@example.com") if cell.text == "b" else None
    """)
    spec = InputSpec(column="Email")

    def key(text):
        answer = plugin_hooks.normalise_value("email", SheetRow(2, {"Email": Cell(text, text)}), spec)
        return answer.key.value if answer else None

    assert key("z") is None  # no plugin yet: the matcher decides
    plugins.load_plugin_paths([folder])
    assert (key("b"), key("z"), key("")) == ("b@example.com", "a@example.com", None)


def test_hook_normalise_value_returning_something_else_names_the_plugin(tmp_path):
    path = plugin(tmp_path, "sloppy.py", """
        from reconciler.hookspecs import hookimpl

        @hookimpl
        def normalise_value(cell):
            return cell.text.lower()
    """)
    plugins.load_plugin_paths([path])
    with pytest.raises(PluginError) as caught:
        plugin_hooks.normalise_value("email", SheetRow(7, {"Email": Cell("A@B.CN", "A@B.CN")}), InputSpec(column="Email"))
    assert str(caught.value).startswith(
        f"plugin sloppy.py ({path.resolve()}) returned str from normalise_value for column Email on row 7; return a")


# ---------------------------------------------------------------- register_output_columns and row_outputs


def test_hook_register_output_columns_and_row_outputs_reach_every_writer(workdir):
    result = run_with(workdir, plugin(workdir / "p", "columns.py", COLUMNS))
    sheet = openpyxl.load_workbook(workdir / "out.xlsx")["Sheet"]
    header = [c.value for c in sheet[1]]
    assert header == HEADERS + ["Talent ID", "Talent status", "Talent note", "Digits in mobile", "Checked"]
    zhang = {h: c for h, c in zip(header, sheet[3])}
    assert zhang["Digits in mobile"].value == "13800138001" and zhang["Digits in mobile"].data_type == "s"
    assert zhang["Checked"].value is True
    assert zhang["Talent ID"].value == f"T-{ZHANG}"
    with open(workdir / "out.csv", encoding="utf-8-sig", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert [r["Digits in mobile"] for r in records] == ["91234567", "13800138001", "", "13311112222"]
    assert {r["Checked"] for r in records} == {"TRUE"}
    # a status changed in row_outputs is what is written and counted
    assert (records[3]["Talent status"], records[3]["Talent note"].endswith(" (sent to HR ops)")) == ("ambiguous", True)
    assert result.summary.talent_counts["conflict"] == 0 and result.summary.talent_counts["ambiguous"] == 1


def test_hook_register_output_columns_rejects_an_unknown_kind_before_anything_is_sent(workdir):
    path = plugin(workdir / "p", "kinds.py", """
        from reconciler.hookspecs import hookimpl

        @hookimpl
        def register_output_columns(register):
            register("Score", kind="number")
    """)
    result = invoke("check", workdir / "recipe.yaml", workdir / "people.xlsx", "--plugins", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: plugin kinds.py ({path.resolve()}) declared column 'Score' with kind "
                                    "'number'; use one of value, text, status, note")


def test_hook_row_outputs_the_plugin_called_first_wins_a_header(workdir):
    for name, team in (("a_sales.py", "Sales"), ("b_hr.py", "HR")):
        plugin(workdir / "p", name, f"""
            from reconciler.hookspecs import hookimpl

            @hookimpl
            def register_output_columns(register):
                register("Team")

            @hookimpl
            def row_outputs():
                return {{"Team": "{team}"}}
        """)
    result = run_with(workdir, workdir / "p")
    assert {o.values["Team"] for o in result.outcomes.values()} == {"HR"}  # b_hr.py was loaded last


@pytest.mark.parametrize("returned, why", [
    ('{"Nope": 1}', "returned column 'Nope' from row_outputs on row 2, which is not an output column it can set"),
    ('{"Talent status": "matched"}', "returned column 'Talent status' from row_outputs on row 2"),
    ('["Team"]', "returned list from row_outputs on row 2; return a dict"),
    ("1 / 0", "failed in row_outputs on row 2: ZeroDivisionError: division by zero"),
])
def test_hook_row_outputs_misbehaving_stops_the_run_with_exit_2_naming_the_plugin(workdir, returned, why):
    path = plugin(workdir / "p", "bad.py", f"""
        from reconciler.hookspecs import hookimpl

        @hookimpl
        def row_outputs(row):
            return {returned}
    """)
    result = invoke("run", workdir / "recipe.yaml", workdir / "people.xlsx", "--sandbox", "--no-cache",
                    "-o", workdir / "out.xlsx", "--plugins", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: plugin bad.py ({path.resolve()}) {why}"), result.stderr
    assert not (workdir / "out.xlsx").exists()


# ---------------------------------------------------------------- register_matchers and register_writers


def test_hook_register_matchers_adds_an_input_and_a_mode(workdir):
    plugin(workdir / "p", "matchers.py", """
        from reconciler.hookspecs import hookimpl
        from reconciler.matching.talents import DecisionRule, IdentifierMatcher, TalentDecision, decide_talent
        from reconciler.matching.normalize import normalise_email

        class NameEmail(IdentifierMatcher):
            name = "name_email"
            def identify(self, row, spec):  # "Zhang Wei" -> zhang.wei@example.com
                cell = row.get(spec.column)
                return normalise_email(type(cell)(cell.value, cell.text.strip().lower().replace(" ", ".") + "@example.com"))

        class Pessimist(DecisionRule):
            name = "pessimist"
            def decide(self, resolved):
                decision = decide_talent(resolved, require_all=True)
                return decision if decision.status != "matched" else TalentDecision("matched", decision.talent, ["checked twice"])

        @hookimpl
        def register_matchers(register):
            register(NameEmail())
            register(Pessimist())
    """)
    recipe = workdir / "recipe.yaml"
    recipe.write_text(RECIPE.replace("inputs: {mobile: Mobile, email: Email, id_number: ID number}",
                                     "inputs: {name_email: Name}").replace("mode: any", "mode: pessimist"))
    outcomes = run_with(workdir, workdir / "p").outcomes
    assert (outcomes[3].talent_status, outcomes[3].values["Talent ID"], outcomes[3].talent_note) == (
        "matched", ZHANG, "checked twice")
    assert outcomes[4].talent_status == "not_found"  # badge.only@example.com


def test_hook_register_writers_adds_a_format_the_recipe_can_name(workdir):
    plugin(workdir / "p", "tsv.py", """
        from pathlib import Path
        from reconciler.hookspecs import hookimpl
        from reconciler.writers.registry import Writer

        def write(ctx):
            lines = [f"{n}\\t{o.talent_status}" for n, o in sorted(ctx.outcomes.items())]
            Path(ctx.output_path).write_text("\\n".join(lines), encoding="utf-8")
            return Path(ctx.output_path)

        @hookimpl
        def register_writers(register):
            register(Writer("tsv", write, ".tsv", "row and status"))
    """)
    (workdir / "recipe.yaml").write_text(RECIPE.replace("writers: [xlsx, csv]", "writers: [tsv]"))
    result = run_with(workdir, workdir / "p")
    assert result.outputs == [workdir / "out.tsv"]
    assert (workdir / "out.tsv").read_text(encoding="utf-8").splitlines() == [
        "2\tinvalid", "3\tmatched", "4\tinvalid", "5\tconflict"]


@pytest.mark.parametrize("body, why", [
    ("raise KeyError('id_number')", "rule careless failed on row 2: KeyError: 'id_number'"),
    ("return TalentDecision('found')", "rule careless returned TalentDecision(status='found', talent=None, notes=[]) "
                                       "on row 2; return a reconciler.matching.TalentDecision whose status is one of"),
])
def test_hook_register_matchers_a_rule_that_fails_is_named_with_the_row(workdir, body, why):
    plugin(workdir / "p", "careless.py", f"""
        from reconciler.hookspecs import hookimpl
        from reconciler.matching.talents import DecisionRule, TalentDecision

        class Careless(DecisionRule):
            name = "careless"
            def decide(self, resolved):
                {body}

        @hookimpl
        def register_matchers(register):
            register(Careless())
    """)
    (workdir / "recipe.yaml").write_text(RECIPE.replace("mode: any", "mode: careless"))
    with pytest.raises(PluginError) as caught:
        run_with(workdir, workdir / "p")
    assert str(caught.value).startswith(why)


def test_hook_register_matchers_a_matcher_returning_a_string_is_named_before_anything_is_sent(workdir):
    path = plugin(workdir / "p", "lazy.py", """
        from reconciler.hookspecs import hookimpl
        from reconciler.matching.talents import IdentifierMatcher

        class Lazy(IdentifierMatcher):
            name = "email"
            def identify(self, row, spec):
                return row.get(spec.column).text

        @hookimpl
        def register_matchers(register):
            register(Lazy())
    """)
    result = invoke("check", workdir / "recipe.yaml", workdir / "people.xlsx", "--plugins", workdir / "p")
    assert result.exit_code == 2
    assert result.stderr == f"Error: matcher email of plugin lazy.py ({path.resolve()}) returned str for column Email on row 2; return a " \
                            "Normalised (reconciler.plugin_api: valid_value, invalid_value, not_present)\n"
