"""Trigger words: the literal words a pattern cannot match without, read from the pattern itself.

Most sentences of an article give most patterns nothing to match, yet running a
pattern over a sentence that cannot hold a match costs nearly as much as one that
does. So the document finds, in its one pass, which sentences hold the trigger
words of each pattern (one multi-pattern automaton over the lower-cased text, like
the force-word prefilter of `etl.extract.cues`), and rules run a pattern only on
those sentences (`Document.sentences_for`, `Document.can_match`).

The trigger words are derived from the pattern, never written by hand, so they
cannot drift from it when a pattern changes: every match of `\\b(?:shot|fired)
(?:at|on)\\b` contains "shot" or "fired". A pattern that can match without any
literal of at least MIN_TRIGGER letters (`\\d+`, `[A-Z]\\w+`, or only words like
"the") has no triggers and runs on every sentence.

The words are matched in lower case on the lower-cased text, whatever the pattern's
case flag: a case-sensitive pattern's "Mr" is found as "mr" (more sentences than
needed, never fewer). `trigger_text` also folds the few characters that `re`'s
IGNORECASE matches to an ASCII letter but `str.lower` leaves alone ("ſ" matches "s").

`gated` (and `fast_start`) also rewrite each pattern so that `re` finds its matches
sooner (`with_first_characters`, read from the pattern too). `re` skips straight to
the positions where a match can start only when a pattern starts with a
case-sensitive character or class; most patterns here start with `\\b` or a letter
matched in any case, which `re` tries at every position. So such a pattern is written
to start with its first character (`led_by_first_character`: `\\bshot` becomes
`(?-i:[Ssſ])(?<=\\bs)hot`), and where that shape is not found, it is led by a
lookahead for its first characters, which rejects most positions at once. The tests
check that every rewritten pattern finds what the pattern as written does.
"""
from __future__ import annotations

import bisect
import functools
import re

import ahocorasick

try:  # the parser `re` compiles with (Python 3.11+)
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - older Pythons
    import sre_parse  # type: ignore[no-redef]

MIN_TRIGGER = 2  # letters and digits: a single one ("a", "1") is in nearly every sentence and gates nothing
# Words so common that a pattern needing only them is as good as ungated.
COMMON = frozenset({"of", "to", "in", "on", "at", "by", "he", "it", "is", "as", "an", "be", "or", "we", "no", "so",
                    "up", "us", "me", "do", "if", "the", "and", "was", "were", "his", "her", "him", "for", "with",
                    "that", "from", "has", "had", "been", "are", "not", "its", "this", "but", "who", "she", "they",
                    "them", "their"})
# Characters `re.IGNORECASE` matches to an ASCII letter that `str.lower` does not turn into one
# (checked over every code point by tests/extract/test_triggers.py).
IGNORECASE_FOLDS = str.maketrans({"İ": "i", "ı": "i", "ſ": "s"})
# The trigger "word" of `\\d` and `[0-9]`: a digit, any digit (`re` matches Unicode digits too). It is
# not looked for by the automaton but by DIGIT_PATTERN (`_sentences_with_digits`).
DIGIT = r"\d"
DIGIT_PATTERN = re.compile(r"\d")

_LITERAL, _SUBPATTERN, _BRANCH = sre_parse.LITERAL, sre_parse.SUBPATTERN, sre_parse.BRANCH
_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, getattr(sre_parse, "POSSESSIVE_REPEAT", None)} - {None}
_ATOMIC = getattr(sre_parse, "ATOMIC_GROUP", None)
_IN = sre_parse.IN
_ZERO_WIDTH = {sre_parse.AT, sre_parse.ASSERT, sre_parse.ASSERT_NOT}


def _is_digits(kind, item) -> bool:
    """Whether a member of a character class matches digits only."""
    if kind is sre_parse.CATEGORY:
        return item is sre_parse.CATEGORY_DIGIT
    if kind is sre_parse.RANGE:
        return ord("0") <= item[0] <= item[1] <= ord("9")
    return kind is _LITERAL and chr(item).isdigit() and chr(item).isascii()


def trigger_text(lowered: str) -> str:
    """The lower-cased text as trigger words are looked for in it (same length, same offsets)."""
    if lowered.isascii() or not any(char in lowered for char in "İıſ"):
        return lowered
    return lowered.translate(IGNORECASE_FOLDS)


@functools.cache
def trigger_words(pattern: re.Pattern) -> frozenset[str] | None:
    """Lower-case words of which every match of the pattern contains at least one; None when there are none."""
    conditions = trigger_conditions(pattern)
    return conditions[0] if conditions else None


@functools.cache
def trigger_conditions(pattern: re.Pattern) -> tuple[frozenset[str], ...]:
    """Every set of trigger words the whole pattern needs one of, the best first: a match of
    `\\b\\d{1,2} (?:March|May)\\b` holds a digit, and "march" or "may"; () when there are none.
    (For a pattern `fast_start` gave, those of the pattern as written, whose words stand whole.)"""
    pattern = _SOURCE.get(id(pattern), pattern)
    candidates = _candidates(sre_parse.parse(pattern.pattern, pattern.flags))
    usable = {_minimal(words) for words in candidates if min(map(_weight, words)) >= MIN_TRIGGER}
    return tuple(sorted(usable, key=lambda words: (_gate_score(words), sorted(words)), reverse=True))


def _minimal(words: frozenset[str]) -> frozenset[str]:
    # A word that holds another ("tasers", "taser") adds nothing: the shorter is found wherever it is.
    return frozenset(word for word in words if word == DIGIT or not any(
        other != word and other != DIGIT and other in word for other in words))


def _weight(word: str) -> int:
    """How well a word gates: its letters and digits, none for a very common word; a digit gates
    like a two-letter word (many sentences have none)."""
    if word == DIGIT:
        return 2
    return 0 if word.strip() in COMMON else sum(char.isalnum() for char in word)


def _required(items) -> frozenset[str] | None:
    """For a sequence of parsed items: words one of which every match contains (the best such set), or None."""
    return max(_candidates(items), key=_gate_score, default=None)


def _candidates(items) -> list[frozenset[str]]:
    """For a sequence of parsed items: sets of words, each of which every match holds one of.

    Items whose text is one of a few strings (a literal, "(?:was|were)", "s?", "\\b") are
    joined into runs ("shots? (?:was|were)" is one of "shot was", "shots were", ...); a run,
    or any item's own required words, is a candidate, and the best candidate wins.
    """
    candidates, run = [], {""}
    for op, value in items:
        exact = _exact_item(op, value)
        if exact is not None and len(run) * len(exact) <= MAX_EXACT:
            run = {before + after for before in run for after in exact}
            continue
        candidates.append(frozenset(word.lower() for word in run))
        run = set(exact) if exact is not None else {""}
        if exact is None:
            found = _required_of(op, value)
            if found is not None:
                candidates.append(found)
    candidates.append(frozenset(word.lower() for word in run))
    return candidates


MAX_EXACT = 256  # strings a run may stand for, before it is split


def _gate_score(words: frozenset[str]) -> tuple[int, int]:
    # The set whose weakest word is longest gates best; among those, the smaller set.
    return min(map(_weight, words)), -len(words)


def _exact_item(op, value) -> set[str] | None:
    """The strings one parsed item can match (few and known), else None."""
    if op is _LITERAL:
        return {chr(value)} if chr(value).isascii() else None
    if op in _ZERO_WIDTH:
        return {""}  # consumes nothing: the text on both sides stands together
    if op is _SUBPATTERN:
        return _exact(value[-1])
    if op is _BRANCH:
        branches = [_exact(branch) for branch in value[1]]
        if any(branch is None for branch in branches) or sum(map(len, branches)) > MAX_EXACT:
            return None
        return set().union(*branches)
    if op is _IN and all(kind is _LITERAL and chr(char).isascii() for kind, char in value) and len(value) <= 4:
        return {chr(char) for _, char in value}  # a small class of plain characters: "[- ]", "[ae]"
    if op in _REPEATS and value[:2] == (0, 1):
        body = _exact(value[2])
        return None if body is None else body | {""}  # an optional part: "s?"
    return None


def _exact(items) -> set[str] | None:
    """The strings a sequence of parsed items can match, when few and known."""
    strings = {""}
    for op, value in items:
        exact = _exact_item(op, value)
        if exact is None or len(strings) * len(exact) > MAX_EXACT:
            return None
        strings = {before + after for before in strings for after in exact}
    return strings


def _required_of(op, value) -> frozenset[str] | None:
    """The required words of one parsed item that is not a literal."""
    if op is _SUBPATTERN:
        return _required(value[-1])
    if op is _ATOMIC:
        return _required(value)
    if op is _BRANCH:
        branches = [_required(branch) for branch in value[1]]
        if any(branch is None for branch in branches):
            return None
        return frozenset().union(*branches)
    if op in _REPEATS:
        low, _, body = value
        return _required(body) if low >= 1 else None
    if op is _IN and value and all(_is_digits(kind, item) for kind, item in value):
        return frozenset({DIGIT})  # "\\d", "[0-9]", "[1-9]"
    return None  # other classes, categories, anchors, lookarounds, group references: no word required


# --- the document's pass ----------------------------------------------------------------

# The trigger conditions the document's one pass looks for, numbered in the order declared:
# (the gated pattern, its trigger words). A pattern with several conditions has several.
_CONDITIONS: list[tuple[re.Pattern, frozenset[str]]] = []
# The gated patterns by id (a compiled pattern hashes its whole program, too slow to look up
# per sentence): the numbers of their conditions (none: it can match anywhere), and the
# pattern, kept alive so that its id names no other.
_GATED: dict[int, tuple[tuple[int, ...], re.Pattern]] = {}


def gated(pattern: re.Pattern) -> re.Pattern:
    """Declare that rules run `pattern` only where its trigger words are.

    Returns the pattern to use: the same pattern, led by a lookahead for the characters a match
    can start with when they are known (`with_first_characters`): the same matches, found faster.
    """
    if id(pattern) in _GATED:
        return pattern
    fast = fast_start(pattern)
    numbers = []
    for words in trigger_conditions(pattern):
        numbers.append(len(_CONDITIONS))
        _CONDITIONS.append((fast, words))
    _GATED[id(fast)] = (tuple(numbers), fast)
    return fast


# The pattern as written, for each pattern `fast_start` gave, and back (the tests compare the two).
_SOURCE: dict[int, re.Pattern] = {}
_FAST: dict[int, re.Pattern] = {}


def fast_start(pattern: re.Pattern) -> re.Pattern:
    """The pattern to run: `with_first_characters(pattern)` (the same matches, found faster)."""
    fast = with_first_characters(pattern)
    _SOURCE[id(fast)] = pattern
    _FAST[id(pattern)] = fast
    return fast


def gated_patterns() -> list[tuple[re.Pattern, re.Pattern]]:
    """(the pattern as written, the pattern rules run) for every gated pattern, in the order declared."""
    return [(_SOURCE[id(pattern)], pattern) for _, pattern in _GATED.values()]


def fast_patterns() -> list[tuple[re.Pattern, re.Pattern]]:
    """(the pattern as written, the pattern rules run) for every pattern `fast_start` gave."""
    return [(written, _FAST[id(written)]) for written in _SOURCE.values()]


# --- first characters -------------------------------------------------------------------

_CLASS_ESCAPES = {sre_parse.CATEGORY_DIGIT: r"\d"}


def with_first_characters(pattern: re.Pattern) -> re.Pattern:
    """The pattern written to find its matches sooner: as it is when it starts with a case-sensitive
    character already; else written to start with its first character (`led_by_first_character`);
    else led by a lookahead for the characters its matches can start with.

    `re` tries a pattern at every position of the text; at most positions a lookahead for one
    character class fails at once, where the pattern would try each of its alternatives first
    (`\\b(?:shot|killed|...)` finds the same matches as `(?=[sk...])\\b(?:shot|killed|...)`).
    Only when the first characters are known and few kinds (literals, ranges, digits); a pattern
    that can match the empty string, or starts with any character or a word class, is returned as it is.
    """
    if not pattern.flags & re.IGNORECASE and "(?i" in pattern.pattern:
        return pattern  # an inline case-insensitive part: its first characters would need both cases
    if pattern.flags & re.VERBOSE:
        return pattern  # a comment at its end would swallow the closing parenthesis
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    if not pattern.flags & re.IGNORECASE and _starts_with_characters(parsed):
        return pattern  # `re` already skips to the characters a match starts with
    led = led_by_first_character(pattern)
    if led is not None:
        return led
    first = _first(parsed)
    if first is None or first[1] or not first[0]:
        return pattern
    members = []
    for kind, value in first[0]:
        if kind is _LITERAL:
            members.append(re.escape(chr(value)))
        elif kind is sre_parse.RANGE:
            members.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
        elif kind is sre_parse.CATEGORY and value in _CLASS_ESCAPES:
            members.append(_CLASS_ESCAPES[value])
        else:
            return pattern
    try:
        return re.compile(f"(?=[{''.join(dict.fromkeys(members))}])(?:{pattern.pattern})", pattern.flags)
    except re.error:  # pragma: no cover - a pattern whose text cannot be wrapped
        return pattern


def _starts_with_characters(items) -> bool:
    """Whether a case-sensitive pattern starts with one character of a class or a literal, or a
    choice of literals: then `re` itself skips to the positions where a match can start."""
    while items and items[0][0] is _SUBPATTERN:
        items = items[0][1][-1]
    if not items:
        return False
    op, value = items[0]
    if op is _BRANCH:
        return all(branch and branch[0][0] is _LITERAL for branch in value[1])
    return op is _LITERAL or op is _IN


def led_by_first_character(pattern: re.Pattern) -> re.Pattern | None:
    """The pattern written to start with one character: the same matches, found faster.

    `re` skips straight to the positions where a pattern's first character can stand when the
    pattern starts with a case-sensitive character or class, but tries every position of the text
    for a pattern that starts with `\\b`, a lookbehind, or a letter matched in any case. So
    `Z C rest` (Z zero-width: `\\b`, lookbehinds; C one character: a class, a letter, `\\d`) is
    written `C(?<=Z C) rest`, and `Z(?:C1 r1|C2 r2|...) rest` is written
    `(?:C1(?<=Z C1) r1|C2(?<=Z C2) r2|...) rest`. A case-insensitive pattern starts instead with its
    first characters in every case they match in, as a case-sensitive class S:
    `(?-i:S)(?<=Z C) rest`, or `(?-i:S)(?<=Z(?-i:S))(?:(?<=C1) r1|(?<=C2) r2|...) rest`.
    None when the pattern has another shape."""
    source, caseless = pattern.pattern, bool(pattern.flags & re.IGNORECASE)
    end = 0
    while (next_end := _zero_width_end(source, end)) is not None:
        end = next_end
    if end == 0 and not caseless or end >= len(source):
        return None  # (a case-sensitive pattern led by a character is fast as it is)
    zero_width, rest = source[:end], source[end:]
    char_end = _character_end(rest, 0)
    if char_end is not None:
        char = rest[:char_end]
        if not caseless:
            written = f"{char}(?<={zero_width}{char}){rest[char_end:]}"
        elif (cases := _in_every_case([char])) is None:
            return None
        else:
            behind = f"(?<={zero_width}{char})" if zero_width else ""
            written = f"(?-i:{cases}){behind}{rest[char_end:]}"
    else:
        written = _led_branches(zero_width, rest, caseless)
        if written is None:
            return None
    try:
        rewritten = re.compile(written, pattern.flags)
    except re.error:
        return None
    if rewritten.groupindex != pattern.groupindex or rewritten.groups != pattern.groups:
        return None  # pragma: no cover - a shape the rewriting misread
    return rewritten


def _led_branches(zero_width: str, rest: str, caseless: bool) -> str | None:
    """`led_by_first_character` for a pattern whose part after `zero_width` starts with a group of branches."""
    group_end = _group_end(rest, 0) if rest.startswith("(") else None
    opening = next((opening for opening in ("(?:", "(?P<", "(") if rest.startswith(opening)), None)
    if group_end is None or opening is None or rest.startswith("(?") and opening == "(" \
            or group_end < len(rest) and rest[group_end] in "*+?{":
        return None  # not a group, or one that may match nothing
    if opening == "(?P<":
        opening = rest[:rest.index(">") + 1]
    if caseless and opening != "(?:":
        return None  # the first character is read before the group: it would fall outside a capture
    firsts, tails = [], []
    for branch in _led_by_characters(_top_level_branches(rest[len(opening):group_end - 1])) or ():
        char_end = _character_end(branch, 0)
        firsts.append(branch[:char_end])
        tails.append(branch[char_end:])
    if not firsts:
        return None
    if not caseless:
        led = "|".join(f"{char}(?<={zero_width}{char}){tail}" for char, tail in zip(firsts, tails))
        return f"{opening}{led}){rest[group_end:]}"
    cases = _in_every_case(firsts)
    if cases is None:
        return None
    behind = f"(?<={zero_width}(?-i:{cases}))" if zero_width else ""
    led = "|".join(f"(?<={char}){tail}" for char, tail in zip(firsts, tails))
    return f"(?-i:{cases}){behind}(?:{led}){rest[group_end:]}"


MAX_BRANCHES = 256  # branches a group may be spread into before `_led_by_characters` gives up


def _led_by_characters(branches: list[str]) -> list[str] | None:
    """The same branches, in the same order of trial, each starting with one character: a branch
    led by a group, `(?:a|b)c`, is spread into `ac|bc`, and one led by an optional character,
    `s?hot`, into `shot|hot` (the order `re` tries them in). None when some branch cannot be."""
    done: list[str] = []
    waiting = list(reversed(branches))
    while waiting:
        if len(done) + len(waiting) > MAX_BRANCHES:
            return None
        branch = waiting.pop()
        if _character_end(branch, 0) is not None:
            done.append(branch)
            continue
        char = _optional_character(branch)
        if char is not None:
            waiting += [branch[len(char) + 1:], char + branch[len(char) + 1:]]  # (popped from the end)
            continue
        group_end = _group_end(branch, 0) if branch.startswith("(?:") else None
        if group_end is None or group_end < len(branch) and branch[group_end] in "*+?{":
            return None
        tail = branch[group_end:]
        waiting += [inner + tail for inner in reversed(_top_level_branches(branch[3:group_end - 1]))]
    return done


def _optional_character(branch: str) -> str | None:
    """The character item at the start of `branch` when a greedy `?` follows it ("s?hot": "s")."""
    if not branch or not (branch[0].isalnum() or branch[0] == "["):
        return None
    end = _class_end(branch, 0) if branch[0] == "[" else 1
    if end is None or end >= len(branch) or branch[end] != "?" or branch[end + 1:end + 2] in ("?", "+"):
        return None
    return branch[:end]


# The characters beyond ASCII that IGNORECASE matches to an ASCII letter: the Kelvin sign, the
# dotted and dotless I, the long s (checked over every code point by tests/extract/test_triggers.py).
_OTHER_CASES = "\u212a\u0130\u0131\u017f"
_CASE_CANDIDATES = "".join(map(chr, range(0x20, 0x7f))) + _OTHER_CASES


def _in_every_case(items: list[str]) -> str | None:
    """A case-sensitive class of every character the one-character items match under IGNORECASE;
    None for items that are not plain ASCII (an escape, a character beyond ASCII)."""
    if any(not item.isascii() or "\\" in item for item in items):
        return None
    matching = [re.compile(item, re.IGNORECASE) for item in items]
    chars = [char for char in _CASE_CANDIDATES if any(item.fullmatch(char) for item in matching)]
    return "[" + "".join(re.escape(char) for char in chars) + "]" if chars else None


def _zero_width_end(source: str, start: int) -> int | None:
    """Where a `\\b` or a lookbehind at source[start] ends, else None."""
    if source.startswith("\\b", start):
        return start + 2
    if source.startswith("(?<=", start) or source.startswith("(?<!", start):
        return _group_end(source, start)
    return None


def _character_end(source: str, start: int) -> int | None:
    """Where the one-character item at source[start] ends (a class, a letter or digit, `\\d`), when
    nothing repeats it; else None."""
    if start >= len(source):
        return None
    if source[start] == "[":
        end = _class_end(source, start)
    elif source.startswith("\\d", start):
        end = start + 2
    elif source[start].isalnum():
        end = start + 1
    else:
        return None
    if end is None or end < len(source) and source[end] in "*+?{":
        return None
    return end


def _class_end(source: str, start: int) -> int | None:
    """Where the class `[...]` at source[start] ends."""
    index = start + 1
    if index < len(source) and source[index] == "^":
        index += 1
    if index < len(source) and source[index] == "]":
        index += 1
    while index < len(source) and source[index] != "]":
        index += 2 if source[index] == "\\" else 1
    return index + 1 if index < len(source) else None


def _structure(source: str, start: int = 0):
    """(index, character, depth) for each `(`, `)` and `|` of source[start:] that is no escape and
    stands outside any class; the depth is the number of groups open after it."""
    depth, index = 0, start
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(source, index) or len(source)
            continue
        if char in "()|":
            depth += {"(": 1, ")": -1, "|": 0}[char]
            yield index, char, depth
        index += 1


def _group_end(source: str, start: int) -> int | None:
    """Where the group opened at source[start] closes (past its parenthesis), else None."""
    return next((index + 1 for index, char, depth in _structure(source, start) if char == ")" and depth == 0), None)


def _top_level_branches(source: str) -> list[str]:
    """source split at the `|` outside any group or class."""
    cuts = [index for index, char, depth in _structure(source) if char == "|" and depth == 0]
    return [source[begin:end] for begin, end in zip([0] + [cut + 1 for cut in cuts], cuts + [len(source)])]


def _first(items) -> tuple[list, bool] | None:
    """The class members a match of a sequence can start with, and whether it can be empty; None when unknown."""
    members = []
    for op, value in items:
        found = _first_of(op, value)
        if found is None:
            return None
        members += found[0]
        if not found[1]:
            return members, False
    return members, True


def _first_of(op, value) -> tuple[list, bool] | None:
    if op is _LITERAL:
        return [(op, value)], False
    if op in _ZERO_WIDTH:
        return [], True  # consumes nothing: the match starts with what follows
    if op is _SUBPATTERN:
        return _first(value[-1])
    if op is _ATOMIC:
        return _first(value)
    if op is _BRANCH:
        branches = [_first(branch) for branch in value[1]]
        if any(branch is None for branch in branches):
            return None
        return [member for members, _ in branches for member in members], any(empty for _, empty in branches)
    if op in _REPEATS:
        found = _first(value[2])
        return None if found is None else (found[0], found[1] or value[0] == 0)
    if op is _IN and value and value[0][0] is not sre_parse.NEGATE:
        return list(value), False
    return None  # any character, a negated class or literal, a group reference


class SentenceTriggers:
    """For one article, the sentences each gated pattern can match in: those that hold its trigger words."""

    __slots__ = ("text", "sentences", "gated", "also", "_found", "_by_pattern")

    def __init__(self, text: str, sentences, gated: int, found: dict[int, set[int]],
                 also: list[tuple[int, int, object]] | None = None) -> None:
        self.text = text            # the article's trigger text (`trigger_text`)
        self.sentences = sentences
        self.gated = gated          # how many conditions the pass covered (the first ones declared)
        self.also = also or []      # (start, end, value) of each word of `find_triggers`' `also` found
        self._found = found         # number of a condition -> indices of the sentences holding its words
        # id of a gated pattern -> `may_match`: filled at once for the patterns of one condition (most of
        # them, and most asked for: a lookup each, cheaper than working each out when first asked), the
        # others as asked.
        self._by_pattern: dict[int, set[int] | range] = {
            key: found.get(number, _NONE) for key, number in _one_condition_patterns(gated)}

    def may_match(self, pattern: re.Pattern) -> set[int] | range:
        """The indices of the sentences the pattern can match in (nor can it in any part of another)."""
        # (`get`, not a KeyError caught: a rule asks for most patterns only once per article)
        key = id(pattern)
        known = self._by_pattern.get(key)
        if known is None:
            known = self._may_match(pattern)
            if key in _GATED:  # (the registry keeps it alive: its id names no other pattern)
                self._by_pattern[key] = known
        return known

    def _may_match(self, pattern: re.Pattern) -> set[int] | range:
        entry = _GATED.get(id(pattern))
        if entry is not None:
            numbers = entry[0]
            if not numbers:
                return range(len(self.sentences))  # no trigger words: it can match anywhere
            if numbers[-1] < self.gated:
                if len(numbers) == 1:
                    return self._found.get(numbers[0], _NONE)
                found = [self._found.get(number, _NONE) for number in numbers]
                return set(min(found, key=len)).intersection(*found)  # (one copy, of the smallest)
        conditions = trigger_conditions(pattern)
        if not conditions:
            return range(len(self.sentences))
        # Not covered by the document's pass (declared later, or not at all): look for the words.
        return {sentence.index for sentence in self.sentences
                if all(self._holds(sentence, words) for words in conditions)}

    def _holds(self, sentence, words: frozenset[str]) -> bool:
        return any(DIGIT_PATTERN.search(self.text, sentence.start, sentence.end) if word == DIGIT
                   else word in self.text[sentence.start:sentence.end] for word in words)


_NONE: frozenset[int] = frozenset()


@functools.lru_cache(maxsize=None)
def _one_condition_patterns(count: int) -> tuple[tuple[int, int], ...]:
    """(id, number of its condition) of each gated pattern with one trigger condition among the first
    `count` declared. (A pattern gated after this was first asked for is not in it: it is worked out
    when asked, as any other.)"""
    return tuple((key, numbers[0]) for key, (numbers, _) in _GATED.items() if len(numbers) == 1 and numbers[0] < count)


def find_triggers(text: str, sentences, also: frozenset[tuple[str, object]] = frozenset()) -> SentenceTriggers:
    """For each gated pattern, the sentences that hold its trigger words: one pass of one automaton.

    `also`: more (lower-case word, value) pairs to look for in the same pass; `SentenceTriggers.also`
    then lists (start, end, value) for each found from the first sentence's start to the last one's
    end, in the order found, whether or not it lies inside one sentence (the caller's to judge).
    """
    count = len(_CONDITIONS)
    found: dict[int, set[int]] = {}
    also_found: list[tuple[int, int, object]] = []
    automaton, need_digits, conditions_of = _automaton(count, also)
    if sentences and need_digits:
        with_digits = _sentences_with_digits(text, sentences)
        for order in need_digits:
            found[order] = set(with_digits)
    if sentences and automaton is not None:
        # (the loop runs once per word found: locals only; each word's sentences are gathered
        # first, and given to the conditions it meets once per word, not once per time found)
        starts, ends = [sentence.start for sentence in sentences], [sentence.end for sentence in sentences]
        in_sentences: dict[int, set[int]] = {}  # number of a word -> the sentences holding it
        sentence_at = bisect.bisect_right
        for last, (length, word, value) in automaton.iter(text, starts[0], ends[-1]):
            first = last - length + 1
            if value is not None:
                also_found.append((first, last + 1, value))
            index = sentence_at(starts, first) - 1
            if index >= 0 and last < ends[index]:  # wholly inside one sentence
                if word in in_sentences:
                    in_sentences[word].add(index)
                else:
                    in_sentences[word] = {index}
        for word, indices in in_sentences.items():
            for number in conditions_of[word]:
                if number in found:
                    found[number].update(indices)
                else:
                    found[number] = set(indices)
    return SentenceTriggers(text, sentences, count, found, also_found)


def _sentences_with_digits(text: str, sentences) -> set[int]:
    """The indices of the sentences that hold a digit: a search for the next digit, then on from the
    end of its sentence (as many searches as sentences with a digit, not one per sentence)."""
    starts, found = [sentence.start for sentence in sentences], set()
    position, finish = starts[0], sentences[-1].end
    while (digit := DIGIT_PATTERN.search(text, position, finish)) is not None:
        index = bisect.bisect_right(starts, digit.start()) - 1
        if digit.start() < sentences[index].end:
            found.add(sentences[index].index)
            position = sentences[index].end
        else:  # (between two sentences)
            position = digit.end()
    return found


@functools.cache
def _automaton(count: int, also: frozenset[tuple[str, object]] = frozenset()
               ) -> tuple[ahocorasick.Automaton | None, tuple[int, ...], tuple[tuple[int, ...], ...]]:
    """One automaton over the trigger words of the first `count` conditions and the words of `also`
    (each word gives its length, its number and its value in `also`, else None); the numbers of the
    conditions a digit meets; and for each word, by its number, the numbers of the conditions it meets."""
    needed_by: dict[str, list[int]] = {}
    for number, (_, words) in enumerate(_CONDITIONS[:count]):
        for word in words:
            needed_by.setdefault(word, []).append(number)
    need_digits = tuple(needed_by.pop(DIGIT, ()))
    values = dict(also)
    words = list(dict.fromkeys([*needed_by, *values]))
    if not words:
        return None, need_digits, ()
    automaton = ahocorasick.Automaton()
    for number, word in enumerate(words):
        automaton.add_word(word, (len(word), number, values.get(word)))
    automaton.make_automaton()
    return automaton, need_digits, tuple(tuple(needed_by.get(word, ())) for word in words)
