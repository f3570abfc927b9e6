"""The csv and jsonl writers: one record per input row (spec section 6).

A record holds the original columns (each non-blank header, first occurrence,
with the cell's text as a person sees it) followed by the output columns. An
output column whose header the sheet already has is filled in place, as in the
xlsx copy. Fully blank input rows have no record (the reader drops them): the
spec writes nothing into them and an empty record carries no information. Rows the run decided nothing
for keep their original text and empty output columns.

csv: UTF-8 with a BOM (Excel then reads Chinese correctly), a header line, TRUE/
FALSE for booleans, ISO dates; a text field starting with = + - @ tab or CR gets
a leading ' (OWASP's CSV-injection advice) so a spreadsheet never runs it.
Numbers are not formulas and are written as they are.

jsonl: one JSON object per line, UTF-8, `_row` (the sheet row number) first,
then the columns in order; output values keep their JSON type (booleans,
numbers, null), dates are ISO strings. No escaping: JSON is not a spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reconciler.model import WriteContext
from reconciler.writers.common import atomic_output, check_output_path, looks_like_formula, outcome_value, text_of


def _record_columns(ctx: WriteContext) -> list[str]:
    headers: list[str] = []
    for header in ctx.sheet.headers:
        if header.strip() and header not in headers:
            headers.append(header)
    headers += [c.header for c in ctx.columns if c.header not in headers]
    return headers


def _records(ctx: WriteContext) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, header -> value): original cells as text, output values as they are."""
    columns = _record_columns(ctx)
    output = {c.header: c for c in ctx.columns}
    for row in ctx.sheet.rows:
        outcome = ctx.outcomes.get(row.number)
        cells = row.cells  # made when asked: once a row
        record: dict[str, Any] = {}
        for header in columns:
            if header in output and outcome is not None:
                value = outcome_value(output[header], outcome, ctx.status_columns, ctx.locale)
                # IDs and phones stay text in every format, as in the xlsx copy
                record[header] = text_of(value) if output[header].kind == "text" and value is not None else value
            elif header in cells:
                cell = cells[header]
                record[header] = _NumberText(cell.text) if cell.is_number else cell.text
            else:
                record[header] = None
        yield row.number, record


class _NumberText(str):
    """An original numeric cell's displayed text: written as is, never formula-escaped."""


def _csv_field(value: Any) -> str:
    if isinstance(value, _NumberText):
        return str(value)
    if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
        return text_of(value)
    text = text_of(value)
    return "'" + text if looks_like_formula(text) else text


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return str(value) if isinstance(value, _NumberText) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return str(value)


def write_csv(ctx: WriteContext) -> Path:
    """Write the records as UTF-8 (BOM) CSV to `ctx.output_path` and return that path."""
    check_output_path(ctx)
    columns = _record_columns(ctx)
    with atomic_output(ctx) as tmp:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([_csv_field(h) for h in columns])
            for _, record in _records(ctx):
                writer.writerow([_csv_field(record[h]) for h in columns])
    return Path(ctx.output_path)


def write_jsonl(ctx: WriteContext) -> Path:
    """Write the records as JSON Lines to `ctx.output_path` and return that path."""
    check_output_path(ctx)
    with atomic_output(ctx) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            for number, record in _records(ctx):
                line = {"_row": number} | {h: _json_value(v) for h, v in record.items()}
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    return Path(ctx.output_path)
