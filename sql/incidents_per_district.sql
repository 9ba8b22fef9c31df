-- Incidents per district, with the district's region and territorial force, most first.
SELECT d.district_code, d.district_name, d.region, d.force_name, count(*) AS incidents
FROM incidents AS i
JOIN districts AS d ON d.district_code = i.borough_code
GROUP BY ALL
ORDER BY incidents DESC, d.district_code;
