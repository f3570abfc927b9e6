"""reconciler.plugin_api: one module with everything a plugin needs; the older import paths give the
same objects, and plugins written against the guide before it (tests/guide_v1_plugins, plugins/*.py)
run unchanged. The helpers for reports: review rows, labels, notes, masking."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

import openpyxl
import pytest

from reconciler import plugin_api, plugins
from reconciler.messages.render import Message
from reconciler.pipeline import RunOptions, run

ROOT = Path(__file__).resolve().parents[1]
GUIDE_V1 = Path(__file__).resolve().parent / "guide_v1_plugins"
EN_SHEET = ROOT / "sample_sheets" / "candidates_en.xlsx"


def test_every_public_name_is_importable_and_typed_or_documented():
    assert len(plugin_api.__all__) == len(set(plugin_api.__all__))
    for name in plugin_api.__all__:
        obj = getattr(plugin_api, name)
        if callable(obj) and name != "hookimpl":
            assert (obj.__doc__ or "").strip(), f"{name} has no docstring"


@pytest.mark.parametrize("module, names", [
    ("reconciler.hookspecs", ["hookimpl"]),
    ("reconciler.matching", ["DecisionRule", "IdentifierMatcher", "Resolved", "TalentDecision", "decide_talent",
                             "invalid_value", "merge_talent", "valid_value"]),
    ("reconciler.normalize", ["Normalised", "normalise_mobile", "normalise_email", "normalise_id_number", "mask"]),
    ("reconciler.model", ["Cell", "SheetRow", "Sheet", "RowOutcome", "RunSummary", "WriteContext", "OutputColumn"]),
    ("reconciler.writers.common", ["atomic_output"]),
    ("reconciler.writers.registry", ["Writer"]),
    ("reconciler.pipeline", ["RunOptions", "run"]),
    ("reconciler.plugins", ["isolated"]),
])
def test_the_older_import_paths_give_the_same_objects(module, names):
    old = importlib.import_module(module)
    for name in names:
        assert getattr(old, name) is getattr(plugin_api, name), f"{module}.{name}"


def test_the_guides_examples_from_before_the_public_module_still_run_unchanged(tmp_path):
    """tests/guide_v1_plugins holds docs/plugins.md's examples as they were before reconciler.plugin_api."""
    assert all("reconciler.plugin_api" not in p.read_text(encoding="utf-8") for p in GUIDE_V1.glob("*.py"))
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text((ROOT / "recipes" / "talent_only.yaml").read_text(encoding="utf-8")
                      .replace("writers: [xlsx]", "writers: [xlsx, counts, html]"), encoding="utf-8")
    out = tmp_path / "out.xlsx"
    result = run(recipe, EN_SHEET, RunOptions(output=out, sandbox=True, no_cache=True,
                                              plugins=[str(GUIDE_V1), str(ROOT / "plugins")]))
    assert sum(o.values.get("Follow-up") == "yes" for o in result.outcomes.values()) == 8
    assert (tmp_path / "out.txt").read_text(encoding="utf-8").startswith("{'matched': 15")
    assert "Rows to check" in (tmp_path / "out.html").read_text(encoding="utf-8")
    assert "Follow-up" in next(openpyxl.load_workbook(out).active.values)
    matchers, rules = plugins.matcher_registry()
    assert {"work_email", "hk_mobile"} <= set(matchers.items) and {"strict", "prefer_id_number"} <= set(rules.items)


# ---------------------------------------------------------------- helpers for reports


def outcome(row, talent=None, job=None):
    return plugin_api.RowOutcome(row, talent, job_status=job)


def test_rows_needing_review_most_urgent_first_then_by_row():
    outcomes = {o.row_number: o for o in [
        outcome(2, "matched", "found"), outcome(3, "not_found"), outcome(4, "matched", "mismatch"),
        outcome(5, "error"), outcome(6, "partial"), outcome(7, "matched", "no_key"), outcome(8, "invalid"),
        outcome(9, "ambiguous"), outcome(10, "conflict"), outcome(11, "matched", "error"), outcome(12, None, "not_found"),
        outcome(13, "conflict", "mismatch"),
    ]}
    order = [o.row_number for o in plugin_api.rows_needing_review(outcomes)]
    assert order == [5, 11, 10, 13, 9, 8, 6, 3, 12, 4]
    ctx = plugin_api.WriteContext(Path("in.xlsx"), Path("out.md"), None, [], outcomes,
                                  plugin_api.RunSummary("r", dt.datetime.now()))
    assert [o.row_number for o in plugin_api.rows_needing_review(ctx)] == order
    assert not plugin_api.needs_review(outcomes[7]) and plugin_api.needs_review(outcomes[12])
    assert plugin_api.REVIEW_ORDER == ("error", "conflict", "ambiguous", "invalid", "partial", "not_found", "mismatch")


def test_status_labels_and_notes_in_the_readers_language():
    assert plugin_api.status_label("not_found", "zh-CN") == "未找到"
    assert plugin_api.status_label("no_key", "zh-CN") == "无工号"
    assert plugin_api.status_label("matched", "en-US").lower() == "matched"
    assert plugin_api.status_label(None, "zh-CN") == ""
    assert plugin_api.status_label("plugin_status", "zh-CN") == "plugin_status"
    notes = [Message("note.no_talent", column="手机号"), "sent to HR ops"]
    assert plugin_api.notes_text(notes, "en-US").endswith("; sent to HR ops")
    zh = plugin_api.notes_text(notes, "zh-CN")
    assert "手机号" in zh and zh.endswith("sent to HR ops") and zh != plugin_api.notes_text(notes, "en-US")


def test_masking_for_reports():
    assert plugin_api.mask("mobile", "13800000000") == "138****0000"
    assert plugin_api.mask("email", "chan.siuchun@example.com") == "c***@example.com"
    assert plugin_api.mask("id_number", "110101199003070011") == "1101**********0011"


def test_a_matchers_answers_valid_invalid_and_not_present():
    cell = plugin_api.Cell(" - ", " - ")
    assert not plugin_api.not_present("mobile", cell).present
    assert plugin_api.valid_value("mobile", cell, "91234567", group="852").key == plugin_api.TalentKey(
        "mobile", "852", "91234567")
    assert plugin_api.valid_value("id_number", cell, "X1").key.group == "1"
    invalid = plugin_api.invalid_value("region_mobile", cell, "unknown region")
    assert invalid.present and not invalid.valid and invalid.error == "unknown region"
    with pytest.raises(ValueError, match="give one of mobile, email, id_number"):
        plugin_api.valid_value("region_mobile", cell, "91234567")
    assert plugin_api.LOOKUP_KINDS == ("mobile", "email", "id_number")


def test_a_matcher_without_check_options_takes_none():
    class Plain(plugin_api.IdentifierMatcher):
        name = "plain"

    Plain().check_options({})
    with pytest.raises(plugin_api.OptionError, match="matcher plain takes no options"):
        Plain().check_options({"x": 1})


def test_the_writer_context_carries_the_recipe_the_locale_and_the_writers_options(tmp_path):
    code = '''
from reconciler.plugin_api import Writer, atomic_output, hookimpl

SEEN = []

def write(ctx):
    SEEN.append((ctx.recipe, ctx.locale, ctx.options))
    with atomic_output(ctx) as tmp:
        tmp.write_text("ok", encoding="utf-8")
    return ctx.output_path

@hookimpl
def register_writers(register):
    register(Writer("peek", write, ".txt", check_options=lambda options: None))
'''
    (tmp_path / "peek.py").write_text(code, encoding="utf-8")
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text((ROOT / "recipes" / "talent_only.yaml").read_text(encoding="utf-8")
                      .replace("writers: [xlsx]", "writers: [{peek: {every: 2}}]"), encoding="utf-8")
    result = run(recipe, EN_SHEET, RunOptions(output=tmp_path / "o.xlsx", sandbox=True, no_cache=True,
                                              plugins=[str(tmp_path / "peek.py")]))
    (name,) = [n for n in plugins.loaded_names() if n.endswith("peek.py")]
    seen = plugins.pm.get_plugin(name).SEEN
    ((seen_recipe, locale, options),) = seen
    assert options == {"every": 2} and locale == "en-US"  # the recipe's output.locale
    assert seen_recipe.source_path == recipe and list(seen_recipe.talent.inputs) == ["mobile", "email", "id_number"]
    assert result.outputs == [tmp_path / "o.txt"]
