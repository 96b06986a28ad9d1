-- Each article version's body lower-cased (DuckDB's lower()), written with the version: the
-- entity filter's text test (`body ILIKE '%' || entity || '%'`, which is
-- `lower(body) LIKE lower(pattern)`) becomes a plain substring search over these, without
-- lower-casing every body on every request (contains() over the folded text: about 8 ms for the
-- 10,000 bench_dedup bodies, 17 MB; ILIKE over the bodies: 150 ms). Costs a second copy of
-- the bodies. Written by insert_article_versions.sql, and for any version still without one
-- (stored by bulk SQL) by insert_event_summaries.sql, so every version a dedup run links to has one.
CREATE TABLE article_folds (
    article_id  VARCHAR  NOT NULL,
    version     INTEGER  NOT NULL,
    folded      VARCHAR  NOT NULL  -- lower(body)
    -- key: (article_id, version)
);

INSERT INTO article_folds
SELECT article_id, version, lower(body) FROM article_versions ORDER BY article_id, version;
