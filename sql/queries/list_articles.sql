-- Current article versions as of $as_of, filtered, newest publication first.
SELECT article_id, version, content_hash, source, url, language, title,
       published_at, timezone, local_published_at, recorded_at,
       length(body) AS body_chars,
       count(*) OVER () AS total
FROM articles_as_of($as_of)
WHERE ($source IS NULL OR source = $source)
  AND ($language IS NULL OR language = $language)
  AND ($published_from IS NULL OR published_at >= $published_from)
  AND ($published_until IS NULL OR published_at < $published_until)
  AND ($title_contains IS NULL OR title ILIKE '%' || $title_contains || '%')
ORDER BY published_at DESC, article_id
LIMIT $limit OFFSET $offset;
