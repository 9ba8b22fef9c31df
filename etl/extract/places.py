"""Where it happened and who: borough (with its ONS code), location, force, watchdog.

Names come from the document's vocabulary mentions (`etl.extract.document`), found
once per article from `schema/vocab/`. Mentions in sentences that report the force
itself count more than mentions elsewhere, so the place of the incident beats
places merely quoted.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from etl.extract.document import ABROAD, FORCE, PLACE, WATCHDOG, Document, Mention
from etl.extract import weights as rule_weights
from etl.extract.text import Found
from etl.extract.triggers import gated
from schema import vocab


def street_suffix_pattern() -> str:
    """An alternation of the street suffixes of schema/vocab ("Road", "Close", "Estate", ...)."""
    return "(?:" + "|".join(re.escape(suffix) for suffix in vocab.street_suffixes()) + ")"


STREET_SUFFIX = street_suffix_pattern()


def uk_mentions(doc: Document) -> int:
    """How many times the article names a UK district, place, police force or watchdog."""
    return sum(1 for mention in doc.mentions if mention.kind in (PLACE, FORCE, WATCHDOG))


def _weight(doc: Document, mention: Mention, weights: dict[str, float] | None = None) -> float:
    """A mention in a sentence that reports the force counts more than one elsewhere (a fitted weight)."""
    return rule_weights.weight("place.force_sentence", weights) if doc.force_sentence[mention.sentence] else 1.0


def borough(doc: Document, weights: dict[str, float] | None = None) -> tuple[Found, Found] | None:
    """The district where it happened (name and GSS code), by weighted mentions.

    A mention counts unless it names something else (a street, a court, a hospital,
    "Brixton police"), is where someone lives or comes from, is where a court, inquest or
    hospital sits, is a district given only as a wider area ("near Hull", "east
    Belfast"), or is a place abroad ("Perth, Australia"). When the article's acting force
    is a territorial force, only districts in its area count. Mentions in sentences that
    report the force outweigh the others; two districts with the same weight leave the
    borough unstated.
    """
    mentions = doc.of(PLACE)
    counted = [mention for index, mention in enumerate(mentions)
               if _counts_as_place(doc, mention) and not _qualifies_another(doc, mentions, index)]
    area = _acting_force_area(doc)
    if area is not None and any(mention.value in area for mention in counted):
        # A place in the acting force's area beats one outside it ("Wheatley" in Oxfordshire
        # beside "Doncaster" for South Yorkshire Police).
        counted = [mention for mention in counted if mention.value in area]
    scores, in_force_sentences, first = defaultdict(float), defaultdict(int), {}
    for mention in counted:
        scores[mention.value] += _weight(doc, mention, weights)
        in_force_sentences[mention.value] += int(doc.force_sentence[mention.sentence])
        first.setdefault(mention.value, mention)
    if not scores:
        return None
    ranked = sorted(scores, key=lambda code: (-scores[code], first[code].start))
    if (len(ranked) > 1 and scores[ranked[0]] == scores[ranked[1]]
            and in_force_sentences[ranked[0]] and in_force_sentences[ranked[1]]):
        return None  # two districts tie in the sentences that report the force
    code = ranked[0]
    mention = first[code]
    district = vocab.districts()[code]
    rule = "borough:district_name" if mention.name == district.name else "borough:place_in_district"
    return (Found("borough", district.name, mention.start, mention.end, rule),
            Found("borough_code", code, mention.start, mention.end, rule))


def _counts_as_place(doc: Document, mention: Mention) -> bool:
    """Whether a place mention can be where force was used (see `borough`)."""
    text = doc.text
    sentence_start = doc.sentences[mention.sentence].start
    before = text[max(sentence_start, mention.start - 60):mention.start]
    if _names_something_else(text, mention.end) or _is_residence(before) or _is_where_a_proceeding_sits(before):
        return False
    if _is_wider_area(doc, mention):
        return False
    return not _is_abroad(doc, mention)


_QUALIFIER = re.compile(r"(?:,\s*|,?\s+in\s+)")


def _qualifies_another(doc: Document, mentions: list[Mention], index: int) -> bool:
    """A district named right after a place in another district qualifies it as a wider area
    ("Telford, Shropshire", "Culcheth, in Cheshire"): the more specific place is the one meant."""
    mention = mentions[index]
    if index == 0 or mention.name != vocab.districts()[mention.value].name:
        return False
    before = mentions[index - 1]
    if before.kind != PLACE or before.name == vocab.districts()[before.value].name:
        return False  # "a man from Leeds in Bradford": two districts, neither qualifies the other
    return (before.value != mention.value and before.sentence == mention.sentence
            and _QUALIFIER.fullmatch(doc.text, before.end, mention.start) is not None)


def _alternation(phrases) -> str:
    return "|".join(re.escape(phrase).replace("'", "['’]") for phrase in phrases)


_CUES = vocab.place_cues()
# A place name followed by these words names a street ("Kirkstall Gardens" in London),
# an institution whose place is not the incident's ("Liverpool Crown Court", "Newham
# Hospital"), or a police unit ("Brixton police said"; "Brixton police station" is a place).
_POLICE_UNIT = re.compile(rf"\s+(?i:(?:{_alternation(_CUES['police_unit'])})\b(?!\s+(?:station|custody|cell)))")
_NOT_THE_PLACE = re.compile(rf"\s+(?:{STREET_SUFFIX}|{_alternation(_CUES['institution'])})\b|{_POLICE_UNIT.pattern}")


def _names_something_else(text: str, end: int) -> bool:
    return bool(_NOT_THE_PLACE.match(text, end))


# Where someone lives or comes from is not where force was used: "Mr Clark, 35, of
# Winteringham, North Lincolnshire", "the 36-year-old, from Bolton", "lived in the City".
_RESIDENCE = re.compile(rf"(?:\b(?:{_alternation(_CUES['residence'])})|,\s+of)\s+(?:the\s+)?"
                        r"(?:[A-Z0-9][\w'’-]*\s+){0,4}(?:[\w'’-]+,\s+)?$")
# Where a court, inquest or hospital sits: "an inquest jury at County Hall, in Maidstone",
# "the trial in Leeds", "Queen's Medical Centre, Nottingham" (the institution's name before a comma).
_PROCEEDING = re.compile(rf"(?:\b(?i:{_alternation(_CUES['proceeding'])})\b(?:[\s,]+(?:jury|held|sitting|at|the|[A-Z][\w'’.-]*))"
                         rf"{{0,5}}[\s,]+(?:at|in)\s+|\b(?:{_alternation(_CUES['institution'])}),\s+)$")
# A district given only as a wider area: "near Hull", "the outskirts of Leeds", "the Dundonald
# area of Belfast", "Greater Manchester"; any place after "Co" or "County" is a county ("Co Antrim").
_WIDER = re.compile(rf"\b(?i:{_alternation(_CUES['wider'])})\s+(?:the\s+)?(?:(?:[A-Z][\w'’-]*\s+){{1,3}}area\s+of\s+)?$")
_COUNTY = re.compile(rf"\b(?:{_alternation(_CUES['county'])})\s+$")


def _is_wider_area(doc: Document, mention: Mention) -> bool:
    before = doc.text[max(doc.sentences[mention.sentence].start, mention.start - 60):mention.start]
    if _COUNTY.search(before):
        return True
    return mention.name == vocab.districts()[mention.value].name and _WIDER.search(before) is not None


def _is_residence(before: str) -> bool:
    return bool(_RESIDENCE.search(before))


def _is_where_a_proceeding_sits(before: str) -> bool:
    return bool(_PROCEEDING.search(before))


_ABROAD_QUALIFIER = re.compile(r"(?:,\s*|\s+in\s+)$")


def _is_abroad(doc: Document, mention: Mention) -> bool:
    """A UK place name qualified by a place abroad ("Perth, Australia", "Boston in the US")."""
    for other in doc.of(ABROAD, mention.sentence):
        if other.start >= mention.end and _ABROAD_QUALIFIER.fullmatch(doc.text[mention.end:other.start]) is not None:
            return True
    return False


# A force named as the one investigating another force's officers is not the acting force:
# "an investigation led by Detective Superintendent Smith of Kent Police".
_INVESTIGATOR = re.compile(r"\b(?:investigat\w*|inquiry|enquiry)\b[^.]*\b(?:led|carried out|conducted|undertaken|run|overseen|"
                          r"supervised|headed) by\s+(?:(?:[^,;\"“”.]{0,60}?,?\s+)?of\s+)?(?:the\s+)?$")


def _acting_forces(doc: Document) -> list[Mention]:
    """The force mentions that can be the acting force (not a force named only as investigator)."""
    found = []
    for mention in doc.of(FORCE):
        sentence = doc.sentences[mention.sentence]
        if _INVESTIGATOR.search(doc.text, sentence.start, mention.start):
            continue
        found.append(mention)
    return found


def _best_named_force(doc: Document, mentions: list[Mention]) -> Mention | None:
    scores, first = defaultdict(int), {}
    for mention in mentions:
        scores[mention.value] += _weight(doc, mention)
        first.setdefault(mention.value, mention)
    if not scores:
        return None
    return first[max(scores, key=lambda name: (scores[name], -first[name].start))]


def _acting_force_area(doc: Document) -> frozenset[str] | None:
    """The districts of the acting force when it is one territorial force; None when open."""
    mentions = _acting_forces(doc)
    if _forces_acting_together(doc, mentions):
        return None
    best = _best_named_force(doc, mentions)
    if best is None:
        return None
    known = vocab.forces().get(best.value)
    if known is None or known.kind != "territorial":
        return None
    return vocab.force_districts(best.value) or None


def force(doc: Document, borough_found: Found | None, on: dt.date | None = None) -> Found | None:
    """The force whose officers used force, by the name it had on `on` (the incident's date).

    Forces named in a sentence that reports the force are its agents; when one such
    sentence names several ("officers from the Met and City of London Police fired"),
    they are all recorded, sorted and joined. Otherwise the best-weighted force named
    wins, so a force merely quoted, or named only as the one investigating, loses to the
    one whose officers acted; with none named, the territorial force of the place. Each
    name is the force's at the time ("PSNI" in 1998 is the Royal Ulster Constabulary;
    Police Scotland in 2010 in Glasgow is Strathclyde Police).
    """
    code = _district_code(borough_found)
    mentions = _acting_forces(doc)
    joint = _forces_acting_together(doc, mentions)
    if joint:
        names = sorted({vocab.force_at(name, on, code) for name in str(joint.value).split("; ")})
        value = "; ".join(names) if len(names) > 1 else names[0]
        rule = "force:several_named_acting" if len(names) > 1 else "force:named"
        return Found("force", value, joint.start, joint.end, rule, _at_time(on))
    best = _best_named_force(doc, mentions)
    if best is not None:
        return Found("force", vocab.force_at(best.value, on, code), best.start, best.end, "force:named", _at_time(on))
    if code is not None:
        name = vocab.territorial_force(code, on)
        if name:
            return Found("force", name, borough_found.start, borough_found.end,
                         "force:territorial_force_of_borough", _at_time(on))
        return None
    return _force_of_the_area(doc, on)


def _force_of_the_area(doc: Document, on: dt.date | None) -> Found | None:
    """With no borough and no force named: the one territorial force of the places that are
    not a borough only because they are a wider area or name a police unit ("in the Dundonald
    area of Belfast", "Brixton police"); None when they point to several forces or none."""
    places_of_the_police = [mention for mention in doc.of(PLACE)
                            if _is_wider_area(doc, mention) or _POLICE_UNIT.match(doc.text, mention.end)]
    names = {vocab.territorial_force(mention.value, on) for mention in places_of_the_police}
    if len(names) != 1 or None in names:
        return None
    mention = places_of_the_police[0]
    return Found("force", names.pop(), mention.start, mention.end, "force:territorial_force_of_borough",
                 "no borough: the territorial force of the wider area or police unit named")


def named_on(day: dt.date | None, period: str | None, anchor: dt.date | None) -> dt.date | None:
    """The date forces and watchdogs are named for: the incident's day; else the middle of its
    month or year as the text gives it ("2008-03", "2008"); else the article's anchor date."""
    if day is not None:
        return day
    if period:
        parts = [int(part) for part in str(period).split("-")]
        if len(parts) == 2:
            return dt.date(parts[0], parts[1], 15)
        if len(parts) == 1:
            return dt.date(parts[0], 7, 1)
    return anchor


def _at_time(on: dt.date | None) -> str | None:
    return f"named as the force was on {on.isoformat()}" if on is not None else None


def _district_code(borough_found: Found | None) -> str | None:
    if borough_found is None:
        return None
    district = vocab.district_by_name().get(str(borough_found.value))
    return district.code if district is not None else None


def country(borough_found: Found | None, force_found: Found | None) -> str | None:
    """The UK country of the incident, from its district or else its force (one country for "A; B", or None)."""
    code = _district_code(borough_found)
    if code is not None:
        return vocab.districts()[code].country
    if force_found is not None:
        known = [vocab.forces().get(name) for name in str(force_found.value).split("; ")]
        countries = {force.country for force in known if force is not None}
        if len(countries) == 1 and None not in known:
            found = countries.pop()
            return found if found in ("England", "Wales", "Scotland", "Northern Ireland") else None
    return None


def _forces_acting_together(doc: Document, mentions: list[Mention]) -> Found | None:
    """Several forces named in one sentence that reports the force, as one joined value."""
    by_sentence = defaultdict(list)
    for mention in mentions:
        if doc.force_sentence[mention.sentence]:
            by_sentence[mention.sentence].append(mention)
    for group in by_sentence.values():
        names = sorted({mention.value for mention in group})
        if len(names) > 1:
            return Found("force", "; ".join(names), group[0].start, group[-1].end, "force:several_named_acting")
    return None


_NAME = r"(?:[A-Z][\w'’-]+ ){0,3}"
JUNCTION = gated(re.compile(rf"\bjunction (?:of|between) ({_NAME}{STREET_SUFFIX}) (?:and|with) ({_NAME}(?:{STREET_SUFFIX})?)\b"))
STREET = gated(re.compile(rf"\b(?:in|on|at|near|off|outside) ((?:[A-Z][\w'’-]+ ){{1,3}}{STREET_SUFFIX})\b"))


def location(doc: Document, borough_found: Found | None) -> Found | None:
    """The street, junction or place as written: a junction, else a street, else the place name."""
    text = doc.text
    ordered = sorted(doc.sentences, key=lambda sentence: not doc.force_sentence[sentence.index])
    for pattern, rule in ((JUNCTION, "location:junction"), (STREET, "location:street")):
        can_match = doc.may_match(pattern)  # (taken once, not asked sentence by sentence)
        for sentence in ordered:
            match = pattern.search(sentence.text) if sentence.index in can_match else None
            if match:
                start = sentence.start + (match.start() if pattern is JUNCTION else match.start(1))
                end = sentence.start + match.end()
                return Found("location", text[start:end], start, end, rule)
    if borough_found is not None:
        return Found("location", text[borough_found.start:borough_found.end], borough_found.start, borough_found.end, "location:place_name")
    return None


# The watchdog unnamed: "the police watchdog", or its own statement's words
# ("we have begun an independent investigation", "we attended the post-incident procedure").
UNNAMED_WATCHDOG = gated(re.compile(r"\b(?:police )?watchdog\b|\b(?:we|our)\b[^.]{0,60}\b(?:independent investigation|post[- ]incident procedures?)\b", re.I))


_RENAMED = re.compile(r"\b(?:formerly|previously|now|renamed|replaced|successor to|predecessor)(?: known as| called)?(?: the)?\s*[(,:-]?\s*$", re.I)


def referral_body(doc: Document, country: str | None, on: dt.date | None) -> Found | None:
    """The watchdog the article names; an unnamed "police watchdog" is the body holding the role there and then."""
    named = doc.of(WATCHDOG)
    # "the IOPC (formerly the IPCC)", "the IPCC, now the IOPC": a name given as the other's rename.
    kept = [mention for mention in named if not _RENAMED.search(doc.text, max(0, mention.start - 25), mention.start)]
    named = kept or named
    if named:
        bodies = {mention.value for mention in named}
        # An article naming two (an IPCC-era case reported after 2018) names the one of its time first.
        preferred = vocab.referral_body_for(country, on) if country else None
        chosen = next((mention for mention in named if mention.value == preferred), None) if len(bodies) > 1 else None
        chosen = chosen or named[0]
        return Found("referral_body", chosen.value, chosen.start, chosen.end, "referral:named")
    if country is None:
        return None
    for sentence in doc.sentences_for(UNNAMED_WATCHDOG):
        match = UNNAMED_WATCHDOG.search(sentence.text)
        if match:
            body = vocab.referral_body_for(country, on)
            if body:
                return Found("referral_body", body, sentence.start + match.start(), sentence.start + match.end(),
                             "referral:unnamed_watchdog_for_place_and_date")
    return None
