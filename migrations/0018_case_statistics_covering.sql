-- +goose Up
-- The statistics of a period (internal/stats) count a year's cases of
-- every committee by when they were filed and by when they ended, broken
-- down by dispute type and source, with how long the ended mediations
-- took. Over a million cases the two indexes of 0016 found the rows but
-- left every one of them to be read from the table (some 25,000 pages a
-- year for each figure). The same indexes carrying the columns the
-- statistics read answer them from the index alone. They replace those of
-- 0016 (same keys, so every case list filter they served they still
-- serve) rather than adding to the indexes an intake maintains.
CREATE INDEX cases_org_created_stats_idx ON cases (org_id, created_at) INCLUDE (dispute_type, source);
CREATE INDEX cases_org_outcome_stats_idx ON cases (org_id, outcome, outcome_at) INCLUDE (dispute_type, source, accepted_at)
    WHERE outcome_at IS NOT NULL;
DROP INDEX IF EXISTS cases_org_created_at_idx;
DROP INDEX IF EXISTS cases_org_outcome_at_idx;

-- +goose Down
CREATE INDEX IF NOT EXISTS cases_org_created_at_idx ON cases (org_id, created_at);
CREATE INDEX IF NOT EXISTS cases_org_outcome_at_idx ON cases (org_id, outcome, outcome_at) WHERE outcome_at IS NOT NULL;
DROP INDEX IF EXISTS cases_org_outcome_stats_idx;
DROP INDEX IF EXISTS cases_org_created_stats_idx;
