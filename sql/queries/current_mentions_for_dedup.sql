-- Every current event mention with what deduplication needs from its article: the sentence,
-- not the body (a body per mention would hold every article in memory many times over).
SELECT m.run_id, m.ordinal, m.article_id, a.source, a.published_at, a.timezone,
       substring(a.body, m.sentence_start + 1, m.sentence_end - m.sentence_start) AS sentence,
       m.trigger, m.kind, m.attributed_to, m.participants, m.places,
       m.valid_from, m.valid_until, m.grain, m.context, m.salient
FROM current_event_mentions m
JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
ORDER BY m.article_id, m.ordinal;
