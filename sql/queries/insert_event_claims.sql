INSERT INTO event_claims BY NAME SELECT * FROM new_event_claims;
