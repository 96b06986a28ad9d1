-- Current article versions as of $as_of, filtered, newest publication first.
-- The total is a scalar count, not count(*) OVER () (duckdb/duckdb#25713: that window fails now
-- and then in duckdb 1.5.5 and invalidates the database; see timeline_events.sql).
WITH matched AS (
    SELECT article_id, version, content_hash, source, url, language, title,
           published_at, timezone, local_published_at, recorded_at,
           length(body) AS body_chars
    FROM articles_as_of($as_of)
    WHERE ($source IS NULL OR source = $source)
      AND ($language IS NULL OR language = $language)
      AND ($published_from IS NULL OR published_at >= $published_from)
      AND ($published_until IS NULL OR published_at < $published_until)
      AND ($title_contains IS NULL OR title ILIKE '%' || $title_contains || '%')
)
SELECT m.*, (SELECT count(*) FROM matched) AS total
FROM matched m
ORDER BY published_at DESC, article_id
LIMIT $limit OFFSET $offset;
