-- What the key dates at $as_of can read (service/key_dates.py decides with it):
--   all_known     every dedup run current at $as_of (or recorded after it) has its quote
--                 support stored (key_date_dedup_runs, 015_key_date_quotes.sql);
--   started       how many of them have events recorded by $as_of (the old read takes those
--                 events as known), and dedup_run_id the one if there is one;
--   holds         each of those is complete and all of its events and linked mentions were
--                 recorded by $as_of; max_run_id its last pipeline run (key_dates_reruns.sql
--                 checks that no run recorded since re-ran a linked article by $as_of);
--   ungrouped     some run's time and mention rows are not grouped yet (ungrouped_day_articles());
--   days_of       the dedup run current at $as_of if its days are stored (key_date_days,
--                 016_key_date_days.sql), computed at days_as_of (its recorded_at, after all its
--                 events and links) with max_events and the weights returned: the answer at
--                 $as_of if nothing was recorded since (key_dates_fresh.sql).
WITH live AS (
    SELECT d.dedup_run_id, d.recorded_at, k.dedup_run_id IS NOT NULL AS known,
           k.dedup_run_id IS NULL OR k.first_event_at <= $as_of AS started, k.known_at, k.max_run_id, k.complete
    FROM dedup_run_history d LEFT JOIN key_date_dedup_runs k USING (dedup_run_id)
    WHERE d.superseded_at IS NULL OR d.superseded_at > $as_of
)
SELECT bool_and(l.known) IS NOT FALSE AS all_known,
       count(*) FILTER (WHERE l.started) AS started,
       any_value(l.dedup_run_id) FILTER (WHERE l.started) AS dedup_run_id,
       bool_and(l.complete AND l.known_at <= $as_of) FILTER (WHERE l.started) IS TRUE AS holds,
       max(l.max_run_id) FILTER (WHERE l.started) AS max_run_id,
       EXISTS (SELECT 1 FROM day_evidence_runs e ANTI JOIN day_article_runs a ON a.run_id = e.run_id) AS ungrouped,
       any_value(s.dedup_run_id) AS days_of, any_value(s.as_of) AS days_as_of, any_value(s.max_events) AS max_events,
       any_value(s.later_weight) AS later_weight, any_value(s.same_day_weight) AS same_day_weight,
       any_value(s.earlier_weight) AS earlier_weight
FROM live l
LEFT JOIN key_date_day_runs s  -- the days of the dedup run current at $as_of, if stored
       ON s.dedup_run_id = l.dedup_run_id AND s.as_of = l.recorded_at AND l.recorded_at <= $as_of
      AND (l.known_at IS NULL OR l.known_at <= s.as_of);
