-- Data quality: the share of incidents whose value is not stated, per vocabulary field.
SELECT field, round(100.0 * count(*) FILTER (WHERE value = 'not_stated') / count(*), 1) AS percent_not_stated
FROM (UNPIVOT (SELECT CAST(force_type AS VARCHAR) AS force_type, CAST(outcome AS VARCHAR) AS outcome,
                      CAST(referral_body AS VARCHAR) AS referral_body,
                      CAST(terrorism_status AS VARCHAR) AS terrorism_status,
                      CAST(subject_gender AS VARCHAR) AS subject_gender, weapon_recovered,
                      CAST(nation AS VARCHAR) AS nation, CAST(region AS VARCHAR) AS region
               FROM incidents)
      ON COLUMNS(*) INTO NAME field VALUE value)
GROUP BY field
ORDER BY field;
