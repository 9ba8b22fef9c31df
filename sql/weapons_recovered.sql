-- Incidents per weapon recovered (none: stated that none was found; an incident not saying is left out).
SELECT weapon, count(*) AS incidents
FROM (SELECT unnest(weapons_recovered) AS weapon FROM incidents)
GROUP BY ALL
ORDER BY incidents DESC, weapon;
