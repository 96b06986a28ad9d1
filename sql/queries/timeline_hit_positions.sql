-- The rows (timeline_rows positions) of dedup run $dedup_run_id of the text index's hits, with
-- their scores: `timeline_hit_ids` (event_id, score) is registered by the caller with the BM25
-- hits of $q (service/search.py). Read once per request, so that both pages of the request
-- (dated, undated) join the hits by position.
SELECT r.position, h.score
FROM timeline_rows r
JOIN timeline_hit_ids h ON h.event_id = r.event_id
WHERE r.dedup_run_id = $dedup_run_id;
