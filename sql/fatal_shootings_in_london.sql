-- Fatal police shootings in London, newest first, with the borough and the force.
SELECT incident_id, incident_date, incident_period, borough, force, subject_age, subject_gender, shots_fired
FROM fatal_shootings
WHERE region = 'London'
ORDER BY incident_date DESC NULLS LAST, incident_id;
