"""Reading: one sheet of an .xlsx or .csv file into `Sheet` / `SheetRow` / `Cell`.

`grid` opens the file as the cells a person sees in Excel (calamine, openpyxl or
csv); `read` finds the header row and builds the rows. Nothing here knows about
HTTP or the writers.
"""

from reconciler.sheets.grid import cell_text
from reconciler.sheets.read import HEADER_SEARCH_ROWS, gc_paused, list_headers, read_sheet

__all__ = ["HEADER_SEARCH_ROWS", "cell_text", "gc_paused", "list_headers", "read_sheet"]
