-- Whether anything the key dates read was recorded after $since (the instant the days of the
-- dedup run current at $as_of were computed at, key_dates_state.sql) and by $as_of: a pipeline
-- run (or the supersession it makes), a group of evidence, a mention. If not, the stored days
-- are the answer at $as_of. (Record times rise with the rows' order, so these filters skip
-- what was stored before $since.)
SELECT EXISTS (SELECT 1 FROM pipeline_runs WHERE recorded_at > $since AND recorded_at <= $as_of)
    OR EXISTS (SELECT 1 FROM day_article_evidence WHERE known_at > $since AND known_at <= $as_of)
    OR EXISTS (SELECT 1 FROM event_mentions WHERE recorded_at > $since AND recorded_at <= $as_of) AS changed;
