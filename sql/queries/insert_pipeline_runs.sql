INSERT INTO pipeline_runs BY NAME SELECT * FROM new_pipeline_runs;
