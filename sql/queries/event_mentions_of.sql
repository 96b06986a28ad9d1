-- The mentions of one event in one dedup run, with their articles and quotes.
SELECT m.article_id, m.ordinal, a.source, a.url, a.title, a.published_at, a.timezone, m.trigger, m.kind,
       m.attributed_to, m.participants, m.places, m.time_link, m.valid_from, m.valid_until, m.grain, m.reason,
       m.sentence_start, m.sentence_end, m.trigger_start, m.trigger_end,
       substring(a.body, m.sentence_start + 1, m.sentence_end - m.sentence_start) AS quote
FROM event_mention_links l
JOIN event_mentions m ON m.run_id = l.run_id AND m.ordinal = l.mention_ordinal
JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
WHERE l.dedup_run_id = $dedup_run_id AND l.event_id = $event_id
ORDER BY a.published_at, m.article_id, m.ordinal;
