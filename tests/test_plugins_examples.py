"""The example plugins in plugins/, the whole folder on the onboarding sample, and the guide's 15-line plugin.

Expected talents come from reconciler/sandbox/DEMO_TENANT.md, written by hand.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from labels import as_key

from reconciler import plugins
from reconciler.cli.main import cli
from reconciler.feishu import TalentKey
from reconciler.model import Cell, SheetRow
from reconciler.pipeline import RunOptions, prepare, run
from reconciler.recipe import InputSpec

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "plugins"
GUIDE = ROOT / "docs" / "plugins.md"
EN_SHEET = ROOT / "sample_sheets" / "candidates_en.xlsx"
TALENT_ONLY = ROOT / "recipes" / "talent_only.yaml"

ZHANG, WANG, LEUNG, CHAN = "6910000000000000001", "6910000000000000002", "6910000000000000012", "6910000000000000021"
ZHANG_ID = "110101199003070011"


def load_example(name: str):
    """The example's module, loaded as `--plugins plugins/<name>.py` would."""
    (registered,) = plugins.load_plugin_paths([EXAMPLES / f"{name}.py"])
    return plugins.pm.get_plugin(registered)


def reconcile(tmp_path: Path, recipe: str, headers: list[str], rows: list[list], example: str, **options):
    book = openpyxl.Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "people.xlsx")
    (tmp_path / "recipe.yaml").write_text(recipe, encoding="utf-8")
    options = RunOptions(output=tmp_path / "out.xlsx", sandbox=True, no_cache=True,
                         plugins=[str(EXAMPLES / f"{example}.py")], **options)
    return run(tmp_path / "recipe.yaml", tmp_path / "people.xlsx", options)


# ---------------------------------------------------------------- hk_mobile.py


@pytest.mark.parametrize("text, spec, key", [
    ("9123 4567", {}, ("852", "91234567")),
    ("6612-3456", {"default_code": "853"}, ("853", "66123456")),  # Macau
    ("138 0013 8001", {}, ("86", "13800138001")),  # a mainland mobile in a Hong Kong sheet
    ("+86 139 1234 5678", {"default_code": "853"}, ("86", "13912345678")),  # the cell's +CC wins
])
def test_hk_mobile_reads_local_numbers_with_its_own_default_code(text, spec, key):
    matcher = load_example("hk_mobile").HongKongMacauMobile()
    found = matcher.identify(SheetRow(2, {"手机号": Cell(text, text)}), InputSpec(column="手机号", **spec))
    assert found.key == TalentKey("mobile", *key)


def test_hk_mobile_says_why_a_number_is_invalid():
    matcher = load_example("hk_mobile").HongKongMacauMobile()
    found = matcher.identify(SheetRow(2, {"手机号": Cell("1234", "1234")}), InputSpec(column="手机号"))
    assert found.key is None and str(found.error) == "mobile 1234 in column 手机号 is not a possible +852 number (too short)"


def test_hk_mobile_in_a_recipe_finds_hong_kong_and_mainland_talents(tmp_path):
    recipe = "version: 1\ntalent:\n  inputs: {hk_mobile: 手机号}\n  columns: {talent_id: 人才ID}\n"
    rows = [["陈小春", "9123 4567"], ["梁嘉欣", "5123-4567"], ["张伟", 13800138001]]
    outcomes = reconcile(tmp_path, recipe, ["姓名", "手机号"], rows, "hk_mobile").outcomes
    assert [(o.talent_status, o.values.get("人才ID")) for o in outcomes.values()] == [
        ("matched", CHAN), ("matched", LEUNG), ("matched", ZHANG)]
    builtin = reconcile(tmp_path, recipe.replace("hk_mobile", "mobile"), ["姓名", "手机号"], rows, "hk_mobile")
    assert [o.talent_status for o in builtin.outcomes.values()] == ["invalid", "invalid", "matched"]


# ---------------------------------------------------------------- prefer_id_number.py

PREFER = """\
version: 1
talent:
  inputs: {mobile: 手机号, email: 邮箱, id_number: 证件号}
  mode: prefer_id_number
  columns: {talent_id: 人才ID}
"""
PREFER_ROWS = [
    [13912345678, None, ZHANG_ID],  # 王芳's mobile, 张伟's ID
    [None, "nobody@example.com", ZHANG_ID],  # an email Hire does not know
    [13311112222, "wu.ting@example.com", None],  # no ID: decided as mode any
    [13800138001, None, "110101200001011232"],  # the ID is nobody's: the mobile decides
]


def test_prefer_id_number_lets_the_id_win_and_notes_the_disagreement(tmp_path):
    outcomes = list(reconcile(tmp_path, PREFER, ["手机号", "邮箱", "证件号"], PREFER_ROWS, "prefer_id_number")
                    .outcomes.values())
    assert [(o.talent_status, o.values.get("人才ID")) for o in outcomes] == [
        ("matched", ZHANG), ("matched", ZHANG), ("conflict", None), ("matched", ZHANG)]
    assert outcomes[0].talent_note == f"手机号 disagrees with the ID number: it points to {WANG}"
    assert outcomes[1].talent_note == "邮箱 disagrees with the ID number: it points to no talent"
    control = reconcile(tmp_path, PREFER.replace("prefer_id_number", "all"), ["手机号", "邮箱", "证件号"],
                        PREFER_ROWS, "prefer_id_number")
    assert control.outcomes[2].talent_status == "conflict"


# ---------------------------------------------------------------- html_report.py


def test_html_report_counts_statuses_lists_rows_to_check_and_escapes_everything(tmp_path):
    recipe = ("version: 1\nname: '<script>alert(1)</script> check'\ntalent:\n"
              "  inputs: {mobile: <b>Mobile</b>, email: Email}\noutput: {writers: [html]}\n")
    rows = [[13311112222, "wu.ting@example.com"], [13800138001, None], [13500135000, None]]
    result = reconcile(tmp_path, recipe, ["<b>Mobile</b>", "Email"], rows, "html_report")
    assert result.outputs == [tmp_path / "out.html"]
    page = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<b>" not in page
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt; check: reconciliation report</h1>" in page
    assert "<tr><td>matched</td><td>1</td></tr>" in page and "<tr><td>conflict</td><td>1</td></tr>" in page
    assert "<h2>Rows to check (2)</h2>" in page
    conflict_row = re.search(r"<tr><td>2</td><td>conflict</td><td>([^<]*)</td>", page)
    assert conflict_row and "&lt;b&gt;Mobile&lt;/b&gt; 13311112222 → 6910000000000000018" in conflict_row.group(1)
    assert "<tr><td>4</td><td>ambiguous</td>" in page and "<tr><td>3</td>" not in page


# ---------------------------------------------------------------- mobile_e164.py


def test_mobile_e164_adds_a_text_column_with_each_valid_mobile(tmp_path):
    out = tmp_path / "out.xlsx"
    run(TALENT_ONLY, EN_SHEET, RunOptions(output=out, sandbox=True, no_cache=True,
                                          plugins=[str(EXAMPLES / "mobile_e164.py")]))
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    assert header[-1] == "Mobile (E.164)" and header[-2] == "Talent note"
    by_name = {r[0].value: r[-1] for r in sheet.iter_rows(min_row=2)}
    assert by_name["Zhang Wei"].value == "+8613800138001" and by_name["Zhang Wei"].data_type == "s"
    assert by_name["Leung Ka-yan"].value == "+85251234567"  # the Country code column said 852
    assert by_name["Typo Tom"].value is None  # invalid: the talent note says why


def test_mobile_e164_adds_nothing_to_a_recipe_without_a_mobile():
    prepared = prepare(ROOT / "recipes" / "job_data_en.yaml", EN_SHEET,
                       RunOptions(plugins=[str(EXAMPLES / "mobile_e164.py")]))
    assert prepared.plugin_columns == []


# ---------------------------------------------------------------- the whole folder


def test_the_whole_plugins_folder_loads_and_the_onboarding_run_is_unchanged(tmp_path):
    sheet = shutil.copy(ROOT / "sample_sheets" / "onboarding_zh.xlsx", tmp_path / "onboarding_zh.xlsx")
    recipe = ROOT / "recipes" / "onboarding.yaml"
    reports = {}
    for label, extra in (("plain", []), ("plugins", ["--plugins", str(EXAMPLES)])):
        result = CliRunner().invoke(cli, ["run", str(recipe), str(sheet), "--sandbox", "--no-cache", "-q",
                                          "-o", str(tmp_path / f"{label}.xlsx"), "--report",
                                          str(tmp_path / f"{label}.json"), *extra])
        assert result.exit_code == 0, result.output
        reports[label] = json.loads((tmp_path / f"{label}.json").read_text(encoding="utf-8"))
    assert reports["plugins"]["counts"] == reports["plain"]["counts"]
    assert reports["plugins"]["counts"]["talent"]["matched"] == 25
    header = [c.value for c in openpyxl.load_workbook(tmp_path / "plugins.xlsx")["入职名单"][3]]
    assert header[-1] == "Mobile (E.164)" and "Mobile (E.164)" not in [
        c.value for c in openpyxl.load_workbook(tmp_path / "plain.xlsx")["入职名单"][3]]
    names = {Path(plugins.source_of(n).location or "").name for n in plugins.loaded_names()}
    assert {"hk_mobile.py", "prefer_id_number.py", "html_report.py", "mobile_e164.py"} <= names


# ---------------------------------------------------------------- the guide's 15-line plugin


def guide_quickstart() -> tuple[str, str, str]:
    """(the plugin's code, its path, the command to run) from docs/plugins.md's first section."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## A plugin in 15 lines", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    command = re.search(r"```sh\n(.*?)```", section, re.S).group(1).strip()
    path = re.match(r"# (\S+\.py):", code).group(1)
    return code, path, command


def test_the_guides_15_line_plugin_works_as_the_guide_says(tmp_path, monkeypatch):
    code, path, command = guide_quickstart()
    assert len(code.strip().splitlines()) <= 15
    section = GUIDE.read_text(encoding="utf-8").split("## A plugin in 15 lines", 1)[1].split("\n## ", 1)[0]
    promised = int(re.search(r"`yes`\s+on the (\d+) rows that are not `matched`", section).group(1))

    # a fresh folder holding only what the guide names: the recipe, the sheet and the plugin
    for name in ("recipes/talent_only.yaml", "sample_sheets/candidates_en.xlsx"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / path).parent.mkdir(parents=True)
    (tmp_path / path).write_text(code, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RECONCILER_CACHE_PATH", str(tmp_path / "cache.sqlite"))

    args = shlex.split(command)
    assert args[0] == "reconciler"
    result = CliRunner().invoke(cli, args[1:])
    assert result.exit_code == 0, result.output
    out = tmp_path / args[args.index("-o") + 1]
    rows = list(openpyxl.load_workbook(out).active.values)
    header = list(rows[0])
    assert header[header.index("Talent note") + 1] == "Follow-up"
    status, follow = header.index("Talent status"), header.index("Follow-up")
    flagged = [r[follow] for r in rows[1:] if as_key(r[status]) != "matched"]  # the cell shows the label
    assert flagged == ["yes"] * promised
    assert {r[follow] for r in rows[1:] if as_key(r[status]) == "matched"} == {None}

    listing = CliRunner().invoke(cli, ["plugins", "--plugins", str(Path(path).parent)])
    assert "  follow_up  [file]" in listing.stdout
    assert "    hooks: register_output_columns, row_outputs\n" in listing.stdout


def test_every_plugin_example_in_the_guide_loads_as_a_plugin(tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    hook_blocks = [b for b in blocks if "@hookimpl" in b]
    assert len(hook_blocks) >= 6
    for index, block in enumerate(hook_blocks):
        (tmp_path / f"example_{index}.py").write_text(block, encoding="utf-8")
    names = plugins.load_plugin_paths([tmp_path])  # an unknown hook or argument would raise here
    assert len(names) == len(hook_blocks)
    matchers, rules = plugins.matcher_registry()
    assert {"work_email", "strict"} <= set(matchers.items) | set(rules.items)
    assert "counts" in plugins.writer_registry().items
