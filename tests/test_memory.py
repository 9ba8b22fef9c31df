"""Handing freed memory back: it runs wherever the C library lacks malloc_trim, and frees what a
stage let go of without touching what it keeps."""
from __future__ import annotations

import gc

import pyarrow as pa
import pytest

from etl.memory import cyclic_gc_paused, hand_back_freed_memory


def test_handing_back_freed_memory_leaves_what_is_kept_and_empties_arrows_pool():
    kept = pa.array([f"value {n}" for n in range(10_000)])
    freed = pa.array(list(range(1_000_000)))
    del freed
    hand_back_freed_memory()
    assert kept[9_999].as_py() == "value 9999"
    assert pa.total_allocated_bytes() >= kept.nbytes
    hand_back_freed_memory()  # (again: nothing left to hand back is not an error)


def test_the_cyclic_collector_is_paused_inside_and_restored_after_even_on_an_error():
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with cyclic_gc_paused():
            assert not gc.isenabled()
            raise RuntimeError("a failing stage")
    assert gc.isenabled()
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()  # (paused by the caller: left paused)
    finally:
        gc.enable()
