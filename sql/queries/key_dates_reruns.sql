-- Whether a pipeline run after $max_run_id (the last one the dedup run current at $as_of knew,
-- key_dates_state.sql), recorded by $as_of, re-ran an article that had a run by then: it may
-- have superseded a run that dedup run links, whose mentions then no longer count at $as_of, and
-- the quote support stored with the run (015_key_date_quotes.sql) would count them.
SELECT EXISTS (
    SELECT 1 FROM pipeline_runs p JOIN pipeline_runs q ON q.article_id = p.article_id
    WHERE p.run_id > $max_run_id AND p.recorded_at <= $as_of AND q.run_id <= $max_run_id
) AS rerun;
