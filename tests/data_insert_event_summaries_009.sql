-- The timeline's summary of every event of dedup run $dedup_run_id (see 009_event_summaries.sql),
-- stored in the run's own transaction once its events and links are.
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
    WHERE l.dedup_run_id = $dedup_run_id
    GROUP BY l.dedup_run_id, l.event_id
);
