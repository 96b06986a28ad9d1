INSERT INTO article_versions BY NAME SELECT * FROM new_article_versions;
