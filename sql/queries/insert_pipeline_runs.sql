INSERT INTO pipeline_runs BY NAME SELECT * FROM new_pipeline_runs;
-- their key-dates evidence is written with their rows (013_day_evidence.sql)
INSERT INTO day_evidence_runs SELECT run_id FROM new_pipeline_runs;
