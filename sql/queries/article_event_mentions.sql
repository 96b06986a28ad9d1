-- The event mentions of an article as the service knew them at $as_of.
SELECT m.ordinal, m.sentence_start, m.sentence_end, m.trigger_start, m.trigger_end, m.trigger, m.kind,
       m.attributed_to, m.participants, m.places, m.time_link, m.time_ordinal,
       m.valid_from, m.valid_until, m.grain, m.reason, m.version, m.pipeline_version, m.recorded_at
FROM event_mentions_as_of($as_of) m
WHERE m.article_id = $article_id
ORDER BY m.ordinal;
