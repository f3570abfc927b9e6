"""Built-in writers: xlsx (annotated copy), csv and jsonl (spec section 6)."""

from __future__ import annotations

from reconciler.hookspecs import hookimpl
from reconciler.writers.delimited import write_csv, write_jsonl
from reconciler.writers.registry import Writer
from reconciler.writers.xlsx import write_xlsx


@hookimpl(trylast=True)
def register_writers(register):
    register(Writer("xlsx", write_xlsx, ".xlsx", "annotated copy of the workbook, with a Summary sheet"))
    register(Writer("csv", write_csv, ".csv", "one line per row: original columns plus output columns"))
    register(Writer("jsonl", write_jsonl, ".jsonl", "one JSON object per row"))
