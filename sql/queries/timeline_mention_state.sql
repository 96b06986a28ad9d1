-- The record time of the last pipeline run stored by $as_of (NULL before the first). The mentions
-- known at $as_of are the ones known at that instant: a mention is recorded with its run and
-- leaves the current view when a later run of its article is recorded, so the set only changes
-- at a run's record time. `service.timeline` keys its in-memory copy of the mentions on it.
SELECT max(recorded_at) AS recorded_at FROM pipeline_runs WHERE recorded_at <= $as_of;
