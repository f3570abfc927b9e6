"""Which columns a sheet lacks, when no row near the top holds all the recipe's headers.

The library says "no row within the first 20 holds all the headers: ...", which is
right but leaves the person to compare lists. Here the row holding the most of
them is taken as the intended header row and the rest are named. Only used to
word an error, so any trouble reading the file just means "don't know".
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

SEARCH_ROWS = 20  # the library's header_row: auto looks this far


def missing_from_best_row(path: Path, sheet: str | None, wanted: list[str]) -> list[str] | None:
    try:
        rows = _first_rows(Path(path), sheet)
    except Exception:  # noqa: BLE001 - wording an error must not raise another one
        return None
    best: set[str] = set()
    for row in rows:
        found = {text for text in row if text in wanted}
        if len(found) > len(best):
            best = found
    missing = [h for h in wanted if h not in best]
    return missing if best and missing else None


def _first_rows(path: Path, sheet: str | None) -> list[list[str]]:
    if path.suffix.lower() == ".csv":
        data = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return []
        lines = text.splitlines()[:SEARCH_ROWS]
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t")
        return [[c.strip() for c in r] for r in csv.reader(io.StringIO("\n".join(lines)), dialect)]
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = book[sheet] if sheet else book.worksheets[0]
        return [[str(v).strip() for v in row if v is not None]
                for row in ws.iter_rows(max_row=SEARCH_ROWS, values_only=True)]
    finally:
        book.close()
