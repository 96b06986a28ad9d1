-- Key dates of the story as known at $as_of: the days from $from to $to (calendar days on each
-- article's own clock, both inclusive; NULL leaves a side open), ranked by the evidence for them.
-- The formula and the reasons for it are in service/key_dates.py; in short:
--   an article a mentions day d when one of its time expressions, one of its event mentions, or
--   an event that one of its mentions belongs to is dated to d at day grain or finer;
--   w(a, d) = $later_weight if a was published after d, $same_day_weight on d, $earlier_weight before;
--   score(d) = sum over sources s of sqrt(sum of w(a, d) over the articles a of s that mention d).
-- Each of the $top best days comes with its events (day grain, best supported first, at most
-- $max_events) and the sentence of its best-supported event mention.
-- The evidence is stored when it is stored (day_evidence, 013_day_evidence.sql), grouped by what
-- the as_of test and the ranking look at (day_article_evidence, 014_day_article_evidence.sql: one
-- row per pipeline run, dedup run or none, day, article and record time); what was known at
-- $as_of is the groups recorded by then whose pipeline run (and, for the event route, dedup run)
-- was current then: the filters of the *_as_of macros of 003_views.sql.
-- This read takes the dedup run current at $as_of as $dedup_run_id (the one with events recorded
-- by then, or NULL) and the support of each quote's event from what that run stored
-- (key_date_quote_events, 015_key_date_quotes.sql), when key_dates_state.sql and
-- key_dates_reruns.sql found that it holds at $as_of; key_dates_exact.sql reads the links instead.
WITH live_runs AS (SELECT run_id FROM run_history WHERE superseded_at IS NULL OR superseded_at > $as_of),
grouped AS NOT MATERIALIZED (  -- the groups, and those of the runs ingest stored since the last dedup run grouped them
    SELECT * FROM day_article_evidence
    UNION ALL
    SELECT * FROM ungrouped_day_articles()
),
in_range AS MATERIALIZED (  -- the groups known at $as_of (what the ranking reads of them)
    SELECT g.day, g.article_id, g.source, g.pub_day, g.dedup_run_id, g.mentions
    FROM grouped g
    WHERE g.known_at <= $as_of AND g.run_id IN (SELECT run_id FROM live_runs)
      AND (g.dedup_run_id IS NULL OR g.dedup_run_id = $dedup_run_id)
      AND ($from IS NULL OR g.day >= $from) AND ($to IS NULL OR g.day <= $to)
),
article_days AS (
    SELECT day, article_id, any_value(source) AS source, any_value(pub_day) AS pub_day,
           CASE WHEN any_value(pub_day) > day THEN $later_weight
                WHEN any_value(pub_day) = day THEN $same_day_weight
                ELSE $earlier_weight END AS w
    FROM in_range GROUP BY day, article_id
),
scores AS (  -- summed in a fixed order (by weight), so that days with the same weights per source
            -- get the very same float and their tie goes to the tie-breakers, not to the order
            -- a parallel aggregation happened to add them in (a source's weights are multiples
            -- of the weights, exact in floating point for the service's 1 and 0.5)
    SELECT day, list_sum(list_sort(list(sqrt(w)))) AS score
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
mention_counts AS (  -- a time expression or mention is in one group
    SELECT day, sum(mentions)::BIGINT AS mentions
    FROM in_range WHERE dedup_run_id IS NULL GROUP BY day
),
top_days AS (
    SELECT s.day, s.score, st.articles, st.sources, st.later_articles, st.same_day_articles,
           st.earlier_articles, coalesce(mc.mentions, 0) AS mentions,
           row_number() OVER (ORDER BY s.score DESC, st.articles DESC, mc.mentions DESC NULLS LAST, s.day) AS rank
    FROM scores s JOIN stats st USING (day) LEFT JOIN mention_counts mc USING (day)
    QUALIFY rank <= $top
),
-- What the top days show reads the mentions and links as known at $as_of only where it needs them.
top_rows AS MATERIALIZED (  -- the top days' groups known at $as_of, as in_range
    SELECT g.* FROM grouped g
    WHERE g.day IN (SELECT day FROM top_days)
      AND g.known_at <= $as_of AND g.run_id IN (SELECT run_id FROM live_runs)
      AND (g.dedup_run_id IS NULL OR g.dedup_run_id = $dedup_run_id)
),
day_events AS (  -- the events dated to each top day, with their support (the groups are of events
                 -- known at $as_of: events_as_of)
    SELECT day, ev.event_id AS event_id, any_value(ev) AS ev, count(DISTINCT article_id) AS articles,
           count(DISTINCT source) AS sources
    FROM (SELECT day, unnest(events) AS ev, article_id, source FROM top_rows WHERE dedup_run_id IS NOT NULL)
    GROUP BY day, ev.event_id
),
candidates AS MATERIALIZED (  -- mentions known at $as_of that tell of a top day: dated to it, or
                              -- in a sentence that names it
    SELECT g.day, g.run_id, q.ordinal, q.occurrence, g.article_id, g.version, g.source, g.pub_day,
           g.published_at
    FROM (SELECT day, run_id, article_id, version, source, pub_day, published_at, unnest(quotes) AS q
          FROM top_rows) g
    WHERE g.q.recorded_at <= $as_of
),
events_of_day AS (
    SELECT day, count(*) AS event_count,
           list({'id': event_id, 'kind': ev.kind, 'label': ev.label, 'articles': articles,
                 'sources': sources, 'has_conflict': ev.has_conflict}
                ORDER BY sources DESC, articles DESC, event_id)[1:$max_events] AS events
    FROM day_events
    GROUP BY day
),
quotes AS (
    SELECT c.day, arg_min({'run_id': c.run_id, 'ordinal': c.ordinal, 'article_id': c.article_id, 'version': c.version,
                           'quote_source': c.source, 'quote_published_at': c.published_at, 'quote_event_id': q.event_id},
                          {'s': -coalesce(q.sources, 1), 'a': -coalesce(q.articles, 1), 'later': NOT (c.pub_day > c.day),
                           'same': NOT (c.pub_day = c.day), 'occ': NOT c.occurrence, 'p': c.published_at,
                           'art': c.article_id, 'o': c.ordinal}) AS w
    FROM candidates c
    LEFT JOIN (SELECT run_id, ordinal, event_id, articles, sources FROM key_date_quote_events
               WHERE dedup_run_id = $dedup_run_id) q ON q.run_id = c.run_id AND q.ordinal = c.ordinal
    GROUP BY c.day
),
quote_texts AS (  -- the few quotes' sentences (inner joins: read for them alone)
    SELECT q.day, q.w.run_id, q.w.ordinal, q.w.article_id, q.w.version, q.w.quote_source, q.w.quote_published_at, q.w.quote_event_id, substring(b.body, m.sentence_start + 1, m.sentence_end - m.sentence_start) AS quote,
           m.trigger AS quote_trigger, b.url AS quote_url
    FROM quotes q
    JOIN event_mentions m ON m.run_id = q.w.run_id AND m.ordinal = q.w.ordinal
    JOIN article_versions b ON b.article_id = q.w.article_id AND b.version = q.w.version
)
SELECT t.rank, t.day, t.score, t.articles, t.sources, t.later_articles, t.same_day_articles,
       t.earlier_articles, t.mentions, coalesce(e.event_count, 0) AS event_count,
       coalesce(e.events, []) AS events,
       q.quote, q.quote_trigger, q.article_id AS quote_article_id, q.quote_source, q.quote_url,
       q.quote_published_at, q.quote_event_id
FROM top_days t
LEFT JOIN events_of_day e USING (day)
LEFT JOIN quote_texts q USING (day)
ORDER BY t.rank;
