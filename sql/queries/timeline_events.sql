-- The deduplicated timeline as known at $as_of: events ordered by valid start (open starts
-- first), then end, then first report. $dated = true gives events with a time, false the
-- undated ones. $minor = false keeps the events some mention asserts as a main, dated happening. $q keeps the events the text index found; $sort = 'relevance' orders by score.
-- Each event's counts, sources and first report come from event_summaries (stored with its
-- dedup run); sentences are cut from article bodies only for the page's first quotes and, when
-- $entity is given, for the entity match.
WITH e AS (SELECT * FROM events_as_of($as_of)),
naming AS (  -- article versions whose text names $entity at all (none without $entity)
    SELECT article_id, version, body FROM article_versions
    WHERE $entity IS NOT NULL AND body ILIKE '%' || $entity || '%'
),
entity_in_text AS (  -- events one of whose sentences names $entity as written
    SELECT DISTINCT l.event_id
    FROM naming a
    JOIN event_mentions m ON m.article_id = a.article_id AND m.version = a.version
    JOIN event_mention_links l ON l.run_id = m.run_id AND l.mention_ordinal = m.ordinal
    JOIN e ON e.dedup_run_id = l.dedup_run_id AND e.event_id = l.event_id
    WHERE substring(a.body, m.sentence_start + 1, m.sentence_end - m.sentence_start) ILIKE '%' || $entity || '%'
),
scored AS (  -- BM25 hits of $q from the in-memory index (service/search.py), passed in as lists
    SELECT unnest($hit_ids::VARCHAR[]) AS event_id, unnest($hit_scores::DOUBLE[]) AS score
),
matched AS (
    SELECT e.event_id, e.kind, e.label, e.valid_from, e.valid_until, e.grain, e.has_conflict, e.conflicts,
           g.mention_count, g.sources, g.articles, g.first_article_id, g.first_version, g.first_sentence_start,
           g.first_sentence_end, g.first_reported_at, g.timezone, s.score
    FROM e
    JOIN event_summaries g ON g.dedup_run_id = e.dedup_run_id AND g.event_id = e.event_id
    LEFT JOIN scored s ON s.event_id = e.event_id
    LEFT JOIN entity_in_text t ON t.event_id = e.event_id
    WHERE ($minor OR e.salient)
      AND ($kind IS NULL OR e.kind = $kind)
      AND ($from IS NULL OR e.valid_until IS NULL OR e.valid_until > $from)
      AND ($until IS NULL OR e.valid_from IS NULL OR e.valid_from < $until)
      AND ($source IS NULL OR list_contains(g.sources, $source))
      AND ($article IS NULL OR list_contains(g.articles, $article))
      AND ($entity IS NULL OR t.event_id IS NOT NULL OR (len($entity_keys) > 0 AND list_has_all(e.name_keys, $entity_keys)))
      AND ($q IS NULL OR s.score IS NOT NULL)
      AND ($dated = (e.valid_from IS NOT NULL OR e.valid_until IS NOT NULL))
),
-- The total is a scalar count, not count(*) OVER (): in duckdb 1.5.5 an unpartitioned window
-- over a filtered input fails now and then under parallel execution ("Attempted to access index
-- 0 within vector of size 0", duckdb/duckdb#25713) and invalidates the whole database.
page AS (
    SELECT m.*, (SELECT count(*) FROM matched) AS total
    FROM matched m
    ORDER BY CASE WHEN $sort = 'relevance' THEN m.score END DESC NULLS LAST,
             m.valid_from ASC NULLS FIRST, m.valid_until ASC NULLS LAST, m.first_reported_at, m.event_id
    LIMIT $limit OFFSET $offset
)
SELECT p.event_id, p.kind, p.label, p.valid_from, p.valid_until, p.grain, p.has_conflict, p.conflicts,
       p.mention_count, p.sources, p.articles,
       substring(a.body, p.first_sentence_start + 1, p.first_sentence_end - p.first_sentence_start) AS first_quote,
       p.first_reported_at, p.timezone, p.score, p.total
FROM page p
JOIN article_versions a ON a.article_id = p.first_article_id AND a.version = p.first_version
ORDER BY CASE WHEN $sort = 'relevance' THEN p.score END DESC NULLS LAST,
         p.valid_from ASC NULLS FIRST, p.valid_until ASC NULLS LAST, p.first_reported_at, p.event_id;
