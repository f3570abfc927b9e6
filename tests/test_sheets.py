"""reconciler.sheets: real .xlsx / .csv files written into tmp_path."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from reconciler.errors import SheetError
from reconciler.model import Cell
from reconciler.sheets.read import cell_text, list_headers, read_sheet


def write_xlsx(path: Path, sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        worksheet = workbook.create_sheet(name)
        for row in rows:
            worksheet.append(row)
        if name in hidden:
            worksheet.sheet_state = "hidden"
    workbook.save(path)
    return path


def texts(row) -> dict[str, str]:
    return {header: cell.text for header, cell in row.cells.items()}


# ---------------------------------------------------------------- header row


def test_auto_header_below_title_rows(tmp_path):
    path = write_xlsx(
        tmp_path / "in.xlsx",
        {
            "Candidates": [
                ["2024 onboarding list"],
                [],
                ["姓名", "手机号", "邮箱"],
                ["张三", "13800138000", "a@example.com"],
            ]
        },
    )
    sheet = read_sheet(path, required_headers=["手机号", " 邮箱 "])
    assert (sheet.name, sheet.header_row, sheet.headers) == ("Candidates", 3, ["姓名", "手机号", "邮箱"])
    assert [r.number for r in sheet.rows] == [4]
    assert texts(sheet.rows[0]) == {"姓名": "张三", "手机号": "13800138000", "邮箱": "a@example.com"}


def test_auto_without_required_headers_takes_first_non_blank_row(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", {"S": [[], [None, "  Name  ", "Mobile"], [None, "Li", "139"]]})
    sheet = read_sheet(path)
    assert sheet.header_row == 2
    assert sheet.headers == ["", "Name", "Mobile"]  # trimmed; blank column A kept as ""
    assert texts(sheet.rows[0]) == {"Name": "Li", "Mobile": "139"}  # blank header not in cells


def test_header_row_by_number(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", {"S": [["A", "B"], ["姓名", "手机号"], ["王五", "13900139000"]]})
    sheet = read_sheet(path, header_row=2)
    assert sheet.header_row == 2
    assert sheet.headers == ["姓名", "手机号"]
    assert [(r.number, texts(r)) for r in sheet.rows] == [(3, {"姓名": "王五", "手机号": "13900139000"})]


def test_header_row_number_missing_required_header_lists_headers(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", {"S": [["姓名", "电话"], ["x", "y"]]})
    with pytest.raises(SheetError, match=r"row 1 of sheet 'S' in in.xlsx has no column 手机号; its headers are: 姓名, 电话"):
        read_sheet(path, header_row=1, required_headers=["手机号"])


def test_header_row_number_pointing_at_empty_row(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", {"S": [["姓名"], [], ["x"]]})
    with pytest.raises(SheetError, match=r"row 2 of sheet 'S' in in.xlsx is empty"):
        read_sheet(path, header_row=2)


def test_header_not_found_says_what_the_sheet_has(tmp_path):
    rows = [["Staff list"], ["姓名", "电话", "Email"]] + [["x", "y", "z"]] * 25
    path = write_xlsx(tmp_path / "people.xlsx", {"Data": rows})
    with pytest.raises(SheetError) as caught:
        read_sheet(path, required_headers=["手机号", "邮箱"])
    message = str(caught.value)
    assert message.startswith(
        "no row within the first 20 of sheet 'Data' in people.xlsx holds all the headers: 手机号, 邮箱; "
        "the row with the most filled cells (row 2) has: 姓名, 电话, Email"
    )
    assert "header row" in message  # tells the user what to change


def test_header_beyond_row_20_is_not_found(tmp_path):
    rows = [["filler"]] * 20 + [["手机号"], ["13800138000"]]
    path = write_xlsx(tmp_path / "in.xlsx", {"S": rows})
    with pytest.raises(SheetError, match="no row within the first 20"):
        read_sheet(path, required_headers=["手机号"])
    assert read_sheet(path, header_row=21, required_headers=["手机号"]).rows[0].get("手机号").text == "13800138000"


def test_duplicate_header_reads_first_column_and_warns(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", {"S": [["手机号", "姓名", "手机号"], ["13800138000", "x", "13900139000"]]})
    sheet = read_sheet(path)
    assert sheet.rows[0].get("手机号").text == "13800138000"
    assert sheet.column_index("手机号") == 0
    assert len(sheet.warnings) == 1
    assert "'手机号' appears in both column A and column C; only column A is read" in sheet.warnings[0]


# ---------------------------------------------------------------- sheets


def test_sheet_by_name_and_default_first_visible(tmp_path):
    path = write_xlsx(
        tmp_path / "in.xlsx",
        {"Hidden": [["h"], ["1"]], "First": [["f"], ["2"]], "Second": [["s"], ["3"]]},
        hidden=("Hidden",),
    )
    assert read_sheet(path, sheet="Second").rows[0].get("s").text == "3"
    assert read_sheet(path, sheet=" second ").name == "Second"  # case and spaces forgiven when unique
    default = read_sheet(path)
    assert default.name == "First"
    assert default.rows[0].get("f").text == "2"


def test_missing_sheet_lists_sheet_names(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", {"Candidates": [["a"]], "候选人": [["b"]]})
    with pytest.raises(SheetError, match=r"in.xlsx has no sheet named 'Nope'; its sheets are: 'Candidates', '候选人'"):
        read_sheet(path, sheet="Nope")


def test_empty_sheet_is_an_error(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", {"Empty": [], "Data": [["a"], ["1"]]})
    with pytest.raises(SheetError, match=r"sheet 'Empty' in in.xlsx is empty; choose the sheet that holds the data"):
        read_sheet(path)
    csv_path = tmp_path / "blank.csv"
    csv_path.write_text("\n,,\n\n", encoding="utf-8")
    with pytest.raises(SheetError, match=r"blank.csv is empty"):
        read_sheet(csv_path)


def test_data_starting_below_row_20_without_header_row(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", {"S": [[]] * 22 + [["手机号"], ["13800138000"]]})
    with pytest.raises(SheetError, match=r"sheet 'S' in in.xlsx has nothing in its first 20 rows; move the header"):
        read_sheet(path)


# ---------------------------------------------------------------- cell rendering


def test_cells_render_as_a_person_sees_them(tmp_path):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "S"
    ws.append(["int", "float", "sci", "id", "padded", "text_fmt", "date", "datetime", "bool", "ratio"])
    ws.append(
        [
            13800138000,
            13800138000.0,
            1.3800138e10,
            110105194912310021.0,
            123,
            "00123",
            dt.date(2024, 3, 1),
            dt.datetime(2024, 3, 1, 9, 30, 5),
            True,
            0.1 + 0.2,
        ]
    )
    ws["E2"].number_format = "000000"
    ws["F2"].number_format = "@"
    ws.append([None, None, None, None, None, None, dt.datetime(2024, 3, 2), None, False, 2.5])
    path = tmp_path / "in.xlsx"
    workbook.save(path)

    sheet = read_sheet(path)
    first, second = sheet.rows
    assert texts(first) == {
        "int": "13800138000",
        "float": "13800138000",
        "sci": "13800138000",
        "id": "110105194912310000",  # what Excel shows: 15 significant digits
        "padded": "000123",
        "text_fmt": "00123",
        "date": "2024-03-01",
        "datetime": "2024-03-01 09:30:05",
        "bool": "TRUE",
        "ratio": "0.3",
    }
    assert first.get("float").value == 13800138000.0 and first.get("float").is_number
    assert first.get("padded").number_format == "000000"
    assert first.get("text_fmt").number_format == "@" and not first.get("text_fmt").is_number
    assert isinstance(first.get("datetime").value, dt.datetime)
    assert texts(second)["date"] == "2024-03-02"
    assert texts(second)["bool"] == "FALSE"
    assert texts(second)["ratio"] == "2.5"
    assert second.get("int").is_blank


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (None, None, ""),
        (1e20, None, "100000000000000000000"),
        (-42.0, None, "-42"),
        (0.000015, None, "0.000015"),
        (7, "00000", "00007"),
        (12.6, "000", "013"),
        (dt.time(8, 5), None, "08:05:00"),
        ("  keep inner  ", None, "  keep inner  "),
        ("line\r", None, "line"),  # Excel's _x000D_ at the end of a cell
        ("a\r\nb", None, "a\r\nb"),
    ],
)
def test_cell_text(value, fmt, text):
    assert cell_text(value, fmt) == text


def test_blank_rows_dropped_non_blank_rows_keep_their_numbers(tmp_path):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["姓名", "手机号"])
    ws.append(["a", "1"])
    ws.append([None, None])
    ws.append(["", "   "])  # only spaces: blank too
    ws.append(["b", "2"])
    ws["A10"].fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")  # formatted but empty
    ws["C12"] = "beside the table, under no header"
    path = tmp_path / "in.xlsx"
    workbook.save(path)

    sheet = read_sheet(path)
    assert [r.number for r in sheet.rows] == [2, 5]  # rows 3 and 4 are blank: the writers leave them so
    assert texts(sheet.rows[1]) == {"姓名": "b", "手机号": "2"}
    assert sheet.blank_formula_rows == []


def test_blank_rows_with_a_formula_without_a_saved_value_are_kept_apart(tmp_path):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["姓名", "手机号"])
    ws.append(["a", "1"])
    ws.append([None, "=1+1"])  # openpyxl saves no value: read as blank, but Excel shows one
    ws.append(["b", "2"])
    ws.append([None, "=2+2"])  # after the last non-blank row: not counted
    path = tmp_path / "in.xlsx"
    workbook.save(path)

    sheet = read_sheet(path)
    assert [r.number for r in sheet.rows] == [2, 4]
    assert [r.number for r in sheet.blank_formula_rows] == [3]
    assert sheet.blank_formula_rows[0].get("手机号").unsaved_formula
    assert [r.number for r in sheet.rows_as_read()] == [2, 3, 4]


def test_wrong_stored_dimension_still_reads_every_row(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", {"S": [["h"]] + [[str(i)] for i in range(1, 6)]})
    patched = tmp_path / "patched.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, count = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', data)
                assert count == 1
            target.writestr(item, data)
    assert [r.get("h").text for r in read_sheet(patched).rows] == ["1", "2", "3", "4", "5"]


def test_reading_never_modifies_the_file(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", {"S": [["手机号"], [13800138000], [None], ["x"]]})
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    read_sheet(path)
    list_headers(path)
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx"]


def test_list_headers(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", {"Other": [["x"]], "Main": [["title"], ["姓名", "手机号", None, "邮箱"]]})
    assert list_headers(path, sheet="Main", required_headers=["邮箱"]) == ("Main", 2, ["姓名", "手机号", "", "邮箱"])
    csv_path = tmp_path / "in.csv"
    csv_path.write_text("a,b\n1,2\n", encoding="utf-8")
    assert list_headers(csv_path) == (None, 1, ["a", "b"])


# ---------------------------------------------------------------- csv


def test_csv_utf8_with_bom(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes("\ufeff姓名,手机号,备注\r\n张三,13800138000,\"a, b\"\r\n,,\r\n李四,13900139000,O'Brien\r\n".encode())
    sheet = read_sheet(path, required_headers=["手机号"])
    assert sheet.name is None
    assert sheet.headers == ["姓名", "手机号", "备注"]
    assert [r.number for r in sheet.rows] == [2, 4]  # row 3 is blank
    assert texts(sheet.rows[0]) == {"姓名": "张三", "手机号": "13800138000", "备注": "a, b"}
    assert texts(sheet.rows[1])["备注"] == "O'Brien"
    assert not sheet.rows[0].get("手机号").is_number  # csv cells are text


def test_csv_gb18030_and_semicolons(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes("姓名;手机号\n王五;13700137000\n".encode("gb18030"))
    sheet = read_sheet(path)
    assert texts(sheet.rows[0]) == {"姓名": "王五", "手机号": "13700137000"}


def test_csv_tab_separated_short_rows_padded(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("a\tb\tc\n1\t2\n", encoding="utf-8")
    assert texts(read_sheet(path).rows[0]) == {"a": "1", "b": "2", "c": ""}


# ---------------------------------------------------------------- unreadable inputs


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sheet.xls", "sheet.xls is an old Excel 97-2003 file; open it in Excel and save it as .xlsx (Excel Workbook), then run again"),
        ("sheet.ods", "sheet.ods is an OpenDocument"),
        ("sheet.numbers", "sheet.numbers is an Apple Numbers file"),
        ("sheet.txt", "sheet.txt is not a spreadsheet reconciler reads"),
    ],
)
def test_unsupported_formats(tmp_path, name, expected):
    path = tmp_path / name
    path.write_bytes(b"anything")
    with pytest.raises(SheetError) as caught:
        read_sheet(path)
    assert str(caught.value).startswith(expected)


def test_missing_file(tmp_path):
    with pytest.raises(SheetError, match=r"nope.xlsx does not exist; check the file name"):
        read_sheet(tmp_path / "nope.xlsx")


def test_directory(tmp_path):
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    with pytest.raises(SheetError, match=r"folder.xlsx is a folder, not a spreadsheet"):
        read_sheet(folder)


def test_corrupt_xlsx(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a zip file at all")
    with pytest.raises(SheetError, match=r"broken.xlsx is damaged or not an Excel workbook"):
        read_sheet(path)
    zipped = tmp_path / "zipped.xlsx"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "a zip, but no workbook inside")
    with pytest.raises(SheetError, match=r"zipped.xlsx is damaged or not an Excel workbook"):
        read_sheet(zipped)


def test_password_protected_xlsx(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    path = tmp_path / "secret.xlsx"
    path.write_bytes(ole + "EncryptionInfo".encode("utf-16-le") + b"\0" * 512)
    with pytest.raises(SheetError, match=r"secret.xlsx is password-protected; open it in Excel, remove the password"):
        read_sheet(path)
    unknown = tmp_path / "renamed.xlsx"
    unknown.write_bytes(ole)
    with pytest.raises(SheetError, match=r"renamed.xlsx is password-protected or an old Excel 97-2003 file"):
        list_headers(unknown)


def test_empty_file_and_xlsx_named_csv(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(SheetError, match=r"empty.csv is empty \(0 bytes\)"):
        read_sheet(empty)
    workbook = write_xlsx(tmp_path / "book.xlsx", {"S": [["a"]]})
    renamed = workbook.rename(tmp_path / "book.csv")
    with pytest.raises(SheetError, match=r"book.csv is an Excel workbook, not text; rename it to .xlsx"):
        read_sheet(renamed)


def test_csv_cell_over_the_csv_modules_default_field_limit_is_read_whole(tmp_path):
    path = tmp_path / "long.csv"
    path.write_bytes(b'a,b\n1,"' + b"x" * 200_000 + b'"\n')  # the csv module refuses fields over 128 KiB by default
    sheet = read_sheet(path)
    assert [row.get("b").text for row in sheet.rows] == ["x" * 200_000]


def test_csv_with_a_nul_byte_is_refused(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b'a,b\n1,x\x00y\n')
    with pytest.raises(SheetError, match=r"binary.csv cannot be read as CSV"):
        read_sheet(path)


def test_csv_in_unknown_encoding(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes(b"a,b\n\x81\x30\xff\xff,2\n")
    with pytest.raises(SheetError, match=r"odd.csv is neither UTF-8 nor GB18030"):
        read_sheet(path)


def test_bad_header_row_argument(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", {"S": [["a"]]})
    with pytest.raises(SheetError, match="header_row must be a row number"):
        read_sheet(path, header_row=0)


def test_cell_model_is_what_reader_returns(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", {"S": [["手机号"], [13800138000]]})
    cell = read_sheet(path).rows[0].get("手机号")
    assert cell == Cell(13800138000, "13800138000", "General")
