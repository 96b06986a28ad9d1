-- One row naming the last writer. On a DuckLake shared by several processes every write
-- transaction deletes this row and inserts its own (service/store.py): two transactions that
-- overlap then conflict in DuckLake's own commit check, so the later one is rolled back and
-- redone on top of the earlier, instead of both allocating the same run ids or both storing
-- the same new article. Plain appends alone would not conflict. The embedded DuckDB file has
-- one writing process and leaves this row as the migration wrote it.
CREATE TABLE write_turn (
    writer    VARCHAR     NOT NULL,  -- host:pid of the process that wrote last
    taken_at  TIMESTAMPTZ NOT NULL
);

INSERT INTO write_turn VALUES ('migration', now());
