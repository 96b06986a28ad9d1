-- event_mentions_of.sql for mentions given by key ($run_ids[i], $ordinals[i]: the links of one
-- event of one dedup run, which `service.timeline` keeps in memory): the same rows and order.
WITH k AS (SELECT unnest($run_ids::BIGINT[]) AS run_id, unnest($ordinals::INTEGER[]) AS mention_ordinal)
SELECT m.article_id, m.ordinal, a.source, a.url, a.title, a.published_at, a.timezone, m.trigger, m.kind,
       m.attributed_to, m.participants, m.places, m.time_link, m.valid_from, m.valid_until, m.grain, m.reason,
       m.sentence_start, m.sentence_end, m.trigger_start, m.trigger_end,
       substring(a.body, m.sentence_start + 1, m.sentence_end - m.sentence_start) AS quote
FROM k
JOIN event_mentions m ON m.run_id = k.run_id AND m.ordinal = k.mention_ordinal
JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
ORDER BY a.published_at, m.article_id, m.ordinal;
