-- The events of dedup run $dedup_run_id one of whose mention sentences names $entity as written
-- (case-insensitive): the text half of the entity filter, for one run. `body ILIKE p` is
-- `lower(body) LIKE lower(p)` (both lowered, no escape), and the lowered bodies are stored
-- (012_article_folds.sql; every version a dedup run links to has one), so the articles that name
-- $entity at all are found by a substring search of those; only their sentences are cut.
SELECT DISTINCT l.event_id
FROM article_folds f
JOIN article_versions a ON a.article_id = f.article_id AND a.version = f.version
JOIN event_mentions m ON m.article_id = a.article_id AND m.version = a.version
JOIN event_mention_links l ON l.run_id = m.run_id AND l.mention_ordinal = m.ordinal
WHERE l.dedup_run_id = $dedup_run_id
  AND f.folded LIKE lower('%' || $entity || '%')
  AND substring(a.body, m.sentence_start + 1, m.sentence_end - m.sentence_start) ILIKE '%' || $entity || '%';
