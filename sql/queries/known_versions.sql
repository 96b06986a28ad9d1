-- For each incoming (article_id, content_hash): the version already holding that content, if
-- any, and the article's latest version. Reads the frame registered as `incoming_articles`.
SELECT i.article_id,
       i.content_hash,
       same.version AS same_version,
       latest.latest_version
FROM incoming_articles i
LEFT JOIN article_versions same
       ON same.article_id = i.article_id AND same.content_hash = i.content_hash
LEFT JOIN (SELECT article_id, max(version) AS latest_version
           FROM article_versions GROUP BY article_id) latest
       ON latest.article_id = i.article_id;
