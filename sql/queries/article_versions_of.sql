-- Every version of one article recorded at or before $as_of, with when each was superseded
-- (as known at $as_of: a supersession recorded later is not shown).
SELECT article_id, version, content_hash, source, url, language, title, body,
       published_at, timezone, local_published_at, recorded_at,
       CASE WHEN superseded_at <= $as_of THEN superseded_at END AS superseded_at
FROM article_history
WHERE article_id = $article_id AND recorded_at <= $as_of
ORDER BY version;
