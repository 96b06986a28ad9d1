INSERT INTO event_mention_links BY NAME SELECT * FROM new_event_mention_links;
