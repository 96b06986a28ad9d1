-- What the timeline reads fast: each event's folded name keys (for entity filters that match
-- aliases and transliterations), and a fingerprint of each dedup run (a run that would group
-- everything the same way is not recorded again).

ALTER TABLE events ADD COLUMN name_keys VARCHAR[];  -- no DEFAULT: DuckLake takes none for lists

ALTER TABLE dedup_runs ADD COLUMN fingerprint VARCHAR;

