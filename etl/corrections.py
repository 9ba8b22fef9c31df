"""Corrections: what a person found on review, applied by the link stage so `dvc repro` reproduces it.

The corrections file (`paths.corrections`, `data/corrections.csv`) has one row per
correction under the header `target,field,value,reason,source,reviewer,date`:

- `field` = a field of the incidents table: the incident `target` (an incident_id, or an
  article_id meaning the incident that article is in) gets `value` (empty or `not_stated`
  clears it), after merging; its evidence row says `rule = correction`, with the reason and
  the value it replaced, and `incident_fields` says `merge_rule = correction`.
- `field` = `relevant`: the article `target` is relevant (`value` true) or not (false),
  before clustering.
- `field` = `merge`: the incidents `target` and `value` are one, after clustering.
- `field` = `split`: the article `target` leaves its incident for one of its own.

Targets are stable ids (`etl.linking.ids`). An incident id that is no id today is followed
through `incident_aliases` (renamed, merged) and through the merges and splits of this file;
one that leads nowhere (dropped, split, unknown) is stale: a rejects row of severity warning,
and the correction is not applied. An invalid correction (an id of neither kind, a field
that does not exist, a value outside the field's vocabulary, a bad date, no reason) is a
rejects row of severity error naming the file and line; the build goes on without it. Every
row is listed in the `corrections` table with its status.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from etl.linking import ids
from etl.linking.merge import as_text, derived_columns
from schema import vocab
from schema.codebook import COLUMNS, CORRECTION_ACTIONS, EVENT_FIELDS, NOT_STATED, TABLES
from schema.models import TIME_PATTERN, conform

FILE_COLUMNS = ("target", "field", "value", "reason", "source", "reviewer", "date")
# The corrections table's name for each column of the file (codebook names are unique across tables).
TABLE_NAMES = {"target": "target", "field": "correction_field", "value": "correction_value",
               "reason": "correction_reason", "source": "correction_source", "reviewer": "reviewer",
               "date": "correction_date"}
STAGE = "link"
RULE = "correction"
# Every check a correction can fail, with its severity (the rejects table's check_id).
CHECKS = {
    "corrections.bad_file": "error",        # no header with the file's columns: no row is read
    "corrections.unknown_id": "error",      # the target (or a merge's value) is no incident or article id
    "corrections.unknown_field": "error",   # not a field of the incidents table, nor relevant, merge, split
    "corrections.bad_value": "error",       # outside the field's vocabulary or range, or not true/false
    "corrections.bad_date": "error",        # the date column or a date value is not a day YYYY-MM-DD
    "corrections.missing_reason": "error",  # a correction says why
    "corrections.stale": "warning",         # the target is no longer in the dataset
}
TRUE_FALSE = {"true": True, "false": False}
DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
INCIDENT_ID = re.compile(re.escape(ids.PREFIX) + f"[0-9a-f]{{{ids.DIGITS},64}}")
# Fields taken from another one (codebook `with:<field>`): set with it, never on their own.
DERIVED = {name: COLUMNS[name].merge.removeprefix("with:") for name in EVENT_FIELDS
           if COLUMNS[name].merge.startswith("with:")}
CORRECTABLE = tuple(name for name in EVENT_FIELDS if name not in DERIVED)


@dataclass(frozen=True)
class Correction:
    """One row of the corrections file, as written, with the value it sets once checked."""

    line: int
    target: str
    field: str
    value: str | None
    reason: str | None
    source: str | None
    reviewer: str | None
    date: str | None
    parsed: object = None


@dataclass(frozen=True)
class Result:
    """What became of one correction: a status of the codebook, in words, and what it changed."""

    status: str
    detail: str
    incident_id: str | None = None
    replaced: str | None = None
    check_id: str | None = None


# --- reading and checking ------------------------------------------------------------


def read_file(path: Path | None) -> tuple[list[Correction], list[dict]]:
    """The corrections in `path` and a rejects row when the file cannot be read as one; none without a file."""
    if path is None or not Path(path).is_file():
        return [], []
    rows: list[Correction] = []
    try:
        # utf-8-sig: a spreadsheet's byte order mark is no part of the first column's name.
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [name for name in FILE_COLUMNS if name not in (reader.fieldnames or [])]
            if missing:
                return [], [reject_row(path, 1, "corrections.bad_file",
                                       f"the header lacks {', '.join(missing)}; expected {','.join(FILE_COLUMNS)}; "
                                       f"no correction was read")]
            start = 2
            for record in reader:
                cells = {name: _cell(record.get(name)) for name in FILE_COLUMNS}
                rows.append(Correction(start, **{**cells, "target": cells["target"] or ""}))
                start = reader.line_num + 1
    except (UnicodeDecodeError, csv.Error) as error:
        line = rows[-1].line + 1 if rows else 1
        return [], [reject_row(path, line, "corrections.bad_file",
                               f"not a UTF-8 CSV file ({error}); no correction was read")]
    return rows, []


def _cell(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def check(rows: list[Correction], article_ids: set[str]) -> tuple[list[Correction], dict[int, Result]]:
    """The valid corrections with their values parsed, and an invalid Result for each of the others, by line."""
    valid, invalid = [], {}
    for row in rows:
        problem = _problem(row, article_ids)
        if problem is None:
            valid.append(replace(row, parsed=_parse(row)))
        else:
            invalid[row.line] = Result("invalid", problem[1], check_id=problem[0])
    return valid, invalid


def _problem(row: Correction, article_ids: set[str]) -> tuple[str, str] | None:
    """(check_id, message) for the first thing wrong with a correction, or None."""
    if row.field is None or (row.field not in CORRECTION_ACTIONS and row.field not in EVENT_FIELDS):
        return "corrections.unknown_field", (f"field {row.field!r} is no field of the incidents table nor one of "
                                             f"{', '.join(CORRECTION_ACTIONS)}")
    if row.field in DERIVED:
        return "corrections.unknown_field", f"{row.field} is set with {DERIVED[row.field]}: correct {DERIVED[row.field]}"
    if row.reason is None:
        return "corrections.missing_reason", "no reason given"
    if row.date is not None and _day(row.date) is None:
        return "corrections.bad_date", f"date {row.date!r} is not a day YYYY-MM-DD"
    if row.field in ("relevant", "split"):
        if row.target not in article_ids:
            return "corrections.unknown_id", f"{row.field} needs an article_id; {row.target!r} is none"
        if row.field == "relevant" and (row.value or "").lower() not in TRUE_FALSE:
            return "corrections.bad_value", f"relevant is true or false, not {row.value!r}"
        if row.field == "split" and row.value is not None:
            return "corrections.bad_value", (f"split takes no value, not {row.value!r}: the article becomes an "
                                             f"incident of its own (to move it into another, split it and merge)")
        return None
    if row.field == "merge":
        for given in (row.target, row.value):
            if given is None or not INCIDENT_ID.fullmatch(given):
                return "corrections.unknown_id", f"merge needs two incident ids; {given!r} is none"
        return None
    if not INCIDENT_ID.fullmatch(row.target) and row.target not in article_ids:
        return "corrections.unknown_id", f"{row.target!r} is neither an incident id nor an article_id"
    return _value_problem(row.field, row.value)


def _value_problem(field: str, value: str | None) -> tuple[str, str] | None:
    column = COLUMNS[field]
    if value is None or value == NOT_STATED:
        return None
    if column.kind == "date":
        return None if _day(value) is not None else ("corrections.bad_date", f"{field} {value!r} is not a day YYYY-MM-DD")
    if column.kind == "int":
        number = int(value) if re.fullmatch(r"\d+", value) else None
        low, high = column.minimum, column.maximum
        if number is None or (low is not None and number < low) or (high is not None and number > high):
            return "corrections.bad_value", f"{field} is a whole number from {low} to {high}, not {value!r}"
        return None
    if column.kind == "time":
        return None if re.match(TIME_PATTERN, value) else ("corrections.bad_value", f"{field} is HH:MM, not {value!r}")
    if column.values:
        parts = value.split("; ") if column.joined else [value]
        outside = [part for part in parts if part not in column.values]
        if outside:
            return "corrections.bad_value", f"{field} {', '.join(map(repr, outside))} is not in its vocabulary"
    return None


def _day(text: str) -> dt.date | None:
    if not DAY_PATTERN.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _parse(row: Correction) -> object:
    """The value a valid correction sets, in the field's kind (not_stated or null when cleared)."""
    if row.field == "relevant":
        return TRUE_FALSE[row.value.lower()]
    if row.field not in EVENT_FIELDS:
        return row.value
    column = COLUMNS[row.field]
    if row.value is None or row.value == NOT_STATED:
        return column.unstated
    if column.kind == "date":
        return _day(row.value)
    if column.kind == "int":
        return int(row.value)
    return "; ".join(sorted(row.value.split("; "))) if column.joined else row.value


# --- relevance, before clustering -------------------------------------------------


def with_relevance(extractions: pd.DataFrame, valid: list[Correction]) -> tuple[pd.DataFrame, dict[int, Result], list[dict]]:
    """The extractions with each relevance correction applied (a copy), its Result, and its evidence rows."""
    corrected = extractions.copy()
    results, evidence = {}, []
    for row in (r for r in valid if r.field == "relevant"):
        at = corrected.index[corrected["article_id"] == row.target][0]
        before = bool(corrected.at[at, "relevant"])
        corrected.at[at, "relevant"] = row.parsed
        replaced = as_text(before).lower()
        results[row.line] = Result("applied", f"article {row.target} is {'relevant' if row.parsed else 'not relevant'}"
                                   + ("" if before != row.parsed else " (as extracted)"), replaced=replaced)
        evidence.append(evidence_row(row, row.target, "relevant", str(row.parsed).lower(), replaced))
    return corrected, results, evidence


# --- merges and splits, on the clustered groups --------------------------------------


def regroup(groups: list[list[dict]], valid: list[Correction],
            aliases: pd.DataFrame) -> tuple[list[list[dict]], dict[int, Result]]:
    """New groups with every split, then every merge, applied (the caller's groups are unchanged), and their Results.

    Ids are those of the groups as clustered; an id that is no id of them is followed through
    `aliases` (the previous release's ids against the clustered groups).
    """
    if not any(row.field in ("split", "merge") for row in valid):  # (nothing to regroup: no id is needed)
        return [list(group) for group in groups], {}
    current = ids.assign_ids(groups)
    index_of = {identifier: number for number, identifier in enumerate(current)}
    group_of = {article["article_id"]: number for number, group in enumerate(groups) for article in group}
    members = [list(group) for group in groups]
    results: dict[int, Result] = {}
    for row in (r for r in valid if r.field == "split"):
        number = group_of.get(row.target)
        if number is None:
            results[row.line] = _stale(f"article {row.target} is in no incident")
        elif len(members[number]) == 1:
            results[row.line] = Result("applied", f"article {row.target} is an incident of its own (as clustered)")
        else:
            article = next(a for a in members[number] if a["article_id"] == row.target)
            members[number] = [a for a in members[number] if a["article_id"] != row.target]
            members.append([article])
            results[row.line] = Result("applied", f"article {row.target} split off incident {current[number]}")
    parent = list(range(len(members)))

    def root(number: int) -> int:
        while parent[number] != number:
            number = parent[number]
        return number

    follow = followed_ids(aliases)
    for row in (r for r in valid if r.field == "merge"):
        found = [_resolve(given, index_of, follow) for given in (row.target, row.value)]
        missing = [given for given, (number, _) in zip((row.target, row.value), found) if number is None]
        if missing:
            results[row.line] = _stale(f"incident {', '.join(missing)} is no longer in the dataset")
            continue
        (first, via_first), (second, via_second) = found
        parent[root(second)] = root(first)
        status = "followed" if via_first or via_second else "applied"
        results[row.line] = Result(status, f"incidents {row.target} and {row.value} are one")
    merged: dict[int, list[dict]] = {}
    for number, group in enumerate(members):
        if group:
            merged.setdefault(root(number), []).extend(group)
    return list(merged.values()), results


def _resolve(given: str, index_of: dict[str, int], follow: dict[str, str]) -> tuple[int | None, bool]:
    """The group an incident id names, and whether it was followed through an alias."""
    if given in index_of:
        return index_of[given], False
    target = follow.get(given)
    return (index_of[target], True) if target in index_of else (None, False)


def followed_ids(aliases: pd.DataFrame) -> dict[str, str]:
    """previous id -> today's id for each alias that leads to one incident (renamed, merged)."""
    single = aliases[aliases["change"].isin(["renamed", "merged"]) & aliases["incident_id"].notna()]
    return dict(zip(single["previous_incident_id"], single["incident_id"]))


def internal_aliases(before: list[list[dict]], after: list[list[dict]]) -> pd.DataFrame:
    """incident_aliases rows from the ids of the groups as clustered to the ids after merges and splits."""
    old = {a["article_id"]: identifier for identifier, group in zip(ids.assign_ids(before), before) for a in group}
    new = {a["article_id"]: identifier for identifier, group in zip(ids.assign_ids(after), after) for a in group}
    return pd.DataFrame(ids.aliases(old, new), columns=["previous_incident_id", "incident_id", "change", "shared_articles"])


# --- fields, after merging ----------------------------------------------------------


def with_fields(incidents: pd.DataFrame, fields: pd.DataFrame, membership: pd.DataFrame, valid: list[Correction],
                follow: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame, dict[int, Result], list[dict]]:
    """Incidents and incident_fields with every field correction applied (copies), their Results and evidence rows.

    Corrections apply in line order, so of two to one field the later wins.
    """
    incidents, fields = conform(incidents, "incidents"), fields.copy()
    incident_of = dict(zip(membership["article_id"], membership["incident_id"]))
    row_of = {identifier: at for at, identifier in zip(incidents.index, incidents["incident_id"])}
    results, evidence = {}, []
    for row in (r for r in valid if r.field in EVENT_FIELDS):
        incident, how, followed = _incident_for(row.target, row_of, incident_of, follow)
        if incident is None:
            results[row.line] = _stale(how)
            continue
        at = row_of[incident]
        replaced = as_text(incidents.at[at, row.field])
        for name, value in _values_set(row.field, row.parsed).items():
            incidents.at[at, name] = value
            fields = _with_provenance(fields, incident, name, as_text(value))
        # (the year, nation, region and list columns follow the corrected fields, as at merging)
        for name, value in derived_columns(incidents.loc[at].to_dict()).items():
            incidents.at[at, name] = value
        results[row.line] = Result("followed" if followed else "applied", f"{row.field} of incident {incident}" + (f" ({how})" if how else ""),
                                   incident_id=incident, replaced=replaced)
        source = min(incidents.at[at, "article_ids"])
        evidence.append(evidence_row(row, source, row.field, as_text(row.parsed) or NOT_STATED, replaced,
                                     incident=incident))
    return incidents, fields, results, evidence


def _incident_for(target: str, row_of: dict[str, int], incident_of: dict[str, str],
                  follow: dict[str, str]) -> tuple[str | None, str, bool]:
    """The incident a field correction is for, how it was reached ("" when named; why not, when None),
    and whether an alias led there."""
    if target in row_of:
        return target, "", False
    if target in incident_of:
        return incident_of[target], f"the incident of article {target}", False
    if follow.get(target) in row_of:
        return follow[target], f"{target} is now {follow[target]}", True
    if INCIDENT_ID.fullmatch(target):
        return None, f"incident {target} is no longer in the dataset", False
    return None, f"article {target} is in no incident", False


def _values_set(field: str, value: object) -> dict[str, object]:
    """The field and the fields taken with it: a day sets its period and precision, a borough its code."""
    values = {field: value}
    if field == "incident_date":
        values["incident_period"] = value.isoformat() if value is not None else None
        values["incident_date_precision"] = "day" if value is not None else COLUMNS["incident_date_precision"].unstated
    if field == "borough":
        values["borough_code"] = vocab.district_by_name()[value].code if value is not None else None
    return values


def _with_provenance(fields: pd.DataFrame, incident: str, name: str, chosen: str | None) -> pd.DataFrame:
    """incident_fields with the field's row set by a correction: the value it replaced joins the other values."""
    mask = (fields["incident_id"] == incident) & (fields["field"] == name)
    for at in fields.index[mask]:
        before = fields.at[at, "chosen_value"]
        others = set(fields.at[at, "other_values"]) | ({before} if before is not None else set())
        fields.at[at, "other_values"] = sorted(others - {chosen})
        fields.at[at, "chosen_value"] = chosen
        fields.at[at, "source_article_id"] = None
        fields.at[at, "merge_rule"] = RULE
    return fields


# --- the corrections table, its evidence and its rejects -----------------------------


def evidence_row(row: Correction, article_id: str, field: str, value: str, replaced: str | None,
                 incident: str | None = None) -> dict:
    """An evidence row for a corrected value: no span of the text, the correction's line, reason and source."""
    where = f"incident {incident}: " if incident else ""
    detail = (f"{where}corrections line {row.line}: replaced {replaced if replaced is not None else 'nothing'}; "
              f"reason: {row.reason}" + (f"; source: {row.source}" if row.source else "")
              + (f"; by {row.reviewer}" if row.reviewer else "") + (f" on {row.date}" if row.date else ""))
    return {"article_id": article_id, "field": field, "value": value, "start": 0, "end": 0, "quote": "",
            "sentence": "", "rule": RULE, "detail": detail}


def _stale(detail: str) -> Result:
    return Result("stale", detail, check_id="corrections.stale")


def table(rows: list[Correction], results: dict[int, Result]) -> pd.DataFrame:
    """The corrections table: every row of the file with what became of it, by line."""
    records = []
    for row in rows:
        result = results[row.line]
        records.append({"line": row.line, **{TABLE_NAMES[name]: getattr(row, name) for name in FILE_COLUMNS},
                        "status": result.status, "status_detail": result.detail,
                        "incident_id": result.incident_id, "replaced_value": result.replaced})
    return pd.DataFrame(records, columns=list(TABLES["corrections"].columns))


def rejects(path: Path | None, rows: list[Correction], results: dict[int, Result]) -> list[dict]:
    """A rejects row for every stale or invalid correction, naming the file and the line."""
    return [reject_row(path, row.line, results[row.line].check_id, results[row.line].detail)
            for row in rows if results[row.line].check_id is not None]


def reject_row(path: Path | None, line: int, check_id: str, message: str) -> dict:
    action = "not applied" if CHECKS[check_id] == "warning" else "ignored"
    return {"source_path": str(path), "row_key": f"corrections:line {line}", "stage": STAGE, "check_id": check_id,
            "severity": CHECKS[check_id], "reason": f"{path} line {line}: {message}; the correction is {action}"}
