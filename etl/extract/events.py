"""Rules for what happened: force type, outcome, terrorism, weapons, shots, time, subject.

Each rule reads the sentences of one article and returns `Found` values (with the
span they were read from) or None when the article does not say. Rules prefer
sentences that report the force itself over sentences about other things.
"""
from __future__ import annotations

import functools
import re
from collections import Counter

from etl.extract.cues import ANIMAL_WORDS, FORCE_PATTERNS, LESS_LETHAL_ROUNDS, POLICE, TASER_NEARBY
from etl.extract.document import ABROAD, WEAPON, Document
from etl.extract import weights as rule_weights
from etl.extract.text import NUMBER, Found, Sentence, negated, number_value
from etl.extract.triggers import fast_start, gated
from schema import vocab
from schema.codebook import FORCE_TYPES

# --- force type -----------------------------------------------------------------------


LESS_LETHAL = gated(re.compile(rf"\b{LESS_LETHAL_ROUNDS}\b", re.I))


def _names_less_lethal_rounds(doc: Document) -> bool:
    """Whether the text names less-lethal rounds anywhere, what comes before the body included.

    Their words are letters and spaces: a match holds no line break and no sentence's last
    character, so it lies within one sentence or overlaps what comes before the first sentence's
    end. So the text up to there is searched, and after it only the sentences that can match."""
    if not doc.sentences:
        return bool(LESS_LETHAL.search(doc.text))
    return bool(LESS_LETHAL.search(doc.text, 0, doc.sentences[0].end)) or any(
        LESS_LETHAL.search(sentence.text) for sentence in doc.sentences_for(LESS_LETHAL) if sentence.index > 0)


def force_type(doc: Document) -> Found | None:
    """The most serious force the article reports police using (firearm > taser > …).

    A weak "was shot" is a Taser's in an article that reports a Taser and no firearm
    in plain words ("detectives shot him with a Taser gun ... the man was shot").
    When no sentence names police force, the article (already judged relevant) is read
    for the force words it uses most ("the fatal shooting of ...").
    """
    strong, weak = [], []
    animal_in = doc.may_match(ANIMAL_BEFORE)
    for sentence, mentions in zip(doc.sentences, doc.force_mentions):
        for kind, match in mentions:
            if negated(sentence.text, match.start(), window=25) or (
                    sentence.index in animal_in
                    and ANIMAL_BEFORE.search(sentence.text, max(0, match.start() - 40), match.start())):
                continue  # "no shots were fired"; "two dogs were shot dead by officers" is not force on a person
            is_strong = match.re is FORCE_PATTERNS[kind][0]
            (strong if is_strong else weak).append(Found(
                "force_type", kind, sentence.start + match.start(), sentence.start + match.end(),
                "force_type:named" if is_strong else "force_type:with_police"))
    if "firearm" not in {item.value for item in strong} and (
            "taser" in {item.value for item in strong + weak} or _names_less_lethal_rounds(doc)):
        # "was shot", "a firearm was discharged" in an article of Tasers or baton rounds is theirs.
        weak = [item for item in weak if item.value != "firearm"]
    candidates = strong + weak
    if candidates:
        return min(candidates, key=lambda item: (FORCE_TYPES.index(item.value), item.start))
    return _most_mentioned_force(doc)


def _most_mentioned_force(doc: Document) -> Found | None:
    mentions = [(kind, sentence.start + match.start(), sentence.start + match.end())
                for sentence in doc.sentences for kind, (_, weak) in FORCE_PATTERNS.items()
                if doc.can_match(weak, sentence) for match in weak.finditer(sentence.text)]
    if not mentions:
        return None
    counts = Counter(kind for kind, _, _ in mentions)
    kind = min(counts, key=lambda kind: (-counts[kind], FORCE_TYPES.index(kind)))
    _, start, end = next(mention for mention in mentions if mention[0] == kind)
    return Found("force_type", kind, start, end, "force_type:most_mentioned")


# --- outcome --------------------------------------------------------------------------

# Death of the person force was used on. Bare "death" or "killed" are left out: news
# of attacks speaks of the attacker's victims in those words.
# "non-fatal" is the opposite of fatal: the hyphen must not let "fatal" match inside it.
FATAL = gated(re.compile(r"\b(?:shot dead|fatally (?:shot|injured|wounded)|died|dies|death of|(?<!to )deaths? (?:in|after|following)|"
                   r"(?:pronounced|declared|confirmed|found) (?:dead|deceased)|lost (?:his|her|their) life|passed away|"
                   r"(?:was|were|been|being) killed|killed by (?:police|officers?|an? officer)|lawfully killed|unlawful killing|"
                   r"killing of (?-i:[A-Z])|(?<!non-)(?<!non )fatal (?:police )?(?:shooting|incident|collision|crash|injur(?:y|ies))|"
                   r"pronounced life extinct)\b", re.I))
# Survival stated or clearly implied (FIELDS.md conventions): being taken to or kept in hospital,
# or a critical condition, alone says nothing of it.
NON_FATAL = gated(re.compile(r"\b(?:non-fatal|survived|"
                       r"(?:in a )?(?:stable|serious but stable) condition|life[- ]changing injur(?:y|ies)|"
                       r"(?:non-|not )life[- ]threatening|injur(?:y|ies) (?:that |which )?(?:are|is|were|was) (?:not )?(?:believed to be |thought to be )?(?:not )?(?:life[- ]threatening|life[- ]changing|serious)|"
                       r"(?:(?:was|were|has been|has since been|had been) (?:later )?|(?:and|but|was|he|she) later )"
                       r"(?:arrested|charged|released|discharged from hospital|jailed|sentenced|convicted|remanded)|"
                       r"appeared (?:in|at) (?:court|\w+ (?:Magistrates|Crown) Court)|pleaded (?:not )?guilty|admitted|"
                       r"recovering|(?:was|were) treated (?:in hospital |at the scene )?for|apprehended|"
                       r"(?:awarded|paid|received) (?:[\w£,]+ ){0,3}(?:compensation|damages)|out[- ]of[- ]court settlement|"
                       r"(?:was|were) (?:slightly |seriously |badly |also )?injured|suffered (?:minor |serious |non-life-threatening )?injuries)\b", re.I))
# The ranks and titles written before an officer's name (schema/vocab/police_ranks.csv), longest first.
RANKS = "(?:" + "|".join(sorted(map(re.escape, vocab.police_ranks()), key=len, reverse=True)) + ")"
# An officer just before "was charged", "was convicted": the officer's trial, not the person's survival.
OFFICER_SUBJECT = re.compile(rf"\b(?:officers?|constables?|PCs?|sergeants?|marksm[ae]n|policem[ae]n|policewom[ae]n|{RANKS})"
                             r"\b(?:\s+[A-Z][\w'’-]+){0,3},?\s+(?:who\s+|, who\s+)?$")
# An animal just before the words of death is what died.
ANIMAL_BEFORE = gated(re.compile(rf"\b{ANIMAL_WORDS}\W+(?:\w+\W+){{0,3}}$", re.I))
# Deaths that are not the subject's: "a fatal police shooting is rare", "deaths in custody".
GENERIC_DEATH = gated(re.compile(r"\b(?:is rare|are rare|deaths in (?:police )?custody (?:figures|statistics))\b", re.I))


def outcome(doc: Document) -> Found | None:
    """fatal when the article says the person died; non_fatal when it says or implies they survived."""
    non_fatal = None
    abroad_in = {mention.sentence for mention in doc.of(ABROAD)}
    generic_in, fatal_in, non_fatal_in, animal_in = (doc.may_match(GENERIC_DEATH), doc.may_match(FATAL),
                                                     doc.may_match(NON_FATAL), doc.may_match(ANIMAL_BEFORE))
    for sentence in doc.sentences:
        index = sentence.index
        if index in generic_in and GENERIC_DEATH.search(sentence.text):
            continue
        abroad = index in abroad_in  # "weeks after the death of a man in the US"
        for match in FATAL.finditer(sentence.text) if index in fatal_in else ():
            if abroad or (index in animal_in
                          and ANIMAL_BEFORE.search(sentence.text, max(0, match.start() - 40), match.start())):
                continue  # another death: someone abroad, or an animal ("two dogs were shot dead")
            if not negated(sentence.text, match.start(), window=15):
                # (the first death read is the outcome, whatever follows: nothing after it is read)
                return Found("outcome", "fatal", sentence.start + match.start(), sentence.start + match.end(), "outcome:died")
        if non_fatal is None and index in non_fatal_in:
            non_fatal = _survival(sentence)
    return non_fatal


def _survival(sentence: Sentence) -> Found | None:
    """The first words of the person's survival in a sentence, not an officer's being charged or convicted."""
    for match in NON_FATAL.finditer(sentence.text):
        if not OFFICER_SUBJECT.search(sentence.text, max(0, match.start() - 60), match.start()):
            return Found("outcome", "non_fatal", sentence.start + match.start(), sentence.start + match.end(), "outcome:survived")
    return None


# --- terrorism ------------------------------------------------------------------------

TERROR = gated(re.compile(r"\b(?:counter[- ]terror(?:ism)?|terror(?:ism|ist)?(?:[- ]related)?)\b", re.I))
TERROR_DECLARED = gated(re.compile(
    r"\b(?:treated as (?:an? )?terror|declared (?:a |an )?(?:major |)terror|terror(?:ist)? (?:attack|incident|plot)|"
    r"counter[- ]terror(?:ism)? (?:police|policing|officers|command|detectives) (?:is|are|were|was|have|has)? ?(?:leading|led|taken over|investigating)|"
    r"Counter Terrorism Policing|"
    # The person called a terrorist for this act ("the terrorist", "terrorist Khalid Masood"),
    # but not for a past conviction ("a convicted terrorist").
    r"(?<!convicted )(?<!former )terrorist\b(?! (?:offences?|convictions?|prisoners?|charges?))|jihadi?\b)", re.I))
# Saying it is not terrorism: "not being treated as terrorism", "nothing to suggest it was
# related to terrorism", "criminality rather than terrorism".
TERROR_DENIED = fast_start(re.compile(r"\b(?:not|no|nothing|never|neither|nor|rather than|instead of|ruled out|unrelated|isn't|wasn't)\b|n't\b", re.I))
# Someone's belief or fear is not a declaration: "he believed he was dealing with a terrorist attack".
TERROR_BELIEVED = re.compile(r"\b(?:believed|thought|feared|assumed|suspected|worried|concerned|as if|possible|potential)\b", re.I)


def terrorism_status(doc: Document) -> Found | None:
    """not_terrorism when the article says it is not terrorism; terrorism when it is declared or treated so."""
    declared = None
    terror_in, declared_in = doc.may_match(TERROR), doc.may_match(TERROR_DECLARED)
    for sentence in doc.sentences:
        for match in TERROR.finditer(sentence.text) if sentence.index in terror_in else ():
            if TERROR_DENIED.search(sentence.text[max(0, match.start() - 50):match.start()]):
                return Found("terrorism_status", "not_terrorism", sentence.start, sentence.end, "terrorism:denied")
        match = TERROR_DECLARED.search(sentence.text) if sentence.index in declared_in else None
        if match and declared is None and not TERROR_BELIEVED.search(sentence.text[max(0, match.start() - 50):match.start()]):
            declared = Found("terrorism_status", "terrorism", sentence.start + match.start(),
                             sentence.start + match.end(), "terrorism:declared")
    return declared


# --- weapons --------------------------------------------------------------------------

# A recovery verb, but not the finding of a person ("officers found him").
RECOVERED = gated(re.compile(r"\b(?:recovered|found|located|seized|discovered|retrieved|examined|established|turned out to be|"
                       r"in fact (?:been|was)|lying (?:next to|beside|near)|wearing|strapped to)\b"
                       r"(?!\s+(?:him|her|them|the (?:man|woman|boy|girl|suspect)))", re.I))
NEAR = 60  # characters between a weapon and its recovery verb
NO_WEAPON = gated(re.compile(
    r"\b(?:no (?:[\w-]+ ){0,3}?(?:weapons?|firearms?|guns?|knife|knives) (?:was|were|has been|have been|had been) (?:found|recovered|located|discovered)|"
    r"(?:weapons?|firearms?|guns?|knife|knives) (?:was|were) not (?:found|recovered|located)|"
    r"(?:did|could) not (?:find|recover|locate) (?:a |any )?(?:weapons?|guns?|firearms?|knife|knives)|"
    r"unarmed(?!\s+(?:police|officers?|response))|no weapon|(?:was |were )?not (?:a |an |armed with (?:a |an )?)?weapon)\b", re.I))
# "firearms officers", "a firearms deployment": the word names police, not a weapon.
COMPOUND = re.compile(r"\s+(?:officers?|deployment|units?|teams?|command|operations?|licen[cs]e|offences?|incident|"
                      r"commanders?|trained|response|support|specialists?)\b", re.I)


def weapon_recovered(doc: Document) -> list[Found]:
    """Weapon categories recovered from or near the person, or [none] when stated that none was.

    A weapon counts when a recovery verb stands near it ("a knife was recovered",
    "what appears to be a firearm was found"); a weapon only reported or carried does not.
    """
    found: dict[str, Found] = {}
    none = None
    no_weapon_in, recovered_in = doc.may_match(NO_WEAPON), doc.may_match(RECOVERED)
    for sentence in doc.sentences:
        no_weapon = NO_WEAPON.search(sentence.text) if sentence.index in no_weapon_in else None
        if no_weapon and none is None:
            none = Found("weapon_recovered", "none", sentence.start + no_weapon.start(), sentence.start + no_weapon.end(),
                         "weapon:none_found")
        if sentence.index not in recovered_in:
            continue  # no recovery verb: nothing recovered here
        for mention in _recovered_in(doc, sentence, no_weapon):
            found.setdefault(mention.value, Found("weapon_recovered", mention.value, mention.start, mention.end,
                                                  "weapon:recovered"))
    if found:
        return [found[category] for category in sorted(found)]
    return [none] if none else []


def _recovered_in(doc: Document, sentence: Sentence, no_weapon: re.Match | None) -> list:
    """The weapon mentions of a sentence that a recovery verb stands near (the caller runs it only where
    RECOVERED can match)."""
    text = sentence.text
    verbs = [match.start() for match in RECOVERED.finditer(text)]
    if not verbs:
        return []
    hits = []
    for mention in doc.of(WEAPON, sentence.index):
        at, end = mention.start - sentence.start, mention.end - sentence.start
        if (negated(text, at, window=25) or COMPOUND.match(text, end)
                or (no_weapon and no_weapon.start() <= at < no_weapon.end())
                or not any(abs(verb - at) <= NEAR for verb in verbs)):
            continue
        hits.append(mention)
    # "A black handgun, later found to be an imitation firearm": the imitation is what it was.
    if any(mention.value == "imitation_firearm" for mention in hits):
        hits = [mention for mention in hits if mention.value != "firearm"]
    return hits


# --- shots ----------------------------------------------------------------------------

_AT_POLICE = r"(?!\s+(?:at|towards|on) (?:the )?(?:police|officers?))"
SHOT_COUNT = gated(re.compile(
    rf"\b(?:(?:fired|discharged) (?P<n1>{NUMBER}|a single|several) (?:shots?|rounds?|bullets?|times){_AT_POLICE}|"
    rf"(?P<n2>{NUMBER}|a single|a) (?:shots?|rounds?) (?:was|were|had been|have been) (?:fired|discharged){_AT_POLICE}|"
    # "was shot three times" counts wounds, not shots: only "shot at" counts.
    rf"(?:fired|opened fire|shot at) (?P<n3>once|twice|(?:{NUMBER}) times)|"
    rf"(?P<one>fired the (?:fatal |single )?shot|(?:by|with) a single (?:shot|bullet|round))|"
    rf"(?P<zero>no shots? (?:was|were|had been) fired{_AT_POLICE}|(?:did not|didn't|never) (?:fire|discharge)|without firing))\b", re.I))


def shots_fired(doc: Document) -> Found | None:
    """The number of shots police fired, when a number is written ("no shots" is 0).

    An active count ("fired two shots") needs police in the sentence, so the subject's
    own shots are not counted; Taser discharges and wounds are not shots.
    """
    for sentence in doc.sentences_for(SHOT_COUNT):
        police = doc.can_match(POLICE, sentence) and bool(POLICE.search(sentence.text))
        for match in SHOT_COUNT.finditer(sentence.text):
            passive = match.group(0).lower().startswith(("shot at", "by a single", "with a single"))
            if not (police or passive) or TASER_NEARBY.search(sentence.text[max(0, match.start() - 40):match.start()]):
                continue
            count = _shot_count(match)
            if count is not None:
                return Found("shots_fired", count, sentence.start + match.start(), sentence.start + match.end(), "shots:count")
    return None


def _shot_count(match: re.Match) -> int | None:
    if match.group("zero"):
        return 0
    if match.group("one"):
        return 1
    word = (match.group("n1") or match.group("n2") or match.group("n3") or "").lower()
    if word in ("a single", "a", "once"):
        return 1
    if word == "twice":
        return 2
    if word.endswith(" times"):
        return number_value(word[: -len(" times")])
    if word == "several":
        return None
    return number_value(word)


# --- time -----------------------------------------------------------------------------

# Clock times as news writes them: "8.45pm", "9 pm", "21:00hrs", "0200 hours", "2210BST", "midnight".
# Not an amount ("£12.30", "9.45mm") nor a count ("fired 2 shots"): shot counts are not times.
TIME = gated(re.compile(
    r"(?<![£$€\d.,])\b(?:(?P<h12>1[0-2]|0?[1-9])(?:[:.](?P<m12>[0-5]\d))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)|"
    r"(?P<h24>[01]?\d|2[0-3])[:.](?P<m24>[0-5]\d)\s*(?:hrs|hours|GMT|BST|UTC)?|"
    r"(?P<h24b>[01]\d|2[0-3])(?P<m24b>[0-5]\d)\s*(?:hrs|hours|h|GMT|BST|UTC)\b|"
    r"(?P<word>midnight|midday|noon))(?![\d:])(?!\s*(?:shots?|rounds?|times|bullets?|mm|cm|metres|meters|miles|mph|per\s?cent|%))", re.I))
CONFRONTATION = gated(re.compile(r"\b(?:stop(?:ped)?|contain(?:ed)?|confront(?:ed)?|approach(?:ed)?|challenged|cornered|intercept(?:ed)?|"
                           r"engaged with|blocked|boxed in|pursuit|chase|forced entry|raided|"
                           # Officers finding the person: "armed officers ... found a man crouching in a lay-by".
                           r"(?:found|located|traced|spotted) (?:a|the) (?:[\w-]+ )?(?:man|woman|boy|girl|male|female|suspect|person|driver)|"
                           r"(?:entered|attended|went to|arrived at) (?:the|his|her|their|a|an) (?:property|address|flat|house|home))\b", re.I))
# An incident sentence: the time of "an incident at an address at around 9pm" when nothing closer is given.
INCIDENT_AT = gated(re.compile(r"\b(?:incident|shooting|collision|confrontation|attack(?:ed|s)?|stabbing|assault(?:ed)?|"
                         # harm with no one named as its cause: "the man was injured at about 8pm", "was hit at 00:50"
                         r"(?:was|were|been|being) (?:\w+ly )?(?:hit|struck|injured|wounded|knocked down|run over))\b", re.I))
# A police vehicle striking someone, in words the force cues leave to context: "when he hit ...".
POLICE_VEHICLE_HIT = gated(re.compile(r"\b(?:police|patrol|marked) (?:car|van|vehicle|motorcycle|motorbike)\b.{0,160}?\b(?:hit|struck|collided|ran over|knocked down)\b|"
                                r"\b(?:hit|struck|collided with|ran over|knocked down)\b.{0,80}?\b(?:police|patrol|marked) (?:car|van|vehicle)\b", re.I))
# Officers said to be unarmed are not the armed officers whose arrival or confrontation gives the time.
UNARMED_OFFICERS = gated(re.compile(r"\bunarmed (?:police )?officers\b", re.I))
# A time right after these words is when something else happened: a call, a death, a statement.
OTHER_TIME = fast_start(re.compile(r"(?:called|call|reports?|reported|alerted|died|dead|death|pronounced|tweet\w*|statement|said|"
                        r"sighting|seen|deployed|dispatched|arrived|updated?|published)\W+(?:\w+\W+){0,4}$", re.I))
# The words that say what a time is of, read around it: the event named nearest before the time
# ("reports of an assault just before 1.30am" is a report's), or for a time that leads its clause
# the event named next ("Shortly after 6.20pm a duty inspector received a call ...").
OTHER_EVENT = fast_start(re.compile(r"\b(?:calls?|called|reports?|reported|alerted|notified|notification|received|receiving|"
                         r"died|dead|death|pronounced|tweet\w*|statement|sighting|seen|deployed|dispatched|"
                         r"ambulance|paramedics|hospital|updated?|published)\b(?:[ \t]+(?:of|about|that|from)\b(?:[ \t]+[\w'’-]+){1,4})?", re.I))
FORCE_EVENT = fast_start(re.compile(r"\b(?:shot|shoot\w*|fired|firing|opened fire|discharg\w+|Taser\w*|restrain\w*|struck|hit|collided|"
                         r"injured|wounded|stabb\w*|attack\w*|assault\w*|confront\w*|stopp?(?:ed|ing)?|approach\w*|found|located|"
                         r"raid\w*|tackled|detained|pinned|incident|shooting|collision|chase|pursuit|contain\w*)\b", re.I))
AROUND = 60  # characters read before a time, to the nearest event word
LEADING = 120  # characters read after a time that leads its clause, to the next event word


def incident_time(doc: Document) -> Found | None:
    """When force was used (HH:MM), else when officers stopped or confronted the person."""
    with_times = doc.sentences_for(TIME)  # a sentence with no clock time adds nothing
    # The sentences that report the force first: a time there wins, and the others need not be read.
    in_force = [sentence for sentence in with_times if doc.force_sentence[sentence.index]]
    best = _best_supported(_times_in(in_force, 1))
    if best is not None:
        return best
    tiers: dict[int, list[Found]] = {2: [], 3: []}
    unarmed_in = doc.may_match(UNARMED_OFFICERS)
    for sentence in with_times:
        if doc.force_sentence[sentence.index]:
            continue
        if sentence.index in unarmed_in and UNARMED_OFFICERS.search(sentence.text):
            continue
        tier = (2 if _search(doc, CONFRONTATION, sentence) or _search(doc, POLICE_VEHICLE_HIT, sentence)
                or _passive_force(doc, sentence)
                else 3 if _search(doc, INCIDENT_AT, sentence) else None)
        if tier is not None:
            tiers[tier].extend(_times_in([sentence], tier))
    return _best_supported(tiers[2]) or _best_supported(tiers[3])


def _times_in(sentences: list[Sentence], tier: int) -> list[Found]:
    """The clock times of the sentences that are not another event's, as found for `tier`."""
    found = []
    for sentence in sentences:
        for match in TIME.finditer(sentence.text):
            before = sentence.text[max(0, match.start() - 60):match.start()]
            if OTHER_TIME.search(before) or TIMESTAMP.search(before) or _of_other_event(sentence.text, match):
                continue
            value = _clock(match)
            if value:
                found.append(Found("incident_time", value, sentence.start + match.start(),
                                   sentence.start + match.end(), TIME_RULES[tier]))
    return found


def _best_supported(found: list[Found]) -> Found | None:
    """The value given most often (several outlets' sentences repeat the best-supported one), the first on ties."""
    if not found:
        return None
    counts = Counter(item.value for item in found)
    best = max(counts.values())
    return next(item for item in found if counts[item.value] == best)


# "Tuesday 21st June 2022 18.04 UTC": a time straight after a full date is a timestamp.
TIMESTAMP = re.compile(r"\b(?:19|20)\d{2},?\s*(?:at\s+)?$")
TIME_RULES = {1: "time:force_sentence", 2: "time:confrontation", 3: "time:incident_sentence"}


def _of_other_event(text: str, match: re.Match) -> bool:
    """Whether the words around a time make it a call's, report's, deployment's or death's."""
    before = text[max(0, match.start() - AROUND):match.start()]
    last = None  # (end, is other): the event named nearest before the time; a report "of an assault" ends after it
    for pattern, other in ((FORCE_EVENT, False), (OTHER_EVENT, True)):
        for found in pattern.finditer(before):
            if last is None or found.end() > last[0] or (found.end() == last[0] and other):
                last = (found.end(), other)
    if last is not None:
        return last[1]
    after = text[match.end():match.end() + LEADING]
    first = min(((found.start(), other) for pattern, other in ((FORCE_EVENT, False), (OTHER_EVENT, True))
                 for found in [pattern.search(after)] if found), default=None)
    return bool(first and first[1])


def _passive_force(doc: Document, sentence: Sentence) -> bool:
    """A force word with no police named ("the 45-year-old was shot at 11.40pm"), in an article about police force."""
    return any(_search(doc, weak, sentence) for _, weak in FORCE_PATTERNS.values())


def _search(doc: Document, pattern: re.Pattern, sentence: Sentence) -> re.Match | None:
    """pattern.search in the sentence, not run where its trigger words are missing."""
    return pattern.search(sentence.text) if doc.can_match(pattern, sentence) else None


def _clock(match: re.Match) -> str | None:
    if match.group("word"):
        return "00:00" if match.group("word").lower() == "midnight" else "12:00"
    if match.group("ampm"):
        hour = int(match.group("h12")) % 12 + (12 if match.group("ampm").lower().startswith("p") else 0)
        return f"{hour:02d}:{int(match.group('m12') or 0):02d}"
    hour, minute = match.group("h24") or match.group("h24b"), match.group("m24") or match.group("m24b")
    return f"{int(hour):02d}:{int(minute):02d}"


# --- subject --------------------------------------------------------------------------

_OFFICER_NEAR = gated(re.compile(r"\b(?:police|officers?|PCs?|constables?|sergeants?|inspectors?|policem[ae]n|policewom[ae]n|colleagues?)\b", re.I))
AGE = gated(re.compile(
    r"\b(?:aged (?P<a1>\d{1,2})\b|(?P<a2>\d{1,2})[- ]year[- ]old\b|(?P<a5>\d{1,2}) years? old\b|"
    r"(?:believed|thought|understood|said|known|confirmed) to (?:be|have been) (?:aged )?(?P<a3>\d{1,2})\b|"
    # "Neil McConville, 21, was …", "The former striker, 48, died …"
    r"(?P<word>[A-Za-z][\w'’-]*),\s(?P<a4>\d{1,2}),)"))
AGE_LIST = re.compile(r"(?:,|\s+and)\s+\d{1,2}\b|\s+(?:and\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*,\s+\d{1,2},")
AGE_LIST_BEFORE = re.compile(r"\b\d{1,2},\s+(?:and\s+)?(?:[A-Z][\w'’-]+\s+)*$")
_MONTH_WORDS = {"January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept",
                "Oct", "Nov", "Dec"}


def subject_age(doc: Document) -> Found | None:
    """The subject's age, read from the role of the person it is given for.

    Not an officer's ("PC Smith, 45,"), nor the age of a victim of the subject ("the
    murder of a 73-year-old"); where a sentence reporting the force gives two ages,
    the one after the force is the person it was used on ("Smith, 40, stood trial for
    shooting the 24-year-old"). Ages in sentences that report the force come first;
    within that, the age given most often (first on ties).
    """
    with_ages = doc.sentences_for(AGE)  # a sentence with no age adds nothing
    # The sentences that report the force first: an age there wins, and the others need not be read.
    for in_force in (True, False):
        found = []
        for sentence in with_ages:
            if doc.force_sentence[sentence.index] != in_force:
                continue
            ages = list(_ages_in(sentence))
            if in_force and len({age for age, _ in ages}) > 1:
                force_at = min((match.start() for _, match in doc.force_mentions[sentence.index]), default=None)
                after = [(age, match) for age, match in ages if force_at is not None and match.start() > force_at]
                ages = after or ages
            found.extend(Found("subject_age", age, sentence.start + match.start(), sentence.start + match.end(),
                               "age:stated") for age, match in ages)
        best = _best_supported(found)
        if best is not None:
            return best
    return None


def _ages_in(sentence: Sentence):
    """(age, match) for each age given for someone who may be the subject."""
    for match in AGE.finditer(sentence.text):
        if match.group("word") in _MONTH_WORDS or AGE_LIST.match(sentence.text, match.end()) \
                or AGE_LIST_BEFORE.search(sentence.text[max(0, match.start() - 80):match.start()]):
            continue  # "March 3, 21, ..." is a date; "men aged 17, 18 and 20" and
            # "A, 36, B, 49, and C, 39" list other people
        age = int(next(group for group in (match.group(name) for name in ("a1", "a2", "a3", "a4", "a5")) if group))
        after = sentence.text[match.end():match.end() + 25]
        before = sentence.text[max(0, match.start() - 40):match.start() + len(match.group("word") or "")]
        if _OFFICER_NEAR.match(after.strip()) or not 0 < age < 110 or OFFICER_NAMED.search(before) \
                or VICTIM_BEFORE.search(sentence.text[max(0, match.start() - 40):match.start()]):
            continue
        yield age, match


# "PC Harwood, 45": an officer's age. "the murder of a 73-year-old": a victim's.
OFFICER_NAMED = re.compile(rf"\b{RANKS}\.?\s+(?:[A-Z][\w'’-]+\s+)?[A-Z][\w'’-]+$")
VICTIM_BEFORE = fast_start(re.compile(r"\b(?:murder|killing|stabbing|manslaughter|rape|assault|attack|abduction|kidnap) (?:of|on) "
                           r"(?:a|an|the)?\s*$", re.I))


# The person's own nouns and titles, not relatives': "his mother said" tells us about him.
MALE = gated(re.compile(r"\b(?:man|boy|Mr|male|gentleman|father-of-\w+)\b"))
FEMALE = gated(re.compile(r"\b(?:woman|girl|Mrs|Ms|Miss|female|mother-of-\w+)\b"))
# Both genders' pronouns in one pattern: they are in nearly every sentence, so one pass per
# sentence finds both (and MALE_PRONOUN tells which a match is).
PRONOUN = fast_start(re.compile(r"\b(?:he|him|his|himself|she|her|hers|herself)\b", re.I))
MALE_PRONOUN = re.compile(r"he|him|his|himself", re.I)


# Where a gendered word stands, and what it is, says how much it tells about the person
# force was used on: words in the sentences that report the force count most (fitted
# weights, etl/extract/weights.py; a noun elsewhere is the unit).
GENDER_WEIGHT_NAMES = {"force_sentence_noun": "gender.force_sentence_noun", "force_sentence_pronoun": "gender.force_sentence_pronoun",
                       "pronoun": "gender.pronoun"}


# A witness ("a woman who saw", "Mrs D stated she heard") or a victim of the subject
# ("stabbed a woman", "attacked his wife") is not the person force was used on.
WITNESS_AFTER = gated(re.compile(r"\s*,?\s*(?:\w+\s+){0,3}?(?:saw|heard|stated|told|described|recalled|witnessed|watched|filmed)\b", re.I))
WITNESS_BEFORE = gated(re.compile(r"\bwitness(?:es)?\W+(?:\w+\W+){0,3}$", re.I))
VICTIM_VERB_BEFORE = gated(re.compile(r"\b(?:killed|stabbed|attacked|injured|injuring|murdered|threatened|hurt|assaulted|stabbing|"
                                r"attacking|killing|raped|kidnapped)\s+(?:a|an|the|his|her|their|two|three|one)?\s*(?:[\w-]+\s+)?$", re.I))


def _other_role(text: str, start: int, end: int, can_match: tuple[bool, bool, bool]) -> bool:
    """Whether the gendered word at text[start:end] names a witness or the subject's victim, from the words around it.

    `can_match`: whether the sentence holds the trigger words of WITNESS_AFTER, WITNESS_BEFORE and
    VICTIM_VERB_BEFORE (`Document.may_match`); a pattern whose words it lacks cannot match, and is not run."""
    after, witness, victim = can_match
    if after and WITNESS_AFTER.match(text, end, end + 40):
        return True
    if not (witness or victim):
        return False
    before = text[max(0, start - 40):start]
    return bool((witness and WITNESS_BEFORE.search(before)) or (victim and VICTIM_VERB_BEFORE.search(before)))


@functools.cache
def _pronoun_gender(word: str) -> str:
    """male or female, for a word PRONOUN matched (as written: "He", "HERSELF")."""
    return "male" if MALE_PRONOUN.fullmatch(word) else "female"


def _pronouns_by_sentence(doc: Document) -> list[dict[str, list[tuple[int, int]]]]:
    """For each sentence, the spans (in the sentence) of its male and female pronouns, in order.

    One scan of the body, from the first sentence to the last, instead of one per sentence: a
    pronoun holds no whitespace and only whitespace lies between sentences, so the body's matches
    are the sentences' own, and a word boundary at a sentence's edge is one in the body too."""
    found: list[dict[str, list[tuple[int, int]]]] = [{"male": [], "female": []} for _ in doc.sentences]
    if not doc.sentences:
        return found
    begin = doc.sentences[0].start
    sentences, index = doc.sentences, 0
    for match in PRONOUN.finditer(doc.text[begin:doc.sentences[-1].end]):
        start = begin + match.start()
        while sentences[index].end <= start:
            index += 1
        offset = sentences[index].start
        found[index][_pronoun_gender(match.group())].append((start - offset, begin + match.end() - offset))
    return found


def _gender_weights(weights: dict[str, float] | None) -> dict[tuple[bool, str], tuple[str, float]]:
    """(where, its weight) of a noun or a pronoun, in a force sentence or not (a noun elsewhere is the unit)."""
    wheres = {(in_force, kind): f"force_sentence_{kind}" if in_force else kind
              for in_force in (True, False) for kind in ("noun", "pronoun")}
    return {key: (where, rule_weights.weight(GENDER_WEIGHT_NAMES[where], weights) if where in GENDER_WEIGHT_NAMES else 1.0)
            for key, where in wheres.items()}


def subject_gender(doc: Document, weights: dict[str, float] | None = None) -> Found | None:
    """male or female: gendered nouns and pronouns, weighted towards the sentences that report the force.

    Witnesses, victims, relatives and officers are mentioned too ("Mrs D said", "his
    mother"): the words that name a witness or a victim by their role are left out, words
    near the force outweigh words elsewhere, and nouns outweigh pronouns.
    """
    scores, first = {"male": 0, "female": 0}, {}
    weight_of = _gender_weights(weights)
    officers_in = doc.may_match(_OFFICER_NEAR)
    male_in, female_in = doc.may_match(MALE), doc.may_match(FEMALE)
    roles_in = tuple(doc.may_match(pattern) for pattern in (WITNESS_AFTER, WITNESS_BEFORE, VICTIM_VERB_BEFORE))
    pronouns_in = _pronouns_by_sentence(doc)
    # (sentence by sentence; each gender's score and first word come from its own words only, nouns
    # before pronouns within a sentence)
    for sentence, pronouns in zip(doc.sentences, pronouns_in):
        index, text = sentence.index, sentence.text
        nouns = {"male": [match.span() for match in MALE.finditer(text)] if index in male_in else (),
                 "female": [match.span() for match in FEMALE.finditer(text)] if index in female_in else ()}
        if not (nouns["male"] or nouns["female"] or pronouns["male"] or pronouns["female"]):
            continue  # no gendered word
        in_force = doc.force_sentence[index]
        officers = index in officers_in
        roles = tuple(index in where for where in roles_in)
        for gender in ("male", "female"):
            for kind, spans in (("noun", nouns[gender]), ("pronoun", pronouns[gender])):
                where, weight = weight_of[in_force, kind]
                for start, end in spans:
                    if officers and _OFFICER_NEAR.match(text[end:end + 30].lstrip()):
                        continue
                    if _other_role(text, start, end, roles):
                        continue
                    scores[gender] += weight
                    if gender not in first:
                        first[gender] = (sentence.start + start, sentence.start + end, f"gender:{where}")
    if scores["male"] == scores["female"]:
        return None
    gender = max(scores, key=scores.get)
    start, end, rule = first[gender]
    return Found("subject_gender", gender, start, end, rule)
