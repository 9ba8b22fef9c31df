"""`uofdb diff OLD NEW`: what changed between two builds or releases, incident by incident and field by field.

Both folders are published outputs (their `incidents.parquet` and `articles.parquet`). An
incident id means the same incident in both when it is in both (ids come from the inputs
alone, `etl.linking.ids`); an old id that is no id of NEW is followed through its articles,
as `incident_aliases` does: `renamed`, `merged`, `split` (one row per incident it went
into) or `removed` (none of its articles is in an incident now). A new id holding articles
of an old incident that is still there is `split` off it; any other new id is `added`. An incident in both, or renamed, is `changed`
with one row per field whose value differs (the columns the two releases share).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from etl.csv_output import write_csv
from etl.linking import ids

COLUMNS = ("change", "old_incident_id", "incident_id", "field", "old_value", "new_value")
CHANGES = ("added", "removed", "merged", "renamed", "split", "changed")  # the order rows are listed in
ALIAS_CHANGE = {"dropped": "removed", "merged": "merged", "renamed": "renamed", "split": "split"}


def run(old: Path, new: Path, out: Path | None = None) -> pd.DataFrame:
    """The changes from the build in `old` to the one in `new`; written to `out` (CSV) when given."""
    # load
    before, after = read_build(Path(old)), read_build(Path(new))
    # process
    found = changes(*before, *after)
    # save
    if out is not None:
        write_csv(found, Path(out))
    return found


def read_build(folder: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """A build's incidents (every column it has) and its article_id -> incident_id."""
    for name in ("incidents.parquet", "articles.parquet"):
        if not (folder / name).is_file():
            raise FileNotFoundError(f"{folder / name}: not a build or release folder (no {name})")
    incidents = pq.read_table(folder / "incidents.parquet").to_pandas(date_as_object=True)
    articles = pq.read_table(folder / "articles.parquet", columns=["article_id", "incident_id"]).to_pydict()
    membership = {article: incident for article, incident in zip(articles["article_id"], articles["incident_id"])
                  if incident}
    return incidents, membership


def changes(old_incidents: pd.DataFrame, old_membership: dict[str, str],
            new_incidents: pd.DataFrame, new_membership: dict[str, str]) -> pd.DataFrame:
    """One row per incident added, removed, merged, renamed or split, and per field changed."""
    old_rows = {row["incident_id"]: row for row in old_incidents.to_dict("records")}
    new_rows = {row["incident_id"]: row for row in new_incidents.to_dict("records")}
    aliases = ids.aliases(old_membership, new_membership)
    rows = [_row(ALIAS_CHANGE[alias["change"]], alias["previous_incident_id"], alias["incident_id"])
            for alias in aliases if alias["previous_incident_id"] in old_rows]
    reached = {alias["incident_id"] for alias in aliases} | set(old_rows)
    came_from = _old_incidents_of(old_membership, new_membership)
    for identifier in (i for i in new_rows if i not in reached):
        # A new id holding articles of an incident that is still there split off it; else it is new.
        rows += ([_row("split", old_id, identifier) for old_id in came_from.get(identifier, ())]
                 or [_row("added", None, identifier)])
    pairs = [(identifier, identifier) for identifier in old_rows if identifier in new_rows]
    pairs += [(alias["previous_incident_id"], alias["incident_id"]) for alias in aliases
              if alias["change"] == "renamed" and alias["incident_id"] in new_rows]
    shared = [column for column in old_incidents.columns if column in new_incidents.columns and column != "incident_id"]
    for old_id, new_id in pairs:
        for field in shared:
            before, after = as_text(old_rows[old_id][field]), as_text(new_rows[new_id][field])
            if before != after:
                rows.append(_row("changed", old_id, new_id, field, before, after))
    rows.sort(key=lambda row: (CHANGES.index(row["change"]), row["incident_id"] or "", row["old_incident_id"] or "",
                               row["field"] or ""))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _old_incidents_of(old_membership: dict[str, str], new_membership: dict[str, str]) -> dict[str, list[str]]:
    """new incident id -> the old incidents its articles were in, sorted."""
    found: dict[str, set[str]] = {}
    for article, new_id in new_membership.items():
        if article in old_membership:
            found.setdefault(new_id, set()).add(old_membership[article])
    return {new_id: sorted(old_ids) for new_id, old_ids in found.items()}


def as_text(value: object) -> str | None:
    """A value as text to compare and print: dates ISO, lists joined with "; ", missing values null."""
    if hasattr(value, "__len__") and not isinstance(value, str):
        return "; ".join(str(item) for item in value)
    if pd.isna(value):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _row(change: str, old_id: str | None, new_id: str | None, field: str | None = None,
         old_value: str | None = None, new_value: str | None = None) -> dict:
    return {"change": change, "old_incident_id": old_id, "incident_id": new_id, "field": field,
            "old_value": old_value, "new_value": new_value}


def summary(found: pd.DataFrame, old: Path, new: Path) -> str:
    """Counts by kind of change, then one line per change."""
    counts = found.groupby("change")["incident_id"].size() if len(found) else pd.Series(dtype=int)
    changed = found.loc[found["change"] == "changed", "incident_id"].nunique()
    parts = [f"{int(counts.get(kind, 0))} {kind}" for kind in CHANGES if kind != "changed"]
    lines = [f"uofdb diff {old} -> {new}: " + ", ".join(parts) + f", {changed} changed"]
    for row in found.to_dict("records"):
        if row["change"] == "changed":
            lines.append(f"  changed {row['incident_id']} {row['field']}: {row['old_value']} -> {row['new_value']}")
        elif row["change"] == "added":
            lines.append(f"  added {row['incident_id']}")
        elif row["change"] == "removed":
            lines.append(f"  removed {row['old_incident_id']}")
        else:
            lines.append(f"  {row['change']} {row['old_incident_id']} -> {row['incident_id']}")
    return "\n".join(lines)
