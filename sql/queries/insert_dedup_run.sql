INSERT INTO dedup_runs (dedup_run_id, pipeline_version, recorded_at, fingerprint)
VALUES ($dedup_run_id, $pipeline_version, $recorded_at, $fingerprint);
