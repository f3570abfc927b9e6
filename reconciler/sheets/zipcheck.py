"""Refusing an .xlsx that cannot be read right, before reading it: parts that would
unpack to more than a computer can hold, and the Strict Open XML format.

An .xlsx is a zip file. A crafted or broken one ("zip bomb") packs gigabytes of
repeated XML into a few kilobytes; reading it would end in a crash or exhaust the
memory. The sizes and ratios a zip file declares are checked before any part is
read. A real workbook's XML compresses about 5-20 times; a 1,000,000-row sheet
unpacks to a few hundred MB.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from reconciler.errors import SheetError

MAX_UNPACKED_BYTES = 4 * 1024**3  # all parts together
MAX_PART_BYTES = 2 * 1024**3  # any one part
MAX_RATIO = 200  # unpacked / packed, for parts over RATIO_FLOOR
RATIO_FLOOR = 16 * 1024**2  # small parts may compress very well (an empty sheet, styles)


STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/spreadsheetml/main"


def check_package(path: Path) -> None:
    """Raise SheetError when the workbook's parts declare sizes no real workbook has, or
    when it is saved as Strict Open XML (neither calamine nor openpyxl reads it: openpyxl
    would only say it "holds no worksheets")."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_sizes(path, infos)
            workbook = next((i for i in infos if i.filename == "xl/workbook.xml"), None)
            head = archive.open(workbook).read(2048) if workbook is not None and workbook.file_size < 2**26 else b""
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return  # not readable as a zip: the reader's own error says what the file is
    if STRICT_NAMESPACE in head:
        raise SheetError("error.strict_ooxml", name=path.name)


def _check_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    total = sum(info.file_size for info in infos)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_PART_BYTES or (info.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
            raise SheetError("error.zip_part_too_large", name=path.name, part=info.filename,
                             unpacked=f"{info.file_size / 1024**2:,.0f}", packed=f"{info.compress_size / 1024**2:,.1f}")
    if total > MAX_UNPACKED_BYTES:
        raise SheetError("error.zip_too_large", name=path.name, unpacked=f"{total / 1024**3:,.1f}",
                         limit=f"{MAX_UNPACKED_BYTES / 1024**3:.0f}")
