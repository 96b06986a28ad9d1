-- The timeline without deduplication: every mention known at $as_of on its own line, with
-- the same filters and order as timeline_events ($q matches the sentence text here, and the
-- entity is matched as written: alias folding needs the events' name keys).
-- Sentences are cut from the bodies in the filters only when $entity or $q asks for them, and
-- for the page's rows; the count is taken over the filtered keys (a window over every mention
-- with its sentence and body cost 10 s at 2 M mentions).
WITH m AS MATERIALIZED (
    SELECT m.run_id, m.ordinal, m.article_id, m.version, m.valid_from, m.valid_until, a.published_at
    FROM event_mentions m
    JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
    -- event_mentions_as_of($as_of) without joining every mention to run_history: recorded by
    -- then, and not of a run superseded by then (few runs are)
    WHERE m.recorded_at <= $as_of
      AND m.run_id NOT IN (SELECT run_id FROM run_history WHERE superseded_at <= $as_of)
      AND ($minor OR m.salient)
      AND ($kind IS NULL OR m.kind = $kind)
      AND ($from IS NULL OR m.valid_until IS NULL OR m.valid_until > $from)
      AND ($until IS NULL OR m.valid_from IS NULL OR m.valid_from < $until)
      AND ($source IS NULL OR a.source = $source)
      AND ($article IS NULL OR m.article_id = $article)
      AND ($entity IS NULL
           OR substring(a.body, m.sentence_start + 1, m.sentence_end - m.sentence_start) ILIKE '%' || $entity || '%'
           OR list_contains(list_transform(m.participants || m.places, x -> lower(x)), lower($entity)))
      AND ($q IS NULL OR substring(a.body, m.sentence_start + 1, m.sentence_end - m.sentence_start) ILIKE '%' || $q || '%')
      AND ($dated = (m.valid_from IS NOT NULL OR m.valid_until IS NOT NULL))
),
page AS (
    SELECT * FROM m
    ORDER BY valid_from ASC NULLS FIRST, valid_until ASC NULLS LAST, published_at, article_id, ordinal
    LIMIT $limit OFFSET $offset
)
SELECT p.article_id || '#' || p.ordinal AS event_id, x.kind, x.trigger AS label, p.valid_from, p.valid_until,
       x.grain, false AS has_conflict, []::VARCHAR[] AS conflicts, 1 AS mention_count, [a.source] AS sources,
       [p.article_id] AS articles,
       substring(a.body, x.sentence_start + 1, x.sentence_end - x.sentence_start) AS first_quote,
       p.published_at AS first_reported_at, a.timezone, NULL::DOUBLE AS score, (SELECT count(*) FROM m) AS total
FROM page p
JOIN event_mentions x ON x.run_id = p.run_id AND x.ordinal = p.ordinal
JOIN article_versions a ON a.article_id = p.article_id AND a.version = p.version
ORDER BY p.valid_from ASC NULLS FIRST, p.valid_until ASC NULLS LAST, p.published_at, p.article_id, p.ordinal;
