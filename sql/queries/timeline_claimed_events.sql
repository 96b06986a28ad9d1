-- The events of dedup run $dedup_run_id that have claims, sorted: service/timeline.py reads them
-- once per run so that /events/{id} of an event without claims skips event_claims_of.sql.
SELECT DISTINCT event_id FROM event_claims WHERE dedup_run_id = $dedup_run_id ORDER BY event_id;
