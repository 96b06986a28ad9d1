-- The DuckLake's snapshots (attached as `lake`, service/store.py LAKE) taken before $before,
-- but never the current one, for `timeline compact --expire-days`. Chosen here, where
-- snapshot_time is a TIMESTAMPTZ, and expired by id: with a SQLite catalog, DuckLake's own
-- `older_than` compares the catalog's text timestamps as text and expired every snapshot, the
-- fresh ones too (seen with duckdb 1.5.5; a PostgreSQL catalog compares times).
SELECT snapshot_id
FROM ducklake_snapshots('lake')
WHERE snapshot_time < $before
  AND snapshot_id < (SELECT id FROM ducklake_current_snapshot('lake'))
ORDER BY snapshot_id;
