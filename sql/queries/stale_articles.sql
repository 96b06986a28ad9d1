-- Current article versions that the pipeline version $pipeline_version has not processed:
-- never processed, processed by another pipeline version, or processed in an older version.
SELECT a.article_id, a.version, a.content_hash, a.source, a.url, a.language, a.title, a.body,
       a.published_at, a.timezone
FROM current_articles a
LEFT JOIN (SELECT * EXCLUDE (superseded_at) FROM run_history WHERE superseded_at IS NULL) r
       ON r.article_id = a.article_id
WHERE r.run_id IS NULL OR r.version <> a.version OR r.pipeline_version <> $pipeline_version
ORDER BY a.article_id
LIMIT $limit;
