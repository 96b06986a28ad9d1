-- The key dates' evidence (service/key_dates.py, sql/queries/key_dates.sql), one row per thing an
-- article dates to a day, stored when it is stored instead of worked out from every time
-- expression, mention and mention link on each request (its day on the article's clock needs
-- the article's zone, and the event route a join of every link to its event and mention: 200 ms
-- and more at 296,749 mentions). Three routes, as key_dates.sql names them:
--   'time'     a DATE or TIME expression of a pipeline run, by its own interval;
--   'mention'  an event mention of a run, by its own interval;
--   'event'    a mention linked by a dedup run to an event, by the event's interval.
-- Only intervals at day grain or finer, with both ends known, make a row. Each row keeps what
-- the as_of test needs (its own recorded_at, and for the event route the dedup run and the
-- event's recorded_at), so the evidence known at any t is a filter of these rows: nothing here
-- replaces the record-time model. `day` is the calendar day on the article's clock (a day
-- interval by its middle); source and pub_day are the article version's.
CREATE MACRO key_date_moment_us(valid_from, valid_until, grain) AS
    CASE WHEN grain = 'day' THEN (epoch_us(valid_from) + epoch_us(valid_until)) // 2 ELSE epoch_us(valid_from) END;

-- UTC and fixed offsets ("+03:00", not zone names for DuckDB) shift by the stored offset, in
-- plain arithmetic; only IANA zones need the zone conversion.
CREATE MACRO key_date_day(valid_from, valid_until, grain, zone, local_published_at, published_at) AS
    CAST(CASE WHEN zone <> 'UTC' AND left(zone, 1) NOT IN ('+', '-')
              THEN timezone(zone, to_timestamp(key_date_moment_us(valid_from, valid_until, grain) // 1000000))
              ELSE make_timestamp(key_date_moment_us(valid_from, valid_until, grain)
                                  + (epoch_us(local_published_at) - epoch_us(published_at))) END AS DATE);

CREATE TABLE day_evidence (
    route              VARCHAR     NOT NULL,  -- time, mention, event
    run_id             BIGINT      NOT NULL,  -- the pipeline run of the expression or mention
    ordinal            INTEGER     NOT NULL,  -- its ordinal in that run
    article_id         VARCHAR     NOT NULL,
    version            INTEGER     NOT NULL,
    source             VARCHAR     NOT NULL,
    pub_day            DATE        NOT NULL,  -- publication day on the article's clock
    day                DATE        NOT NULL,
    start_offset       INTEGER,               -- the time expression's (route time)
    recorded_at        TIMESTAMPTZ NOT NULL,  -- the expression's or mention's
    dedup_run_id       BIGINT,                -- route event: the run that links the mention
    event_id           VARCHAR,               --   to this event,
    event_recorded_at  TIMESTAMPTZ            --   recorded then
);

-- The pipeline runs whose time and mention rows are in day_evidence (even when they date no
-- day): written with the run by insert_pipeline_runs.sql; insert_event_summaries.sql adds the
-- runs that bulk SQL stored without it.
CREATE TABLE day_evidence_runs (
    run_id  BIGINT  NOT NULL
);

INSERT INTO day_evidence
SELECT 'time', t.run_id, t.ordinal, t.article_id, t.version, a.source, CAST(a.local_published_at AS DATE),
       key_date_day(t.valid_from, t.valid_until, t.grain, a.timezone, a.local_published_at, a.published_at),
       t.start_offset, t.recorded_at, NULL, NULL, NULL
FROM time_expressions t
JOIN article_versions a ON a.article_id = t.article_id AND a.version = t.version
WHERE t.timex_type IN ('DATE', 'TIME') AND t.grain IN ('day', 'part_of_day', 'hour', 'minute', 'second')
  AND t.valid_from IS NOT NULL AND t.valid_until IS NOT NULL;

INSERT INTO day_evidence
SELECT 'mention', m.run_id, m.ordinal, m.article_id, m.version, a.source, CAST(a.local_published_at AS DATE),
       key_date_day(m.valid_from, m.valid_until, m.grain, a.timezone, a.local_published_at, a.published_at),
       NULL, m.recorded_at, NULL, NULL, NULL
FROM event_mentions m
JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
WHERE m.grain IN ('day', 'part_of_day', 'hour', 'minute', 'second')
  AND m.valid_from IS NOT NULL AND m.valid_until IS NOT NULL;

INSERT INTO day_evidence
SELECT 'event', m.run_id, m.ordinal, m.article_id, m.version, a.source, CAST(a.local_published_at AS DATE),
       key_date_day(e.valid_from, e.valid_until, e.grain, a.timezone, a.local_published_at, a.published_at),
       NULL, m.recorded_at, e.dedup_run_id, e.event_id, e.recorded_at
FROM events e
JOIN event_mention_links l ON l.dedup_run_id = e.dedup_run_id AND l.event_id = e.event_id
JOIN event_mentions m ON m.run_id = l.run_id AND m.ordinal = l.mention_ordinal
JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
WHERE e.grain IN ('day', 'part_of_day', 'hour', 'minute', 'second')
  AND e.valid_from IS NOT NULL AND e.valid_until IS NOT NULL;

INSERT INTO day_evidence_runs SELECT run_id FROM pipeline_runs;
