"""Temporary output files that no kill can leave behind.

An output is written to a temporary file beside it and renamed onto it when
complete, so a crash never leaves half a workbook. A named temporary file is
removed by the `finally` of the writer, but SIGKILL (or a power cut) skips every
`finally`, leaving a hidden `.~name.xxxx.xlsx` that holds every phone number of
the sheet. On Linux the temporary file is therefore created *without a name*
(`O_TMPFILE`): a killed process leaves nothing, and the file gets its name only
once complete (`linkat`), immediately renamed onto the output. Writers receive a
path that reopens the same unnamed file (`/proc/self/fd/N`), so any library that
writes to a path works unchanged. Where the system has no `O_TMPFILE` (macOS,
Windows, some network drives) a named temporary file is used, removed on every
error and on SIGTERM / SIGHUP / Ctrl-C (see `reconciler.cli.handling`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class TempOutput:
    """Where a writer writes (`path`), and how the finished file takes its place."""

    path: Path
    folder: Path
    fd: int | None = None  # the unnamed file (Linux), else None

    def publish(self, target: Path, mode: int) -> None:
        """Give the finished file the name `target` (replacing it) with permission bits `mode`."""
        if self.fd is None:
            os.chmod(self.path, mode)
            os.replace(self.path, target)
            return
        os.fchmod(self.fd, mode)
        named = self.folder / f".~{target.stem}.{secrets.token_hex(4)}{target.suffix}"
        # linkat(AT_SYMLINK_FOLLOW) gives the unnamed file a name. Python calls plain link()
        # (which does not follow /proc's link) unless a directory fd is passed: pass one.
        proc = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.link(str(self.fd), named, src_dir_fd=proc, follow_symlinks=True)
        finally:
            os.close(proc)
        try:
            os.replace(named, target)
        except BaseException:
            with contextlib.suppress(OSError):
                named.unlink()
            raise

    def discard(self) -> None:
        if self.fd is None:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        else:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None


def _unnamed(folder: Path) -> TempOutput | None:
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not Path("/proc/self/fd").is_dir():
        return None
    try:
        fd = os.open(folder, flag | os.O_RDWR, 0o600)
    except OSError:  # the file system does not support it (EOPNOTSUPP, EISDIR on old kernels...)
        return None
    return TempOutput(Path(f"/proc/self/fd/{fd}"), folder, fd)


@contextlib.contextmanager
def temp_output(target: Path) -> Iterator[TempOutput]:
    """A temporary file in `target`'s folder (so the final rename is atomic), owner-only
    while written; removed (or never named) unless published."""
    folder = target.parent
    temp = _unnamed(folder)
    if temp is None:
        handle = tempfile.NamedTemporaryFile(dir=folder, prefix=f".~{target.stem}.", suffix=target.suffix, delete=False)
        handle.close()
        temp = TempOutput(Path(handle.name), folder)
    try:
        yield temp
    finally:
        temp.discard()
