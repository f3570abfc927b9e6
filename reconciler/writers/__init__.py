"""Built-in output writers: plain functions `WriteContext -> Path` (spec section 6).

Each writes `ctx.output_path` atomically (temporary file + rename), never the
input, and raises `OutputError` (or `UsageError` when the output is the input).
"""

from __future__ import annotations

from reconciler.writers.delimited import write_csv, write_jsonl
from reconciler.writers.xlsx import STATUS_FILLS, write_xlsx

# writer name (as in `output.writers`) -> (function, file suffix it writes)
BUILTIN_WRITERS = {
    "xlsx": (write_xlsx, ".xlsx"),
    "csv": (write_csv, ".csv"),
    "jsonl": (write_jsonl, ".jsonl"),
}

__all__ = ["BUILTIN_WRITERS", "STATUS_FILLS", "write_csv", "write_jsonl", "write_xlsx"]
