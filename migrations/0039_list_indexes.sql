-- +goose Up
-- Indexes for the case list over a million cases (docs/benchmarks.md,
-- Findings > Lists).
--
-- A list filtered by filing date is ordered by (created_at, id), newest
-- first, so that a committee's page is read off this index instead of
-- walking the whole committee by id and filtering the dates.
CREATE INDEX cases_org_created_idx ON cases (org_id, created_at DESC, id DESC);

-- A search term that starts with "（" (the head of a case or registration
-- number, e.g. （2025）鼓知调字第268) is matched as a prefix of the
-- numbers, which these btrees serve (the UNIQUE indexes cannot serve LIKE
-- under a non-C collation). The few numbers that hold a "（" beyond their
-- first character, which a substring match could hit in the middle, are
-- indexed apart (cases_number_inner_paren_idx, normally empty) and tested
-- with the full substring match, so that the result stays that of a
-- substring search (internal/cases/list.go, searchCondition).
CREATE INDEX cases_number_prefix_idx ON cases (number text_pattern_ops);
CREATE INDEX cases_registration_number_prefix_idx ON cases (registration_number text_pattern_ops);
CREATE INDEX cases_number_inner_paren_idx ON cases (id)
    WHERE strpos(substr(number, 2), '（') > 0 OR strpos(substr(registration_number, 2), '（') > 0;

-- +goose Down
DROP INDEX cases_number_inner_paren_idx;
DROP INDEX cases_registration_number_prefix_idx;
DROP INDEX cases_number_prefix_idx;
DROP INDEX cases_org_created_idx;
