"""Progress of a long stage: a bar on a terminal, a few plain log lines otherwise.

A `Progress` counts steps (files, articles) towards a total and carries named
counts (read, relevant, rejected) shown beside the bar or in each log line.
"""
from __future__ import annotations

import sys
import time
from typing import IO


class Progress:
    """Counts of one stage, shown as a tqdm bar on a terminal or as log lines in a log."""

    def __init__(self, stage: str, total: int, unit: str, stream: IO[str] | None = None,
                 terminal: bool | None = None, lines: int = 10, min_seconds: float = 5.0):
        self.stage, self.total, self.unit = stage, total, unit
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self.counts: dict[str, int] = {}
        # A log gets a line each tenth of the way, and no more often than every few seconds.
        self._every = max(1, -(-total // lines))
        self._min_seconds = min_seconds
        self._next_line = self._every
        self._last_time = time.monotonic()
        is_terminal = terminal if terminal is not None else _is_terminal(self.stream)
        self._bar = _bar(stage, total, unit, self.stream) if is_terminal else None

    def count(self, **counts: int) -> None:
        """Add to the named counts (read=3, rejected=1)."""
        for name, value in counts.items():
            self.counts[name] = self.counts.get(name, 0) + value

    def advance(self, steps: int = 1) -> None:
        """Mark `steps` more files or articles done and show the counts so far."""
        self.done += steps
        if self._bar is not None:
            self._bar.set_postfix(self.counts, refresh=False)
            self._bar.update(steps)
        elif self.done >= self._next_line and time.monotonic() - self._last_time >= self._min_seconds:
            self._log()
        if self.done >= self._next_line:
            self._next_line = (self.done // self._every + 1) * self._every

    def close(self) -> None:
        """Show the final counts (always one last log line when not on a terminal)."""
        if self._bar is not None:
            self._bar.set_postfix(self.counts, refresh=False)
            self._bar.close()
        else:
            self._log()

    def line(self) -> str:
        counts = ", ".join(f"{value} {name}" for name, value in self.counts.items())
        return f"uofdb {self.stage}: {self.done}/{self.total} {self.unit}" + (f": {counts}" if counts else "")

    def _log(self) -> None:
        print(self.line(), file=self.stream, flush=True)
        self._last_time = time.monotonic()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, kind: type | None, *exc: object) -> None:
        if kind is not None and issubclass(kind, KeyboardInterrupt):
            # Interrupted: stop the bar, print no counts; the command prints one line saying so.
            if self._bar is not None:
                self._bar.close()
            return
        self.close()


class Silent(Progress):
    """Progress that shows nothing: for library calls and tests that do not want output."""

    def __init__(self, stage: str = "", total: int = 0, unit: str = "", **_: object):
        super().__init__(stage, total, unit, stream=sys.stderr, terminal=False)

    def _log(self) -> None:
        pass


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _bar(stage: str, total: int, unit: str, stream: IO[str]):
    from tqdm import tqdm

    return tqdm(total=total, desc=f"uofdb {stage}", unit=f" {unit}", file=stream, dynamic_ncols=True, leave=True)
