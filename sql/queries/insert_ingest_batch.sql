INSERT INTO ingest_batches
VALUES ($batch_id, $recorded_at, $origin, $received, $created, $new_versions, $unchanged, $reprocessed);
