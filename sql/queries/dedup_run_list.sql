-- Every dedup run in run order, as service/runs.py keeps them: which run was current at a time
-- is then the last one recorded by it (dedup_run_history, timeline_run.sql).
SELECT dedup_run_id, recorded_at, fingerprint FROM dedup_runs ORDER BY dedup_run_id;
