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


def collector_off_until_exit() -> None:
    """The cycle collector off for the rest of a process that does one run and ends
    (`reconciler run` as a command, not called by a program), after its imports (whose
    garbage it has collected as usual).

    `run` pauses it for the run itself (`gc_paused`), but once it was back on, the first
    allocations after the run set off collections that walked every object the run
    still held (its outcomes, for the summary and the report): measured ~0.6 s (0.15-1.0)
    of a warm 100,000-row `reconciler run`, in 4 alternating pairs. What is garbage then
    is freed by reference counting as usual, and the process ends moments later."""
    gc.disable()


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
MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's own upper bound for the moving threshold (64-bit)


def steady_allocator() -> None:
    """Fix glibc's threshold for giving a block memory of its own at 32 MB (elsewhere nothing).

    By default glibc starts it at 128 KiB and raises it to the size of each bigger
    block freed (up to 32 MB): blocks below it come from its heap, which keeps what is
    freed; blocks above get memory of their own, given back when freed. With the sheet
    parsed in a thread while the program loads (sheets/early.py), whether the parse
    freed its big blocks before or after the loading placed its own varied from run to
    run, and 1 run in 4 of 100,000 rows peaked ~20 MB higher. Fixed where the moving
    threshold ends up anyway, every run peaks the same (~261 MB), in the same time.
    A low fixed threshold (256 KiB) peaked lower still but cost ~8% of the time: every
    big block's fresh pages are faults. Called before a run allocates much."""
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
