"""The views of `uofdb.duckdb`: the first questions researchers ask, as SQL over the published tables.

Each view is declared once here with what one row is; `etl.publish` creates them and
comments them, and `docs/codebook.md` is not needed to read them (`describe <view>`).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class View:
    """A view: its name, what it shows and its query."""

    name: str
    description: str
    sql: str
    needs: tuple[str, ...]  # the tables it reads


VIEWS: tuple[View, ...] = (
    View("conflicts", "Incident fields on which the articles disagree (from incident_fields).", """
        SELECT incident_id, field, chosen_value, source_article_id, merge_rule, other_values
        FROM incident_fields
        WHERE len(other_values) > 0
        ORDER BY incident_id, field""", ("incident_fields",)),
    View("incidents_by_year_and_force",
         "Incidents per year, force, force type and outcome; an incident of several forces counts once for each "
         "(incident_year null: no date given; force null: no force stated).", """
        SELECT incident_year, force_name, force_type, outcome, count(*) AS incidents
        FROM (SELECT incident_year, force_type, outcome,
                     unnest(CASE WHEN len(forces) = 0 THEN [NULL::VARCHAR] ELSE forces END) AS force_name
              FROM incidents)
        GROUP BY ALL
        ORDER BY incident_year NULLS LAST, force_name NULLS LAST, force_type, outcome""", ("incidents",)),
    View("fatal_shootings",
         "Incidents in which police fired a firearm and the person died, newest first, with where and who.", """
        SELECT incident_id, incident_date, incident_period, incident_year, borough, borough_code, nation, region,
               location, force, subject_age, subject_gender, shots_fired, weapon_recovered, referral_body,
               n_articles, article_ids
        FROM incidents
        WHERE force_type = 'firearm' AND outcome = 'fatal'
        ORDER BY incident_date DESC NULLS LAST, incident_id""", ("incidents",)),
    View("incidents_with_conflicts",
         "Incidents on whose fields their articles disagree: the fields, and how many.", """
        SELECT i.incident_id, i.incident_date, i.borough, i.force, i.n_articles,
               count(*) AS n_conflicts, list(c.field ORDER BY c.field) AS conflicting_fields
        FROM incidents i JOIN conflicts c USING (incident_id)
        GROUP BY ALL
        ORDER BY n_conflicts DESC, i.incident_id""", ("incidents", "incident_fields")),
    View("incident_articles",
         "Each incident with each article that reports it: published date, outlet, headline and address.", """
        SELECT i.incident_id, i.incident_date, a.article_id, a.published_date, a.outlet, a.headline, a.url
        FROM incidents i JOIN articles a USING (incident_id)
        ORDER BY i.incident_id, a.published_date NULLS LAST, a.article_id""", ("incidents", "articles")),
    View("incident_evidence",
         "Each incident field with the evidence of each article: the value read, the quote and the sentence "
         "around it, and whether it is the value the incident took (chosen).", """
        SELECT e.incident_id, e.field, f.chosen_value, e.value,
               (e.article_id = f.source_article_id AND e.value = f.chosen_value) AS chosen,
               e.article_id, e.quote, e.sentence, e.rule, e.start, e."end"
        FROM evidence e JOIN incident_fields f ON f.incident_id = e.incident_id AND f.field = e.field
        ORDER BY e.incident_id, e.field, chosen DESC, e.article_id, e.start""", ("evidence", "incident_fields")),
)
