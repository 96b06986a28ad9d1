-- What the timeline reads fast: each event's folded name keys (for entity filters that match
-- aliases and transliterations), a fingerprint of each dedup run (a run that would group
-- everything the same way is not recorded again), and the text the full-text index covers.

ALTER TABLE events ADD COLUMN name_keys VARCHAR[] DEFAULT [];

ALTER TABLE dedup_runs ADD COLUMN fingerprint VARCHAR;

-- A cache, rebuilt after each dedup run: one row per current event, its label and the
-- sentences of its mentions. The BM25 index (schema fts_main_event_texts) is built over it.
CREATE TABLE event_texts (
    event_id  VARCHAR PRIMARY KEY,
    text      VARCHAR NOT NULL
);

