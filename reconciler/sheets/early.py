"""Parsing the sheet while the program loads (`reconciler run`).

Before a run opens its sheet, it imports what it needs (~0.5 s) and reads the
recipe. python-calamine parses a worksheet without holding the interpreter, so
`reconciler run` starts that parse first, in a thread (`read_ahead`), and the
sheet reader takes the result when it gets there (`take`). Only the same file
(same size and modification time) and the same sheet are taken; anything else,
or a parse that failed, gives None and the reader parses as it always does.

The checks that guard a parse (zip sizes, Strict Open XML: `zipcheck`) run in the
thread before it; a file they refuse is left to the reader, which words why. The
sheet wanted is the recipe's `source.sheet`, read from the YAML as written, or else
the first visible worksheet, as `grid._pick_sheet` chooses.

This module stays light (no openpyxl, pydantic or HTTP): it is imported before them.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

SUFFIXES = (".xlsx", ".xlsm")

_lock = threading.Lock()
_ahead: _Parse | None = None


class _Parse:
    def __init__(self, path: Path, stamp: tuple, title: str | None):
        self.path, self.stamp, self.title = path, stamp, title
        self.sheet = None
        self.thread: threading.Thread | None = None

    def run(self) -> None:
        from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

        from reconciler.sheets.zipcheck import check_package

        try:
            check_package(self.path)
            book = CalamineWorkbook.from_path(str(self.path))
            if self.title is None:
                worksheets = [m for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
                visible = [m for m in worksheets if m.visible == SheetVisibleEnum.Visible]
                self.title = (visible or worksheets)[0].name
            self.sheet = book.get_sheet_by_name(self.title)
        except Exception:  # noqa: BLE001 - anything at all: the reader opens the file itself and words it
            self.sheet = None


def _stamp(path: Path) -> tuple:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def _recipe_sheet(recipe: Path | None) -> str | None:
    """The recipe's source.sheet as written (a recipe that does not read as plain YAML: None)."""
    if recipe is None:
        return None
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(recipe.read_text(encoding="utf-8"))
    source = data.get("source") if isinstance(data, dict) else None
    sheet = source.get("sheet") if isinstance(source, dict) else None
    return sheet if isinstance(sheet, str) else None


def read_ahead(path: Path, recipe: Path | None = None) -> None:
    """Start parsing the sheet of workbook `path` that `recipe` reads (an .xlsx / .xlsm only)."""
    global _ahead
    try:
        path = Path(os.path.abspath(path))
        if path.suffix.lower() not in SUFFIXES or not path.is_file():
            return
        stamp = _stamp(path)
        try:
            title = _recipe_sheet(recipe)
        except Exception:  # noqa: BLE001 - the recipe's own reader words what is wrong with it
            return
        # Imported here, so that the thread does only what runs without the interpreter
        # (its imports would compete with the program's own for it).
        import python_calamine  # noqa: F401

        import reconciler.sheets.zipcheck  # noqa: F401
    except (OSError, ImportError):
        return
    parse = _Parse(path, stamp, title)
    with _lock:
        _ahead = parse
    parse.thread = threading.Thread(target=parse.run, name="sheet-read-ahead", daemon=True)
    parse.thread.start()


def take(path: Path, title: str):
    """The calamine sheet parsed ahead, if it is this file's sheet `title` as it is now; else None."""
    global _ahead
    with _lock:
        parse = _ahead
        if parse is None or parse.path != Path(os.path.abspath(path)):
            return None
        _ahead = None
    parse.thread.join()
    try:
        unchanged = parse.stamp == _stamp(parse.path)
    except OSError:
        return None
    return parse.sheet if unchanged and parse.title == title else None
