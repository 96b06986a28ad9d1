-- What each dedup run stores for the reads, in the run's own transaction once its events and
-- links are: the summary of every event of run $dedup_run_id (009_event_summaries.sql), its rows
-- in timeline order (010_timeline_rows.sql), its name keys (011), its key-dates evidence (013,
-- grouped by 014), quote support (015) and days (016). Only the last statement of a file can
-- take parameters, so the others fill what has none yet: the run just stored (each run's are
-- written with it, and the migrations filled the older ones), and what bulk SQL that bypasses
-- the ingest queries stored without its folded body (012_article_folds.sql; every version a run
-- links to needs one for the entity filter) or its evidence.
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
INSERT INTO timeline_rows  -- likewise for the runs without rows yet (010_timeline_rows.sql); the
                           -- order is worked out on the keys alone, then the rows are joined to it
WITH ordered AS (
    SELECT e.dedup_run_id, e.event_id,
           (row_number() OVER (PARTITION BY e.dedup_run_id ORDER BY e.valid_from ASC NULLS FIRST,
                               e.valid_until ASC NULLS LAST, g.first_reported_at, e.event_id) - 1)::INTEGER AS position
    FROM events e
    JOIN event_summaries g ON g.dedup_run_id = e.dedup_run_id AND g.event_id = e.event_id
    WHERE e.dedup_run_id IN (SELECT dedup_run_id FROM dedup_runs
                             WHERE dedup_run_id NOT IN (SELECT dedup_run_id FROM timeline_rows))
)
SELECT o.dedup_run_id, o.position,
       e.event_id, e.kind, e.label, e.valid_from, e.valid_until, e.grain, e.has_conflict, e.conflicts, e.salient,
       e.valid_from IS NOT NULL OR e.valid_until IS NOT NULL, e.name_keys, e.recorded_at,
       g.mention_count, g.sources, g.articles,
       substring(a.body, g.first_sentence_start + 1, g.first_sentence_end - g.first_sentence_start),
       g.first_reported_at, g.timezone
FROM ordered o
JOIN events e ON e.dedup_run_id = o.dedup_run_id AND e.event_id = o.event_id
JOIN event_summaries g ON g.dedup_run_id = o.dedup_run_id AND g.event_id = o.event_id
LEFT JOIN article_versions a ON a.article_id = g.first_article_id AND a.version = g.first_version
ORDER BY o.dedup_run_id, o.position;
INSERT INTO timeline_name_keys  -- and their name keys (011_timeline_name_keys.sql)
SELECT DISTINCT dedup_run_id, unnest(name_keys) AS name_key, position
FROM timeline_rows
WHERE dedup_run_id NOT IN (SELECT dedup_run_id FROM timeline_name_keys)
ORDER BY 1, 2, 3;
-- Key-dates evidence (013_day_evidence.sql) of the pipeline runs that bulk SQL stored without it
-- (ingest writes it with the run), then that of the run's links, by its events' days.
INSERT INTO day_evidence
SELECT 'time', t.run_id, t.ordinal, t.article_id, t.version, a.source, CAST(a.local_published_at AS DATE),
       key_date_day(t.valid_from, t.valid_until, t.grain, a.timezone, a.local_published_at, a.published_at),
       t.start_offset, t.recorded_at, NULL, NULL, NULL
FROM time_expressions t
JOIN article_versions a ON a.article_id = t.article_id AND a.version = t.version
WHERE t.run_id NOT IN (SELECT run_id FROM day_evidence_runs)
  AND t.timex_type IN ('DATE', 'TIME') AND t.grain IN ('day', 'part_of_day', 'hour', 'minute', 'second')
  AND t.valid_from IS NOT NULL AND t.valid_until IS NOT NULL;
INSERT INTO day_evidence
SELECT 'mention', m.run_id, m.ordinal, m.article_id, m.version, a.source, CAST(a.local_published_at AS DATE),
       key_date_day(m.valid_from, m.valid_until, m.grain, a.timezone, a.local_published_at, a.published_at),
       NULL, m.recorded_at, NULL, NULL, NULL
FROM event_mentions m
JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
WHERE m.run_id NOT IN (SELECT run_id FROM day_evidence_runs)
  AND m.grain IN ('day', 'part_of_day', 'hour', 'minute', 'second')
  AND m.valid_from IS NOT NULL AND m.valid_until IS NOT NULL;
INSERT INTO day_evidence_runs SELECT run_id FROM pipeline_runs WHERE run_id NOT IN (SELECT run_id FROM day_evidence_runs);
-- Their time and mention rows grouped (014_day_article_evidence.sql), with those ingest wrote
-- since the last dedup run.
INSERT INTO day_article_evidence SELECT * FROM ungrouped_day_articles();
INSERT INTO day_article_runs SELECT run_id FROM day_evidence_runs WHERE run_id NOT IN (SELECT run_id FROM day_article_runs);
-- The links of the run just stored (and of any dedup run stored without them), by their events'
-- days, and those rows grouped.
INSERT INTO day_evidence
SELECT 'event', m.run_id, m.ordinal, m.article_id, m.version, a.source, CAST(a.local_published_at AS DATE),
       key_date_day(e.valid_from, e.valid_until, e.grain, a.timezone, a.local_published_at, a.published_at),
       NULL, m.recorded_at, e.dedup_run_id, e.event_id, e.recorded_at
FROM events e
JOIN event_mention_links l ON l.dedup_run_id = e.dedup_run_id AND l.event_id = e.event_id
JOIN event_mentions m ON m.run_id = l.run_id AND m.ordinal = l.mention_ordinal
JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
WHERE e.dedup_run_id IN (SELECT dedup_run_id FROM dedup_runs
                         WHERE dedup_run_id NOT IN (SELECT dedup_run_id FROM day_evidence_dedup_runs))
  AND e.grain IN ('day', 'part_of_day', 'hour', 'minute', 'second')
  AND e.valid_from IS NOT NULL AND e.valid_until IS NOT NULL;
INSERT INTO day_article_evidence SELECT * FROM ungrouped_day_events();
-- The key dates' quote support of the run just stored (and of any dedup run stored without it),
-- from its links and the groups above (015_key_date_quotes.sql).
INSERT INTO key_date_quote_events SELECT * FROM key_date_new_quote_events();
INSERT INTO key_date_dedup_runs SELECT * FROM key_date_new_dedup_runs();
-- Then its key dates, every day as known at its recorded_at (016_key_date_days.sql).
INSERT INTO key_date_days SELECT * FROM key_date_new_days();
INSERT INTO key_date_day_runs SELECT * FROM key_date_new_day_runs();
INSERT INTO day_evidence_dedup_runs
SELECT dedup_run_id FROM dedup_runs
WHERE dedup_run_id NOT IN (SELECT dedup_run_id FROM day_evidence_dedup_runs) AND dedup_run_id <= $dedup_run_id;
