"""A big run's memory: the cycle collector paused, freed memory handed back.

Both matter only for big sheets (tens of thousands of rows), and both are safe for
any size: nothing here changes what a run computes.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cycle collector off for a while (nested use is fine).

    Reading builds ~1M small acyclic objects, and a run millions more: the collector
    rescanning the growing heap made a 100k-row read ~50% slower, and none of it can
    be garbage (acyclic objects are freed by reference counting as usual)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _libc_function(name: str):
    """A function of Linux's C library (glibc), or None (another system or C library)."""
    if not sys.platform.startswith("linux"):
        return None
    with contextlib.suppress(OSError, AttributeError):
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), name)
    return None


_TRIM = _libc_function("malloc_trim")
_MALLOPT = _libc_function("mallopt")
M_MMAP_THRESHOLD = -3  # glibc's malloc.h
MMAP_THRESHOLD = 256 * 1024


def steady_allocator() -> None:
    """Blocks of 256 KiB and more always get memory of their own from the system, given
    back as soon as they are freed (glibc; elsewhere nothing).

    By default glibc raises that threshold to the size of the biggest block freed so far
    (up to 32 MB). When the sheet is parsed in a thread while the program loads
    (sheets/early.py), whether that happened before or after the loading's big blocks
    were placed decided where they went: 1 run in 4 peaked ~20 MB higher at 100,000
    rows. With a fixed threshold each run peaks the same, ~10 MB below the usual peak,
    in the same time. Called once, before a run allocates much; later calls change nothing."""
    if _MALLOPT is not None:
        _MALLOPT(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def give_back_memory() -> None:
    """Hand the memory freed so far back to the system (Linux's C library; elsewhere nothing).

    The C library keeps freed memory for later use rather than returning it, so a
    stage's garbage (the spreadsheet reader's copy of the whole sheet, ~70 MB at
    100,000 rows; the store's answers once read) stayed counted in the run's memory
    after it was done with. Called between stages, when much has just been freed."""
    if _TRIM is not None:
        _TRIM(0)
