-- Event details the events and deduplication stages produce beyond the first sketch:
-- why a mention got its time, the claims each mention makes about its event (casualty
-- counts...), and the conflicts between them. Claims are kept side by side, never merged.

ALTER TABLE event_mentions ADD COLUMN reason VARCHAR;

ALTER TABLE events ADD COLUMN conflicts VARCHAR[];  -- no DEFAULT: DuckLake takes none for lists

CREATE TABLE event_claims (
    dedup_run_id      BIGINT      NOT NULL,
    event_id          VARCHAR     NOT NULL,
    run_id            BIGINT      NOT NULL,
    mention_ordinal   INTEGER     NOT NULL,
    attribute         VARCHAR     NOT NULL,  -- what the claim is about: injured, killed, evacuated...
    value             VARCHAR     NOT NULL,  -- as the mention states it: "8", "at least 12"
    text              VARCHAR     NOT NULL,  -- the words of the claim
    recorded_at       TIMESTAMPTZ NOT NULL
);

CREATE VIEW event_claim_history AS
SELECT c.*, d.superseded_at
FROM event_claims c JOIN dedup_run_history d USING (dedup_run_id);

CREATE VIEW current_event_claims AS
SELECT * EXCLUDE (superseded_at) FROM event_claim_history WHERE superseded_at IS NULL;
