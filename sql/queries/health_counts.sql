SELECT (SELECT count(*) FROM current_articles) AS articles,
       (SELECT count(*) FROM article_versions) AS article_versions,
       (SELECT count(*) FROM current_time_expressions) AS time_expressions,
       (SELECT count(*) FROM pipeline_runs) AS pipeline_runs,
       (SELECT max(version) FROM schema_migrations) AS schema_version;
