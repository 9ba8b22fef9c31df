-- Incidents per year by force type and outcome; the year is set for month- and year-only dates too.
SELECT incident_year, force_type, outcome, count(*) AS incidents
FROM incidents
GROUP BY ALL
ORDER BY incident_year NULLS LAST, force_type, outcome;
