INSERT INTO events BY NAME SELECT * FROM new_events;
