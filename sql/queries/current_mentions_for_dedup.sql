-- Every current event mention with what deduplication needs from its article.
SELECT m.run_id, m.ordinal, m.article_id, a.source, a.published_at, a.timezone,
       m.sentence_start, m.sentence_end, m.trigger, m.kind, m.attributed_to, m.participants, m.places,
       m.valid_from, m.valid_until, m.grain, m.context, m.salient, a.body
FROM current_event_mentions m
JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
ORDER BY m.article_id, m.ordinal;
