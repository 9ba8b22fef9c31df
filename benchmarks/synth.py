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
What a source lets a copy rewrite is decided in `synth_sources.py`; the slots a text
holds are found in `synth_templates.py`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import itertools
import json
import os
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
sys.path[:0] = [str(REPO), str(BENCHMARKS)]

from schema import vocab  # noqa: E402
from synth_sources import (DAYS_PER_YEAR, GOLD_FIELDS, INCIDENT_FIELDS, CorpusError, Source,  # noqa: E402,F401
                           load_sources, place_names, years_after)
from synth_templates import FEMALE_TITLES, Slot, Template, month_styles, render_date, render_time  # noqa: E402

DEV_CORPUS = REPO.parent / "shared" / "corpus" / "dev"
MAX_ARTICLES_PER_INCIDENT = 6
FILES_PER_FOLDER = 1000  # articles/NNNN/ folders of this many files: no folder of 100,000 entries
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
    years = dict(zip((first.year for first, _ in chosen.year_spans), years_after(chosen.year_spans, days) or ()))
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
    return tuple(sorted(place_names(code) - {name})) or (name,)


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
