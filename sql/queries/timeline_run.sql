-- The dedup run whose grouping was current at $as_of (none before the first run): the timeline
-- as known then is that run's events (events_as_of). Its recorded_at and fingerprint name it.
SELECT dedup_run_id, recorded_at, fingerprint
FROM dedup_run_history
WHERE recorded_at <= $as_of AND (superseded_at IS NULL OR superseded_at > $as_of);
