"""The server the build's stage processes start from (a multiprocessing forkserver).

`uofdb build` runs each stage in a child process of its own (`etl.batches.in_own_process`), a
fork of this server, which imports the stages' code once (`PRELOADED`). Started before the
build's own process imports that code, the two imports run side by side on two cores rather
than one after the other: a second or so of every build, a tenth of a rebuild's.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver

PRELOADED = ("etl.build",)  # imported once in the server, so each stage's process starts as a fork


def start() -> None:
    """Start the server with `PRELOADED` (it imports them in its own process while this one goes on);
    nothing happens if it already runs."""
    multiprocessing.get_context("forkserver").set_forkserver_preload(list(PRELOADED))
    multiprocessing.forkserver.ensure_running()
