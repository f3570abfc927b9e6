"""Issue 7: the bad-input catalogue. Each case: one clear sentence, the right exit code,
no traceback, and the input file unchanged. The README lists the same catalogue."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli

RECIPE = "version: 1\nname: catalogue\ntalent:\n  inputs:\n    mobile: 手机号\n    email: 邮箱\n  columns: {talent_id: Talent ID}\n"


def sheet(path: Path, rows, *, title="名单", extra=None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    if extra:
        extra(wb, ws)
    wb.save(path)
    return path


GOOD = [["姓名", "手机号", "邮箱"], ["张伟", "13800138001", "zhang.wei@example.com"]]


def run(tmp_path, input_path, *args, recipe_text=RECIPE, env=None):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(recipe_text, encoding="utf-8")
    env = {"RECONCILER_CACHE_PATH": str(tmp_path / "cache.sqlite"), "LANG": "en_US.UTF-8", **(env or {})}
    return CliRunner().invoke(cli, ["run", str(recipe), str(input_path), "--sandbox", *map(str, args)], env=env)


def digest(path: Path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def expect(result, code, *phrases):
    text = result.output
    assert result.exit_code == code, text
    assert "Traceback" not in text
    for phrase in phrases:
        assert phrase.lower() in text.lower(), f"{phrase!r} not in {text!r}"


def xlsx_bytes(rows=GOOD) -> bytes:
    buffer = io.BytesIO()
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(buffer)
    return buffer.getvalue()


# -- the input file ---------------------------------------------------------------------------------

def test_missing_file(tmp_path):
    expect(run(tmp_path, tmp_path / "nope.xlsx"), 2, "nope.xlsx")


def test_not_a_spreadsheet(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    expect(run(tmp_path, path), 2, "notes.txt")
    fake = tmp_path / "fake.xlsx"
    fake.write_text("this is not a workbook")
    expect(run(tmp_path, fake), 2, "fake.xlsx")


def test_truncated_xlsx(tmp_path):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(xlsx_bytes()[:2000])
    before = digest(path)
    expect(run(tmp_path, path), 2, "cut.xlsx")
    assert digest(path) == before


def test_password_protected_xlsx(tmp_path):
    path = tmp_path / "locked.xlsx"
    # An encrypted workbook is an OLE compound file holding EncryptionInfo, not a zip.
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 1024)
    expect(run(tmp_path, path), 2, "password")


def test_old_xls(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048)
    expect(run(tmp_path, path), 2, ".xlsx")


def test_xlsm_keeps_its_macros(tmp_path):
    plain = sheet(tmp_path / "plain.xlsx", GOOD)
    path = tmp_path / "macro.xlsm"
    vba = b"VBA-PROJECT-BYTES" * 64
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                data = data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
            dst.writestr(item, data)
        dst.writestr("xl/vbaProject.bin", vba)
    before = digest(path)
    result = run(tmp_path, path)
    expect(result, 0)
    assert digest(path) == before
    out = tmp_path / "macro.reconciled.xlsm"
    with zipfile.ZipFile(out) as z:
        assert z.read("xl/vbaProject.bin") == vba


def test_empty_workbook(tmp_path):
    expect(run(tmp_path, sheet(tmp_path / "empty.xlsx", [])), 2, "empty")


def test_empty_sheet_named_in_the_recipe(tmp_path):
    def add(wb, ws):
        wb.create_sheet("空表")
    path = sheet(tmp_path / "two.xlsx", GOOD, extra=add)
    expect(run(tmp_path, path, recipe_text=RECIPE + "source: {sheet: 空表}\n"), 2, "空表")


def test_sheet_name_not_found(tmp_path):
    path = sheet(tmp_path / "s.xlsx", GOOD)
    expect(run(tmp_path, path, recipe_text=RECIPE + "source: {sheet: Candidates}\n"), 2, "Candidates", "名单")


def test_header_not_found(tmp_path):
    path = sheet(tmp_path / "s.xlsx", [["Name", "Phone", "Mail"], ["x", "13800138001", "a@b.cn"]])
    expect(run(tmp_path, path), 2, "recipe.yaml:5", "手机号", "Name, Phone, Mail")


def test_header_missing_below_a_title_row_lists_the_closest_row(tmp_path):
    path = sheet(tmp_path / "s.xlsx", [["2026 入职名单"], [], ["姓名", "手机号", "Email"], ["x", "13800138001", "a@b.cn"]])
    result = run(tmp_path, path)
    expect(result, 2, "recipe.yaml:6", "邮箱", "姓名, 手机号, Email")
    assert "2026 入职名单" not in result.output


def test_duplicate_mapped_header(tmp_path):
    path = sheet(tmp_path / "s.xlsx", [["姓名", "手机号", "邮箱", "手机号"], ["x", "13800138001", "a@b.cn", "13900000000"]])
    expect(run(tmp_path, path), 2, "手机号", "twice")


def test_duplicate_unmapped_header_is_only_a_warning(tmp_path):
    path = sheet(tmp_path / "s.xlsx", [["备注", "手机号", "邮箱", "备注"], ["x", "13800138001", "zhang.wei@example.com", "y"]])
    result = run(tmp_path, path)
    expect(result, 0, "备注")


def test_merged_header_cells(tmp_path):
    def merge(wb, ws):
        ws.insert_rows(1)
        ws["A1"] = "基本信息"
        ws.merge_cells("A1:C1")
    path = sheet(tmp_path / "s.xlsx", GOOD, extra=merge)
    expect(run(tmp_path, path), 0)
    ws = openpyxl.load_workbook(tmp_path / "s.reconciled.xlsx")["名单"]
    header = [c.value for c in ws[2]]
    assert ws.cell(3, header.index("Talent status") + 1).value == "Matched"


def test_formula_cells_without_cached_values(tmp_path):
    def formulas(wb, ws):
        ws["B2"] = '="138"&"00138001"'  # openpyxl saves formulas without a computed value
    path = sheet(tmp_path / "s.xlsx", GOOD, extra=formulas)
    result = run(tmp_path, path)
    expect(result, 0, "formulas without a saved value")  # the summary warns; the row cannot be looked up by that cell
    ws = openpyxl.load_workbook(tmp_path / "s.reconciled.xlsx")["名单"]
    header = [c.value for c in ws[1]]
    note = ws.cell(2, header.index("Talent note") + 1).value or ""
    assert "formula" in note.lower()


def test_a_formula_without_a_cached_value_alone_in_its_row(tmp_path):
    """That row reads as blank (not reconciled, left as it is), but the warning still counts its cell."""
    def formulas(wb, ws):
        ws["B3"] = '="138"&"00138002"'
        ws.append(["李娜", "13800138003", "li.na@example.com"])
    path = sheet(tmp_path / "s.xlsx", GOOD, extra=formulas)
    result = run(tmp_path, path)
    expect(result, 0, "1 cells of the mapped columns are formulas without a saved value (first: B3)")
    ws = openpyxl.load_workbook(tmp_path / "s.reconciled.xlsx")["名单"]
    header = [c.value for c in ws[1]]
    status = header.index("Talent status") + 1
    assert [ws.cell(r, status).value for r in (2, 3, 4)] == ["Matched", None, ws.cell(4, status).value]
    assert ws.cell(4, status).value is not None


def test_18_digit_id_typed_as_a_number(tmp_path):
    recipe = "version: 1\ntalent:\n  inputs:\n    id_number: 证件号\n"
    path = sheet(tmp_path / "s.xlsx", [["证件号"], [110101199003070011]])
    expect(run(tmp_path, path, recipe_text=recipe), 0)
    ws = openpyxl.load_workbook(tmp_path / "s.reconciled.xlsx")["名单"]
    assert ws["B2"].value == "Invalid" and "15 significant digits" in ws["C2"].value


def test_a_one_megabyte_cell(tmp_path):
    path = sheet(tmp_path / "s.xlsx", [["姓名", "手机号", "邮箱", "备注"],
                                       ["x", "13800138001", "zhang.wei@example.com", "长" * 1_000_000]])
    expect(run(tmp_path, path), 0)


def test_a_value_in_the_last_row_of_the_sheet(tmp_path):
    def last(wb, ws):
        ws.cell(1_048_576, 1, "stray")
    path = sheet(tmp_path / "s.xlsx", GOOD, extra=last)
    expect(run(tmp_path, path), 0)
    ws = openpyxl.load_workbook(tmp_path / "s.reconciled.xlsx", read_only=True)["名单"]
    assert ws.max_row == 1_048_576


# -- the output -------------------------------------------------------------------------------------

def test_output_not_writable(tmp_path):
    path = sheet(tmp_path / "s.xlsx", GOOD)
    (tmp_path / "a-file").write_text("x")
    expect(run(tmp_path, path, "-o", tmp_path / "a-file" / "out.xlsx"), 1, "out.xlsx")


def test_output_open_in_excel(tmp_path):
    path = sheet(tmp_path / "s.xlsx", GOOD)
    (tmp_path / "s.reconciled.xlsx").write_bytes(b"old")
    (tmp_path / "~$s.reconciled.xlsx").write_bytes(b"lock")  # what Excel leaves while the file is open
    expect(run(tmp_path, path), 1, "excel")
    assert (tmp_path / "s.reconciled.xlsx").read_bytes() == b"old"


def test_output_equal_to_input(tmp_path):
    path = sheet(tmp_path / "s.xlsx", GOOD)
    before = digest(path)
    expect(run(tmp_path, path, "-o", path), 2, "overwrite the input")
    assert digest(path) == before


# -- the recipe ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "phrases"), [
    ("version: 1\ntalent: [unclosed\n", ["recipe.yaml:"]),
    ("version: 1\ntalent:\n  inputs:\n    mobile: 手机号\n  mode: 3\n", ["recipe.yaml:5", "talent.mode"]),
    ("version: 1\ntalent:\n  inputs:\n    mobile: 手机号\n  colums: {}\n", ["recipe.yaml:5", "colums", "columns"]),
    ("version: 1\ntalent:\n  inputs:\n    phone: 手机号\n", ["recipe.yaml:4", "phone", "mobile"]),
    ("version: 1\ntalent:\n  inputs:\n    mobile: 手机号\noutput:\n  writers: [xlsx, pdf]\n", ["recipe.yaml:6", "pdf"]),
    ("version: 1\ntalent:\n  inputs:\n    mobile: ${NO_SUCH_VARIABLE_X}\n", ["recipe.yaml:4", "NO_SUCH_VARIABLE_X"]),
    ("version: 1\nname: nothing to do\n", ["talent", "job_data"]),
])
def test_recipe_errors(tmp_path, text, phrases):
    path = sheet(tmp_path / "s.xlsx", GOOD)
    expect(run(tmp_path, path, recipe_text=text), 2, *phrases)
