"""Refusing an .xlsx whose parts would unpack to more than a computer can hold.

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


def check_unpacked_size(path: Path) -> None:
    """Raise SheetError when the workbook's parts declare sizes no real workbook has."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not readable as a zip: the reader's own error says what the file is
    total = sum(info.file_size for info in infos)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_PART_BYTES or (info.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
            raise SheetError("error.zip_part_too_large", name=path.name, part=info.filename,
                             unpacked=f"{info.file_size / 1024**2:,.0f}", packed=f"{info.compress_size / 1024**2:,.1f}")
    if total > MAX_UNPACKED_BYTES:
        raise SheetError("error.zip_too_large", name=path.name, unpacked=f"{total / 1024**3:,.1f}",
                         limit=f"{MAX_UNPACKED_BYTES / 1024**3:.0f}")
