-- The deduplicated timeline as known at $as_of, from the rows of dedup run $dedup_run_id (the run
-- current then, timeline_run.sql) in timeline order (010_timeline_rows.sql): events ordered by
-- valid start (open starts first), then end, then first report, then id, which is `position`.
-- $dated = true gives events with a time, false the undated ones. $minor = false keeps the events
-- some mention asserts as a main, dated happening. $q keeps the events the text index found;
-- $sort = 'relevance' orders by score. Returns the page's positions (in page order), scores and
-- the total; timeline_rows_at.sql then reads those rows' columns. The filters read only the
-- run's rows, and two tables the caller registers for the request (service/timeline.py):
-- `timeline_hits` (position, score), the rows of the BM25 hits of $q from the in-memory index
-- (service/search.py, timeline_hit_positions.sql), and `timeline_entity` (position), the rows
-- timeline_entity_positions.sql found for $entity; each is empty when its parameter is NULL.
WITH matched AS (
    SELECT r.position, s.score
    FROM timeline_rows r
    LEFT JOIN timeline_hits s ON s.position = r.position
    LEFT JOIN timeline_entity t ON t.position = r.position
    WHERE r.dedup_run_id = $dedup_run_id
      AND r.recorded_at <= $as_of
      AND r.dated = $dated
      AND ($minor OR r.salient)
      AND ($kind IS NULL OR r.kind = $kind)
      AND ($from IS NULL OR r.valid_until IS NULL OR r.valid_until > $from)
      AND ($until IS NULL OR r.valid_from IS NULL OR r.valid_from < $until)
      AND ($source IS NULL OR list_contains(r.sources, $source))
      AND ($article IS NULL OR list_contains(r.articles, $article))
      AND ($entity IS NULL OR t.position IS NOT NULL)
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
