-- Which mentions a timeline shows. The events stage marks a mention salient when its sentence
-- asserts it as a main happening or dates it itself; side clauses, vague nouns ("the
-- attacks") and the words of direct quotes stay stored and linked to their events, and are
-- listed on request (`minor=true`). `context` holds the words of the mention's own clause,
-- which deduplication compares. Rows stored before this migration count as salient, so
-- earlier answers read with `as_of` do not change.
ALTER TABLE event_mentions ADD COLUMN context VARCHAR DEFAULT '';
-- ('true' as a string literal: DuckLake takes only literal defaults, and `true` is not one to it.)
ALTER TABLE event_mentions ADD COLUMN salient BOOLEAN DEFAULT 'true';
ALTER TABLE events ADD COLUMN salient BOOLEAN DEFAULT 'true';

-- The analysts' `timeline` view shows what GET /timeline shows by default.
CREATE OR REPLACE VIEW timeline AS
WITH links AS (
    SELECT e.event_id, m.article_id, a.source, a.published_at, m.ordinal,
           substring(a.body, m.sentence_start + 1, m.sentence_end - m.sentence_start) AS sentence
    FROM current_events e
    JOIN event_mention_links l ON l.dedup_run_id = e.dedup_run_id AND l.event_id = e.event_id
    JOIN event_mentions m ON m.run_id = l.run_id AND m.ordinal = l.mention_ordinal
    JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
)
SELECT e.event_id, e.kind, e.label, e.valid_from, e.valid_until, e.grain, e.has_conflict, e.conflicts,
       count(*) AS mentions,
       list(DISTINCT l.source ORDER BY l.source) AS sources,
       list(DISTINCT l.article_id ORDER BY l.article_id) AS articles,
       arg_min(l.sentence, (l.published_at, l.article_id, l.ordinal)) AS first_quote,
       min(l.published_at) AS first_reported_at
FROM current_events e JOIN links l USING (event_id)
WHERE e.salient
GROUP BY ALL
ORDER BY e.valid_from ASC NULLS FIRST, e.valid_until ASC NULLS LAST, first_reported_at, e.event_id;
