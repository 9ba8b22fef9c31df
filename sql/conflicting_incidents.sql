-- Incidents whose articles disagree, and on which fields; then every disagreement with the other values.
SELECT c.incident_id, c.field, c.chosen_value, c.other_values, c.source_article_id, c.merge_rule
FROM conflicts AS c
JOIN incidents_with_conflicts AS i USING (incident_id)
ORDER BY i.n_conflicts DESC, c.incident_id, c.field;
