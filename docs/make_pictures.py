"""Make the pictures of docs/: what the HR person sees in the annotated workbook.

    python docs/make_pictures.py            (from the project folder)

Reconciles sample_sheets/onboarding_zh.xlsx with recipes/onboarding.yaml against
the embedded sandbox (no Feishu account), then pictures three sheets of the result:
the reconciled sheet (入职名单; the columns that say who, the statuses and the notes),
the review sheet (待处理) and the Summary (汇总).
Each sheet is saved alone in a workbook of its own, printed to PDF by LibreOffice
(`libreoffice --headless --convert-to pdf`, with the sheet's own print setup: one
page wide) and its first page turned into a PNG by `pdftoppm`.

Needs LibreOffice Calc, poppler-utils and a Chinese font, e.g. on Debian/Ubuntu:
    apt-get install -y libreoffice-calc poppler-utils fonts-wqy-microhei
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl

from reconciler.writers.added import LINE_HEIGHT, wrapped_lines

PROJECT = Path(__file__).resolve().parents[1]
DOCS = PROJECT / "docs"
SAMPLE = PROJECT / "sample_sheets" / "onboarding_zh.xlsx"
RECIPE = PROJECT / "recipes" / "onboarding.yaml"
# sheet -> picture; the reconciled sheet's picture shows its first rows and some of its columns.
PICTURES = {"入职名单": "workbook-reconciled.png", "待处理": "workbook-review.png", "汇总": "workbook-summary.png"}
SHOWN = {"姓名", "手机号", "邮箱", "人才ID", "人才核对状态", "人才核对说明", "任职核对状态", "任职核对说明"}
PICTURE_ROWS = 30
WIDTH = 1400  # pixels: the notes stay legible and each PNG stays well under MAX_BYTES
MAX_BYTES = 300_000


def need(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        sys.exit(f"{program} is missing: apt-get install -y libreoffice-calc poppler-utils fonts-wqy-microhei")
    return found


def reconcile(folder: Path) -> Path:
    sheet = folder / SAMPLE.name
    shutil.copy(SAMPLE, sheet)
    out = folder / "reconciled.xlsx"
    subprocess.run([sys.executable, "-m", "reconciler.cli", "run", str(RECIPE), str(sheet), "--sandbox",
                    "--no-cache", "-q", "-o", str(out)], check=True, cwd=PROJECT)
    return out


def sheet_alone(workbook: Path, name: str, folder: Path) -> Path:
    """The workbook with only `name` left, printed with its grid (a picture needs the cell borders)."""
    book = openpyxl.load_workbook(workbook)
    for other in [s for s in book.sheetnames if s != name]:
        del book[other]
    sheet = book[name]
    sheet.print_options.gridLines = True
    if name == "入职名单":  # the sheet is wide: the picture shows who, the statuses and the notes
        header = {cell.value: cell.column_letter for cell in sheet[3] if cell.value}
        for title, letter in header.items():
            sheet.column_dimensions[letter].hidden = title not in SHOWN
        sheet.print_area = f"A1:{openpyxl.utils.get_column_letter(sheet.max_column)}{PICTURE_ROWS}"
        for row in sheet.iter_rows(min_row=4, max_row=PICTURE_ROWS):  # Excel fits wrapped rows itself; LibreOffice does not
            lines = max((wrapped_lines(str(c.value), sheet.column_dimensions[c.column_letter].width or 8.43)
                         for c in row if c.value is not None and c.alignment.wrap_text), default=1)
            if lines > 1:
                sheet.row_dimensions[row[0].row].height = LINE_HEIGHT * lines
    path = folder / f"{PICTURES[name][:-4]}.xlsx"
    book.save(path)
    return path


def picture(workbook: Path, png: Path, folder: Path) -> None:
    subprocess.run([need("libreoffice"), "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(workbook)],
                   check=True, capture_output=True)
    pdf = folder / f"{workbook.stem}.pdf"
    subprocess.run([need("pdftoppm"), "-png", "-f", "1", "-l", "1", "-scale-to-x", str(WIDTH), "-scale-to-y", "-1",
                    "-singlefile", str(pdf), str(png.with_suffix(""))], check=True)
    trimmed = _trim(png)
    if trimmed.stat().st_size > MAX_BYTES:
        sys.exit(f"{png.name} is {trimmed.stat().st_size // 1000} KB, over {MAX_BYTES // 1000} KB: lower WIDTH")


def _trim(png: Path) -> Path:
    """Cut the page's empty margins and store the PNG with few colours (a table needs few)."""
    try:
        from PIL import Image, ImageChops
    except ImportError:  # Pillow is optional: the page as pdftoppm made it
        return png
    image = Image.open(png).convert("RGB")
    background = Image.new("RGB", image.size, (255, 255, 255))
    box = ImageChops.difference(image, background).getbbox()
    if box:
        left, top, right, bottom = box
        image = image.crop((max(left - 12, 0), max(top - 12, 0), min(right + 12, image.width),
                            min(bottom + 12, image.height)))
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(png, optimize=True)
    return png


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="reconciler-pictures-") as scratch:
        folder = Path(scratch)
        reconciled = reconcile(folder)
        for name, png in PICTURES.items():
            picture(sheet_alone(reconciled, name, folder), DOCS / png, folder)
            print(f"wrote docs/{png} ({(DOCS / png).stat().st_size // 1000} KB)")


if __name__ == "__main__":
    main()
