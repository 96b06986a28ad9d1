-- The rows (timeline_rows positions) of dedup run $dedup_run_id that the entity filter keeps:
-- those of the events in `timeline_entity_ids` (event_id), which the caller registers with what
-- timeline_entity_text.sql found, and those whose folded name keys hold every one of
-- $entity_keys (service.regroup.entity_keys; none when the name folds to no key).
SELECT r.position
FROM timeline_rows r
WHERE r.dedup_run_id = $dedup_run_id AND r.event_id IN (SELECT event_id FROM timeline_entity_ids)
UNION
SELECT position
FROM timeline_name_keys
WHERE dedup_run_id = $dedup_run_id AND name_key IN (SELECT unnest($entity_keys::VARCHAR[]))
GROUP BY position
HAVING count(DISTINCT name_key) = len($entity_keys::VARCHAR[]);
