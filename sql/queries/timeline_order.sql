-- Every event of dedup run $dedup_run_id in timeline order (valid start, open starts first, then
-- end, then first report, then id), with what a page shows and what its filters test: the
-- in-memory order of one run that `service.timeline` filters and pages (a dedup run never
-- changes, so it is computed once per run). `summarized` is false for an event without a
-- summary row, and `first_quote` NULL when the first report's article version is missing:
-- timeline_events.sql leaves such events out (its joins are inner), /events still finds them.
SELECT e.event_id, e.kind, e.label, e.valid_from, e.valid_until, e.grain, e.has_conflict, e.conflicts,
       e.salient, e.name_keys, e.recorded_at, e.pipeline_version, g.event_id IS NOT NULL AS summarized,
       g.mention_count, g.sources, g.articles, g.first_reported_at, g.timezone,
       substring(a.body, g.first_sentence_start + 1, g.first_sentence_end - g.first_sentence_start) AS first_quote
FROM events e
LEFT JOIN event_summaries g ON g.dedup_run_id = e.dedup_run_id AND g.event_id = e.event_id
LEFT JOIN article_versions a ON a.article_id = g.first_article_id AND a.version = g.first_version
WHERE e.dedup_run_id = $dedup_run_id
ORDER BY e.valid_from ASC NULLS FIRST, e.valid_until ASC NULLS LAST, g.first_reported_at, e.event_id;
