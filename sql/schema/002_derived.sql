-- What the pipeline derives from one article version in one run. Valid time is
-- [valid_from, valid_until) in UTC at `grain`; either side is NULL when open or unknowable.

CREATE TABLE time_expressions (
    run_id            BIGINT      NOT NULL,
    ordinal           INTEGER     NOT NULL,  -- order in the article, from 0
    article_id        VARCHAR     NOT NULL,
    version           INTEGER     NOT NULL,
    start_offset      INTEGER     NOT NULL,  -- Python string offsets into the body
    end_offset        INTEGER     NOT NULL,
    text              VARCHAR     NOT NULL,
    timex_type        VARCHAR     NOT NULL,  -- DATE, TIME, DURATION, SET
    value             VARCHAR     NOT NULL,  -- TIMEX3 value: 2023-05-22, 2022-02, P3D, PAST_REF ...
    mod               VARCHAR,               -- TIMEX3 mod: APPROX, START, END, BEFORE ...
    grain             VARCHAR,
    valid_from        TIMESTAMPTZ,
    valid_until       TIMESTAMPTZ,
    resolved_against  VARCHAR     NOT NULL,  -- anchor, previous, absolute, none
    reason            VARCHAR     NOT NULL,  -- why this value, in words
    rule              VARCHAR     NOT NULL,  -- the lexicon rule that matched
    pipeline_version  VARCHAR     NOT NULL,
    recorded_at       TIMESTAMPTZ NOT NULL
    -- key: (run_id, ordinal)
);

-- One statement in one article (filled by the events stage).
CREATE TABLE event_mentions (
    run_id            BIGINT      NOT NULL,
    ordinal           INTEGER     NOT NULL,
    article_id        VARCHAR     NOT NULL,
    version           INTEGER     NOT NULL,
    sentence_start    INTEGER     NOT NULL,
    sentence_end      INTEGER     NOT NULL,
    trigger_start     INTEGER     NOT NULL,
    trigger_end       INTEGER     NOT NULL,
    trigger           VARCHAR     NOT NULL,
    kind              VARCHAR     NOT NULL,  -- occurrence, reporting, state
    attributed_to     VARCHAR,               -- who says so, for reported content and reports
    participants      VARCHAR[]   NOT NULL,
    places            VARCHAR[]   NOT NULL,
    time_link         VARCHAR,               -- at, before, after, during, since, until
    time_ordinal      INTEGER,               -- the time expression of the same run it links to
    valid_from        TIMESTAMPTZ,
    valid_until       TIMESTAMPTZ,
    grain             VARCHAR,
    pipeline_version  VARCHAR     NOT NULL,
    recorded_at       TIMESTAMPTZ NOT NULL
    -- key: (run_id, ordinal)
);

-- Deduplication runs over the whole store; the latest supersedes the grouping of earlier ones.
CREATE TABLE dedup_runs (
    dedup_run_id      BIGINT      NOT NULL,  -- key
    pipeline_version  VARCHAR     NOT NULL,
    recorded_at       TIMESTAMPTZ NOT NULL
);

-- Real-world happenings: one per group of mentions.
CREATE TABLE events (
    dedup_run_id      BIGINT      NOT NULL,
    event_id          VARCHAR     NOT NULL,
    kind              VARCHAR     NOT NULL,
    label             VARCHAR     NOT NULL,
    valid_from        TIMESTAMPTZ,
    valid_until       TIMESTAMPTZ,
    grain             VARCHAR,
    has_conflict      BOOLEAN     NOT NULL,
    pipeline_version  VARCHAR     NOT NULL,
    recorded_at       TIMESTAMPTZ NOT NULL
    -- key: (dedup_run_id, event_id)
);

-- Which mention belongs to which event, in one dedup run.
CREATE TABLE event_mention_links (
    dedup_run_id      BIGINT      NOT NULL,
    event_id          VARCHAR     NOT NULL,
    run_id            BIGINT      NOT NULL,
    mention_ordinal   INTEGER     NOT NULL,
    recorded_at       TIMESTAMPTZ NOT NULL
    -- key: (dedup_run_id, run_id, mention_ordinal)
);
