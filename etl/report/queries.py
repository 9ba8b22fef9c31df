"""The SQL behind every figure of the report, over the published tables of one build.

Each function runs one query on an open DuckDB connection to the build's database and
returns its rows as dicts (Python values: None for NULL, dates as dates), in a stated order.
The values a query picks out (fatal, firearm, error, ...) are named once below and checked
against the codebook, so a renamed vocabulary value fails here, not silently in a chart.
"""
from __future__ import annotations

import duckdb

from schema.codebook import COLUMNS, EVENT_FIELDS, INCIDENT_DERIVED, NOT_STATED, TABLES

# The incident's year: that of the date as far as the text gives it, so a month-only date has one.
YEAR = "incident_year"


def codebook_value(column: str, value: str) -> str:
    """`value`, after checking that the codebook's vocabulary of `column` has it."""
    if value not in COLUMNS[column].values:
        raise ValueError(f"the codebook's {column} has no value {value!r}; the report must follow the codebook")
    return value


FATAL = codebook_value("outcome", "fatal")
FIREARM = codebook_value("force_type", "firearm")
ERROR = codebook_value("severity", "error")
WARNING = codebook_value("severity", "warning")


def records(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    """The rows of one query as dicts keyed by column name."""
    cursor = con.execute(sql, params or [])
    names = [description[0] for description in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def headline(con: duckdb.DuckDBPyConnection) -> dict:
    """The counts the front page opens with, in one row."""
    return records(con, f"""
        SELECT (SELECT count(*) FROM incidents) AS incidents,
               (SELECT count(*) FROM incidents WHERE outcome = $fatal) AS fatal,
               (SELECT count(*) FROM incidents WHERE force_type = $firearm) AS firearm,
               (SELECT count(*) FROM articles) AS articles,
               (SELECT count(*) FROM articles WHERE relevant) AS relevant_articles,
               (SELECT count(*) FROM rejects WHERE severity = $error) AS rejected,
               (SELECT count(*) FROM rejects WHERE severity = $warning) AS flagged,
               (SELECT count(DISTINCT incident_id) FROM conflicts) AS incidents_with_conflicts,
               (SELECT min({YEAR}) FROM incidents) AS first_year,
               (SELECT max({YEAR}) FROM incidents) AS last_year,
               (SELECT count(*) FROM incidents WHERE {YEAR} IS NULL) AS undated
        """, {"fatal": FATAL, "firearm": FIREARM, "error": ERROR, "warning": WARNING})[0]


def build_info(con: duckdb.DuckDBPyConnection) -> dict:
    """Which build the report shows: the uofdb version, commit, date of the inputs and codebook version."""
    return records(con, "SELECT uofdb_version, git_commit, build_time, codebook_version FROM build_info")[0]


def per_year(con: duckdb.DuckDBPyConnection, column: str) -> list[dict]:
    """Incidents per year and value of `column` (outcome, force_type): every year from the first
    to the last dated incident and every value of the codebook, zeros included, in the codebook's
    order (values the data holds beyond it come last)."""
    order = list(COLUMNS[column].values)
    return records(con, f"""
        WITH dated AS (SELECT {YEAR} AS year, "{column}" AS value FROM incidents WHERE {YEAR} IS NOT NULL),
             years AS (SELECT unnest(range(min(year), max(year) + 1)) AS year FROM dated),
             vals AS (SELECT unnest($order::VARCHAR[]) AS value UNION SELECT DISTINCT value FROM dated)
        SELECT years.year, vals.value, count(dated.year) AS incidents,
               sum(count(dated.year)) OVER (PARTITION BY years.year) AS year_total
        FROM years CROSS JOIN vals
        LEFT JOIN dated ON dated.year = years.year AND dated.value IS NOT DISTINCT FROM vals.value
        GROUP BY years.year, vals.value
        ORDER BY years.year, coalesce(list_position($order, vals.value), len($order) + 1), vals.value
        """, {"order": order})


def by_force(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Incidents per force and force type; an incident of several forces counts once for each."""
    return records(con, """
        WITH named AS (SELECT unnest(forces) AS force, force_type FROM incidents)
        SELECT force, force_type, count(*) AS incidents, sum(count(*)) OVER (PARTITION BY force) AS force_total
        FROM named GROUP BY force, force_type
        ORDER BY force_total DESC, force, list_position($order, force_type)
        """, {"order": list(COLUMNS["force_type"].values)})


def force_not_stated(con: duckdb.DuckDBPyConnection) -> int:
    """Incidents whose force no article names."""
    return records(con, "SELECT count(*) AS n FROM incidents WHERE len(forces) = 0")[0]["n"]


def by_nation(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Incidents per nation of the UK and outcome, every nation and outcome of the codebook (zeros
    included) in its order."""
    return records(con, """
        WITH nations AS (SELECT unnest($nations::VARCHAR[]) AS nation),
             outcomes AS (SELECT unnest($outcomes::VARCHAR[]) AS outcome)
        SELECT nations.nation, outcomes.outcome, count(i.incident_id) AS incidents,
               sum(count(i.incident_id)) OVER (PARTITION BY nations.nation) AS nation_total
        FROM nations CROSS JOIN outcomes
        LEFT JOIN incidents i ON i.nation = nations.nation AND i.outcome = outcomes.outcome
        GROUP BY nations.nation, outcomes.outcome
        ORDER BY list_position($nations, nations.nation), list_position($outcomes, outcomes.outcome)
        """, {"nations": list(COLUMNS["nation"].values), "outcomes": list(COLUMNS["outcome"].values)})


def by_region(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Incidents per region (England's ONS regions, and Wales, Scotland and Northern Ireland), every
    region of the codebook in its order, with its nation (from the districts table) and its fatal ones."""
    return records(con, """
        WITH regions AS (SELECT unnest($regions::VARCHAR[]) AS region),
             nation_of AS (SELECT DISTINCT region, nation FROM districts)
        SELECT regions.region, nation_of.nation, count(i.incident_id) AS incidents,
               count(i.incident_id) FILTER (WHERE i.outcome = $fatal) AS fatal
        FROM regions LEFT JOIN nation_of USING (region)
        LEFT JOIN incidents i ON i.region = regions.region
        GROUP BY regions.region, nation_of.nation
        ORDER BY list_position($regions, regions.region)
        """, {"regions": list(COLUMNS["region"].values), "fatal": FATAL})


def by_district(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Incidents per local authority district, most first (ties by name), with its region."""
    return records(con, """
        SELECT i.borough AS district, i.borough_code AS code, d.region, count(*) AS incidents,
               count(*) FILTER (WHERE i.outcome = $fatal) AS fatal
        FROM incidents i LEFT JOIN districts d ON d.district_code = i.borough_code
        WHERE i.borough IS NOT NULL
        GROUP BY ALL ORDER BY incidents DESC, district
        """, {"fatal": FATAL})


def district_not_stated(con: duckdb.DuckDBPyConnection) -> int:
    """Incidents whose district no article gives."""
    return records(con, "SELECT count(*) AS n FROM incidents WHERE borough IS NULL")[0]["n"]


# One line per incident for the lists: the date as far as known, place, force, what happened, and
# the headline of its earliest published article that has one.
_INCIDENT_LINES = f"""
    SELECT i.incident_id, i.incident_period, {YEAR} AS year, i.borough AS district, i.region, i.force, i.force_type,
           i.outcome, i.n_articles,
           (SELECT count(*) FROM conflicts c WHERE c.incident_id = i.incident_id) AS conflicts,
           (SELECT a.headline FROM articles a WHERE a.incident_id = i.incident_id AND a.headline IS NOT NULL
            ORDER BY a.published_date NULLS LAST, a.article_id LIMIT 1) AS headline
    FROM incidents i
    ORDER BY i.incident_period DESC NULLS LAST, i.incident_id
"""


def latest(con: duckdb.DuckDBPyConnection, shown: int) -> list[dict]:
    """The `shown` latest incidents by the date as far as the text gives it (undated last)."""
    return records(con, _INCIDENT_LINES + " LIMIT $shown", {"shown": shown})


def incident_lines(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every incident, latest first, as `latest` lists them."""
    return records(con, _INCIDENT_LINES)


def rejects_by_check(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Rejected and flagged inputs and rows per stage, check and severity, most first."""
    return records(con, """
        SELECT stage, check_id, severity, count(*) AS rows FROM rejects
        GROUP BY ALL ORDER BY rows DESC, stage, check_id, severity
        """)


def conflicts_by_field(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per field, the incidents whose articles gave more than one value, most first."""
    return records(con, "SELECT field, count(*) AS incidents FROM conflicts GROUP BY 1 ORDER BY 2 DESC, 1")


def not_stated_share(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per incident field (and nation, region, year derived from them), in the codebook's order, how
    many incidents no article states it for: `not_stated` for the fields with a vocabulary that has
    it, null for the others (the list columns repeat their joined fields and are left out)."""
    incident_fields = [name for name in TABLES["incidents"].columns
                       if name in EVENT_FIELDS + INCIDENT_DERIVED and COLUMNS[name].kind != "list"]
    parts = [f"""SELECT {position} AS position, '{name}' AS field,
                        count(*) FILTER (WHERE {_unstated(name)}) AS not_stated, count(*) AS incidents
                 FROM incidents"""
             for position, name in enumerate(incident_fields)]
    return records(con, f"""
        SELECT field, not_stated, incidents,
               CASE WHEN incidents = 0 THEN NULL ELSE not_stated / incidents END AS share
        FROM ({" UNION ALL ".join(parts)}) ORDER BY position
        """)


def _unstated(name: str) -> str:
    """The SQL condition that an incident's `name` is not stated (the codebook's Column.unstated)."""
    if COLUMNS[name].unstated == NOT_STATED:
        return f"\"{name}\" = '{NOT_STATED}'"
    return f'"{name}" IS NULL'


# --- the incident pages: everything about every incident, in a few queries -------------------

def incidents(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every incident row, by id."""
    return records(con, "SELECT * FROM incidents ORDER BY incident_id")


def incident_fields(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """How each incident value was chosen, by incident and field."""
    return records(con, "SELECT * FROM incident_fields ORDER BY incident_id, field")


def incident_articles(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The articles of every incident, with their text, earliest published first."""
    return records(con, """
        SELECT incident_id, article_id, headline, outlet, url, published_date, relevance_score,
               duplicate_of, copy_of, text
        FROM articles WHERE incident_id IS NOT NULL
        ORDER BY incident_id, published_date NULLS LAST, article_id
        """)


def incident_evidence(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The evidence of every incident field in its articles, by article and position in the text."""
    return records(con, """
        SELECT a.incident_id, e.article_id, e.field, e.value, e.start, e."end", e.quote, e.rule, e.detail
        FROM evidence e JOIN articles a USING (article_id)
        WHERE a.incident_id IS NOT NULL AND list_contains($fields, e.field)
        ORDER BY a.incident_id, e.article_id, e.start, e."end", e.field
        """, {"fields": list(EVENT_FIELDS)})


def incident_relevance(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Why each article of an incident was read as relevant: the model's decision and each signal
    present, with its quote, by article (the evidence rows of the field `relevant`)."""
    return records(con, """
        SELECT a.incident_id, e.article_id, e.quote, e.rule, e.detail
        FROM evidence e JOIN articles a USING (article_id)
        WHERE a.incident_id IS NOT NULL AND e.field = 'relevant'
        ORDER BY a.incident_id, e.article_id, e.rule, e.start, e."end", e.detail
        """)
