"""The reference tables published beside the data: `districts` and `forces`, from schema/vocab.

They are built from the vocabularies alone (no stage writes them), so a query can join
`incidents.borough_code` to `districts.district_code` and `unnest(incidents.forces)` to
`forces.force_name` for names, nations, regions and dates of existence.
"""
from __future__ import annotations

import pandas as pd

from schema import vocab
from schema.codebook import NOT_STATED, TABLES
from schema.models import conform


def districts_table() -> pd.DataFrame:
    """One row per district of districts.csv, sorted by code, with its nation and region by name."""
    regions = vocab.regions()
    rows = [{"district_code": district.code, "district_name": district.name, "nation": district.country,
             "region": regions[district.region_code].name, "region_code": district.region_code,
             "force_name": district.force, "valid_from": district.valid_from, "valid_to": None}
            for district in sorted(vocab.districts().values(), key=lambda d: d.code)]
    return conform(pd.DataFrame(rows, columns=list(TABLES["districts"].columns)), "districts")


def forces_table() -> pd.DataFrame:
    """One row per force of forces.csv, sorted by name, with the nation and region its districts share."""
    rows = []
    for force in sorted(vocab.forces().values(), key=lambda f: f.name):
        covered = vocab.force_districts(force.name)
        nation, region = vocab.shared_region(covered)
        rows.append({"force_name": force.name, "force_kind": force.kind, "country": force.country,
                     "nation": nation or NOT_STATED, "region": region or NOT_STATED, "n_districts": len(covered),
                     "valid_from": force.valid_from, "valid_to": force.valid_to, "successor": force.successor})
    return conform(pd.DataFrame(rows, columns=list(TABLES["forces"].columns)), "forces")


BUILDERS = {"districts": districts_table, "forces": forces_table}


def reference_table(name: str) -> pd.DataFrame:
    """The reference table of that name."""
    return BUILDERS[name]()
