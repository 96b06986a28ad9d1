-- The BM25 index over event_texts exists from the start, so text queries work (and find
-- nothing) on an empty store. (Its own migration: the index is built from committed tables.)
PRAGMA create_fts_index('event_texts', 'event_id', 'text', stemmer = 'english', stopwords = 'english', overwrite = 1);
