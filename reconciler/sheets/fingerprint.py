"""Proving the input did not change between reading it and copying it.

The sheet is read at the start of a run and copied into the annotated workbook at
the end, with each row's results joined by row number. If the file is saved in
between (Excel's autosave, a colleague), rows may have moved: statuses would land
on the wrong people. The input's size, modification time and SHA-256 are taken
before it is read and checked again before anything is written.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import SheetError


@dataclass(frozen=True)
class Fingerprint:
    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: Path) -> Fingerprint:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return cls(stat.st_size, stat.st_mtime_ns, digest.hexdigest())

    def check(self, path: Path) -> None:
        """SheetError when `path` is gone or no longer holds what was read."""
        try:
            now = Fingerprint.of(path)
        except FileNotFoundError:
            raise SheetError("error.input_gone", name=path.name) from None
        except OSError as exc:
            raise SheetError("error.input_unreadable_again", name=path.name, reason=exc.strerror or str(exc)) from None
        if now.sha256 != self.sha256:
            raise SheetError("error.input_changed", name=path.name)
