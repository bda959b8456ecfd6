-- +goose Up
-- The gram indexes of 0035 also hold the case id (docs/design.md §4,
-- "Searching the case list"), so that a search for one or two characters
-- can look among the newest cases only: "the names holding 郝 of cases
-- with id ≥ n" is answered inside the index, and only those rows are read
-- from the table. Before, every row holding the gram was read and tested,
-- newest or not: 37,401 cases for 郝 at 5,000,000 cases, 264 ms
-- (docs/benchmarks.md). The list widens the span of ids until it holds a
-- page (internal/cases/list.go, searchNewest), so the results are the
-- same.
--
-- btree_gin gives GIN the btree operators of bigint. The indexes keep
-- their names and serve the searches without an id bound as before; an
-- intake writes one more key per row into each.
CREATE EXTENSION IF NOT EXISTS btree_gin;

DROP INDEX case_parties_name_grams_idx;
CREATE INDEX case_parties_name_grams_idx ON case_parties USING gin (search_grams(name), case_id);
DROP INDEX cases_numbers_grams_idx;
CREATE INDEX cases_numbers_grams_idx ON cases USING gin (search_grams(number || E'\n' || registration_number), id);
ANALYZE case_parties;
ANALYZE cases;

-- +goose Down
DROP INDEX case_parties_name_grams_idx;
CREATE INDEX case_parties_name_grams_idx ON case_parties USING gin (search_grams(name));
DROP INDEX cases_numbers_grams_idx;
CREATE INDEX cases_numbers_grams_idx ON cases USING gin (search_grams(number || E'\n' || registration_number));
DROP EXTENSION IF EXISTS btree_gin;
