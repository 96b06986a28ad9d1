INSERT INTO event_mentions BY NAME SELECT * FROM new_event_mentions;
