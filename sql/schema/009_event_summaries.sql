-- What a timeline page shows of each event, computed once when its dedup run is stored rather
-- than on every read (a read aggregated every current event's mentions and cut their sentences
-- from the article bodies: 70 ms of CPU per /timeline on 2,600 events). One row per event of
-- each dedup run, immutable like the run; the first report's quote is kept as its place in the
-- article (cut from the body for the rows of a page only). Filled for the runs stored before.
CREATE TABLE event_summaries (
    dedup_run_id          BIGINT      NOT NULL,
    event_id              VARCHAR     NOT NULL,
    mention_count         INTEGER     NOT NULL,
    sources               VARCHAR[]   NOT NULL,
    articles              VARCHAR[]   NOT NULL,
    first_article_id      VARCHAR     NOT NULL,  -- the first report (earliest published, then id, then order)
    first_version         INTEGER     NOT NULL,
    first_sentence_start  INTEGER     NOT NULL,  -- its sentence's offsets in that article's body
    first_sentence_end    INTEGER     NOT NULL,
    first_reported_at     TIMESTAMPTZ NOT NULL,
    timezone              VARCHAR     NOT NULL   -- the first report's zone
    -- key: (dedup_run_id, event_id)
);

INSERT INTO event_summaries
SELECT dedup_run_id, event_id, mention_count, sources, articles,
       first.article_id, first.version, first.sentence_start, first.sentence_end, first_reported_at, timezone
FROM (
    SELECT l.dedup_run_id, l.event_id,
           count(*)::INTEGER AS mention_count,
           list(DISTINCT a.source ORDER BY a.source) AS sources,
           list(DISTINCT a.article_id ORDER BY a.article_id) AS articles,
           arg_min({'article_id': m.article_id, 'version': m.version, 'sentence_start': m.sentence_start,
                    'sentence_end': m.sentence_end}, (a.published_at, a.article_id, m.ordinal)) AS first,
           min(a.published_at) AS first_reported_at,
           arg_min(a.timezone, (a.published_at, a.article_id, m.ordinal)) AS timezone
    FROM event_mention_links l
    JOIN event_mentions m ON m.run_id = l.run_id AND m.ordinal = l.mention_ordinal
    JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
    GROUP BY l.dedup_run_id, l.event_id
);
