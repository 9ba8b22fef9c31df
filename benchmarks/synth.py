"""A synthetic scale corpus with gold labels, rewritten at run time from the dev corpus.

    python benchmarks/synth.py --articles 10000 --seed 1 --out /tmp/synth
    uofdb build --raw /tmp/synth/articles --out /tmp/synth-build
    python ../shared/eval/score.py --gold /tmp/synth/gold.jsonl --build /tmp/synth-build

Writes OUT/articles/NNNN/aNNNNNNN.txt (one article a file, in the dev corpus's own
format, so ingest reads them by the same path as the dev articles and accuracy is
comparable), OUT/gold.jsonl (one row per article, the format of the dev corpus's
gold.jsonl; `article_id` is the path under articles/ without `.txt`, which is the id
the build gives the file) and OUT/gold_incidents.jsonl (one row per incident).

Each synthetic incident copies a source incident of the dev corpus (1-6 articles,
drawn from its articles) and rewrites, the same way in every article and in the gold
rows: people's names, the place (a district of the same force, with its places),
the force (between forces of England and Wales outside London, when each article
names it exactly and by no other alias), dates (by whole weeks, so weekdays and
relative words like "on Thursday night" stay true; written years move with them),
clock times and ages. A value's gold is rewritten only when the text states it in a
form rewritten here (checked per article); otherwise the source's value is kept, so
the gold stays true. Distractors are the dev corpus's irrelevant articles, rewritten
the same way, in the dev corpus's share. Paragraphs after the lead are shuffled, so
copies of one source are not near-identical. The same seed gives the same bytes.
Nothing of the dev corpus is stored in the repository: it is read when this runs.
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import itertools
import json
import math
import os
import random
import shutil
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
sys.path[:0] = [str(REPO), str(BENCHMARKS)]

from schema import vocab  # noqa: E402
from synth_templates import (FEMALE_TITLES, Slot, Template, month_styles, render_date,  # noqa: E402
                             render_time, template, time_hours)

DEV_CORPUS = REPO.parent / "shared" / "corpus" / "dev"
GOLD_FIELDS = ("article_id", "published_date", "relevant", "incident_key", "incident_date", "incident_time",
               "borough", "location", "force", "force_type", "outcome", "referral_body", "terrorism_status",
               "weapon_recovered", "subject_age", "subject_gender", "shots_fired")
# gold_incidents.jsonl: the scored fields (no location: it is not scored)
INCIDENT_FIELDS = ("incident_key", "article_ids") + tuple(name for name in GOLD_FIELDS[4:] if name != "location")
MAX_ARTICLES_PER_INCIDENT = 6
WORD_KINDS = ("surname", "first", "street", "place")  # slots replaced by a word drawn per incident
FILES_PER_FOLDER = 1000  # articles/NNNN/ folders of this many files: no folder of 100,000 entries
MAX_YEAR_SHIFT = 25  # years a copy may move; the dev corpus's own date range bounds it further
DAYS_PER_YEAR = 365.2425  # the Gregorian mean, to move a year no date of the incident falls in
MAX_HOUR_SHIFT = 2  # hours a clock time may move: "evening" and "night" stay true
MAX_AGE_SHIFT = 6  # years an age may move
MIN_AGE = 14  # no younger subject after a shift
WHOLE_UK = ("Great Britain", "UK")  # countries of the special forces (British Transport Police, ...)
LONDON_CODES = "E09"  # GSS prefix of the London boroughs: a force covering them keeps "London" in its texts true
# Invented names for the copies (not from the corpus).
FIRST_NAMES = {
    "male": ("Aaron", "Callum", "Dominic", "Ewan", "Faisal", "Gareth", "Imran", "Jerome", "Kofi", "Lewis",
             "Marek", "Niall", "Omar", "Declan", "Rhys", "Stefan", "Tyrone", "Vikram", "Wesley", "Zain"),
    "female": ("Aisha", "Bethany", "Chloe", "Deborah", "Eleanor", "Fatima", "Grace", "Hannah", "Imogen", "Joanne",
               "Kerry", "Leanne", "Megan", "Nadia", "Olivia", "Priya", "Rachel", "Sinead", "Tanya", "Yasmin"),
}
# Surnames and street names are made of two parts (hundreds of them, so copies of one story rarely
# share a name); those that are a place's name are left out (`invented_names`).
NAME_STARTS = ("Ash", "Brack", "Cal", "Dun", "Ell", "Fair", "Gold", "Hart", "Ives", "Kel", "Lang", "Mar", "Nor",
               "Oak", "Pen", "Rad", "Sand", "Thorn", "Wake", "Whit")
NAME_ENDS = ("bury", "croft", "dale", "field", "ford", "hurst", "ley", "more", "stead", "ton", "well", "wick",
             "worth", "by")
MOST_READ_MIN = 8  # short articles get a box of this many lines all the same
MOST_READ_WORDS_PER_LINE = 20  # one five-word line per 20 words of article: a quarter more words
NEWS_SUBJECTS = ("bakery", "school", "library", "choir", "football club", "market", "theatre", "allotment society",
                 "cricket team", "brewery", "bookshop", "swimming pool", "orchestra", "garden centre", "museum")
NEWS_VERBS = ("wins", "opens", "celebrates", "plans", "reopens", "launches", "marks", "unveils", "hosts", "welcomes")
NEWS_OBJECTS = ("regional award", "new season", "hundredth anniversary", "summer festival", "charity appeal",
                "craft fair", "open day", "fundraising drive", "new menu", "garden project", "reading scheme",
                "music week", "poetry prize", "cake competition")
STREET_NAMES = ("Alder", "Beacon", "Cedar", "Dunmore", "Elmfield", "Foxglove", "Greyfriars", "Hawthorn", "Ivydene",
                "Juniper", "Kestrel", "Larkspur", "Merrivale", "Nettleton", "Orchard", "Primrose", "Quarry", "Rosebank",
                "Sycamore", "Tamarind", "Upland", "Willowbrook", "Yewtree", "Ashdown", "Bramble")


class CorpusError(ValueError):
    """The source corpus is missing a file or a gold row is unusable."""


@dataclass(frozen=True)
class Source:
    """One dev incident (or one irrelevant article) and what a copy of it may rewrite."""

    key: str | None
    templates: tuple[Template, ...]
    incident: dict | None
    weeks: tuple[int, ...]  # whole weeks a copy may move its dates by
    year_spans: tuple[tuple[dt.date, dt.date], ...]  # the first and last date of each year its dates fall in
    hour_shifts: tuple[int, ...]
    age_shifts: tuple[int, ...]
    ages: frozenset[int]
    district: vocab.District | None  # the district a copy may move, None when it stays
    force_to: tuple[str, ...]  # forces a copy may move to; empty when the force stays
    words: tuple[Slot, ...] = ()  # the first slot of each name, street and place its articles write


@dataclass
class Rewrite:
    """The values one synthetic incident gives its copies."""

    days: int = 0
    years: dict[int, int] = field(default_factory=dict)  # a year its dates fall in -> the year they move to
    hours: int = 0
    age: int = 0
    ages: frozenset[int] = frozenset()
    words: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, text) -> replacement
    borough: tuple[str, str] | None = None
    force: tuple[str, str] | None = None


# ---- run: load, generate, save --------------------------------------------------------------

def run(articles: int, seed: int, out: Path, corpus: Path = DEV_CORPUS) -> dict:
    """Write `articles` synthetic articles and their gold rows into `out` (a new or empty folder)."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out}: not empty; give a new folder")
    if articles < 1:
        raise ValueError(f"--articles {articles}: give at least one article")
    sources, distractors = load_sources(corpus)
    counts = {"articles": 0, "relevant": 0, "incidents": 0}
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))  # beside `out`: one rename publishes it
    try:
        # Written as generated: memory holds one incident, whatever the size.
        with (staging / "gold.jsonl").open("w", encoding="utf-8") as gold_file, \
                (staging / "gold_incidents.jsonl").open("w", encoding="utf-8") as incidents_file:
            for index, text, gold, incident in generate(sources, distractors, articles, seed):
                path = staging / "articles" / f"{gold['article_id']}.txt"
                if index % FILES_PER_FOLDER == 0:
                    path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                gold_file.write(json_line(gold))
                counts["articles"] += 1
                counts["relevant"] += gold["relevant"]
                if incident is not None:
                    incidents_file.write(json_line(incident))
                    counts["incidents"] += 1
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return counts


def json_line(row: dict) -> str:
    """One row as a line of the gold files (the dev corpus's spacing)."""
    return json.dumps(row, ensure_ascii=False) + "\n"


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(json_line(row) for row in rows)


def read_jsonl(path: Path, required: tuple[str, ...]) -> list[dict]:
    """The rows of a gold file, each an object with the `required` keys."""
    if not path.is_file():
        raise CorpusError(f"{path}: no such file (the source corpus needs articles/, gold.jsonl, gold_incidents.jsonl)")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise CorpusError(f"{path}: line {number}: not JSON ({error})") from None
        missing = [name for name in required if not isinstance(row, dict) or name not in row]
        if missing:
            raise CorpusError(f"{path}: line {number}: no {', '.join(missing)}")
        rows.append(row)
    return rows


def load_sources(corpus: Path) -> tuple[list[Source], list[Source]]:
    """The dev corpus as sources: its incidents, and its irrelevant articles as distractors."""
    gold = read_jsonl(corpus / "gold.jsonl", GOLD_FIELDS)
    incidents = {row["incident_key"]: row for row in read_jsonl(corpus / "gold_incidents.jsonl", INCIDENT_FIELDS)}
    texts = {}
    for row in gold:
        path = corpus / "articles" / f"{row['article_id']}.txt"
        if not path.is_file():
            raise CorpusError(f"{corpus / 'gold.jsonl'}: article {row['article_id']}: no file {path}")
        texts[row["article_id"]] = path.read_text(encoding="utf-8")
    bounds = _date_bounds(gold)
    by_key = defaultdict(list)
    for row in gold:
        if row["relevant"]:
            by_key[row["incident_key"]].append(row)
    sources = []
    for key in sorted(by_key):
        if key not in incidents:
            raise CorpusError(f"{corpus / 'gold_incidents.jsonl'}: no row for incident_key {key!r}")
        sources.append(source(key, [(row, texts[row["article_id"]]) for row in by_key[key]], incidents[key], bounds))
    distractors = [source(None, [(row, texts[row["article_id"]])], None, bounds)
                   for row in gold if not row["relevant"]]
    if not sources:
        raise CorpusError(f"{corpus / 'gold.jsonl'}: no relevant articles to copy")
    return sources, distractors


def _date_bounds(gold: list[dict]) -> tuple[dt.date, dt.date]:
    """The dev corpus's first and last dates: copies stay within them (no incident in the future)."""
    days = [dt.date.fromisoformat(row[name]) for row in gold for name in ("published_date", "incident_date")
            if row.get(name)]
    return min(days), max(days)


# ---- what a source allows -------------------------------------------------------------------

def source(key: str | None, articles: list[tuple[dict, str]], incident: dict | None,
           bounds: tuple[dt.date, dt.date]) -> Source:
    """A source and the rewrites its texts support (see the module's docstring)."""
    def cut(places: frozenset[str], force: str | None) -> tuple[Template, ...]:
        return tuple(template(row["article_id"], text, row, places, force) for row, text in articles)

    district = _district(incident)
    force_to = _forces_to(incident, articles, district)
    force = incident["force"] if force_to else None
    templates = cut(_place_names(district.code) if district else frozenset(), force)
    if district and not _stated_everywhere(templates, "borough", lambda slot, value: slot.kind == "place"):
        # An article states the district without naming it or one of its places: the district stays, and
        # so does the force that goes with it.
        district = None
        if incident.get("borough"):
            force_to, force = (), None
        templates = cut(frozenset(), force)
    if key is None:  # a distractor has no subject: every age it writes may move
        ages = frozenset(slot.parts[0] for each in templates for slot in each.slots() if slot.kind == "age")
    else:
        ages = frozenset(value for value in [row.get("subject_age") for row, _ in articles]
                         + [incident.get("subject_age")] if value is not None)
    words = {}
    for slot in (slot for each in templates for slot in each.slots()):
        if slot.kind in WORD_KINDS:
            words.setdefault((slot.kind, slot.text), slot)
    weeks, year_spans = _week_shifts(templates, incident, bounds)
    return Source(key, templates, incident, weeks, year_spans, _hour_shifts(templates), _age_shifts(templates, ages),
                  ages, district, force_to, tuple(words.values()))


def _district(incident: dict | None) -> vocab.District | None:
    if not incident or not incident.get("borough"):
        return None
    return vocab.district_by_name().get(incident["borough"])


def _place_names(code: str) -> frozenset[str]:
    """The district's name and the places in it, less names that are another district's name."""
    return _places_by_district().get(code, frozenset()) | {vocab.districts()[code].name}


@functools.cache
def _places_by_district() -> dict[str, frozenset[str]]:
    """District code -> its places in the gazetteer that are not a district's name (read once: it is large)."""
    districts = vocab.district_by_name()
    found = defaultdict(set)
    for place, code in vocab.places().items():
        if place not in districts:
            found[code].add(place)
    return {code: frozenset(names) for code, names in found.items()}


def _movable_forces() -> tuple[str, ...]:
    """Territorial forces of England and Wales, unchanged in name, covering no London borough."""
    return tuple(sorted(name for name, force in vocab.forces().items()
                        if force.kind == "territorial" and force.country in ("England", "Wales")
                        and force.valid_from is None and force.valid_to is None and force.successor is None
                        and vocab.force_districts(name)
                        and not any(code.startswith(LONDON_CODES) for code in vocab.force_districts(name))))


def _forces_to(incident: dict | None, articles: list[tuple[dict, str]], district) -> tuple[str, ...]:
    """The forces a copy may name instead, when every article naming the force writes its official name
    and no other alias of it."""
    if not incident or incident.get("force") not in _movable_forces():
        return ()
    force = incident["force"]
    aliases = [alias for alias, name in vocab.force_aliases().items() if name == force and alias != force]
    for row, text in articles:
        if row.get("force") not in (None, force) or (row.get("force") and force not in text):
            return ()
        if any(alias in text.replace(force, "") for alias in aliases):
            return ()
    if district is not None and district.force != force:
        return ()
    return tuple(name for name in _movable_forces() if name != force)


def _stated_everywhere(templates, name: str, matches) -> bool:
    """Every article with a gold `name` has a slot that states it (so rewriting the slots keeps it true)."""
    for each in templates:
        value = each.gold.get(name)
        if value is not None and not any(matches(slot, value) for slot in each.slots()):
            return False
    return True


def _boundaries(force: str | None) -> list[dt.date]:
    """Days the incident's force or its watchdog changed name: a copy's incident date never crosses one,
    since the gold force or referral body would change with it. Every force's and watchdog's when the
    force is not one known force (none, or several)."""
    forces = vocab.forces()
    known = forces.get(force)
    family = [item for name, item in forces.items()
              if known is None or name == force or item.successor == force or name == known.successor]
    bodies = [body for body in vocab.referral_bodies().values()
              if known is None or known.country in body.country or known.country in WHOLE_UK]
    days = set()
    for item in family + bodies:
        if item.valid_from:
            days.add(item.valid_from)
        if item.valid_to:
            days.add(item.valid_to + dt.timedelta(days=1))
    return sorted(days)


def _week_shifts(templates, incident, bounds) -> tuple[tuple[int, ...], tuple[tuple[dt.date, dt.date], ...]]:
    """The whole weeks a copy may move its dates by, and the first and last date of each year they fall in.

    A move keeps the gold dates within `bounds` and the incident on the same side of every change of
    its force's or watchdog's name, and moves the gold dates of one year into one year, later years into
    later years, so a year written alone ("in 2013") moves with them."""
    gold_days = [dt.date.fromisoformat(each.gold[name]) for each in templates
                 for name in ("published_date", "incident_date") if each.gold.get(name)]
    if incident and incident.get("incident_date"):
        gold_days.append(dt.date.fromisoformat(incident["incident_date"]))
    by_year = defaultdict(list)  # written dates are rewritten from their own moved day, year and all
    for day in gold_days:
        by_year[day.year].append(day)
    spans = tuple((min(days), max(days)) for _, days in sorted(by_year.items()))
    low, high = -MAX_YEAR_SHIFT * DAYS_PER_YEAR, MAX_YEAR_SHIFT * DAYS_PER_YEAR
    for day in gold_days:
        low, high = max(low, (bounds[0] - day).days), min(high, (bounds[1] - day).days)
    # The names follow the incident's date; an undated incident's articles' dates stand in for it.
    incident_days = [dt.date.fromisoformat(each.gold["incident_date"]) for each in templates
                     if each.gold.get("incident_date")] or gold_days
    for day in incident_days:
        for boundary in _boundaries((incident or {}).get("force")):
            if day < boundary:
                high = min(high, (boundary - day).days - 1)
            else:
                low = max(low, (boundary - day).days)
    weeks = tuple(week for week in range(math.ceil(low / 7), math.floor(high / 7) + 1)
                  if _years_after(spans, 7 * week) is not None)
    return weeks or (0,), spans


def _years_after(spans: tuple[tuple[dt.date, dt.date], ...], days: int) -> tuple[int, ...] | None:
    """The year each year's dates move to, or None when one year's dates would land in two years or two
    years in one."""
    moved = []
    for first, last in spans:
        year = (first + dt.timedelta(days=days)).year
        if (last + dt.timedelta(days=days)).year != year or (moved and year <= moved[-1]):
            return None
        moved.append(year)
    return tuple(moved)


def _hour_shifts(templates) -> tuple[int, ...]:
    """Hours every clock time may move by, keeping 12-hour times in their half of the day; none unless
    each article's gold time is one of its written times."""
    if not _stated_everywhere(templates, "incident_time", lambda slot, value: slot.kind == "time"
                              and f"{slot.parts[0]:02d}:{slot.parts[1]:02d}" == value):
        return (0,)
    times = [time_hours(slot) for each in templates for slot in each.slots() if slot.kind == "time"]
    allowed = []
    for hours in range(-MAX_HOUR_SHIFT, MAX_HOUR_SHIFT + 1):
        if all(0 <= hour + hours <= 23 and (not twelve or ((hour + hours) // 12 == hour // 12
                                                             and (hour + hours) % 12 and hour % 12))
               for hour, twelve in times):
            allowed.append(hours)
    return tuple(allowed) or (0,)


def _age_shifts(templates, ages: frozenset[int]) -> tuple[int, ...]:
    """Years the subject's ages may move by; none unless each article's gold age is one it writes."""
    if not ages or not _stated_everywhere(templates, "subject_age",
                                          lambda slot, value: slot.kind == "age" and slot.parts[0] == value):
        return (0,)
    return tuple(shift for shift in range(-MAX_AGE_SHIFT, MAX_AGE_SHIFT + 1) if min(ages) + shift >= MIN_AGE) or (0,)


# ---- generate -------------------------------------------------------------------------------

def generate(sources: list[Source], distractors: list[Source], articles: int, seed: int):
    """(index, text, gold row, incident gold row or None) for `articles` articles, from the seed alone."""
    rng = random.Random(seed)
    share = _distractor_draws(len(distractors) / (len(distractors) + sum(len(each.templates) for each in sources)))
    styles, headlines = month_styles(), local_headlines()
    index = incident = 0
    while index < articles:
        is_distractor = distractors and rng.random() < share
        chosen = rng.choice(distractors if is_distractor else sources)
        count = 1 if is_distractor else min(rng.randint(1, MAX_ARTICLES_PER_INCIDENT), articles - index)
        rewrite = draw_rewrite(rng, chosen)
        key = None if is_distractor else f"synth-{seed}-{incident:07d}"
        picks = _pick(rng, chosen.templates, count)
        ids = [article_id(index + offset) for offset in range(count)]
        incident_row = None
        if key is not None:
            incident_row = gold_incident(chosen.incident, rewrite, key, ids)
            incident += 1
        for offset, (each, new_id) in enumerate(zip(picks, ids)):
            text = render(rng, each, rewrite, styles, headlines)
            yield index, text, gold_row(each.gold, rewrite, new_id, key), incident_row if offset == count - 1 else None
            index += 1


def _distractor_draws(share: float) -> float:
    """How often to draw a distractor (one article) rather than an incident (1-6, 3.5 on average) so that
    distractors are `share` of the articles."""
    mean = (1 + MAX_ARTICLES_PER_INCIDENT) / 2
    return share * mean / (share * mean + 1 - share)


def article_id(index: int) -> str:
    """The id the build gives the file: its path under articles/ without `.txt`."""
    return f"{index // FILES_PER_FOLDER:04d}/a{index:07d}"


def _pick(rng: random.Random, templates: tuple[Template, ...], count: int) -> list[Template]:
    """`count` of the source's articles: each once before any twice."""
    order = list(templates)
    rng.shuffle(order)
    return [order[offset % len(order)] for offset in range(count)]


def draw_rewrite(rng: random.Random, chosen: Source) -> Rewrite:
    """One incident's new values: shifts, names, streets, district and force."""
    days = 7 * rng.choice(chosen.weeks)
    years = dict(zip((first.year for first, _ in chosen.year_spans), _years_after(chosen.year_spans, days) or ()))
    rewrite = Rewrite(days=days, years=years, hours=rng.choice(chosen.hour_shifts),
                      age=rng.choice(chosen.age_shifts), ages=chosen.ages)
    surnames, streets = _distinct(rng, invented_names()), _distinct(rng, invented_names())
    gender = (chosen.incident or {}).get("subject_gender")
    for slot in chosen.words:  # one slot per name, street and place: each gets one replacement
        if slot.kind == "surname":
            rewrite.words["surname", slot.text] = next(surnames)
        elif slot.kind == "first":
            female = slot.parts[1] in FEMALE_TITLES or (slot.parts[1] in ("Dr", "") and gender == "female")
            rewrite.words["first", slot.text] = rng.choice(FIRST_NAMES["female" if female else "male"])
        elif slot.kind == "street":
            rewrite.words["street", slot.text] = next(streets)
    force = chosen.incident["force"] if chosen.force_to else None
    if force:
        new_force = rng.choice(chosen.force_to)
        rewrite.force = (force, new_force)
        rewrite.words["force", force] = new_force
    if chosen.district is not None:
        codes = _new_district_codes(chosen.district.code, chosen.incident.get("force"),
                                    rewrite.force[1] if rewrite.force else None)
        if codes:
            new = vocab.districts()[rng.choice(codes)]
            rewrite.borough = (chosen.district.name, new.name)
            places = _other_places(new.code)
            for slot in chosen.words:
                if slot.kind == "place":
                    is_district = slot.text == chosen.district.name
                    rewrite.words["place", slot.text] = new.name if is_district else rng.choice(places)
    return rewrite


@functools.cache
def invented_names() -> tuple[str, ...]:
    """Every two-part name ("Ashcroft", "Thornwick") that is no place's name in the gazetteer."""
    places = set(vocab.places()) | set(vocab.district_by_name()) | set(vocab.places_abroad())
    names = (start + end for start, end in itertools.product(NAME_STARTS, NAME_ENDS))
    return tuple(name for name in names if name not in places)


def _distinct(rng: random.Random, words: tuple[str, ...]):
    """The words from a random one on, all of them before any again (two people never get one name
    unless an incident names more people than there are words), for one draw of the generator."""
    start = rng.randrange(len(words))
    return itertools.cycle(words[start:] + words[:start])


@functools.cache
def _new_district_codes(old_code: str, then: str | None, new_force: str | None) -> tuple[str, ...]:
    """Districts a copy may move to: of the new force, else of the source's force then and now."""
    if new_force:
        codes = vocab.force_districts(new_force)
    else:
        now = vocab.districts()[old_code].force
        codes = {code for code, district in vocab.districts().items() if district.force == now}
        if then in vocab.forces():
            codes &= vocab.force_districts(then)
    return tuple(sorted(codes - {old_code}))


@functools.cache
def _other_places(code: str) -> tuple[str, ...]:
    """The places of a district other than its name, in order (its name when it has none)."""
    name = vocab.districts()[code].name
    return tuple(sorted(_place_names(code) - {name})) or (name,)


def render(rng: random.Random, each: Template, rewrite: Rewrite, styles, headlines: tuple[str, ...]) -> str:
    """The article with the incident's values, its paragraphs after the lead shuffled, and a "Most read" box."""
    body = list(each.body)
    rng.shuffle(body)
    paragraphs = ["".join(_text(segment, rewrite, styles) for segment in paragraph)
                  for paragraph in each.head + tuple(body)]
    paragraphs.append(most_read(rng, sum(paragraph.count(" ") for paragraph in paragraphs), headlines))
    return each.separator.join(paragraphs)


def local_headlines() -> tuple[str, ...]:
    """Every invented local headline ("Cedar bakery wins regional award"): tens of thousands."""
    return tuple(" ".join(words) for words in itertools.product(STREET_NAMES, NEWS_SUBJECTS, NEWS_VERBS, NEWS_OBJECTS))


def most_read(rng: random.Random, words: int, headlines: tuple[str, ...]) -> str:
    """A "Most read" box of invented local headlines, as news pages end with: about a quarter of the
    article's words, drawn fresh for each copy, so copies of one source share fewer word shingles."""
    lines = max(MOST_READ_MIN, words // MOST_READ_WORDS_PER_LINE)
    return "Most read\n" + "\n".join(rng.choices(headlines, k=lines))


def _text(segment, rewrite: Rewrite, styles) -> str:
    return segment if isinstance(segment, str) else render_slot(segment, rewrite, styles)


def render_slot(slot: Slot, rewrite: Rewrite, styles) -> str:
    if slot.kind == "date":
        return render_date(slot, rewrite.days, styles)
    if slot.kind == "year":
        year = slot.parts[0]
        return str(rewrite.years.get(year, year + round(rewrite.days / DAYS_PER_YEAR)))
    if slot.kind == "time":
        return render_time(slot, rewrite.hours)
    if slot.kind == "age":
        return str(slot.parts[0] + rewrite.age) if slot.parts[0] in rewrite.ages else slot.text
    return rewrite.words.get((slot.kind, slot.text), slot.text)


# ---- gold -----------------------------------------------------------------------------------

def gold_row(gold: dict, rewrite: Rewrite, new_id: str, key: str | None) -> dict:
    """The source article's gold row with the incident's values."""
    row = {name: gold.get(name) for name in GOLD_FIELDS}
    row.update(article_id=new_id, incident_key=key, **_rewritten(gold, rewrite))
    row["published_date"] = _moved_day(gold.get("published_date"), rewrite)
    return row


def gold_incident(incident: dict, rewrite: Rewrite, key: str, article_ids: list[str]) -> dict:
    row = {name: incident.get(name) for name in INCIDENT_FIELDS}
    row.update(incident_key=key, article_ids=article_ids, **_rewritten(incident, rewrite))
    return row


def _rewritten(values: dict, rewrite: Rewrite) -> dict:
    """The event fields a rewrite changes."""
    changed = {"incident_date": _moved_day(values.get("incident_date"), rewrite)}
    time = values.get("incident_time")
    if time:
        hour, minute = time.split(":")
        changed["incident_time"] = f"{int(hour) + rewrite.hours:02d}:{minute}"
    if rewrite.borough and values.get("borough") == rewrite.borough[0]:
        changed["borough"] = rewrite.borough[1]
    if rewrite.force and values.get("force") == rewrite.force[0]:
        changed["force"] = rewrite.force[1]
    age = values.get("subject_age")
    if age is not None and age in rewrite.ages:
        changed["subject_age"] = age + rewrite.age
    location = values.get("location")
    if location:
        for (kind, old), new in sorted(rewrite.words.items(), key=lambda item: -len(item[0][1])):
            location = location.replace(old, new)
        changed["location"] = location
    return changed


def _moved_day(value: str | None, rewrite: Rewrite) -> str | None:
    return (dt.date.fromisoformat(value) + dt.timedelta(days=rewrite.days)).isoformat() if value else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="example: python benchmarks/synth.py --articles 10000 --seed 1 --out /tmp/synth")
    parser.add_argument("--articles", type=int, required=True, help="how many articles to write")
    parser.add_argument("--seed", type=int, default=1, help="the corpus is a function of the seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="a new or empty folder")
    parser.add_argument("--corpus", type=Path, default=DEV_CORPUS,
                        help="labelled source corpus: articles/, gold.jsonl, gold_incidents.jsonl (default: the dev corpus)")
    args = parser.parse_args(argv)
    try:
        counts = run(args.articles, args.seed, args.out, args.corpus)
    except (CorpusError, FileExistsError, ValueError) as error:
        print(f"synth: error: {error}", file=sys.stderr)
        return 2
    print(f"synth: {counts['articles']} articles ({counts['relevant']} relevant) in {counts['incidents']} incidents "
          f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
