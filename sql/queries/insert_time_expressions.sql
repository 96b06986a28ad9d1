INSERT INTO time_expressions BY NAME SELECT * FROM new_time_expressions;
-- the days they name, for the key dates (013_day_evidence.sql)
INSERT INTO day_evidence
SELECT 'time', t.run_id, t.ordinal, t.article_id, t.version, a.source, CAST(a.local_published_at AS DATE),
       key_date_day(t.valid_from, t.valid_until, t.grain, a.timezone, a.local_published_at, a.published_at),
       t.start_offset, t.recorded_at, NULL, NULL, NULL
FROM new_time_expressions t
JOIN article_versions a ON a.article_id = t.article_id AND a.version = t.version
WHERE t.timex_type IN ('DATE', 'TIME') AND t.grain IN ('day', 'part_of_day', 'hour', 'minute', 'second')
  AND t.valid_from IS NOT NULL AND t.valid_until IS NOT NULL;
