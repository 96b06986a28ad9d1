SELECT dedup_run_id, fingerprint, recorded_at FROM dedup_runs ORDER BY dedup_run_id DESC LIMIT 1;
