"""Built-in output writers: plain functions `WriteContext -> Path` (spec section 6).

Each writes `ctx.output_path` atomically (temporary file + rename), never the
input, and raises `OutputError` (or `UsageError` when the output is the input).
The list of writers a run can use is the plugin registry's
(`reconciler.builtin.writers` registers these three).
"""

from __future__ import annotations

from reconciler.writers.delimited import write_csv, write_jsonl
from reconciler.writers.annotation import STATUS_FILLS
from reconciler.writers.xlsx import write_xlsx

__all__ = ["STATUS_FILLS", "write_csv", "write_jsonl", "write_xlsx"]
