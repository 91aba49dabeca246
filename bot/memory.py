"""Resident memory of the long-running processes.

glibc gives each thread that allocates its own malloc arena (up to 8 per core), and an
arena keeps its freed pages. The worker's pool threads, the scheduler and the web server
would each hold one: about 15 MB for nothing. Two arenas are plenty for this workload.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_ARENA_MAX = -8  # from glibc's malloc.h


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas; must run before threads start. False where not glibc."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


def release_free_memory() -> bool:
    """Hand freed heap pages back to the system (glibc ``malloc_trim``).

    Parsing a feed or a page allocates and frees megabytes; without a trim those pages stay
    in the process's resident size long after. Cheap enough to run every maintenance tick.
    """
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        return bool(ctypes.CDLL(name).malloc_trim(0))
    except (OSError, AttributeError):
        return False
