"""Memory handed back to the system when the ranking frees it (Linux, glibc).

The ranking allocates and frees arrays of hundreds of kilobytes to tens of megabytes (the
vectors as they are read, each new order, a model's weights). glibc serves such blocks
from the heap once a large block was freed (its threshold for mapping a block on its own
rises to the size of the largest block freed, up to 32 MB), and a heap rarely shrinks: the
app's memory then grew by a few megabytes at every star, sorted for you. Fixing the
threshold keeps every block above it a mapping of its own, returned to the system when
freed. Elsewhere (macOS, musl) this does nothing.
"""

from __future__ import annotations

import ctypes
import sys

MMAP_THRESHOLD = 256 * 1024
"""Blocks at least this large are mapped on their own (glibc's starting value is 128 KB)."""
_M_MMAP_THRESHOLD = -3
"""`mallopt`'s parameter number (malloc.h)."""

_done = False


def return_freed_memory() -> bool:
    """Fix glibc's mapping threshold for this process (once); True when it was set."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False  # not glibc
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _done = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1)
    return _done
