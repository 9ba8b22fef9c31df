"""Shared pieces of the extractor: found values with their spans, sentences, numbers."""
from __future__ import annotations

import re
from dataclasses import dataclass

from etl.extract.rules import RULES
from etl.extract.triggers import fast_start

# The extractor's records (a found value, a sentence, a mention, a clue, a signal) are made by
# the dozen for every article and never changed once made. They are slotted dataclasses, not
# frozen ones: a frozen dataclass sets each field through object.__setattr__ and takes about
# four times as long to make, a measurable share of the time to extract an article.
record = dataclass(slots=True)


@record
class Found:
    """A value read from the article text at [start, end) by a named rule."""

    field: str
    value: object
    start: int
    end: int
    rule: str
    detail: str | None = None  # what the rule weighed or counted from, in words ("score 2.31 >= threshold 0.50")

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"rule {self.rule!r} is not one of the rule names of etl/extract/rules.py")

    def evidence(self, article_id: str, text: str, sentence: str | None) -> dict:
        """The evidence row: the value, its span and quote, the sentence around it, the rule."""
        return {"article_id": article_id, "field": self.field, "value": str(self.value),
                "start": self.start, "end": self.end, "quote": text[self.start:self.end],
                "sentence": sentence if sentence is not None else text[self.start:self.end],
                "rule": self.rule, "detail": self.detail}


@record
class Sentence:
    start: int
    end: int
    text: str
    index: int = 0  # its place in the document's sentences


NUMBER_WORDS = {
    "no": 0, "zero": 0, "one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
NUMBER = r"(?:\d{1,3}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|" \
         r"zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"


_NUMBER_PARTS = re.compile(r"[- ]")  # "twenty-one", "twenty one"


def number_value(word: str) -> int | None:
    """The integer a numeral or an English number word (up to ninety-nine) stands for."""
    word = word.lower().strip()
    if word.isdigit():
        return int(word)
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    parts = _NUMBER_PARTS.split(word)
    if len(parts) == 2 and parts[0] in NUMBER_WORDS and parts[1] in NUMBER_WORDS:
        return NUMBER_WORDS[parts[0]] + NUMBER_WORDS[parts[1]]
    return None


_NEGATION = fast_start(re.compile(r"\b(?:not|no|never|nor|n't|neither|without)\b|n't\b", re.I))


def negated(sentence_text: str, match_start: int, window: int = 40) -> bool:
    """True when a negation word stands shortly before position `match_start` of the sentence."""
    before = sentence_text[max(0, match_start - window):match_start]
    return bool(_NEGATION.search(before))
