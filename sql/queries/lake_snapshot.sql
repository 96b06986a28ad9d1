-- The DuckLake's current snapshot id (attached as `lake`, service/store.py LAKE): one catalog
-- query, where reading a table costs several. Database.state reads it.
SELECT id FROM ducklake_current_snapshot('lake');
