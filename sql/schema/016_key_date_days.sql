-- The key dates of every day as known at each dedup run's own record time, stored with the run
-- (sql/queries/key_dates_days.sql reads them): from the dedup run until the next record time of
-- anything the key dates read (a pipeline run, a group of evidence, a mention), the answer at
-- any `as_of` is this one, ranked and cut to the window and `top` asked. At 10,000 articles a
-- request then reads about 900 rows instead of ranking 35,184 groups and their quotes.
--
-- key_date_days: one row per (dedup run, day named at day grain by what was known at the run's
-- recorded_at), with what key_dates.sql returns for the day; `mentions` is NULL for a day that
-- no time expression or mention names (it ranks after those that some do), `events` the first
-- max_events of the day's events, best supported first.
CREATE TABLE key_date_days (
    dedup_run_id        BIGINT       NOT NULL,
    day                 DATE         NOT NULL,
    score               DOUBLE       NOT NULL,
    articles            BIGINT       NOT NULL,
    sources             BIGINT       NOT NULL,
    later_articles      BIGINT       NOT NULL,
    same_day_articles   BIGINT       NOT NULL,
    earlier_articles    BIGINT       NOT NULL,
    mentions            BIGINT,
    event_count         BIGINT       NOT NULL,
    events              STRUCT(id VARCHAR, kind VARCHAR, label VARCHAR, articles BIGINT, sources BIGINT,
                               has_conflict BOOLEAN)[],
    quote               VARCHAR,
    quote_trigger       VARCHAR,
    quote_article_id    VARCHAR,
    quote_source        VARCHAR,
    quote_url           VARCHAR,
    quote_published_at  TIMESTAMPTZ,
    quote_event_id      VARCHAR
);

-- key_date_day_runs: the dedup runs whose days are in key_date_days (even none), the instant they
-- were computed at (the run's recorded_at), and the weights and number of events per day they
-- were computed with.
CREATE TABLE key_date_day_runs (
    dedup_run_id     BIGINT       NOT NULL,
    as_of            TIMESTAMPTZ  NOT NULL,
    max_events       INTEGER      NOT NULL,
    later_weight     DOUBLE       NOT NULL,
    same_day_weight  DOUBLE       NOT NULL,
    earlier_weight   DOUBLE       NOT NULL
);

-- Every day as key_dates.sql answers it at as_of_time with the quote support of dedup_run (the
-- dedup run current then), with the service's weights and events per day (service/key_dates.py)
-- and no window.
CREATE MACRO key_date_days_at(as_of_time, dedup_run) AS TABLE
WITH live_runs AS (SELECT run_id FROM run_history WHERE superseded_at IS NULL OR superseded_at > as_of_time),
grouped AS NOT MATERIALIZED (  -- the groups, and those of the runs ingest stored since the last dedup run grouped them
    SELECT * FROM day_article_evidence
    UNION ALL
    SELECT * FROM ungrouped_day_articles()
),
in_range AS MATERIALIZED (  -- the groups known at as_of_time (what the ranking reads of them)
    SELECT g.day, g.article_id, g.source, g.pub_day, g.dedup_run_id, g.mentions
    FROM grouped g
    WHERE g.known_at <= as_of_time AND g.run_id IN (SELECT run_id FROM live_runs)
      AND (g.dedup_run_id IS NULL OR g.dedup_run_id = dedup_run)
),
article_days AS (
    SELECT day, article_id, any_value(source) AS source, any_value(pub_day) AS pub_day,
           CASE WHEN any_value(pub_day) > day THEN 1.0::DOUBLE
                WHEN any_value(pub_day) = day THEN 0.5::DOUBLE
                ELSE 0.5::DOUBLE END AS w
    FROM in_range GROUP BY day, article_id
),
scores AS (  -- summed in a fixed order (by weight), so that days with the same weights per source
            -- get the very same float and their tie goes to the tie-breakers, not to the order
            -- a parallel aggregation happened to add them in (a source's weights are multiples
            -- of the weights, exact in floating point for the service's 1 and 0.5)
    SELECT day, list_sum(list_sort(list(sqrt(w)))) AS score
    FROM (SELECT day, source, sum(w) AS w FROM article_days GROUP BY day, source)
    GROUP BY day
),
stats AS (
    SELECT day, count(*) AS articles, count(DISTINCT source) AS sources,
           count(*) FILTER (WHERE pub_day > day) AS later_articles,
           count(*) FILTER (WHERE pub_day = day) AS same_day_articles,
           count(*) FILTER (WHERE pub_day < day) AS earlier_articles
    FROM article_days GROUP BY day
),
mention_counts AS (  -- a time expression or mention is in one group
    SELECT day, sum(mentions)::BIGINT AS mentions
    FROM in_range WHERE dedup_run_id IS NULL GROUP BY day
),
top_days AS (
    SELECT s.day, s.score, st.articles, st.sources, st.later_articles, st.same_day_articles,
           st.earlier_articles, mc.mentions
    FROM scores s JOIN stats st USING (day) LEFT JOIN mention_counts mc USING (day)
),
-- What the days show reads the mentions and links as known at as_of_time only where it needs them.
top_rows AS MATERIALIZED (  -- the top days' groups known at as_of_time, as in_range
    SELECT g.* FROM grouped g
    WHERE g.day IN (SELECT day FROM top_days)
      AND g.known_at <= as_of_time AND g.run_id IN (SELECT run_id FROM live_runs)
      AND (g.dedup_run_id IS NULL OR g.dedup_run_id = dedup_run)
),
day_events AS (  -- the events dated to each top day, with their support (the groups are of events
                 -- known at as_of_time: events_as_of)
    SELECT day, ev.event_id AS event_id, any_value(ev) AS ev, count(DISTINCT article_id) AS articles,
           count(DISTINCT source) AS sources
    FROM (SELECT day, unnest(events) AS ev, article_id, source FROM top_rows WHERE dedup_run_id IS NOT NULL)
    GROUP BY day, ev.event_id
),
candidates AS MATERIALIZED (  -- mentions known at as_of_time that tell of a top day: dated to it, or
                              -- in a sentence that names it
    SELECT g.day, g.run_id, q.ordinal, q.occurrence, g.article_id, g.version, g.source, g.pub_day,
           g.published_at
    FROM (SELECT day, run_id, article_id, version, source, pub_day, published_at, unnest(quotes) AS q
          FROM top_rows) g
    WHERE g.q.recorded_at <= as_of_time
),
events_of_day AS (
    SELECT day, count(*) AS event_count,
           list({'id': event_id, 'kind': ev.kind, 'label': ev.label, 'articles': articles,
                 'sources': sources, 'has_conflict': ev.has_conflict}
                ORDER BY sources DESC, articles DESC, event_id)[1:10] AS events
    FROM day_events
    GROUP BY day
),
quotes AS (
    SELECT c.day, arg_min({'run_id': c.run_id, 'ordinal': c.ordinal, 'article_id': c.article_id, 'version': c.version,
                           'quote_source': c.source, 'quote_published_at': c.published_at, 'quote_event_id': q.event_id},
                          {'s': -coalesce(q.sources, 1), 'a': -coalesce(q.articles, 1), 'later': NOT (c.pub_day > c.day),
                           'same': NOT (c.pub_day = c.day), 'occ': NOT c.occurrence, 'p': c.published_at,
                           'art': c.article_id, 'o': c.ordinal}) AS w
    FROM candidates c
    LEFT JOIN (SELECT run_id, ordinal, event_id, articles, sources FROM key_date_quote_events
               WHERE dedup_run_id = dedup_run) q ON q.run_id = c.run_id AND q.ordinal = c.ordinal
    GROUP BY c.day
),
quote_texts AS (  -- the few quotes' sentences (inner joins: read for them alone)
    SELECT q.day, q.w.run_id, q.w.ordinal, q.w.article_id, q.w.version, q.w.quote_source, q.w.quote_published_at, q.w.quote_event_id, substring(b.body, m.sentence_start + 1, m.sentence_end - m.sentence_start) AS quote,
           m.trigger AS quote_trigger, b.url AS quote_url
    FROM quotes q
    JOIN event_mentions m ON m.run_id = q.w.run_id AND m.ordinal = q.w.ordinal
    JOIN article_versions b ON b.article_id = q.w.article_id AND b.version = q.w.version
)
SELECT t.day, t.score, t.articles, t.sources, t.later_articles, t.same_day_articles,
       t.earlier_articles, t.mentions, coalesce(e.event_count, 0) AS event_count,
       coalesce(e.events, []) AS events,
       q.quote, q.quote_trigger, q.article_id AS quote_article_id, q.quote_source, q.quote_url,
       q.quote_published_at, q.quote_event_id
FROM top_days t
LEFT JOIN events_of_day e USING (day)
LEFT JOIN quote_texts q USING (day);

-- The last dedup run, when its days are not stored yet (those of earlier runs are not needed for
-- `as_of` now, and a read at an earlier instant ranks the evidence as before), and its rows: the
-- migration's, and insert_event_summaries.sql's with each new run.
CREATE MACRO key_date_new_day_run() AS (
    SELECT max(dedup_run_id) FROM dedup_runs
    HAVING max(dedup_run_id) NOT IN (SELECT dedup_run_id FROM key_date_day_runs)
);
CREATE MACRO key_date_new_days() AS TABLE
SELECT key_date_new_day_run() AS dedup_run_id, *
FROM key_date_days_at((SELECT recorded_at FROM dedup_runs WHERE dedup_run_id = key_date_new_day_run()),
                      key_date_new_day_run());
CREATE MACRO key_date_new_day_runs() AS TABLE
SELECT dedup_run_id, recorded_at, 10, 1.0, 0.5, 0.5 FROM dedup_runs WHERE dedup_run_id = key_date_new_day_run();

INSERT INTO key_date_days SELECT * FROM key_date_new_days();
INSERT INTO key_date_day_runs SELECT * FROM key_date_new_day_runs();
