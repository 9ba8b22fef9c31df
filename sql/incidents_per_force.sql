-- Incidents per force (an incident of two forces counts for each), with the force's nation and region.
SELECT f.force_name, f.nation, f.region, count(*) AS incidents
FROM (SELECT unnest(forces) AS force_name FROM incidents) AS i
JOIN forces AS f USING (force_name)
GROUP BY ALL
ORDER BY incidents DESC, f.force_name;
