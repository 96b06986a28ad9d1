-- A dedup=false page read from the in-memory copy of one store state's mentions that
-- service.timeline.MentionCopy keeps (`mention_copy`: timeline_mention_order.sql's rows, `pos`
-- counting them from 0 in timeline order), with the filters and columns of timeline_mentions.sql.
-- $first/$last bound `pos`: a page without filters is a known range of places (the copy knows
-- where each page of each list starts), so only that range is read; with filters they are the
-- whole copy. The rows carry the number of filtered rows, as timeline_mentions.sql's do.
WITH m AS MATERIALIZED (
    SELECT pos FROM mention_copy
    WHERE pos BETWEEN $first AND $last
      AND ($minor OR shown) AND dated = $dated
      AND ($kind IS NULL OR kind = $kind)
      AND ($from IS NULL OR valid_until IS NULL OR valid_until > $from)
      AND ($until IS NULL OR valid_from IS NULL OR valid_from < $until)
      AND ($source IS NULL OR source = $source)
      AND ($article IS NULL OR article_id = $article)
      AND ($entity IS NULL OR sentence ILIKE '%' || $entity || '%'
           OR list_contains(list_transform(participants || places, x -> lower(x)), lower($entity)))
      AND ($q IS NULL OR sentence ILIKE '%' || $q || '%')
),
page AS (
    SELECT pos FROM m ORDER BY pos LIMIT $limit OFFSET $offset
)
SELECT c.article_id || '#' || c.ordinal AS event_id, c.kind, c.trigger AS label, c.valid_from, c.valid_until,
       c.grain, false AS has_conflict, []::VARCHAR[] AS conflicts, 1 AS mention_count, [c.source] AS sources,
       [c.article_id] AS articles, c.sentence AS first_quote, c.published_at AS first_reported_at, c.timezone,
       NULL::DOUBLE AS score, (SELECT count(*) FROM m) AS total
FROM page p
JOIN mention_copy c ON c.pos = p.pos
ORDER BY c.pos;
