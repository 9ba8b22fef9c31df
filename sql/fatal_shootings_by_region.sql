-- Fatal police shootings per nation and region, most first (region not_stated: no district or force tells).
SELECT nation, region, count(*) AS fatal_shootings
FROM fatal_shootings
GROUP BY ALL
ORDER BY fatal_shootings DESC, nation, region;
