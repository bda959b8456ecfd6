-- +goose Up
-- How long a mediation took, from acceptance to outcome, in days: the
-- statistics take its median and 90th percentile over the cases settled
-- or failed in a period (internal/stats). A percentile cannot be added up
-- like the counts of 0022, so the statistics read each case's value; kept
-- here as a stored column with a partial index that carries it, the
-- year of the whole city is an index-only scan of one narrow entry per
-- case and no arithmetic per row (docs/benchmarks.md).
ALTER TABLE cases ADD COLUMN mediation_days double precision
    GENERATED ALWAYS AS (extract(epoch FROM outcome_at - accepted_at) / 86400) STORED;
CREATE INDEX cases_durations_idx ON cases (org_id, outcome_at) INCLUDE (mediation_days)
    WHERE outcome IN ('settled', 'failed') AND accepted_at IS NOT NULL;

-- +goose Down
DROP INDEX IF EXISTS cases_durations_idx;
ALTER TABLE cases DROP COLUMN IF EXISTS mediation_days;
