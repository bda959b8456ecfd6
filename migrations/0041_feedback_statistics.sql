-- +goose Up
-- The statistics count the parties' ratings given in a period by
-- committee (internal/stats, Report.Feedback): an index on when they were
-- given, so that a year's ratings are read without the whole table.
CREATE INDEX case_feedback_created_idx ON case_feedback (created_at);

-- +goose Down
DROP INDEX case_feedback_created_idx;
