-- event_texts is a cache of current events' text for the BM25 index, not history: it is
-- rebuilt from the bitemporal tables after each dedup run.
DELETE FROM event_texts;
