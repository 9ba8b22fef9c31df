-- The quote and the sentence behind each incident's district: the evidence its chosen value came from.
SELECT incident_id, chosen_value AS borough, article_id, quote, sentence, rule
FROM incident_evidence
WHERE field = 'borough' AND chosen
ORDER BY incident_id;
