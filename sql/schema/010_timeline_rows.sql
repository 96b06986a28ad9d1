-- What a timeline page reads, stored with each dedup run in the run's timeline order, so that a
-- page is a filter over one run's rows and a cut by `position` instead of a join of events to
-- event_summaries, a sort of every event and a join to article bodies for the quotes (at 204,533
-- events the first page of timeline_events.sql took 60-110 ms, most of it in that join and in
-- reading bodies). One row per event of a run that has a summary, immutable like the run:
--   position      the event's place among them: valid start (open starts first), then end, then
--                 first report, then id, the ORDER BY of the timeline (0-based);
--   dated         valid_from or valid_until known (undated events are listed apart);
--   first_quote   the first report's sentence, cut once from the body (a page leaves out a row
--                 without one, as timeline_events.sql's inner join to the article did).
-- The other columns copy the event (events) and its summary (event_summaries). Written by
-- insert_event_summaries.sql in the run's own transaction; filled here for the runs stored before.
CREATE TABLE timeline_rows (
    dedup_run_id       BIGINT      NOT NULL,
    position           INTEGER     NOT NULL,
    event_id           VARCHAR     NOT NULL,
    kind               VARCHAR     NOT NULL,
    label              VARCHAR     NOT NULL,
    valid_from         TIMESTAMPTZ,
    valid_until        TIMESTAMPTZ,
    grain              VARCHAR,
    has_conflict       BOOLEAN     NOT NULL,
    conflicts          VARCHAR[],
    salient            BOOLEAN,
    dated              BOOLEAN     NOT NULL,
    name_keys          VARCHAR[],
    recorded_at        TIMESTAMPTZ NOT NULL,
    mention_count      INTEGER     NOT NULL,
    sources            VARCHAR[]   NOT NULL,
    articles           VARCHAR[]   NOT NULL,
    first_quote        VARCHAR,               -- NULL if the first report's article version is missing
    first_reported_at  TIMESTAMPTZ NOT NULL,
    timezone           VARCHAR     NOT NULL
    -- key: (dedup_run_id, position), and (dedup_run_id, event_id)
);

INSERT INTO timeline_rows
SELECT e.dedup_run_id,
       (row_number() OVER (PARTITION BY e.dedup_run_id ORDER BY e.valid_from ASC NULLS FIRST,
                           e.valid_until ASC NULLS LAST, g.first_reported_at, e.event_id) - 1)::INTEGER,
       e.event_id, e.kind, e.label, e.valid_from, e.valid_until, e.grain, e.has_conflict, e.conflicts, e.salient,
       e.valid_from IS NOT NULL OR e.valid_until IS NOT NULL, e.name_keys, e.recorded_at,
       g.mention_count, g.sources, g.articles,
       substring(a.body, g.first_sentence_start + 1, g.first_sentence_end - g.first_sentence_start),
       g.first_reported_at, g.timezone
FROM events e
JOIN event_summaries g ON g.dedup_run_id = e.dedup_run_id AND g.event_id = e.event_id
LEFT JOIN article_versions a ON a.article_id = g.first_article_id AND a.version = g.first_version
ORDER BY 1, 2;
