"""Handing freed memory back to the system between the phases of a stage.

A stage that reads large tables and then works on what it kept of them frees the tables'
memory, but the allocators keep the pages for reuse: Arrow's pool keeps what it allocated,
and the C library keeps the freed chunks of Python's larger objects (pandas' arrays, large
dicts and sets) inside its heap. Asking both to return what they hold unused makes the
stage's peak the larger of its phases, not their sum. It changes no result.
"""
from __future__ import annotations

import contextlib
import ctypes
import functools
import gc

import pyarrow


def hand_back_freed_memory() -> None:
    """Return the memory that Arrow's pool and the C library's heap hold unused to the system."""
    pyarrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    """glibc's malloc_trim (from the symbols this process has loaded), or None where the C library
    has none (macOS, musl)."""
    try:
        return getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:
        return None


@contextlib.contextmanager
def cyclic_gc_paused():
    """The cyclic garbage collector paused for the block. A stage keeps an object or more per article
    for its whole run (records, ids, fingerprints, features, rows) and makes few reference cycles: the
    collector would scan them again and again, its time growing faster than the corpus (a third of a
    warm ingest's). Reference counting still frees them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
