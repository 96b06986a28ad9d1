-- The time expressions of an article as the service knew them at $as_of.
SELECT t.ordinal, t.start_offset, t.end_offset, t.text, t.timex_type, t.value, t.mod, t.grain,
       t.valid_from, t.valid_until, t.resolved_against, t.reason, t.rule,
       t.version, t.pipeline_version, t.recorded_at
FROM time_expressions_as_of($as_of) t
WHERE t.article_id = $article_id
ORDER BY t.ordinal;
