"""Reading: one sheet of an .xlsx or .csv file into `Sheet` / `SheetRow` / `Cell`.

`grid` opens the file as the cells a person sees in Excel (calamine, openpyxl or
csv); `read` finds the header row and builds the rows; `early` starts parsing the
sheet while `reconciler run` loads. Nothing here knows about HTTP or the writers.

The names below are imported when first asked for: `early` must be importable
without openpyxl and the rest.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "HEADER_SEARCH_ROWS": "reconciler.sheets.read",
    "cell_text": "reconciler.sheets.grid",
    "gc_paused": "reconciler.sheets.read",
    "list_headers": "reconciler.sheets.read",
    "read_sheet": "reconciler.sheets.read",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
