"""Find names from a vocabulary in text: case-sensitive, longest match first.

One pass over the words of the text, looking up each run of up to N words in a
dict, is far cheaper than one regex alternation over thousands of names, and it
lets "Kensington and Chelsea" win over "Kensington" and "Chelsea".
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from typing import Generic, Iterator, TypeVar

V = TypeVar("V")

_WORD = re.compile(r"[\w][\w'’.-]*[\w]|[\w]|&")


def _key(name: str) -> str:
    return " ".join(_WORD.findall(name.replace("’", "'")))


@dataclass(frozen=True)
class Mention(Generic[V]):
    name: str
    value: V
    start: int
    end: int


@functools.lru_cache(maxsize=32)
def _words(text: str) -> tuple[list[tuple[str, int, int]], list[int]]:
    """The words of a text with their offsets, and the start offsets alone (for bisect).

    Cached: every gazetteer searches the same article, sentence by sentence.
    """
    words = [(match.group().replace("’", "'"), match.start(), match.end()) for match in _WORD.finditer(text)]
    return words, [start for _, start, _ in words]


class Gazetteer(Generic[V]):
    """A lookup of names (as written, case-sensitive) to values."""

    def __init__(self, names: dict[str, V]):
        self._values = {_key(name): value for name, value in names.items() if _key(name)}
        self._longest = max((len(key.split(" ")) for key in self._values), default=1)
        self._first_words = {key.split(" ")[0] for key in self._values}

    def find(self, text: str, start: int = 0, end: int | None = None) -> Iterator[Mention[V]]:
        """Non-overlapping mentions in text[start:end], left to right, longest first."""
        words, starts = _words(text)
        index = bisect.bisect_left(starts, start)
        stop = len(words) if end is None else bisect.bisect_left(starts, end)
        while index < stop:
            mention = self._longest_at(words, index, stop, text) if words[index][0] in self._first_words else None
            if mention is None:
                index += 1
                continue
            yield mention[0]
            index = mention[1]

    def _longest_at(self, words: list, index: int, stop: int, text: str) -> tuple[Mention[V], int] | None:
        for size in range(min(self._longest, stop - index), 0, -1):
            key = " ".join(word for word, _, _ in words[index:index + size])
            if key in self._values:
                start, end = words[index][1], words[index + size - 1][2]
                return Mention(text[start:end], self._values[key], start, end), index + size
        return None
