"""The draft as recipe text, checked the way `reconciler check RECIPE SHEET` checks it."""

from __future__ import annotations

from pathlib import Path

from reconciler.init.draft import Draft
from reconciler.init.yamltext import render
from reconciler.recipe import parse_recipe, validate_headers


def render_recipe(draft: Draft, *, recipe_path: Path) -> str:
    t = draft.t
    sheet = draft.sheet_path
    draft.doc.header = [
        t("c.head1", file=sheet.name), t("c.head2"), t("c.head3"), t("c.head4"), "",
        t("c.check"), f"  reconciler check {recipe_path} {sheet}",
        t("c.try"), f"  reconciler run {recipe_path} {sheet} --sandbox", "",
    ]
    text = render(draft.doc)
    # Would `reconciler check` accept it? A failure here is a bug in init, never the user's.
    recipe = parse_recipe(text, file=str(recipe_path), env={})
    issues = validate_headers(recipe, draft.header.headers, sheet_label=sheet.name)
    if issues:
        raise RuntimeError(f"the drafted recipe names headers the sheet lacks: {issues}")
    return text
