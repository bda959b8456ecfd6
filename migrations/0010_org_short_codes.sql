-- +goose Up
-- Case numbers (（2026）鼓知调字第0001号) are unique across committees, so two
-- organisations must never share the abbreviation the numbers are built
-- from. The organisation service refuses a taken one with a field error;
-- this index is the guarantee under concurrent edits.
CREATE UNIQUE INDEX orgs_short_code_uniq ON orgs (short_code) WHERE short_code <> '';

-- +goose Down
DROP INDEX orgs_short_code_uniq;
