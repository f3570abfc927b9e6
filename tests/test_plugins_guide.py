"""docs/plugins.md, run as printed: its code blocks are extracted and run against the sandbox.

Blocks whose first line names a file (`# my_plugins/region_mobile.py`, `# my_recipes/region.yaml`)
are written to that path in a fresh folder, the sheet is built from the guide's table, and the
guide's command is run there. The guide's promises about the outputs are checked.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from reconciler import plugins
from reconciler.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "plugins.md"
PACKAGE = ROOT / "plugins" / "packaged-example"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)


def named_blocks() -> dict[str, str]:
    """path -> code of every python or yaml block that starts with `# <path>:` or `# <path>`."""
    found = {}
    for language in ("python", "yaml"):
        for code in blocks(language):
            match = re.match(r"# ([\w/.-]+\.(?:py|yaml))(?::|\n)", code)
            if match:
                found[match.group(1)] = code
    return found


def section(title: str) -> str:
    return GUIDE.read_text(encoding="utf-8").split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def guide_sheet(folder: Path) -> Path:
    """The sheet the guide prints as a table after `<!-- sheet: path -->`, saved as that .xlsx."""
    text = GUIDE.read_text(encoding="utf-8")
    match = re.search(r"<!-- sheet: (\S+) -->\n((?:\|.*\|\n)+)", text)
    lines = [line.strip().strip("|").split("|") for line in match.group(2).splitlines()]
    book = openpyxl.Workbook()
    for index, cells in enumerate(lines):
        if index != 1:  # the |---| line
            book.active.append([c.strip() or None for c in cells])
    path = folder / match.group(1)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


@pytest.fixture
def worked_example(tmp_path, monkeypatch):
    """A fresh folder holding what the worked example names: my_plugins/, my_recipes/, my_sheets/."""
    for path, code in named_blocks().items():
        if path.startswith(("my_plugins/", "my_recipes/")):
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_text(code, encoding="utf-8")
    guide_sheet(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RECONCILER_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    return tmp_path


def test_every_python_block_of_the_guide_compiles_and_the_worked_example_has_its_files():
    for code in blocks("python"):
        compile(code, "docs/plugins.md", "exec")
    assert {"my_plugins/follow_up.py", "my_plugins/region_mobile.py", "my_plugins/sqlite_writer.py",
            "my_plugins/exceptions.py", "my_recipes/region.yaml", "tests/test_follow_up.py",
            "reconciler_markdown_summary.py"} <= set(named_blocks())


def test_the_guide_imports_only_from_the_public_module():
    for code in blocks("python"):
        imported = re.findall(r"^\s*(?:from|import) (reconciler[\w.]*)", code, re.M)
        assert set(imported) <= {"reconciler.plugin_api"}, imported


def test_the_worked_example_runs_as_printed_and_does_what_the_guide_says(worked_example):
    (command,) = [c for c in blocks("sh") if "my_recipes/region.yaml" in c]
    args = shlex.split(command.strip())
    result = CliRunner().invoke(cli, args[1:])
    assert result.exit_code == 0, result.output

    book = openpyxl.load_workbook(worked_example / "checked.xlsx")
    rows = list(book.worksheets[0].values)
    header = list(rows[0])
    name, status, talent = header.index("姓名"), header.index("Talent status"), header.index("人才ID")
    by_name = {r[name]: r for r in rows[1:]}
    statuses = {n: r[status] for n, r in by_name.items()}
    # the workbook's labels are the writers' business; the keys are in the SQLite table below
    db = sqlite3.connect(worked_example / "checked.sqlite")
    table = dict(db.execute("SELECT row, talent_status FROM runs"))
    assert table == {2: "matched", 3: "matched", 4: "matched", 5: "not_found", 6: "conflict", 7: "matched",
                     8: "invalid"}
    assert by_name["陈小春"][talent] == "6910000000000000021" and by_name["林峰"][talent] == "6910000000000000024"
    assert len(statuses) == 7

    page = (worked_example / "checked.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| (\d+) \| ([^|]*) \| ([^|]*) \|", page, re.M)
    assert [(row, status.strip()) for row, _, status in listed] == [("6", "冲突"), ("8", "无效"), ("5", "未找到")]
    assert listed[0][1].strip() == "133****2222"
    assert "unknown region 火星 in column 地区" in page
    assert "13311112222" not in page


def test_a_wrong_matcher_option_is_a_recipe_error_at_its_line_as_the_guide_prints_it(worked_example):
    recipe = worked_example / "my_recipes" / "region.yaml"
    recipe.write_text(recipe.read_text(encoding="utf-8").replace("region_column: 地区", "region_colum: 地区"),
                      encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "my_recipes/region.yaml"])
    assert result.exit_code == 2
    printed = re.search(r"```\n(错误：配方 my_recipes/region\.yaml.*?)```", section("Options from the recipe"),
                        re.S).group(1)
    assert result.stderr == printed
    line = next(i for i, text in enumerate(recipe.read_text(encoding="utf-8").splitlines(), 1) if "region_colum" in text)
    assert f"region.yaml:{line} talent.inputs.region_mobile.options.region_colum:" in result.stderr


@pytest.mark.parametrize("writers, said", [
    ("[xlsx, {sqlite: {tabel: runs}}]", "region.yaml:{line} output.writers[1].sqlite.tabel: unknown option tabel; "
                                        "the only option is table"),
    ("[xlsx, {sqlite: {table: 1 runs}}]", "output.writers[1].sqlite.table: table must be a plain name"),
    ("[{csv: {delimiter: ;}}, xlsx]", "region.yaml:{line} output.writers[0].csv: 输出格式 csv 没有选项"),
    ("[xlsx, {sqlite: [runs]}]", "output.writers[1].sqlite: 输出格式 sqlite 的选项必须是"),
    ("[xlsx, {sqlite: {}, csv: {}}]", "output.writers[1]: 输出格式写作名称（csv），或一个名称加它的选项"),
])
def test_wrong_writer_options_are_recipe_errors_at_their_line(worked_example, writers, said):
    recipe = worked_example / "my_recipes" / "region.yaml"
    text = re.sub(r"writers: .*", f"writers: {writers}", recipe.read_text(encoding="utf-8"))
    recipe.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.strip().startswith("writers:"))
    result = CliRunner().invoke(cli, ["check", str(recipe)])
    assert result.exit_code == 2
    assert said.format(line=line) in result.stderr, result.stderr


def test_a_writer_without_options_gets_an_empty_mapping_and_the_recipe_in_its_context(worked_example):
    recipe = worked_example / "my_recipes" / "region.yaml"
    recipe.write_text(recipe.read_text(encoding="utf-8").replace("{sqlite: {table: runs}}", "sqlite"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(recipe), "my_sheets/people.xlsx", "--sandbox", "-o", "plain.xlsx"])
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(worked_example / "plain.sqlite")
    assert db.execute("SELECT count(*) FROM reconciled").fetchone() == (7,)


def test_the_guides_testing_example_passes_as_printed(worked_example, tmp_path):
    for name in ("recipes/talent_only.yaml", "sample_sheets/candidates_en.xlsx"):
        (worked_example / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, worked_example / name)
    path = worked_example / "tests" / "test_follow_up.py"
    path.parent.mkdir()
    path.write_text(named_blocks()["tests/test_follow_up.py"], encoding="utf-8")
    spec = importlib.util.spec_from_file_location("guide_test_follow_up", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "guide-test"
    out.mkdir()
    module.test_follow_up_column(out)
    assert (out / "out.xlsx").is_file()


def test_the_guides_packaged_plugin_is_the_packaged_example():
    assert named_blocks()["reconciler_markdown_summary.py"].split("\n", 1)[1] == \
        (PACKAGE / "reconciler_markdown_summary.py").read_text(encoding="utf-8")
    (toml,) = blocks("toml")
    assert toml == (PACKAGE / "pyproject.toml").read_text(encoding="utf-8")


def test_the_guides_snippets_run_the_counts_writer_and_the_rule(tmp_path, monkeypatch):
    snippets = [b for b in blocks("python") if "@hookimpl" in b and not b.startswith("# ")]
    for index, code in enumerate(snippets):
        (tmp_path / "snippets" / f"snippet_{index}.py").parent.mkdir(exist_ok=True)
        (tmp_path / "snippets" / f"snippet_{index}.py").write_text(code, encoding="utf-8")
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text((ROOT / "recipes" / "talent_only.yaml").read_text(encoding="utf-8")
                      .replace("writers: [xlsx]", "writers: [xlsx, counts]"), encoding="utf-8")
    monkeypatch.setenv("RECONCILER_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    result = CliRunner().invoke(cli, ["run", str(recipe), str(ROOT / "sample_sheets" / "candidates_en.xlsx"),
                                      "--sandbox", "--plugins", str(tmp_path / "snippets"), "-o", str(tmp_path / "o.xlsx")])
    assert result.exit_code == 0, result.output
    assert "'matched': 15" in (tmp_path / "o.txt").read_text(encoding="utf-8")
    matchers, rules = plugins.matcher_registry()
    assert "work_email" in matchers.items and "strict" in rules.items


def test_a_column_a_matcher_reads_must_be_in_the_sheet_before_anything_is_sent(worked_example):
    recipe = worked_example / "my_recipes" / "region.yaml"
    recipe.write_text(recipe.read_text(encoding="utf-8").replace("region_column: 地区", "region_column: 区域"),
                      encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", "my_recipes/region.yaml", "my_sheets/people.xlsx", "--sandbox",
                                      "-o", "checked.xlsx"])
    assert result.exit_code == 2
    assert "区域" in result.stderr and not (worked_example / "checked.xlsx").exists()
