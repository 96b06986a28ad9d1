-- What the quote of a key date needs from the mention links (sql/queries/key_dates.sql), stored
-- with each dedup run instead of read from event_mention_links on each request: that read was
-- two scans of every link of every dedup run (296,749 a run at 10,000 articles), joined on
-- event ids, for about half of the request's time.
--
-- A quote candidate is a mention; what ranks it is the event its dedup run links it to and the
-- support of that event (distinct articles and sources of the event's mentions). Within one
-- dedup run that is fixed: a dedup run links the mentions current when it grouped them, so all
-- of them are recorded before it, and their runs stay current until an ingest supersedes one
-- (which a regroup, a new dedup run, follows). key_date_dedup_runs says when the stored support
-- is the one the `as_of` rules give (key_dates_state.sql checks it on each request); for an
-- `as_of` where it is not (an ingest that re-ran a linked article, stored before the dedup run
-- that follows it; a store written by other means), key_dates_exact.sql reads the links as
-- before.
--
-- key_date_quote_events: one row per (dedup run, mention it links) for the mentions that are
-- quote candidates of some day (in a `quotes` list of day_article_evidence), with the event and
-- its support in that run.
CREATE TABLE key_date_quote_events (
    dedup_run_id  BIGINT   NOT NULL,
    run_id        BIGINT   NOT NULL,
    ordinal       INTEGER  NOT NULL,
    event_id      VARCHAR  NOT NULL,
    articles      INTEGER  NOT NULL,  -- distinct articles of the event's mentions in that run
    sources       INTEGER  NOT NULL   -- distinct sources of those articles
);

-- key_date_dedup_runs: one row per dedup run whose rows are in key_date_quote_events (even none),
-- with what tells when they hold:
--   first_event_at  its earliest event's recorded_at (NULL: no event): from then its events count;
--   known_at        the latest recorded_at of its events and linked mentions: from then all count;
--   max_run_id      a pipeline run id M such that no linked run had a later run of its article
--                   with id <= M (complete below); a run after M that re-runs an article with a
--                   run <= M, recorded by `as_of`, may have superseded a linked run;
--   complete        that, and every linked run's rows are grouped (day_article_runs), so every
--                   quote candidate it links is in key_date_quote_events.
CREATE TABLE key_date_dedup_runs (
    dedup_run_id    BIGINT       NOT NULL,
    first_event_at  TIMESTAMPTZ,
    known_at        TIMESTAMPTZ,
    max_run_id      BIGINT,
    complete        BOOLEAN      NOT NULL
);

-- The links of the dedup runs not in key_date_dedup_runs, to their events, with their mentions'
-- articles and sources (the inner joins of the exact read).
CREATE MACRO key_date_new_links() AS TABLE
SELECT l.dedup_run_id, l.event_id, l.run_id, l.mention_ordinal AS ordinal, m.article_id, a.source,
       m.recorded_at AS mention_recorded_at, e.recorded_at AS event_recorded_at
FROM event_mention_links l
JOIN events e ON e.dedup_run_id = l.dedup_run_id AND e.event_id = l.event_id
JOIN event_mentions m ON m.run_id = l.run_id AND m.ordinal = l.mention_ordinal
JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
WHERE l.dedup_run_id IN (SELECT dedup_run_id FROM dedup_runs
                         WHERE dedup_run_id NOT IN (SELECT dedup_run_id FROM key_date_dedup_runs));

-- Their quote rows.
CREATE MACRO key_date_new_quote_events() AS TABLE
WITH links AS MATERIALIZED (SELECT * FROM key_date_new_links()),
support AS (
    SELECT dedup_run_id, event_id, count(DISTINCT article_id)::INTEGER AS articles,
           count(DISTINCT source)::INTEGER AS sources
    FROM links GROUP BY dedup_run_id, event_id
),
quoted AS (  -- the quotes a read with one of these runs takes: of the time and mention groups,
            -- and of its own event groups
    SELECT DISTINCT run_id, unnest(quotes).ordinal AS ordinal FROM day_article_evidence
    WHERE dedup_run_id IS NULL OR dedup_run_id IN (SELECT dedup_run_id FROM links)
)
SELECT l.dedup_run_id, l.run_id, l.ordinal, l.event_id, s.articles, s.sources
FROM links l
JOIN support s ON s.dedup_run_id = l.dedup_run_id AND s.event_id = l.event_id
SEMI JOIN quoted q ON q.run_id = l.run_id AND q.ordinal = l.ordinal
ORDER BY l.dedup_run_id, l.run_id, l.ordinal;

-- Their key_date_dedup_runs rows. M is the last pipeline run recorded by the dedup run (or, if
-- none was, its last linked run): what the service had stored when it wrote the run.
CREATE MACRO key_date_new_dedup_runs() AS TABLE
WITH runs AS (
    SELECT d.dedup_run_id,
           coalesce((SELECT max(p.run_id) FROM pipeline_runs p WHERE p.recorded_at <= d.recorded_at), 0) AS by_time
    FROM dedup_runs d
    WHERE d.dedup_run_id NOT IN (SELECT dedup_run_id FROM key_date_dedup_runs)
),
links AS (SELECT * FROM key_date_new_links()),
events_of AS (
    SELECT e.dedup_run_id, min(e.recorded_at) AS first_event_at, max(e.recorded_at) AS last_event_at
    FROM events e WHERE e.dedup_run_id IN (SELECT dedup_run_id FROM runs) GROUP BY e.dedup_run_id
),
linked AS (
    SELECT dedup_run_id, max(mention_recorded_at) AS last_mention_at, max(run_id) AS last_run
    FROM links GROUP BY dedup_run_id
),
marks AS (
    SELECT r.dedup_run_id, greatest(r.by_time, coalesce(k.last_run, 0)) AS max_run_id, e.first_event_at,
           greatest(e.last_event_at, k.last_mention_at) AS known_at
    FROM runs r LEFT JOIN events_of e USING (dedup_run_id) LEFT JOIN linked k USING (dedup_run_id)
),
broken AS (  -- dedup runs with a linked run that a run <= M supersedes, or whose rows are not grouped
    SELECT DISTINCT l.dedup_run_id
    FROM (SELECT DISTINCT dedup_run_id, run_id FROM links) l
    JOIN marks k USING (dedup_run_id)
    JOIN pipeline_runs r ON r.run_id = l.run_id
    WHERE l.run_id NOT IN (SELECT run_id FROM day_article_runs)
       OR EXISTS (SELECT 1 FROM pipeline_runs p
                  WHERE p.article_id = r.article_id AND p.run_id > l.run_id AND p.run_id <= k.max_run_id)
    UNION ALL
    SELECT DISTINCT dedup_run_id FROM (SELECT DISTINCT dedup_run_id, run_id FROM links) l
    WHERE l.run_id NOT IN (SELECT run_id FROM pipeline_runs)
)
SELECT k.dedup_run_id, k.first_event_at, k.known_at, k.max_run_id,
       k.dedup_run_id NOT IN (SELECT dedup_run_id FROM broken) AS complete
FROM marks k;

INSERT INTO key_date_quote_events SELECT * FROM key_date_new_quote_events();
INSERT INTO key_date_dedup_runs SELECT * FROM key_date_new_dedup_runs();
