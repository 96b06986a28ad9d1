-- The mentions of the events $event_ids as known at $as_of, one row per article with its body,
-- for the SemEval-2015 timeline export (service/semeval.py turns each trigger offset into the
-- DOCID-SENTENCE-TOKEN name of the mention).
SELECT m.article_id, any_value(a.body) AS body, any_value(a.published_at) AS published_at,
       list({'event_id': e.event_id, 'start': m.trigger_start, 'end': m.trigger_end}
            ORDER BY m.trigger_start, e.event_id) AS mentions
FROM events_as_of($as_of) e
JOIN event_mention_links l ON l.dedup_run_id = e.dedup_run_id AND l.event_id = e.event_id
JOIN event_mentions m ON m.run_id = l.run_id AND m.ordinal = l.mention_ordinal
JOIN article_versions a ON a.article_id = m.article_id AND a.version = m.version
WHERE e.event_id IN (SELECT unnest($event_ids::VARCHAR[]))
GROUP BY m.article_id, m.version
ORDER BY published_at, m.article_id;
