INSERT INTO time_expressions BY NAME SELECT * FROM new_time_expressions;
