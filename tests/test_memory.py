"""reconciler.memory: what a big run does with the C library's allocator (Linux, glibc)."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap

import pytest

# Where glibc serves a 1 MiB block from: its heap (which keeps what is freed, for reuse)
# or a mapping of its own (given back when freed). The block's address says which.
PROBE = textwrap.dedent("""
    import ctypes, sys
    from reconciler.memory import steady_allocator

    if sys.argv[1] == "steady":
        steady_allocator()
    if sys.argv[2] == "big block freed first":
        big = bytearray(30 * 2**20)
        del big
    block = bytearray(2**20)
    address = ctypes.addressof(ctypes.c_char.from_buffer(block))
    for line in open("/proc/self/maps"):
        if line.rstrip().endswith("[heap]"):
            start, end = (int(x, 16) for x in line.split()[0].split("-"))
            if start <= address < end:
                print("heap")
                break
    else:
        print("own mapping")
""")


def _served_from(allocator: str, before: str) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE, allocator, before], capture_output=True, text=True, check=True)
    return done.stdout.strip()


# steady_allocator sets an option of glibc's allocator and does nothing elsewhere (macOS,
# Windows, musl): there is no behaviour to observe there. CI runs on glibc Linux, so it runs there.
@pytest.mark.skipif(platform.libc_ver()[0] != "glibc",
                    reason="steady_allocator tunes glibc's malloc; other C libraries have nothing to test (CI runs glibc)")
def test_where_a_big_block_comes_from_does_not_depend_on_what_was_freed_before():
    # glibc's own behaviour, which the probe can tell: one freed 30 MB block moves its
    # threshold, and a later 1 MiB block comes from the heap instead of a mapping of its own.
    assert _served_from("default", "nothing") == "own mapping"
    assert _served_from("default", "big block freed first") == "heap"
    # Fixed: the same place whatever was freed before, so every run's memory grows the same way.
    assert _served_from("steady", "nothing") == _served_from("steady", "big block freed first") == "heap"
