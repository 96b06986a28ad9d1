-- The timeline's summary of every event of dedup run $dedup_run_id (see 009_event_summaries.sql),
-- its rows in timeline order (010_timeline_rows.sql) and its name keys (011), stored in the run's
-- own transaction once its events and links are. Only the last statement of a file can take
-- parameters, so the first two fill the runs that have no summary (no rows) yet: the run just
-- stored (each run's are written with it, and the migrations filled the older ones). The first
-- folds the bodies of the article versions not folded yet (012_article_folds.sql): ingest folds
-- its own, bulk SQL that stores versions directly does not, and every version a run links to
-- must have its folded body for the entity filter.
INSERT INTO article_folds
SELECT a.article_id, a.version, lower(a.body)
FROM article_versions a ANTI JOIN article_folds f ON f.article_id = a.article_id AND f.version = a.version;
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
    WHERE l.dedup_run_id IN (SELECT dedup_run_id FROM dedup_runs
                             WHERE dedup_run_id NOT IN (SELECT dedup_run_id FROM event_summaries))
    GROUP BY l.dedup_run_id, l.event_id
);
INSERT INTO timeline_rows  -- likewise for the runs without rows yet (010_timeline_rows.sql)
SELECT e.dedup_run_id,
       (row_number() OVER (PARTITION BY e.dedup_run_id ORDER BY e.valid_from ASC NULLS FIRST,
                           e.valid_until ASC NULLS LAST, g.first_reported_at, e.event_id) - 1)::INTEGER AS position,
       e.event_id, e.kind, e.label, e.valid_from, e.valid_until, e.grain, e.has_conflict, e.conflicts, e.salient,
       e.valid_from IS NOT NULL OR e.valid_until IS NOT NULL, e.name_keys, e.recorded_at,
       g.mention_count, g.sources, g.articles,
       substring(a.body, g.first_sentence_start + 1, g.first_sentence_end - g.first_sentence_start),
       g.first_reported_at, g.timezone
FROM events e
JOIN event_summaries g ON g.dedup_run_id = e.dedup_run_id AND g.event_id = e.event_id
LEFT JOIN article_versions a ON a.article_id = g.first_article_id AND a.version = g.first_version
WHERE e.dedup_run_id IN (SELECT dedup_run_id FROM dedup_runs
                         WHERE dedup_run_id NOT IN (SELECT dedup_run_id FROM timeline_rows))
ORDER BY e.dedup_run_id, position;
INSERT INTO timeline_name_keys  -- and run $dedup_run_id's name keys (011_timeline_name_keys.sql)
SELECT DISTINCT dedup_run_id, unnest(name_keys) AS name_key, position
FROM timeline_rows
WHERE dedup_run_id = $dedup_run_id
ORDER BY 1, 2, 3;
