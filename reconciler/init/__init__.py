"""`reconciler init`: a working, commented recipe drafted from a sheet.

headerrow (find the header row) -> roles (which column holds what, by header
name or by values) -> draft (sections, keys, reasons) -> render (YAML text with
comments, checked like `reconciler check`) -> command (the CLI, the report).
"""

from reconciler.init.draft import Draft, draft_recipe, sheet_language
from reconciler.init.render import render_recipe

__all__ = ["Draft", "draft_recipe", "render_recipe", "sheet_language"]
