PRAGMA create_fts_index('event_texts', 'event_id', 'text', stemmer = 'english', stopwords = 'english', overwrite = 1);
