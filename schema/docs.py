"""The data dictionary as Markdown, generated from the codebook (`uofdb codebook`)."""
from __future__ import annotations

from schema.codebook import COLUMNS, NOT_STATED, TABLES, columns_of

# Vocabularies longer than this are named, not listed (districts, forces).
LISTED_VALUES = 12

INTRO = """# uofdb data dictionary

Generated from `schema/codebook.py` by `uofdb codebook`; do not edit by hand.

**Scope.** An *incident* is one event in which police in the UK used force on a
person: fired a firearm at them (hit or missed), discharged a Taser, restrained
them, struck them with a vehicle, or similar. An *article* is one input document.
An article is *relevant* when it reports at least one specific incident; crime with
no police force (a civilian shooting, an officer who was shot, a stand-off that ended
without force), amnesties, statistics, policy, animals, and events outside the UK are
not. Several articles may report one incident; the `incidents` table has one row per
incident.

**Not stated versus missing.** `not_stated` means the article (or, for incidents,
every article) does not say; it is a value of every vocabulary column. Open columns
(ages, counts, times, places) are null when not stated. Neither ever means zero or
none: `weapon_recovered = none` and `shots_fired = 0` are stated facts.
"""


def _kind(column) -> str:
    kind = {"str": "text", "enum": "text (vocabulary)", "time": "text HH:MM", "bool": "boolean",
            "int": "integer", "float": "number", "date": "date", "list": "list of text"}[column.kind]
    return kind + ("" if column.nullable else ", required")


def _values(column) -> str:
    if not column.values:
        return ""
    if len(column.values) > LISTED_VALUES:
        return f"{len(column.values)} values (see `schema/vocab/`)"
    joined = " (parts joined with \"; \")" if column.joined else ""
    return ", ".join(f"`{value}`" for value in column.values) + joined


def markdown() -> str:
    """The published tables and their columns, with meanings and allowed values."""
    parts = [INTRO]
    for table in TABLES.values():
        if not table.published:
            continue
        parts.append(f"## `{table.name}`: one row per {table.row}\n\n{table.description}\n")
        parts.append("| column | type | meaning | values |\n|---|---|---|---|")
        for column in columns_of(table.name):
            description = column.description.replace("|", "\\|")
            parts.append(f"| `{column.name}` | {_kind(column)} | {description} | {_values(column)} |")
        parts.append("")
    merges = [f"- `{name}`: {COLUMNS[name].merge}" for name in TABLES["incidents"].columns if COLUMNS[name].merge]
    parts.append("## How an incident's value is chosen from its articles\n")
    parts.append("A stated value beats `" + NOT_STATED + "`/null. Then, per column: `latest` — the "
                 "latest-published article's value (later accounts: watchdog findings, inquests, trials); "
                 "`earliest` — the first report's; `most_serious` — the first in the vocabulary's order; "
                 "`at_the_time` — the watchdog that held the role where and when it happened; "
                 "`with:<column>` — taken from the same article as that column.\n")
    parts.extend(merges)
    return "\n".join(parts) + "\n"
