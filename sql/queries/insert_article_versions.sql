INSERT INTO article_versions BY NAME SELECT * FROM new_article_versions;
-- the folded body the entity filter searches (012_article_folds.sql)
INSERT INTO article_folds SELECT article_id, version, lower(body) FROM new_article_versions;
