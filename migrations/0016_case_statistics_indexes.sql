-- +goose Up
-- The statistics count a committee's cases by when they were filed and by
-- when they ended (outcome_at), for any period, not by the year in the
-- case number; and every figure links to the list of its cases, which
-- filters the same way (internal/stats, internal/cases/list.go).
CREATE INDEX cases_org_created_at_idx ON cases (org_id, created_at);
CREATE INDEX cases_org_outcome_at_idx ON cases (org_id, outcome, outcome_at) WHERE outcome_at IS NOT NULL;

-- +goose Down
DROP INDEX IF EXISTS cases_org_outcome_at_idx;
DROP INDEX IF EXISTS cases_org_created_at_idx;
