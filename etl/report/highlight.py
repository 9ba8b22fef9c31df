"""An article's text as HTML with the quotes behind the values highlighted.

The text is hostile input: every character of it is escaped, and the only markup added is
`<mark>` around quoted stretches and an empty anchor where each quote starts, so a link to
`#<anchor>` scrolls to that quote.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Quote:
    """A quoted span of an article's text: [start, end) in characters, the anchor id of its
    start and the label shown when the pointer rests on it (field: value)."""

    start: int
    end: int
    anchor: str
    label: str


def highlighted(text: str, quotes: list[Quote], where: str) -> Markup:
    """`text` escaped, each quoted stretch in a `<mark>` titled with the labels of every quote over
    it (quotes may overlap or repeat), an anchor at each quote's start. `where` names the article
    in the error raised for a quote outside the text."""
    for quote in quotes:
        if not 0 <= quote.start <= quote.end <= len(text):
            raise ValueError(f"{where}: the quote of {quote.label} at [{quote.start}, {quote.end}) is outside "
                             f"its text of {len(text)} characters")
    bounds = sorted({0, len(text)} | {quote.start for quote in quotes} | {quote.end for quote in quotes})
    starting: dict[int, list[Quote]] = {}
    for quote in quotes:
        starting.setdefault(quote.start, []).append(quote)
    pieces: list[str] = []
    for begin, end in pairwise(bounds):
        pieces += [_anchor(quote) for quote in starting.get(begin, [])]
        pieces.append(_stretch(text[begin:end], [quote for quote in quotes if quote.start <= begin and end <= quote.end]))
    pieces += [_anchor(quote) for quote in starting.get(len(text), [])]  # empty quotes at the very end
    return Markup("".join(pieces))


def _anchor(quote: Quote) -> str:
    return f'<span class="anchor" id="{escape(quote.anchor)}"></span>'


def _stretch(text: str, over: list[Quote]) -> str:
    """A stretch of text between two quote boundaries: marked when quotes cover it."""
    if not over:
        return str(escape(text))
    labels = "; ".join(dict.fromkeys(quote.label for quote in over))
    return f'<mark title="{escape(labels)}">{escape(text)}</mark>'
