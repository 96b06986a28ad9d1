-- The latest record time anywhere in the store: new writes are recorded strictly after it.
SELECT max(t) FROM (
    SELECT max(recorded_at) AS t FROM article_versions
    UNION ALL SELECT max(recorded_at) FROM pipeline_runs
    UNION ALL SELECT max(recorded_at) FROM dedup_runs
);
