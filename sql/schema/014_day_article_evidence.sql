-- The key dates' evidence of 013_day_evidence.sql grouped by what its as_of test and the
-- ranking look at, stored with the rows it comes from.
--
-- day_article_evidence: one row per (pipeline run, dedup run or none, day, article, record time).
-- Every day_evidence row of a group passes that test at the same instants (its run, its dedup
-- run, and known_at: the row's recorded_at, for the event route the later of it and the
-- event's), so the evidence known at t is still a filter of these rows, and the ranking, which
-- counts an article once per day, reads about a quarter as many rows (35,184 for 151,514 at
-- 296,749 mentions). What the top days show is kept with the group:
--   mentions  distinct time expressions and event mentions of the group (routes time, mention);
--   quotes    the mentions that tell of its day: its own (routes mention, event) and those whose
--             sentence holds one of its time expressions, each with whether it is an occurrence
--             and its own recorded_at (a quote is known from then);
--   events    the events its links are to (route event), with what a key date shows of them.
-- Written with each dedup run by insert_event_summaries.sql (its links; the time and
-- mention rows of the pipeline runs not grouped yet, day_article_runs); key_dates.sql groups the
-- rows of a run that ingest stored since the last dedup run as it reads them
-- (ungrouped_day_articles()).
CREATE TABLE day_article_evidence (
    run_id         BIGINT      NOT NULL,
    dedup_run_id   BIGINT,                -- NULL for the time and mention routes
    article_id     VARCHAR     NOT NULL,
    version        INTEGER     NOT NULL,
    source         VARCHAR     NOT NULL,
    pub_day        DATE        NOT NULL,
    published_at   TIMESTAMPTZ NOT NULL,
    day            DATE        NOT NULL,
    known_at       TIMESTAMPTZ NOT NULL,
    mentions       INTEGER     NOT NULL,
    quotes         STRUCT(ordinal INTEGER, occurrence BOOLEAN, recorded_at TIMESTAMPTZ)[],
    events         STRUCT(event_id VARCHAR, kind VARCHAR, label VARCHAR, has_conflict BOOLEAN)[]
);

-- The pipeline runs whose time and mention rows are grouped, and the dedup runs whose links are
-- in day_evidence and grouped (013 filled day_evidence for every run before it).
CREATE TABLE day_article_runs (
    run_id  BIGINT  NOT NULL
);
CREATE TABLE day_evidence_dedup_runs (
    dedup_run_id  BIGINT  NOT NULL
);

-- The groups of the time and mention rows of the runs not in day_article_runs.
CREATE MACRO ungrouped_day_articles() AS TABLE
WITH evidence AS MATERIALIZED (
    SELECT d.route, d.run_id, d.ordinal, d.article_id, d.version, d.source, d.pub_day, d.day, d.start_offset,
           d.recorded_at
    FROM day_evidence d
    WHERE d.route <> 'event'  -- (a semi join: nothing to read when every run is grouped)
      AND d.run_id IN (SELECT run_id FROM day_evidence_runs WHERE run_id NOT IN (SELECT run_id FROM day_article_runs))
),
told AS (  -- each row, then the quotes of the group: its mentions, the mentions in its expressions' sentences
    SELECT run_id, article_id, version, source, pub_day, day, recorded_at, (route = 'time', ordinal) AS mention,
           NULL::STRUCT(ordinal INTEGER, occurrence BOOLEAN, recorded_at TIMESTAMPTZ) AS quote
    FROM evidence
    UNION ALL
    SELECT d.run_id, d.article_id, d.version, d.source, d.pub_day, d.day, d.recorded_at, NULL,
           {'ordinal': m.ordinal, 'occurrence': m.kind = 'occurrence', 'recorded_at': m.recorded_at}
    FROM evidence d JOIN event_mentions m ON m.run_id = d.run_id AND m.ordinal = d.ordinal
    WHERE d.route = 'mention'
    UNION ALL
    SELECT d.run_id, d.article_id, d.version, d.source, d.pub_day, d.day, d.recorded_at, NULL,
           {'ordinal': m.ordinal, 'occurrence': m.kind = 'occurrence', 'recorded_at': m.recorded_at}
    FROM evidence d
    JOIN event_mentions m ON m.run_id = d.run_id AND d.start_offset >= m.sentence_start AND d.start_offset < m.sentence_end
    WHERE d.route = 'time'
),
grouped AS (
    SELECT run_id, article_id, any_value(version) AS version, any_value(source) AS source,
           any_value(pub_day) AS pub_day, day, recorded_at, count(DISTINCT mention)::INTEGER AS mentions,
           list(DISTINCT quote) FILTER (WHERE quote IS NOT NULL) AS quotes
    FROM told GROUP BY run_id, article_id, day, recorded_at
)
SELECT g.run_id, NULL::BIGINT AS dedup_run_id, g.article_id, g.version, g.source, g.pub_day, a.published_at,
       g.day, g.recorded_at AS known_at, g.mentions, g.quotes,
       NULL::STRUCT(event_id VARCHAR, kind VARCHAR, label VARCHAR, has_conflict BOOLEAN)[] AS events
FROM grouped g
JOIN article_versions a ON a.article_id = g.article_id AND a.version = g.version;

-- The groups of the event rows of the dedup runs not in day_evidence_dedup_runs.
CREATE MACRO ungrouped_day_events() AS TABLE
SELECT d.run_id, d.dedup_run_id, d.article_id, any_value(d.version) AS version, any_value(d.source) AS source,
       any_value(d.pub_day) AS pub_day, any_value(a.published_at) AS published_at, d.day,
       greatest(d.recorded_at, d.event_recorded_at) AS known_at, 0 AS mentions,
       list(DISTINCT {'ordinal': d.ordinal, 'occurrence': m.kind = 'occurrence', 'recorded_at': d.recorded_at}) AS quotes,
       list(DISTINCT {'event_id': d.event_id, 'kind': e.kind, 'label': e.label, 'has_conflict': e.has_conflict})
           AS events
FROM day_evidence d
JOIN article_versions a ON a.article_id = d.article_id AND a.version = d.version
JOIN event_mentions m ON m.run_id = d.run_id AND m.ordinal = d.ordinal
JOIN events e ON e.dedup_run_id = d.dedup_run_id AND e.event_id = d.event_id
WHERE d.route = 'event' AND d.dedup_run_id IN (SELECT dedup_run_id FROM dedup_runs
                                               WHERE dedup_run_id NOT IN (SELECT dedup_run_id FROM day_evidence_dedup_runs))
GROUP BY d.run_id, d.dedup_run_id, d.article_id, d.day, greatest(d.recorded_at, d.event_recorded_at);

INSERT INTO day_article_evidence SELECT * FROM ungrouped_day_articles();
INSERT INTO day_article_evidence SELECT * FROM ungrouped_day_events();
INSERT INTO day_article_runs SELECT run_id FROM day_evidence_runs;
INSERT INTO day_evidence_dedup_runs SELECT dedup_run_id FROM dedup_runs;
