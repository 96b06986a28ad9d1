-- The timeline without deduplication: every mention known at $as_of on its own line, with
-- the same filters and order as timeline_events ($q matches the sentence text here, and the
-- entity is matched as written: alias folding needs the events' name keys).
WITH m AS (
    SELECT m.*, a.source, a.published_at, a.timezone,
           substring(a.body, m.sentence_start + 1, m.sentence_end - m.sentence_start) AS sentence
    FROM event_mentions_as_of($as_of) m
    JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
)
SELECT m.article_id || '#' || m.ordinal AS event_id, m.kind, m.trigger AS label, m.valid_from, m.valid_until,
       m.grain, false AS has_conflict, []::VARCHAR[] AS conflicts, 1 AS mention_count, [m.source] AS sources,
       [m.article_id] AS articles, m.sentence AS first_quote, m.published_at AS first_reported_at, m.timezone,
       NULL::DOUBLE AS score, count(*) OVER () AS total
FROM m
WHERE ($minor OR m.salient)
  AND ($kind IS NULL OR m.kind = $kind)
  AND ($from IS NULL OR m.valid_until IS NULL OR m.valid_until > $from)
  AND ($until IS NULL OR m.valid_from IS NULL OR m.valid_from < $until)
  AND ($source IS NULL OR m.source = $source)
  AND ($article IS NULL OR m.article_id = $article)
  AND ($entity IS NULL OR m.sentence ILIKE '%' || $entity || '%'
       OR list_contains(list_transform(m.participants || m.places, x -> lower(x)), lower($entity)))
  AND ($q IS NULL OR m.sentence ILIKE '%' || $q || '%')
  AND ($dated = (m.valid_from IS NOT NULL OR m.valid_until IS NOT NULL))
ORDER BY m.valid_from ASC NULLS FIRST, m.valid_until ASC NULLS LAST, m.published_at, m.article_id, m.ordinal
LIMIT $limit OFFSET $offset;
