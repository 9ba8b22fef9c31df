"""`uofdb reconcile`: the dataset's counts per financial year against the official counts.

The official counts (`data/reference/official_counts.csv`, sources and definitions in
`data/reference/README.md`) are one row per source, measure and financial year (April to
March, "2021/22"), a blank value being no figure seen (never zero). Each measure the dataset
can count is defined here once (`MEASURES`) by the incidents' fields, following the
official definition as closely as the codebook allows:

- IOPC `fatal_police_shootings`: police fired a firearm (`force_type = firearm`) and the
  person died (`outcome = fatal`), in England or Wales. The IOPC counts people, the dataset
  incidents (one subject each): an attack with several people shot dead counts once here.
- IOPC `fatal_police_shootings_terrorism_related`: the same, declared terrorism.
- Home Office `firearms_discharge_incidents`: police fired a firearm in England or Wales,
  whatever the outcome, by one of the territorial forces (an incident whose forces are all
  special forces, such as the British Transport Police, is left out; one with no force
  stated is counted).
- PSNI `firearm_discharge_occasions`: police fired a firearm in Northern Ireland.

Measures the dataset cannot count (Home Office `firearms_operations`: deployments, most of
them without force) are left out of the comparison and named in the summary. An incident is
placed in a year by its `incident_date`, else by an `incident_period` that gives the month,
and in a country by its borough, else by its force; one that cannot be placed is not
counted but listed (`unplaced`). When a year has several rows for one measure (editions),
the last row of the file is taken, as the later edition, and the others are kept in
`other_editions`.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl import csv_output
from etl.tables import read_table
from schema import vocab
from schema.codebook import COLUMNS, NOT_STATED

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference" / "official_counts.csv"
REFERENCE_COLUMNS = ("source", "measure", "financial_year", "value", "url", "quote")
YEAR_PATTERN = re.compile(r"(\d{4})/(\d{2})")
FINANCIAL_YEAR_START = 4  # April
ENGLAND_AND_WALES = ("England", "Wales")
COMPARISON_COLUMNS = ("source", "measure", "financial_year", "official", "dataset", "difference", "differs",
                      "incident_ids", "official_url", "official_quote", "other_editions", "definition")


@dataclass(frozen=True)
class Measure:
    """An official measure as the dataset's incidents count it."""

    source: str
    measure: str
    definition: str
    countries: tuple[str, ...]
    outcome: str | None = None            # None: any outcome
    terrorism: bool = False               # only incidents declared terrorism
    territorial_forces: bool = False      # not incidents whose forces are all special forces
    force_type: str = "firearm"

    def __post_init__(self) -> None:
        for column, value in (("force_type", self.force_type), ("outcome", self.outcome)):
            if value is not None and value not in COLUMNS[column].values:
                raise ValueError(f"measure {self.measure}: {column} {value!r} is not in the codebook")

    def describes(self, incident: dict) -> bool:
        """Whether the incident is of this measure's kind, wherever it happened."""
        return (incident["force_type"] == self.force_type
                and (self.outcome is None or incident["outcome"] == self.outcome)
                and (not self.terrorism or incident["terrorism_status"] == "terrorism")
                and (not self.territorial_forces or _territorial(incident["force"])))


MEASURES = (
    Measure("IOPC", "fatal_police_shootings", "police fired a firearm and the person died, England and Wales "
            "(the IOPC counts people, the dataset incidents)", ENGLAND_AND_WALES, outcome="fatal"),
    Measure("IOPC", "fatal_police_shootings_terrorism_related", "as fatal_police_shootings, declared terrorism",
            ENGLAND_AND_WALES, outcome="fatal", terrorism=True),
    Measure("HomeOffice", "firearms_discharge_incidents", "incidents in which police of a territorial force "
            "fired a firearm, England and Wales", ENGLAND_AND_WALES, territorial_forces=True),
    Measure("PSNI", "firearm_discharge_occasions", "incidents in which police fired a firearm, Northern Ireland",
            ("Northern Ireland",)),
)


def run(processed: Path, reference_path: Path, out: Path | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Compare the build in `processed` with the official counts in `reference_path`; write `out` when given.
    Returns the comparison and notes on what it leaves out."""
    # load
    incidents = read_table(Path(processed) / "incidents.parquet", "incidents")
    reference = read_reference(Path(reference_path))
    # process
    comparison = compare(incidents, reference)
    # save
    if out is not None:
        write_csv(comparison, Path(out))
    return comparison, notes(incidents, reference)


def read_reference(path: Path) -> pd.DataFrame:
    """The official counts, one row per line of the file (value null when blank); a bad line is an error naming it."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no reference counts file")
    rows = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in REFERENCE_COLUMNS if name not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path} line 1: the header lacks {', '.join(missing)}")
        start = 2
        for record in reader:
            rows.append(_reference_row(path, start, record))
            start = reader.line_num + 1
    return pd.DataFrame(rows, columns=list(REFERENCE_COLUMNS) + ["line"]).astype({"value": "Int64"})


def _reference_row(path: Path, line: int, record: dict) -> dict:
    year = (record["financial_year"] or "").strip()
    match = YEAR_PATTERN.fullmatch(year)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(f"{path} line {line}: financial_year {year!r} is not a year like 2021/22")
    value = (record["value"] or "").strip()
    if value and not value.isdigit():
        raise ValueError(f"{path} line {line}: value {value!r} is not a whole number (leave it blank when unknown)")
    return {"source": record["source"].strip(), "measure": record["measure"].strip(), "financial_year": year,
            "value": int(value) if value else None, "url": record["url"] or None, "quote": record["quote"] or None,
            "line": line}


def financial_year(day: dt.date) -> str:
    """The financial year (April to March) holding a day: 2021-12-11 is 2021/22, 2022-03-31 too."""
    start = day.year if day.month >= FINANCIAL_YEAR_START else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def incident_year(incident: dict) -> str | None:
    """The incident's financial year: by its day, else by a period that gives the month; None when neither."""
    day = incident.get("incident_date")
    if isinstance(day, dt.date):
        return financial_year(day)
    period = incident.get("incident_period")
    if isinstance(period, str) and re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", period):
        return financial_year(dt.date(int(period[:4]), int(period[5:7]), 1))
    return None


def _territorial(force: object) -> bool:
    """True unless every force named is a special (not territorial) force."""
    if not isinstance(force, str):
        return True
    forces = vocab.forces()
    return any(forces[name].kind == "territorial" for name in force.split("; ") if name in forces)


def matching(incidents: pd.DataFrame, measure: Measure) -> tuple[dict[str, list[str]], list[str]]:
    """The incident ids the measure counts by financial year, and those it would count but cannot place."""
    by_year: dict[str, list[str]] = {}
    unplaced = []
    for incident in incidents.to_dict("records"):
        if not measure.describes(incident):
            continue
        # (the incident's nation column: its district's, else the one its territorial forces police)
        country = incident["nation"] if incident["nation"] != NOT_STATED else None
        year = incident_year(incident)
        if country is None or year is None:
            unplaced.append(incident["incident_id"])
        elif country in measure.countries:
            by_year.setdefault(year, []).append(incident["incident_id"])
    return by_year, sorted(unplaced)


def compare(incidents: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """One row per measure and financial year: the official figure (null when blank), the dataset's count,
    the difference, and the incidents counted. Years of the reference, and years the dataset counts."""
    rows = []
    for measure in MEASURES:
        official = reference[(reference["source"] == measure.source) & (reference["measure"] == measure.measure)]
        by_year, _ = matching(incidents, measure)
        editions = {year: group.sort_values("line").to_dict("records") for year, group in official.groupby("financial_year")}
        for year in sorted(set(editions) | set(by_year)):
            latest = editions[year][-1] if year in editions else {}
            value = None if pd.isna(latest.get("value")) else int(latest["value"])
            counted = sorted(by_year.get(year, []))
            others = [f"{'blank' if pd.isna(row['value']) else row['value']} (line {row['line']})"
                      for row in editions.get(year, [])[:-1]]
            rows.append({"source": measure.source, "measure": measure.measure, "financial_year": year,
                         "official": value, "dataset": len(counted),
                         "incident_ids": counted, "official_url": latest.get("url"),
                         "official_quote": latest.get("quote"), "other_editions": "; ".join(others) or None,
                         "definition": measure.definition})
    frame = pd.DataFrame(rows, columns=[c for c in COMPARISON_COLUMNS if c not in ("difference", "differs")])
    frame = frame.astype({"official": "Int64", "dataset": "Int64"})
    # A blank official figure stays blank: no difference, neither equal nor different.
    frame["difference"] = frame["dataset"] - frame["official"]
    frame["differs"] = (frame["difference"] != 0).astype("boolean").mask(frame["official"].isna())
    return frame[list(COMPARISON_COLUMNS)]


def not_compared(reference: pd.DataFrame) -> list[str]:
    """The reference's measures the dataset does not count, as source/measure."""
    defined = {(measure.source, measure.measure) for measure in MEASURES}
    pairs = sorted(set(zip(reference["source"], reference["measure"])) - defined)
    return [f"{source}/{measure}" for source, measure in pairs]


def write_csv(comparison: pd.DataFrame, out: Path) -> Path:
    """The comparison as CSV, incident ids joined with "; "."""
    return csv_output.write_csv(comparison.assign(incident_ids=comparison["incident_ids"].map("; ".join)), out)


def notes(incidents: pd.DataFrame, reference: pd.DataFrame) -> list[str]:
    """What the comparison leaves out: measures the dataset does not count, incidents it cannot place."""
    lines = []
    skipped = not_compared(reference)
    if skipped:
        lines.append("not compared (the dataset does not count them): " + ", ".join(skipped))
    for measure in MEASURES:
        _, unplaced = matching(incidents, measure)
        if unplaced:
            lines.append(f"{measure.source} {measure.measure}: {len(unplaced)} incidents without a financial "
                         f"year or country, not counted: {', '.join(unplaced)}")
    return lines


def summary(comparison: pd.DataFrame, notes_: list[str] = ()) -> str:
    """The years that differ, measure by measure, with the incidents behind each, then the notes."""
    lines = []
    for (source, name), group in comparison.groupby(["source", "measure"], sort=False):
        differ = group[group["differs"].fillna(False).astype(bool)]
        blank = int(group["official"].isna().sum())
        lines.append(f"{source} {name}: {len(group)} years, {len(differ)} differ"
                     + (f", {blank} without an official figure" if blank else ""))
        for row in differ.to_dict("records"):
            ids = ", ".join(row["incident_ids"]) or "none"
            lines.append(f"  {row['financial_year']}: official {row['official']}, dataset {row['dataset']} "
                         f"({row['difference']:+d}): {ids}")
    lines += list(notes_)
    return "\n".join(lines) if lines else "uofdb reconcile: nothing to compare"
