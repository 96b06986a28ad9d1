-- The claims the mentions of one event make, in one dedup run, with their sources.
SELECT c.attribute, c.value, c.text, m.article_id, a.source, a.published_at
FROM event_claims c
JOIN event_mentions m ON m.run_id = c.run_id AND m.ordinal = c.mention_ordinal
JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
WHERE c.dedup_run_id = $dedup_run_id AND c.event_id = $event_id
ORDER BY c.attribute, a.published_at, m.article_id;
