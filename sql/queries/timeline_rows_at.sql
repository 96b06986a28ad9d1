-- The rows of dedup run $dedup_run_id at the positions of a timeline page that
-- timeline_events.sql cut (`timeline_page` (position), registered by the caller), read by the
-- range they span: $first <= position <= $last lets the scan skip the rest of the run, so only
-- the page's own rows are materialized.
SELECT position, event_id, kind, label, valid_from, valid_until, grain, has_conflict, conflicts, mention_count,
       sources, articles, first_quote, first_reported_at, timezone
FROM timeline_rows
WHERE dedup_run_id = $dedup_run_id AND position >= $first AND position <= $last
  AND position IN (SELECT position FROM timeline_page);
