"""Relevance: does the article report a specific incident of UK police force on a person?

The decision is a logistic model over named signals read from the document: reports
of police force on someone ("shot by police", "was Tasered", "restrained by
officers"), a watchdog investigating, and the codebook's exclusions (an officer as the
victim, amnesties, statistics, policy, animals, events abroad, a past incident
mentioned in passing). Each signal is a count or a flag; the weights and the
threshold are fitted on the dev corpus by `uofdb fit` (`etl.fit`) and committed as
data in `schema/vocab/relevance_model.json`. Nothing here is a hand-set weight.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from etl.extract.cues import ANIMAL_WORDS, FORCE_PATTERNS, KILLED_BY_POLICE, OFFICER_TRIED, OFFICER_VICTIM
from etl.extract.document import ABROAD, FORCE, PLACE, WATCHDOG, Document
from etl.extract.text import Found, negated, record
from etl.extract.triggers import gated
from etl.fitted import LinearModel, load
from schema import vocab
from schema.vocab import VOCAB_DIR

MODEL_PATH = VOCAB_DIR / "relevance_model.json"

STATISTICS = gated(re.compile(r"\b(?:statistics|figures (?:show|published|released)|per cent|percentage|annual(?:ly)?|"
                        r"in the year to|year ending|rose by|fell by|number of times|were used \d|discharged \d+ times)\b", re.I))
POLICY = gated(re.compile(r"\b(?:amnesty|surrender (?:bins?|scheme)|consultation|roll[- ]out|rolled out|to be issued|will be (?:armed|issued|given)|"
                    r"training|guidance|funding|pilot scheme|trial of|should (?:be|routinely) (?:armed|carry)|routinely armed|"
                    r"poll|survey|debate|campaigners? (?:call|want)|calls? for|reviews? (?:of|into)|thematic)\b", re.I))
ANIMAL = gated(re.compile(rf"(?<!police )\b{ANIMAL_WORDS}\b", re.I))
ANIMAL_TARGET = gated(re.compile(rf"\b(?:shot|shoot|destroyed|put down|tasered|killed) (?:a|the|an|two|three) (?:[\w-]+ )?{ANIMAL_WORDS}\b", re.I))
# A shooting by someone else: the gunman, a drive-by, a murder appeal.
CIVILIAN = gated(re.compile(r"\b(?:gunm[ae]n|shooter|drive-by|gang|murder (?:inquiry|investigation)|appeal(?:ing)? for (?:witnesses|information)|"
                      r"targeted (?:attack|incident|shooting)|on suspicion of (?:murder|attempted murder|firearms offences)|"
                      r"shot by (?:a|an|his|her) (?:man|woman|gunman|partner|neighbour|friend)|armed robbers?)\b", re.I))
# Someone hit by the police vehicle, not a crash of police cars alone.
VEHICLE_STRUCK = gated(re.compile(r"\b(?:hit|struck|knocked|run over|ran over|rammed|collided with (?:a|an|the) (?:man|woman|boy|girl|"
                            r"pedestrian|cyclist|motorcyclist|rider|teenager|moped|scooter|motorbike|bike)|killed|died|injured|"
                            r"pedestrian|cyclist)\b", re.I))
PERSON = gated(re.compile(r"\b(?:man|woman|boy|girl|teenager|youth|motorist|pedestrian|rider|driver|suspect|pensioner|"
                          r"student|son|daughter|father|mother|husband|wife|brother|sister|Mr|Mrs|Ms|Miss)\b"))
# A day named: a weekday, a day and month, or a relative day (names from schema/vocab).
_FULL_NAMES = lambda names: sorted((name for name in names if len(name) > 3), key=len, reverse=True)  # noqa: E731
DAY_NAMED = gated(re.compile(r"\b(?:" + "|".join(_FULL_NAMES(vocab.weekdays())) + r"|yesterday|last night|overnight|this morning|"
                       r"this afternoon|this evening|\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:" + "|".join(_FULL_NAMES(vocab.months())) + r"))\b"))
LEAD_SENTENCES = 4  # the headline and the opening sentences: what the article is about

# The closed set of signals, in the order of the model's weights. Each is a number read
# from the document; `signals` computes them and the model file weighs them.
SIGNALS = {
    "force_reported": "sentences reporting police force on someone in plain words (at most 3)",
    "force_with_police": "sentences with a force word and police named in the same sentence (at most 3)",
    "force_in_lead": "the headline or opening sentences report police force (0 or 1)",
    "force_share": "share of the article's sentences that report police force",
    "force_absent": "no sentence reports or names force of any kind (0 or 1)",
    "officer_tried": "an officer cleared, charged or tried over a death or shooting (0 or 1)",
    "inquest_verdict": "an inquest's lawful or unlawful killing by police (0 or 1)",
    "watchdog_named": "a police watchdog is named (0 or 1)",
    "watchdog_and_person": "a watchdog, a force word and a person are all named (0 or 1)",
    "officer_victim": "sentences about an officer attacked, with no report of police force back (at most 2)",
    "animal": "force on an animal: more sentences report force beside an animal than beside a person, or an article mostly about animals (0 or 1)",
    "vehicle_only": "the only force reported is a police vehicle's, and no one is said to be hit or struck by it (0 or 1)",
    "civilian_shooting": "words of a shooting by someone else: gunman, drive-by, murder appeal (at most 2)",
    "no_uk_place": "the article names no UK place, force or watchdog (0 or 1)",
    "abroad": "places abroad named more often than UK places (0 or 1)",
    "statistics": "words of statistics (at most 3)",
    "policy": "words of policy, opinion and polls (at most 3)",
    "person_named": "a person is described (man, woman, Mr, ...) (0 or 1)",
    "day_named": "a day is named (a weekday, a date, yesterday, last night): a specific event, not a policy or a review (0 or 1)",
}


@record
class Signal:
    name: str
    value: float
    start: int  # where the signal was read (the first place), for its evidence
    end: int


@dataclass(frozen=True)
class Relevance:
    relevant: bool
    score: float
    evidence: list[Found]


Model = LinearModel


@functools.cache
def fitted_model() -> LinearModel:
    """The model `uofdb fit` wrote to schema/vocab/relevance_model.json."""
    return load(MODEL_PATH, SIGNALS)


def relevance(doc: Document, threshold: float | None = None, model: Model | None = None) -> Relevance:
    """Whether the article is relevant, its score (the model's log-odds) and the evidence.

    The evidence is one row for the decision and one per signal that is present, each
    naming the signal, its value and its weight.
    """
    model = model or fitted_model()
    threshold = model.threshold if threshold is None else threshold
    found = signals(doc)
    values = {signal.name: signal.value for signal in found}
    score = model.score(values)
    relevant = score >= threshold
    # The decision quotes the first report of force when there is one, else its strongest signal.
    strongest = next((signal for signal in found if signal.name == "force_reported" and signal.value), None) or max(
        (signal for signal in found if signal.value and model.weights.get(signal.name, 0) > 0),
        key=lambda signal: model.weights[signal.name] * signal.value, default=None)
    start, end = (strongest.start, strongest.end) if strongest else _first_sentence(doc)
    evidence = [Found("relevant", relevant, start, end, "relevance:model",
                      f"score {score:.2f} {'>=' if relevant else '<'} threshold {threshold:.2f}")]
    evidence.extend(Found("relevant", relevant, signal.start, signal.end, "relevance:signal",
                          f"{signal.name} = {signal.value:g} x weight {model.weights.get(signal.name, 0.0):.2f}")
                    for signal in found if signal.value)
    return Relevance(relevant, round(score, 4), evidence)


def _first_sentence(doc: Document) -> tuple[int, int]:
    return (doc.sentences[0].start, doc.sentences[0].end) if doc.sentences else (0, 0)


def signals(doc: Document) -> list[Signal]:
    """Every signal of SIGNALS, in order, with its value and where it was read."""
    body = doc.sentences
    whole = (body[0].start, body[-1].end) if body else (0, 0)
    reported, with_police, tried, verdict, victims = [], [], [], [], []
    killed_in, tried_in, victim_in = (doc.may_match(KILLED_BY_POLICE), doc.may_match(OFFICER_TRIED),
                                      doc.may_match(OFFICER_VICTIM))
    for sentence, mentions in zip(body, doc.force_mentions):
        strong = [match for kind, match in mentions if match.re is FORCE_PATTERNS[kind][0]
                  and not negated(sentence.text, match.start(), window=25)]
        weak = [match for kind, match in mentions if match.re is not FORCE_PATTERNS[kind][0]
                and not negated(sentence.text, match.start(), window=25)]
        killed = KILLED_BY_POLICE.search(sentence.text) if sentence.index in killed_in else None
        if strong or killed:
            match = (strong or [killed])[0]
            reported.append((sentence, match))
        elif weak:
            with_police.append((sentence, weak[0]))
        trial = OFFICER_TRIED.search(sentence.text) if sentence.index in tried_in else None
        if trial:
            tried.append((sentence, trial))
        if killed:
            verdict.append((sentence, killed))
        victim = OFFICER_VICTIM.search(sentence.text) if sentence.index in victim_in else None
        if victim and not strong:
            victims.append((sentence, victim))
    force_sentences = sum(doc.force_sentence)
    lead = [item for item in reported + tried if item[0].index < LEAD_SENTENCES]
    watchdogs = doc.of(WATCHDOG)
    any_force_word = bool(reported or with_police) or any(
        not negated(sentence.text, match.start(), window=25)
        for sentence in body if doc.force_words[sentence.index]
        for _, weak in FORCE_PATTERNS.values() if doc.can_match(weak, sentence)
        for match in weak.finditer(sentence.text))
    uk = [mention for mention in doc.mentions if mention.kind in (PLACE, FORCE, WATCHDOG)]
    abroad = doc.of(ABROAD)
    animals = _matches(doc, ANIMAL)
    # (the first match in each sentence: the first of them is where a person is first described)
    persons = _first_matches(doc, PERSON)
    person = persons[0] if persons else None
    animal_in, person_in = {sentence.index for sentence, _ in animals}, {sentence.index for sentence, _ in persons}
    animal_target = next((match for sentence in doc.sentences_for(ANIMAL_TARGET)
                          for match in ANIMAL_TARGET.finditer(sentence.text)), None)
    force_beside = [(sentence.index in animal_in, sentence.index in person_in)
                    for sentence, found in zip(body, doc.force_mentions) if found]
    animal_force = sum(animal and not person for animal, person in force_beside)
    person_force = sum(person for _, person in force_beside)
    kinds = {kind for found in doc.force_mentions for kind, _ in found}
    struck = any(VEHICLE_STRUCK.search(sentence.text) for sentence, found in zip(body, doc.force_mentions)
                 if any(kind == "vehicle" for kind, _ in found) and doc.can_match(VEHICLE_STRUCK, sentence))
    civilian = _matches(doc, CIVILIAN)
    day = _first_in_text(doc, DAY_NAMED)
    statistics = _matches(doc, STATISTICS)
    policy = _matches(doc, POLICY)

    def at(items) -> tuple[int, int]:
        if not items:
            return whole
        first = items[0]
        if isinstance(first, tuple):
            sentence, match = first
            return sentence.start + match.start(), sentence.start + match.end()
        return first.start, first.end

    return [
        Signal("force_reported", min(3, len(reported)), *at(reported)),
        Signal("force_with_police", min(3, len(with_police)), *at(with_police)),
        Signal("force_in_lead", float(bool(lead)), *at(lead)),
        Signal("force_share", round(force_sentences / len(body), 4) if body else 0.0, *whole),
        Signal("force_absent", float(not (any_force_word or tried)), *whole),
        Signal("officer_tried", float(bool(tried)), *at(tried)),
        Signal("inquest_verdict", float(bool(verdict)), *at(verdict)),
        Signal("watchdog_named", float(bool(watchdogs)), *at(watchdogs)),
        Signal("watchdog_and_person", float(bool(watchdogs and any_force_word and person)), *at(watchdogs)),
        Signal("officer_victim", min(2, len(victims)), *at(victims)),
        Signal("animal", float(bool(animal_target) or animal_force > person_force
                               or (len(animals) >= 3 and len(animals) >= len(_matches(doc, PERSON)))), *whole),
        Signal("vehicle_only", float(kinds == {"vehicle"} and not struck), *whole),
        Signal("civilian_shooting", min(2, len(civilian)), *at(civilian)),
        Signal("no_uk_place", float(not uk), *whole),
        Signal("abroad", float(len(abroad) > len(uk)), *at(abroad)),
        Signal("statistics", min(3, len(statistics)), *at(statistics)),
        Signal("policy", min(3, len(policy)), *at(policy)),
        Signal("person_named", float(bool(person)), *at(persons)),
        Signal("day_named", float(bool(day)), *(day.span() if day else whole)),
    ]


def _first_in_text(doc: Document, pattern: re.Pattern) -> re.Match | None:
    """The first match of the pattern in the text from the first sentence to the last, for a pattern
    whose words (letters, digits and single spaces) cannot span the whitespace between two sentences:
    searched in the sentences that hold its trigger words, each in the text (offsets and what lies
    before a sentence as a search of the whole would see them)."""
    return next((match for sentence in doc.sentences_for(pattern)
                 if (match := pattern.search(doc.text, sentence.start, sentence.end))), None)


def _first_matches(doc: Document, pattern: re.Pattern) -> list:
    """(sentence, match) for the first match of the pattern in each sentence that has one."""
    return [(sentence, match) for sentence in doc.sentences_for(pattern) if (match := pattern.search(sentence.text))]


def _matches(doc: Document, pattern: re.Pattern) -> list:
    """(sentence, match) for every match of the pattern, in the sentences that hold its trigger words."""
    return [(sentence, match) for sentence in doc.sentences_for(pattern) for match in pattern.finditer(sentence.text)]
