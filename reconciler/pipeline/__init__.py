"""One run, end to end: `run(recipe, input, RunOptions())` (spec section 1).

- `options`: RunOptions, RunResult, Progress, Prepared;
- `prepare`: what is checked before anything is sent (recipe, plugins, sheet, paths);
- `run`: asking Feishu, deciding, writing;
- `decide`: lookups to row outcomes; `report`: counts and the --report JSON.
"""

from reconciler.pipeline.options import Prepared, Progress, RunOptions, RunResult
from reconciler.pipeline.prepare import load_with_plugins, prepare, read_recipe_sheet
from reconciler.pipeline.run import run

__all__ = ["Prepared", "Progress", "RunOptions", "RunResult", "load_with_plugins", "prepare", "read_recipe_sheet", "run"]
