"""Fewer malloc arenas for a long run: glibc gives each new thread an arena of its own, up to
8 a core, and keeps what is freed in each. A run starts threads for every window of work
(lanes, wire captures, the video queue), and the soak (bench/soak.py) saw its RSS grow by
19 % over 336 recordings with Python's own objects flat, and by none with two arenas
(MALLOC_ARENA_MAX=2). The CLI caps them as it starts, before any thread exists.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_ARENA_MAX = -8  # glibc's malloc.h: mallopt's parameter for the number of arenas
ARENAS = 2


def cap_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Caps glibc's malloc at `arenas` arenas; False where the C library has no such knob
    (musl, macOS): nothing changes there."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return False
    mallopt = getattr(libc, "mallopt", None) if libc is not None else None
    return bool(mallopt(M_ARENA_MAX, arenas)) if mallopt is not None else False
