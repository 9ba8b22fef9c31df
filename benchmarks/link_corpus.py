"""A synthetic corpus for the link stage: extraction rows, as the extract stage hands them over.

Many incidents across the districts and forces of the vocabularies and twenty years,
each reported by 1-6 articles. Reports of one incident vary the way real ones do:
some have no incident date, some no borough, a later hearing gives an older age, and
only some name the person (a one-line text, read by the extract stage's
`link_features`, so the name and street features run).
"""
from __future__ import annotations

import datetime as dt
import functools
import random

from etl.extract.document import read_document
from etl.extract.link_features import link_features
from schema import vocab
from schema.codebook import COLUMNS, EVENT_FIELDS

FIRST = ["James", "Mohammed", "Daniel", "Aaron", "Kwame", "Sean", "Liam", "Connor", "Tariq", "Oliver", "Ryan",
         "Jamal", "David", "Marcus", "Adam", "Kieran", "Leon", "Nathan", "Samuel", "Jordan"]
LAST = ["Smith", "Jones", "Khan", "Okafor", "Murphy", "Patel", "Campbell", "Evans", "Walsh", "Hussain", "Mensah",
        "Taylor", "Doherty", "Ali", "Bennett", "Reid", "Lewis", "Clarke", "Ahmed", "Nowak"]
STREETS = ["High Street", "Station Road", "Church Lane", "Park Avenue", "Mill Road", "Victoria Street", "Green Lane",
           "Queens Road", "Kings Road", "Manor Way", "Bridge Street", "London Road", "Albert Road", "York Street"]


def generate(n_articles: int, seed: int = 1) -> list[dict]:
    """About `n_articles` extraction rows (with published_date and a one-line text), in random order."""
    rng = random.Random(seed)
    districts = list(vocab.districts().values())
    rows: list[dict] = []
    incident = 0
    while len(rows) < n_articles:
        incident += 1
        district = rng.choice(districts)
        day = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(20 * 365))
        person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        street = f"{rng.choice(STREETS)}"
        facts = {"force": district.force, "borough": district.name, "borough_code": district.code,
                 "force_type": rng.choice(["firearm", "firearm", "taser", "restraint", "vehicle"]),
                 "outcome": rng.choice(["fatal", "non_fatal"]), "subject_age": rng.randrange(16, 70),
                 "subject_gender": rng.choice(["male"] * 9 + ["female"]), "shots_fired": rng.choice([None, 1, 2, 3])}
        for report in range(rng.randint(1, 6)):
            rows.append(_report(rng, f"i{incident:07d}-a{report}", facts, day, person, street, report))
    rng.shuffle(rows)
    return rows[:n_articles]


def _report(rng: random.Random, article_id: str, facts: dict, day: dt.date, person: str, street: str, report: int) -> dict:
    row = {name: COLUMNS[name].unstated for name in EVENT_FIELDS}
    row.update(article_id=article_id, relevant=True, relevance_score=5.0, **facts)
    later = report >= 3 and rng.random() < 0.5  # an inquest or trial years later
    row["published_date"] = day + dt.timedelta(days=rng.randint(400, 2000) if later else rng.randint(0, 3))
    row["incident_date"] = day if rng.random() < 0.7 else None
    row["incident_date_precision"] = "day" if row["incident_date"] else "not_stated"
    row["location"] = street if rng.random() < 0.6 else None
    if rng.random() < 0.15:
        row.update(borough=None, borough_code=None)
    if later:
        row["subject_age"] = facts["subject_age"] + 2
    named = later or rng.random() < 0.4
    surname = person.split()[-1]
    row["text"] = f"{person} was named. Mr {surname} was in {street}." if named else ""
    row["link_features"] = _clues(row["text"])
    return row


@functools.cache
def _clues(text: str) -> tuple:
    """The link features the extract stage reads from a text (the texts repeat: read each once)."""
    return tuple(link_features(read_document(text)))
