-- Articles and the pipeline runs derived from them.
-- Append-only: nothing here is ever updated or deleted. Record time ends ("superseded_at") are
-- not stored but computed by the views in 003_views.sql from the next row's recorded_at, so a
-- supersession is itself an inserted row, and a crash can never leave a half-closed interval.
-- Keys are written in comments, not declared: DuckLake tables take no PRIMARY KEY or UNIQUE, and
-- the writer guarantees them (one write transaction at a time, see service/store.py).

-- One row per version of an article. Versions are content-addressed: the same (article_id,
-- content_hash) is stored once; a new hash for a known id is the next version.
CREATE TABLE article_versions (
    article_id         VARCHAR     NOT NULL,
    version            INTEGER     NOT NULL,
    content_hash       VARCHAR     NOT NULL,
    source             VARCHAR     NOT NULL,
    url                VARCHAR,
    language           VARCHAR     NOT NULL,
    title              VARCHAR,
    body               VARCHAR     NOT NULL,
    published_at       TIMESTAMPTZ NOT NULL,  -- the anchor, as an instant
    timezone           VARCHAR     NOT NULL,  -- IANA name or +HH:MM: the anchor's own clock
    local_published_at TIMESTAMP   NOT NULL,  -- the anchor on that clock, for reading
    recorded_at        TIMESTAMPTZ NOT NULL,  -- record time: when the service stored it
    batch_id           VARCHAR     NOT NULL
    -- key: (article_id, version)
);

-- One row each time the pipeline processed an article version. The latest run of an article
-- supersedes all earlier ones (of any version): their derived rows leave the current view.
CREATE TABLE pipeline_runs (
    run_id            BIGINT      NOT NULL,  -- key
    article_id        VARCHAR     NOT NULL,
    version           INTEGER     NOT NULL,
    pipeline_version  VARCHAR     NOT NULL,
    recorded_at       TIMESTAMPTZ NOT NULL,
    batch_id          VARCHAR     NOT NULL,
    warnings          VARCHAR[]   NOT NULL,
    expression_count  INTEGER     NOT NULL,
    mention_count     INTEGER     NOT NULL
);

-- Ingest batches: what arrived together, from where, and what it did.
CREATE TABLE ingest_batches (
    batch_id      VARCHAR     NOT NULL,  -- key
    recorded_at   TIMESTAMPTZ NOT NULL,
    origin        VARCHAR     NOT NULL,  -- 'http', 'cli', 'demo', 'reingest'
    received      INTEGER     NOT NULL,
    created       INTEGER     NOT NULL,
    new_versions  INTEGER     NOT NULL,
    unchanged     INTEGER     NOT NULL,
    reprocessed   INTEGER     NOT NULL
);
