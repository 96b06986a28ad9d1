-- Every mention known at $as_of in the order of timeline_mentions.sql, with what a page shows
-- of it and what that query's filters test (the sentence for $entity and $q, the names, the
-- source): the copy `service.timeline` keeps in memory for the server's dedup=false pages, read
-- once per set of current mentions (see timeline_mention_state.sql). `pos` is the place in that
-- order, counted from 0.
WITH m AS (
    SELECT m.run_id, m.ordinal, m.article_id, m.kind, m.trigger, m.valid_from, m.valid_until, m.grain,
           m.salient IS TRUE AS shown, (m.valid_from IS NOT NULL OR m.valid_until IS NOT NULL) AS dated,
           m.participants, m.places, a.source, a.published_at, a.timezone,
           substring(a.body, m.sentence_start + 1, m.sentence_end - m.sentence_start) AS sentence
    FROM event_mentions m
    JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
    WHERE m.recorded_at <= $as_of
      AND m.run_id NOT IN (SELECT run_id FROM run_history WHERE superseded_at <= $as_of)
)
SELECT row_number() OVER (ORDER BY valid_from ASC NULLS FIRST, valid_until ASC NULLS LAST, published_at,
                          article_id, ordinal) - 1 AS pos, *
FROM m
ORDER BY pos;
