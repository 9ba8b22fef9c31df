-- The latest incident with each article that reports it (headline, outlet, address).
SELECT incident_id, incident_date, article_id, published_date, outlet, headline, url
FROM incident_articles
WHERE incident_id = (SELECT incident_id FROM incidents ORDER BY incident_date DESC NULLS LAST, incident_id LIMIT 1)
ORDER BY published_date NULLS LAST, article_id;
