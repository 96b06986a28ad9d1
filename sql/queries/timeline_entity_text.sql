-- The events of dedup run $dedup_run_id one of whose mention sentences names $entity as written
-- (case-insensitive): the text half of the entity filter of timeline_events, for one run.
SELECT DISTINCT l.event_id
FROM article_versions a
JOIN event_mentions m ON m.article_id = a.article_id AND m.version = a.version
JOIN event_mention_links l ON l.run_id = m.run_id AND l.mention_ordinal = m.ordinal
WHERE l.dedup_run_id = $dedup_run_id
  AND a.body ILIKE '%' || $entity || '%'
  AND substring(a.body, m.sentence_start + 1, m.sentence_end - m.sentence_start) ILIKE '%' || $entity || '%';
