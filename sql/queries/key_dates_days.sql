-- Key dates at $as_of read from the days stored with dedup run $dedup_run_id
-- (016_key_date_days.sql), when key_dates_state.sql and key_dates_fresh.sql found that nothing
-- the key dates read was recorded between that run and $as_of: the days from $from to $to,
-- ordered as key_dates.sql ranks them, the $top best (their rank is their place) with their
-- first $max_events events.
SELECT day, score, articles, sources, later_articles, same_day_articles, earlier_articles,
       coalesce(mentions, 0) AS mentions, event_count, events[1:$max_events] AS events,
       quote, quote_trigger, quote_article_id, quote_source, quote_url, quote_published_at, quote_event_id
FROM key_date_days
WHERE dedup_run_id = $dedup_run_id AND ($from IS NULL OR day >= $from) AND ($to IS NULL OR day <= $to)
ORDER BY score DESC, articles DESC, mentions DESC NULLS LAST, day
LIMIT $top;
