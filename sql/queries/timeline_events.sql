-- The deduplicated timeline as known at $as_of, from the rows of dedup run $dedup_run_id (the run
-- current then, timeline_run.sql) in timeline order (010_timeline_rows.sql): events ordered by
-- valid start (open starts first), then end, then first report, then id, which is `position`.
-- $dated = true gives events with a time, false the undated ones. $minor = false keeps the events
-- some mention asserts as a main, dated happening. $q keeps the events the text index found;
-- $sort = 'relevance' orders by score. Returns the page's positions (in page order), scores and
-- the total; timeline_rows_at.sql then reads those rows' columns. The filters read only the
-- run's rows. Sentences are cut from article bodies only when $entity is given.
WITH naming AS (  -- article versions whose text names $entity at all (none without $entity);
                  -- lower(x) LIKE lower(p) is what ILIKE does (both lowered, no escape), and
                  -- DuckDB runs it as a plain substring search, many times faster
    SELECT article_id, version, body FROM article_versions
    WHERE $entity IS NOT NULL AND lower(body) LIKE lower('%' || $entity || '%')
),
entity_in_text AS (  -- events of the run one of whose sentences names $entity as written
    SELECT DISTINCT l.event_id
    FROM naming a
    JOIN event_mentions m ON m.article_id = a.article_id AND m.version = a.version
    JOIN event_mention_links l ON l.run_id = m.run_id AND l.mention_ordinal = m.ordinal
    WHERE l.dedup_run_id = $dedup_run_id
      AND substring(a.body, m.sentence_start + 1, m.sentence_end - m.sentence_start) ILIKE '%' || $entity || '%'
),
scored AS (  -- BM25 hits of $q from the in-memory index (service/search.py), passed in as lists
    SELECT unnest($hit_ids::VARCHAR[]) AS event_id, unnest($hit_scores::DOUBLE[]) AS score
),
matched AS (
    SELECT r.position, s.score
    FROM timeline_rows r
    LEFT JOIN scored s ON s.event_id = r.event_id
    LEFT JOIN entity_in_text t ON t.event_id = r.event_id
    WHERE r.dedup_run_id = $dedup_run_id
      AND r.recorded_at <= $as_of
      AND r.dated = $dated
      AND ($minor OR r.salient)
      AND ($kind IS NULL OR r.kind = $kind)
      AND ($from IS NULL OR r.valid_until IS NULL OR r.valid_until > $from)
      AND ($until IS NULL OR r.valid_from IS NULL OR r.valid_from < $until)
      AND ($source IS NULL OR list_contains(r.sources, $source))
      AND ($article IS NULL OR list_contains(r.articles, $article))
      AND ($entity IS NULL OR t.event_id IS NOT NULL OR (len($entity_keys) > 0 AND list_has_all(r.name_keys, $entity_keys)))
      AND ($q IS NULL OR s.score IS NOT NULL)
),
-- The total is a scalar count, not count(*) OVER (): in duckdb 1.5.5 an unpartitioned window
-- over a filtered input fails now and then under parallel execution ("Attempted to access index
-- 0 within vector of size 0", duckdb/duckdb#25713) and invalidates the whole database.
page AS (
    SELECT position, score
    FROM matched
    ORDER BY CASE WHEN $sort = 'relevance' THEN score END DESC NULLS LAST, position
    LIMIT $limit OFFSET $offset
)
SELECT position, score, (SELECT count(*) FROM matched) AS total
FROM page
ORDER BY CASE WHEN $sort = 'relevance' THEN score END DESC NULLS LAST, position;
