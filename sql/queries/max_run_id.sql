SELECT coalesce(max(run_id), 0) FROM pipeline_runs;
