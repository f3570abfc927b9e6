"""Reading a .csv file as a grid of text cells, refusing what would read wrongly.

A CSV has no encoding mark and no structure check, so a file that decodes or
parses wrongly still gives rows: garbled names, or the rows after a stray quote
swallowed into one cell. Both would be reconciled silently and wrongly, so they
are refused here, naming the line to fix.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from reconciler.errors import SheetError
from reconciler.model import BLANK, Cell

# The csv module refuses fields over 128 KiB by default. A cell of a real export can
# be longer (pasted notes); Excel's own limit is 32,767 characters, a sheet's whole
# text is already in memory, so no smaller cap protects anything.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class CsvGrid:
    """A .csv file: every cell is text, exactly as written."""

    name = None

    def __init__(self, path: Path):
        data = path.read_bytes()
        if data.startswith(b"PK\x03\x04"):
            raise SheetError("error.csv_is_workbook", name=path.name)
        text = _decode(path, data)
        if "\x00" in text:  # no text export holds one: a binary file, or UTF-16 without its mark
            line = text.count("\n", 0, text.index("\x00")) + 1
            raise SheetError("error.csv_nul", name=path.name, line=line)
        delimiter = _delimiter(text)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        records: list[list[str]] = []
        line = 1  # where the record being read starts
        try:
            for record in reader:
                records.append(record)
                line = reader.line_num + 1
        except csv.Error as exc:  # a stray quote, or a NUL byte: not a clean text export
            raise SheetError("error.csv_open_quote", name=path.name, line=line) from exc
        _check_swallowed_rows(path, text, records, delimiter)
        self._records = records

    def rows(self, first: int, last: int | None, width: int | None) -> Iterator[list[Cell]]:
        for record in self._records[first - 1 : last]:
            cells = [Cell(v, v) if v else BLANK for v in record[:width]]
            if width is not None and len(cells) < width:
                cells.extend([BLANK] * (width - len(cells)))
            yield cells

    def close(self) -> None:
        self._records = []


def _delimiter(text: str) -> str:
    """`,`, `;` or tab. Only the delimiter is sniffed: csv.Sniffer's guesses of the
    quote character go wrong on names like O'Brien, so quoting stays Excel's."""
    lines = [line for line in text[:65536].splitlines() if line.strip()][:10]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t").delimiter
    except csv.Error:
        header = lines[0] if lines else ""
        counts = {d: header.count(d) for d in ",;\t"}
        return max(counts, key=lambda d: (counts[d], d == ","))


def _check_swallowed_rows(path: Path, text: str, records: list[list[str]], delimiter: str) -> None:
    """A quoted cell that holds whole rows: a stray quote opened it and a later one closed it.

    A real multi-line cell (an address) has line breaks, but its lines do not each
    look like a row of the file (as many delimiters as the header has, or more).
    """
    width = max((len(r) for r in records[:20]), default=0)
    if width < 3:
        return
    line = 1
    for record in records:
        for value in record:
            if "\n" in value or "\r" in value:
                inner = value.splitlines()[1:]
                rowlike = [x for x in inner if x.count(delimiter) >= width - 1]
                if rowlike:
                    raise SheetError("error.csv_swallowed_rows", name=path.name, line=line, lines=len(inner))
        line += 1 + sum(v.count("\n") for v in record)


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (Chinese Excel's "CSV").

    A file that is UTF-8 on most lines but not on some (rows pasted from another
    export) is refused, naming the first such line: decoding it all as GB18030
    would garble every name without a word.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            _refuse_mixed_encodings(path, data)
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError("error.csv_encoding", name=path.name)




def _refuse_mixed_encodings(path: Path, data: bytes) -> None:
    """Some lines are non-ASCII UTF-8 and others are not UTF-8: two encodings in one file."""
    utf8_line = other_line = None
    for number, line in enumerate(data.splitlines(), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other_line = other_line or number
        else:
            utf8_line = utf8_line or number
        if utf8_line and other_line:
            raise SheetError("error.csv_mixed_encodings", name=path.name, utf8_line=utf8_line, other_line=other_line)
