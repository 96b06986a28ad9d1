-- The pipeline run of an article that was current at $as_of.
SELECT run_id, version, pipeline_version, recorded_at, warnings, expression_count, mention_count
FROM runs_as_of($as_of)
WHERE article_id = $article_id;
