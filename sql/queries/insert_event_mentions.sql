INSERT INTO event_mentions BY NAME SELECT * FROM new_event_mentions;
-- the days they are dated to, for the key dates (013_day_evidence.sql)
INSERT INTO day_evidence
SELECT 'mention', m.run_id, m.ordinal, m.article_id, m.version, a.source, CAST(a.local_published_at AS DATE),
       key_date_day(m.valid_from, m.valid_until, m.grain, a.timezone, a.local_published_at, a.published_at),
       NULL, m.recorded_at, NULL, NULL, NULL
FROM new_event_mentions m
JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
WHERE m.grain IN ('day', 'part_of_day', 'hour', 'minute', 'second')
  AND m.valid_from IS NOT NULL AND m.valid_until IS NOT NULL;
