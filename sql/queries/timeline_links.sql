-- The mention links of dedup run $dedup_run_id by event: what `service.timeline` keeps in memory
-- beside the run's order, so that /events/{id} finds an event's mentions without a scan of
-- every link of the run.
SELECT event_id, run_id, mention_ordinal
FROM event_mention_links
WHERE dedup_run_id = $dedup_run_id
ORDER BY event_id, run_id, mention_ordinal;
