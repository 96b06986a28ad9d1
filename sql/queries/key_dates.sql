-- Key dates of the story as known at $as_of: the days from $from to $to (calendar days on each
-- article's own clock, both inclusive; NULL leaves a side open), ranked by the evidence for them.
-- The formula and the reasons for it are in service/key_dates.py; in short:
--   an article a mentions day d when one of its time expressions, one of its event mentions, or
--   an event that one of its mentions belongs to is dated to d at day grain or finer;
--   w(a, d) = $later_weight if a was published after d, $same_day_weight on d, $earlier_weight before;
--   score(d) = sum over sources s of sqrt(sum of w(a, d) over the articles a of s that mention d).
-- Each of the $top best days comes with its events (day grain, best supported first, at most
-- $max_events) and the sentence of its best-supported event mention.
WITH arts AS (
    SELECT article_id, version, source, url, published_at,
           CAST(local_published_at AS DATE) AS pub_day,
           -- UTC and fixed offsets ("+03:00", not zone names for DuckDB) shift by the stored offset,
           -- in plain arithmetic; only IANA zones need the (slower) zone conversion
           timezone AS zone, timezone <> 'UTC' AND left(timezone, 1) NOT IN ('+', '-') AS named_zone,
           epoch_us(local_published_at) - epoch_us(published_at) AS shift_us
    FROM article_versions
),
mentions AS (
    SELECT run_id, ordinal, article_id, version, kind, trigger, sentence_start, sentence_end,
           valid_from, valid_until, grain
    FROM event_mentions_as_of($as_of)
),
ev AS (SELECT dedup_run_id, event_id, kind, label, valid_from, valid_until, grain, has_conflict
       FROM events_as_of($as_of)),
links AS (
    SELECT l.event_id, l.run_id, l.mention_ordinal AS ordinal, e.valid_from, e.valid_until, e.grain
    FROM ev e JOIN event_mention_links l ON l.dedup_run_id = e.dedup_run_id AND l.event_id = e.event_id
),
raw AS (  -- every way an article dates something, with what it dates
    SELECT t.article_id, t.version, t.valid_from, t.valid_until, t.grain, 'time' AS route,
           t.run_id, t.ordinal, NULL::VARCHAR AS event_id, t.start_offset
    FROM time_expressions_as_of($as_of) t
    WHERE t.timex_type IN ('DATE', 'TIME')
    UNION ALL
    SELECT m.article_id, m.version, m.valid_from, m.valid_until, m.grain, 'mention', m.run_id, m.ordinal, NULL, NULL
    FROM mentions m
    UNION ALL
    SELECT m.article_id, m.version, l.valid_from, l.valid_until, l.grain, 'event', m.run_id, m.ordinal, l.event_id, NULL
    FROM links l JOIN mentions m ON m.run_id = l.run_id AND m.ordinal = l.ordinal
),
dated AS (  -- the day each one names, on its article's clock (a day interval by its middle, so
            -- an event dated in another article's zone still falls on its own day)
    SELECT d.* EXCLUDE (moment_us, named_zone, shift_us, zone),
           CAST(CASE WHEN d.named_zone THEN timezone(d.zone, to_timestamp(d.moment_us // 1000000))
                     ELSE make_timestamp(d.moment_us + d.shift_us) END AS DATE) AS day
    FROM (
        SELECT r.*, a.source, a.pub_day, a.named_zone, a.shift_us, a.zone,
               CASE WHEN r.grain = 'day' THEN (epoch_us(r.valid_from) + epoch_us(r.valid_until)) // 2
                    ELSE epoch_us(r.valid_from) END AS moment_us
        FROM raw r
        JOIN arts a USING (article_id, version)
        WHERE r.grain IN ('day', 'part_of_day', 'hour', 'minute', 'second')
          AND r.valid_from IS NOT NULL AND r.valid_until IS NOT NULL
    ) d
),
in_range AS (
    SELECT * FROM dated WHERE ($from IS NULL OR day >= $from) AND ($to IS NULL OR day <= $to)
),
article_days AS (
    SELECT day, article_id, any_value(source) AS source, any_value(pub_day) AS pub_day,
           CASE WHEN any_value(pub_day) > day THEN $later_weight
                WHEN any_value(pub_day) = day THEN $same_day_weight
                ELSE $earlier_weight END AS w
    FROM in_range GROUP BY day, article_id
),
scores AS (
    SELECT day, sum(sqrt(w)) AS score
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
mention_counts AS (
    SELECT day, count(DISTINCT (route = 'time', run_id, ordinal)) AS mentions
    FROM in_range WHERE route <> 'event' GROUP BY day
),
top_days AS (
    SELECT s.day, s.score, st.articles, st.sources, st.later_articles, st.same_day_articles,
           st.earlier_articles, coalesce(mc.mentions, 0) AS mentions,
           row_number() OVER (ORDER BY s.score DESC, st.articles DESC, mc.mentions DESC NULLS LAST, s.day) AS rank
    FROM scores s JOIN stats st USING (day) LEFT JOIN mention_counts mc USING (day)
    QUALIFY rank <= $top
),
day_events AS (  -- the events dated to each top day, with their support
    SELECT d.day, d.event_id, count(DISTINCT d.article_id) AS articles, count(DISTINCT d.source) AS sources
    FROM in_range d SEMI JOIN top_days t ON t.day = d.day
    WHERE d.route = 'event'
    GROUP BY d.day, d.event_id
),
events_of_day AS (
    SELECT de.day, count(*) AS event_count,
           list({'id': e.event_id, 'kind': e.kind, 'label': e.label, 'articles': de.articles,
                 'sources': de.sources, 'has_conflict': e.has_conflict}
                ORDER BY de.sources DESC, de.articles DESC, e.event_id)[1:$max_events] AS events
    FROM day_events de JOIN ev e ON e.event_id = de.event_id
    GROUP BY de.day
),
candidates AS (  -- mentions that tell of a top day: dated to it, or in a sentence that names it
    SELECT d.day, d.run_id, d.ordinal
    FROM in_range d SEMI JOIN top_days t ON t.day = d.day
    WHERE d.route <> 'time'
    UNION
    SELECT d.day, m.run_id, m.ordinal
    FROM in_range d SEMI JOIN top_days t ON t.day = d.day
    JOIN mentions m ON m.run_id = d.run_id AND d.start_offset >= m.sentence_start AND d.start_offset < m.sentence_end
    WHERE d.route = 'time'
),
support AS (  -- how many articles and sources report each candidate's event
    SELECT l.event_id, count(DISTINCT m.article_id) AS articles, count(DISTINCT a.source) AS sources
    FROM links l
    JOIN mentions m ON m.run_id = l.run_id AND m.ordinal = l.ordinal
    JOIN arts a ON a.article_id = m.article_id AND a.version = m.version
    WHERE l.event_id IN (SELECT cl.event_id FROM candidates c
                         JOIN links cl ON cl.run_id = c.run_id AND cl.ordinal = c.ordinal)
    GROUP BY l.event_id
),
quotes AS (
    SELECT c.day, m.article_id, m.version, m.sentence_start, m.sentence_end,
           m.trigger AS quote_trigger, m.article_id AS quote_article_id, a.source AS quote_source,
           a.url AS quote_url, a.published_at AS quote_published_at, l.event_id AS quote_event_id
    FROM candidates c
    JOIN mentions m ON m.run_id = c.run_id AND m.ordinal = c.ordinal
    JOIN arts a ON a.article_id = m.article_id AND a.version = m.version
    LEFT JOIN links l ON l.run_id = m.run_id AND l.ordinal = m.ordinal
    LEFT JOIN support s ON s.event_id = l.event_id
    QUALIFY row_number() OVER (
        PARTITION BY c.day
        ORDER BY coalesce(s.sources, 1) DESC, coalesce(s.articles, 1) DESC,
                 (a.pub_day > c.day) DESC, (a.pub_day = c.day) DESC, (m.kind = 'occurrence') DESC,
                 a.published_at, m.article_id, m.ordinal) = 1
)
SELECT t.rank, t.day, t.score, t.articles, t.sources, t.later_articles, t.same_day_articles,
       t.earlier_articles, t.mentions, coalesce(e.event_count, 0) AS event_count,
       coalesce(e.events, []) AS events,
       substring(b.body, q.sentence_start + 1, q.sentence_end - q.sentence_start) AS quote,
       q.quote_trigger, q.quote_article_id, q.quote_source, q.quote_url, q.quote_published_at, q.quote_event_id
FROM top_days t
LEFT JOIN events_of_day e USING (day)
LEFT JOIN quotes q USING (day)
LEFT JOIN article_versions b ON b.article_id = q.article_id AND b.version = q.version
ORDER BY t.rank;
