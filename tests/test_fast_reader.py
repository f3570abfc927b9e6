"""The fast .xlsx reader (python-calamine plus an XML scan for number formats and errors)
reads exactly what the openpyxl reader reads, and hands over to it when it cannot."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from reconciler.sheets import grid as sheetgrid
from reconciler.sheets.read import read_sheet


def varied_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "Hidden"
    hidden["A1"] = "not me"
    hidden.sheet_state = "hidden"
    ws = wb.create_sheet("Data")
    ws["C3"] = "Title far from A1"
    headers = ["int", "float", "big", "padded", "text", "date", "datetime", "time", "bool", "error", "pct", "name"]
    for col, header in enumerate(headers, start=3):
        ws.cell(5, col, header)
    rows = [
        [13800138000, 2.5, 110105194912310021.0, 123, "00123", dt.date(2024, 3, 1), dt.datetime(2024, 3, 1, 9, 30),
         dt.time(8, 5), True, "#N/A", 0.125, "张三"],
        [-7, 0.1 + 0.2, 1e20, 7, "  spaced  ", dt.datetime(2024, 3, 2), None, None, False, "#DIV/0!", 1, "Beijing"],
        [None] * 12,
        [0, 1.5e-7, 12.0, 12.6, "=not a formula", None, None, None, None, None, None, "Beijing"],
    ]
    for offset, values in enumerate(rows):
        for col, value in enumerate(values, start=3):
            if value is not None:
                ws.cell(6 + offset, col, value)
    for row in range(6, 10):
        ws.cell(row, 6).number_format = "000000"
        ws.cell(row, 7).number_format = "@"
        ws.cell(row, 13).number_format = "0.0%"
        if ws.cell(row, 12).value:
            ws.cell(row, 12).data_type = "e"
    ws["O11"].fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")  # formatted, empty
    wb.save(path)
    return path


def read_both(path: Path, monkeypatch, **kw):
    sheetgrid._CalamineGrid(path, kw.get("sheet")).close()  # the fast path takes this file (no silent fallback)
    fast = read_sheet(path, **kw)
    with monkeypatch.context() as patched:
        def refuse(*args):
            raise sheetgrid.ooxml.PackageError("use openpyxl")

        patched.setattr(sheetgrid, "_CalamineGrid", refuse)
        slow = read_sheet(path, **kw)
    return fast, slow


def test_same_sheet_as_the_openpyxl_reader(tmp_path, monkeypatch):
    fast, slow = read_both(varied_workbook(tmp_path / "in.xlsx"), monkeypatch, required_headers=["int", "name"])
    assert (fast.name, fast.header_row, fast.headers) == (slow.name, slow.header_row, slow.headers) == (
        "Data", 5, [""] * 2 + ["int", "float", "big", "padded", "text", "date", "datetime", "time", "bool", "error",
                               "pct", "name"])
    assert [r.number for r in fast.rows] == [r.number for r in slow.rows] == [6, 7, 9]  # row 8 is blank
    unsaved = []
    for a, b in zip(fast.rows, slow.rows, strict=True):
        for header, cell in a.cells.items():
            if cell.unsaved_formula:  # only the XML scan sees a formula with no saved value: both read it empty
                unsaved.append((a.number, header))
                assert (cell.text, b.cells[header].text) == ("", "")
        assert {h: c for h, c in a.cells.items() if not c.unsaved_formula} == \
               {h: c for h, c in b.cells.items() if not a.cells[h].unsaved_formula}, a.number
    assert unsaved == [(9, "text")]  # "=not a formula": openpyxl saved it as a formula, never calculated
    first = {h: c.text for h, c in fast.rows[0].cells.items()}
    assert (first["int"], first["big"], first["padded"], first["error"]) == ("13800138000", "110105194912310000",
                                                                             "000123", "#N/A")
    assert fast.rows[0].get("date").value == dt.datetime(2024, 3, 1)  # a datetime, as openpyxl gives it
    assert fast.rows[1].get("error").text == "#DIV/0!"


def test_hidden_first_sheet_and_sheet_by_name(tmp_path, monkeypatch):
    path = varied_workbook(tmp_path / "in.xlsx")
    fast, slow = read_both(path, monkeypatch, sheet="Hidden")
    assert fast.headers == slow.headers == ["not me"]
    assert read_sheet(path).name == "Data"


def test_equal_texts_share_one_cell_and_unique_ones_do_not_fill_a_cache(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mobile", "City"])
    for n in range(3000):
        ws.append([f"138{n:08d}", "Beijing" if n % 2 else "Shanghai"])
    wb.save(tmp_path / "in.xlsx")
    rows = read_sheet(tmp_path / "in.xlsx").rows
    assert rows[1].get("City") is rows[3].get("City")
    assert len({id(r.get("City")) for r in rows}) == 2
    assert [r.get("Mobile").text for r in rows[:2]] == ["13800000000", "13800000001"]


def test_cells_without_references(tmp_path):
    """Cell positions may be left implicit (legal OOXML): calamine reads them; a styled one,
    whose format the XML scan must place, sends the file to openpyxl."""
    path = tmp_path / "in.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["手机号", "姓名", "工号"])
    wb.active.append(["13800138000", "张三", 42])
    wb.save(path)
    styled = tmp_path / "styled.xlsx"
    wb.active["C2"].number_format = "000000"
    wb.save(styled)
    for source, fast in ((path, True), (styled, False)):
        stripped = tmp_path / f"stripped_{source.name}"
        with zipfile.ZipFile(source) as before, zipfile.ZipFile(stripped, "w") as after:
            for item in before.infolist():
                data = before.read(item.filename)
                if item.filename.startswith("xl/worksheets/"):
                    data = re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", data)
                after.writestr(item, data)
        if fast:
            sheetgrid._CalamineGrid(stripped, None).close()
        else:
            with pytest.raises(sheetgrid.ooxml.NeedsFullReader):
                sheetgrid._CalamineGrid(stripped, None)
        sheet = read_sheet(stripped)
        assert sheet.headers == ["手机号", "姓名", "工号"]
        row = {h: c.text for h, c in sheet.rows[0].cells.items()}
        assert row == {"手机号": "13800138000", "姓名": "张三", "工号": "42" if fast else "000042"}


@pytest.mark.parametrize("fmt", ["0.00", "yyyy-mm-dd", "@", "000"])
def test_few_or_many_styled_columns_give_the_same_formats(tmp_path, monkeypatch, fmt):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([f"h{n}" for n in range(12)])
    for r in range(2, 6):
        for c in range(1, 13):
            cell = ws.cell(r, c, r * c)
            cell.number_format = fmt if c % 2 else f"{fmt};[Red]-{fmt}" if fmt != "@" else "@"
            cell.font = openpyxl.styles.Font(size=8 + c)  # many distinct styles: the regex scan path
    wb.save(tmp_path / "in.xlsx")
    fast, slow = read_both(tmp_path / "in.xlsx", monkeypatch)
    assert [r.number for r in fast.rows] == [r.number for r in slow.rows] == [2, 3, 4, 5]
    for a, b in zip(fast.rows, slow.rows, strict=True):
        assert a.cells == b.cells
    assert fast.rows[1].get("h1").text != ""  # formatted cells were read, not skipped
