"""`reconciler run` starts parsing the sheet while it loads (reconciler/sheets/early.py):
the reader takes that parse only for the same file, unchanged, and the same sheet.
Meanwhile the reader learns the worksheet part's layout for the streaming writer
(reconciler/ooxml/worksheet.py), which takes it on the same terms."""

from __future__ import annotations

import os
import re
import zipfile

import pytest
from test_sheets import write_xlsx
from test_xlsx_stream import make_book, make_ctx

from reconciler.errors import SheetError
from reconciler.ooxml import worksheet
from reconciler.sheets import early, read_sheet
from reconciler.writers import sheetxml
from reconciler.writers.xlsx_stream import write_streaming

SHEET_PART = "xl/worksheets/sheet1.xml"


@pytest.fixture(autouse=True)
def _nothing_ahead():  # the modules' one slot each, emptied after each test
    yield
    early._ahead = None
    worksheet._learned = None


def _recipe(path, sheet: str | None):
    path.write_text("version: 1\nsource:\n  header_row: 1\n" + (f"  sheet: {sheet}\n" if sheet else ""), encoding="utf-8")
    return path


def _taken(monkeypatch) -> list:
    taken = []
    real = early.take

    def spy(path, title):
        found = real(path, title)
        taken.append((title, found is not None))
        return found

    monkeypatch.setattr(early, "take", spy)
    return taken


def test_the_sheet_parsed_ahead_is_the_one_read(tmp_path, monkeypatch):
    book = write_xlsx(tmp_path / "in.xlsx", {"Hidden first": [["x"]], "Candidates": [["Name", "Mobile"], ["王芳", "13800000000"]]},
                      hidden=("Hidden first",))
    taken = _taken(monkeypatch)
    early.read_ahead(book, _recipe(tmp_path / "r.yaml", None))  # no sheet named: the first visible one
    sheet = read_sheet(book, header_row=1)
    assert taken == [("Candidates", True)]
    assert [(r.get("Name").text, r.get("Mobile").text) for r in sheet.rows] == [("王芳", "13800000000")]


def test_the_recipe_names_the_sheet_parsed_ahead(tmp_path, monkeypatch):
    book = write_xlsx(tmp_path / "in.xlsx", {"A": [["Name"], ["first"]], "B": [["Name"], ["second"]]})
    taken = _taken(monkeypatch)
    early.read_ahead(book, _recipe(tmp_path / "r.yaml", "B"))
    assert [r.get("Name").text for r in read_sheet(book, sheet="B", header_row=1).rows] == ["second"]
    assert taken == [("B", True)]


def test_a_file_changed_after_the_parse_is_read_again(tmp_path, monkeypatch):
    book = write_xlsx(tmp_path / "in.xlsx", {"S": [["Name"], ["before"]]})
    early.read_ahead(book, None)
    early._ahead.thread.join()
    write_xlsx(tmp_path / "in.xlsx", {"S": [["Name"], ["after"], ["and more"]]})
    os.utime(book, ns=(1, 1))  # a different time, even on a coarse clock
    taken = _taken(monkeypatch)
    assert [r.get("Name").text for r in read_sheet(book, header_row=1).rows] == ["after", "and more"]
    assert taken == [("S", False)]


def test_another_sheet_than_the_one_parsed_is_read_itself(tmp_path, monkeypatch):
    book = write_xlsx(tmp_path / "in.xlsx", {"A": [["Name"], ["first"]], "B": [["Name"], ["second"]]})
    early.read_ahead(book, _recipe(tmp_path / "r.yaml", "A"))
    taken = _taken(monkeypatch)
    assert [r.get("Name").text for r in read_sheet(book, sheet="B", header_row=1).rows] == ["second"]
    assert taken == [("B", False)]


def test_a_zip_bomb_is_not_parsed_ahead_and_the_reader_still_words_it(tmp_path):
    book = write_xlsx(tmp_path / "in.xlsx", {"S": [["Name"], ["x"]]})
    path = tmp_path / "bomb.xlsx"  # a readable workbook whose sheet unpacks 1,000 times its size
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", b" " * (40 * 1024**2) + b"</worksheet>")
            archive.writestr(info.filename, data)
    early.read_ahead(path, None)
    early._ahead.thread.join()
    assert early._ahead.sheet is None  # the size check ran first, in the thread
    with pytest.raises(SheetError) as caught:
        read_sheet(path)
    assert caught.value.key == "error.zip_part_too_large"


def test_a_csv_or_a_missing_file_starts_nothing(tmp_path):
    (tmp_path / "in.csv").write_text("Name\nx\n", encoding="utf-8")
    early.read_ahead(tmp_path / "in.csv", None)
    early.read_ahead(tmp_path / "missing.xlsx", None)
    assert early._ahead is None


def _first_passes(monkeypatch) -> list:
    """Every first pass the streaming writer makes over a worksheet part itself."""
    passes = []
    real = sheetxml.learn_layout

    def spy(part, keep=()):
        passes.append(keep)
        return real(part, keep)

    monkeypatch.setattr(sheetxml, "learn_layout", spy)
    return passes


def _written_sheet(tmp_path, source, name: str) -> bytes:
    ctx = make_ctx(tmp_path, source)
    ctx.output_path = tmp_path / name
    assert write_streaming(ctx) == ctx.output_path
    with zipfile.ZipFile(ctx.output_path) as archive:
        return archive.read(SHEET_PART)


def test_the_layout_learned_while_reading_stands_for_the_writers_first_pass(tmp_path, monkeypatch):
    source = make_book(tmp_path / "in.xlsx")  # a title above the header row, a merge, widths, a frozen pane
    passes = _first_passes(monkeypatch)
    own = _written_sheet(tmp_path, source, "own.xlsx")  # nothing learned: the writer's own first pass
    assert passes == [(2,)]
    sheet = read_sheet(source, sheet="People", header_row="auto", required_headers=["Mobile"], keep_layout=True)
    assert sheet.header_row == 2
    assert _written_sheet(tmp_path, source, "learned.xlsx") == own
    assert passes == [(2,)]  # the second copy made no first pass of its own


def test_a_layout_is_not_learned_unless_asked_nor_used_for_a_changed_file(tmp_path, monkeypatch):
    source = make_book(tmp_path / "in.xlsx")
    passes = _first_passes(monkeypatch)
    read_sheet(source, sheet="People", header_row=2)
    assert worksheet.recall(source, SHEET_PART) is None
    read_sheet(source, sheet="People", header_row=2, keep_layout=True)
    assert worksheet.recall(tmp_path / "other.xlsx", SHEET_PART) is None  # taken once, by its own file only
    read_sheet(source, sheet="People", header_row=2, keep_layout=True)
    make_book(source, rows=9)  # saved again between reading and writing
    os.utime(source, ns=(1, 1))
    written = _written_sheet(tmp_path, source, "out.xlsx")
    assert passes == [(2,)]  # the writer read the part itself
    assert b'<row r="11"' in written  # as it is now


def _edited(source, path, edit):
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(path, "w") as after:
        for item in before.infolist():
            data = before.read(item.filename)
            after.writestr(item, edit(data) if item.filename == SHEET_PART else data)
    return path


EDITS = {
    "as written": lambda xml: xml,
    "prefixed": lambda xml: re.sub(rb"<(/?)(?!\?)([A-Za-z]+)([\s/>])", rb"<\1x:\2\3", xml).replace(
        b'<x:worksheet xmlns="', b'<x:worksheet xmlns:x="'),
    "r not first": lambda xml: re.sub(rb'<c r="([A-Z]+[0-9]+)"( [^>]*?)?(/?)>', rb"<c\2 r='\1'\3>", xml),
    "an empty last row": lambda xml: xml.replace(b"</sheetData>", b'<row r="400" ht="30" customHeight="1"/></sheetData>'),
}


@pytest.mark.parametrize("edit", EDITS)
def test_the_layout_searched_in_the_whole_part_is_the_one_read_row_by_row(tmp_path, monkeypatch, edit):
    source = _edited(make_book(tmp_path / "in.xlsx"), tmp_path / "edited.xlsx", EDITS[edit])
    with zipfile.ZipFile(source) as archive:
        xml = archive.read(SHEET_PART)
        row_by_row = worksheet.learn_layout(archive.open(SHEET_PART))
    passes = []
    real = worksheet.learn_layout
    monkeypatch.setattr(worksheet, "learn_layout", lambda part, keep=(): passes.append(keep) or real(part, keep))
    assert worksheet.layout_of(xml) == row_by_row
    assert (row_by_row.max_column, row_by_row.max_row) == (4, 8)  # rows without cells (10, 400) do not count
    assert passes == ([()] if edit == "r not first" else [])  # only the unusual tags are read row by row


def test_rows_out_of_order_are_refused_either_way(tmp_path):
    source = make_book(tmp_path / "in.xlsx")
    with zipfile.ZipFile(source) as archive:
        xml = archive.read(SHEET_PART)
    swapped = xml.replace(b'<row r="3"', b'<row r="TMP"').replace(b'<row r="4"', b'<row r="3"').replace(
        b'<row r="TMP"', b'<row r="4"')
    with pytest.raises(worksheet.CannotStream):
        worksheet.layout_of(swapped)
