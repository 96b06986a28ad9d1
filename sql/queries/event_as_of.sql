-- One event as known at $as_of.
SELECT dedup_run_id, event_id, kind, label, valid_from, valid_until, grain, has_conflict, conflicts,
       pipeline_version, recorded_at
FROM events_as_of($as_of)
WHERE event_id = $event_id;
