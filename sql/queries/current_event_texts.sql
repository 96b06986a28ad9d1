-- The text of every current event (its label and its mentions' sentences), for the in-memory
-- BM25 index that `service.search` rebuilds after each dedup run.
SELECT e.event_id,
       e.label || ' ' || string_agg(substring(a.body, m.sentence_start + 1, m.sentence_end - m.sentence_start), ' ')
           AS text
FROM current_events e
JOIN event_mention_links l ON l.dedup_run_id = e.dedup_run_id AND l.event_id = e.event_id
JOIN event_mentions m ON m.run_id = l.run_id AND m.ordinal = l.mention_ordinal
JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
GROUP BY e.event_id, e.label;
