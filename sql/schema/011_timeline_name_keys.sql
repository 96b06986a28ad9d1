-- The folded name keys of each event of each dedup run (events.name_keys), one row per key, by
-- key: an entity filter (GET /timeline?entity=) then reads the few rows of its own keys instead of
-- testing every event's list (list_has_all over 204,533 events: tens of ms). `position` is the
-- event's row in timeline_rows. Immutable like the run; written with it by
-- insert_event_summaries.sql, filled here for the runs stored before.
CREATE TABLE timeline_name_keys (
    dedup_run_id  BIGINT   NOT NULL,
    name_key      VARCHAR  NOT NULL,
    position      INTEGER  NOT NULL
    -- key: (dedup_run_id, name_key, position)
);

INSERT INTO timeline_name_keys
SELECT DISTINCT dedup_run_id, unnest(name_keys) AS name_key, position
FROM timeline_rows
ORDER BY 1, 2, 3;
