-- Record-time views for analysts and for the service's own reads.
-- `*_history` views add `superseded_at` (NULL while current); `current_*` views show what the
-- service knows now; the `*_as_of(t)` table macros show what it knew at instant t.

CREATE VIEW article_history AS
SELECT a.*,
       lead(a.recorded_at) OVER (PARTITION BY a.article_id ORDER BY a.version) AS superseded_at
FROM article_versions a;

CREATE VIEW current_articles AS
SELECT * EXCLUDE (superseded_at) FROM article_history WHERE superseded_at IS NULL;

CREATE VIEW run_history AS
SELECT r.*,
       lead(r.recorded_at) OVER (PARTITION BY r.article_id ORDER BY r.run_id) AS superseded_at
FROM pipeline_runs r;

CREATE VIEW time_expression_history AS
SELECT t.*, r.superseded_at
FROM time_expressions t JOIN run_history r USING (run_id);

CREATE VIEW current_time_expressions AS
SELECT * EXCLUDE (superseded_at) FROM time_expression_history WHERE superseded_at IS NULL;

CREATE VIEW event_mention_history AS
SELECT m.*, r.superseded_at
FROM event_mentions m JOIN run_history r USING (run_id);

CREATE VIEW current_event_mentions AS
SELECT * EXCLUDE (superseded_at) FROM event_mention_history WHERE superseded_at IS NULL;

CREATE VIEW dedup_run_history AS
SELECT d.*, lead(d.recorded_at) OVER (ORDER BY d.dedup_run_id) AS superseded_at
FROM dedup_runs d;

CREATE VIEW event_history AS
SELECT e.*, d.superseded_at
FROM events e JOIN dedup_run_history d USING (dedup_run_id);

CREATE VIEW current_events AS
SELECT * EXCLUDE (superseded_at) FROM event_history WHERE superseded_at IS NULL;

-- What was known at instant t: rows recorded at or before t and not yet superseded at t.
CREATE MACRO articles_as_of(t) AS TABLE
SELECT * EXCLUDE (superseded_at) FROM article_history
WHERE recorded_at <= t AND (superseded_at IS NULL OR superseded_at > t);

CREATE MACRO runs_as_of(t) AS TABLE
SELECT * EXCLUDE (superseded_at) FROM run_history
WHERE recorded_at <= t AND (superseded_at IS NULL OR superseded_at > t);

CREATE MACRO time_expressions_as_of(t) AS TABLE
SELECT * EXCLUDE (superseded_at) FROM time_expression_history
WHERE recorded_at <= t AND (superseded_at IS NULL OR superseded_at > t);

CREATE MACRO event_mentions_as_of(t) AS TABLE
SELECT * EXCLUDE (superseded_at) FROM event_mention_history
WHERE recorded_at <= t AND (superseded_at IS NULL OR superseded_at > t);

CREATE MACRO events_as_of(t) AS TABLE
SELECT * EXCLUDE (superseded_at) FROM event_history
WHERE recorded_at <= t AND (superseded_at IS NULL OR superseded_at > t);
