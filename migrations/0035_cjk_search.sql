-- +goose Up
-- Case list search for one- and two-character terms (docs/design.md §4,
-- "Searching the case list"; docs/benchmarks.md "Short search terms").
--
-- The trigram indexes of 0005 and 0012 cannot serve a term shorter than
-- three characters: 「张」 or 「华为」 yields no trigram, and the list fell
-- back to reading every party and every case. These indexes hold every
-- character and every pair of adjacent characters (unigrams and bigrams)
-- of the searchable text, lowercased as ILIKE lowercases it. A text
-- containing a term contains the term's grams, so "the text's grams
-- contain the term's grams" selects a superset of the matches; the list
-- keeps its LIKE / ILIKE test on top, which removes the rest. The results
-- are therefore exactly today's.
--
-- Expression indexes rather than a token table or a trigger: PostgreSQL
-- maintains them in the statement that writes the row, in the writer's
-- transaction, whichever code path writes it (intake, a party's
-- correction, numbering at acceptance, a bulk load with COPY). Nothing in
-- Go has to remember them, and there is no second copy of a name to keep
-- in step or to encrypt.

-- search_grams returns the unigrams and bigrams of lower(s). Duplicates are
-- left in: GIN keeps each key of a row once. PL/pgSQL because its loop
-- costs a quarter of the same in SQL (generate_series and ARRAY()), which
-- matters for the backfill and for every row written.
-- +goose StatementBegin
CREATE FUNCTION search_grams(s text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    l    text    := lower(s);
    n    integer := length(l);
    out  text[]  := '{}';
BEGIN
    FOR i IN 1 .. n LOOP
        out := out || substr(l, i, 1);
        IF i < n THEN
            out := out || substr(l, i, 2);
        END IF;
    END LOOP;
    RETURN out;
END
$$;
-- +goose StatementEnd

-- search_term_grams returns the grams a text must hold to contain term t
-- (compared as lower(t)): its bigrams, or the term itself when it is a
-- single character. For a term of one or two characters that is one key.
-- +goose StatementBegin
CREATE FUNCTION search_term_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
SELECT CASE WHEN length(lower(t)) < 2 THEN ARRAY[lower(t)]
       ELSE ARRAY(SELECT substr(lower(t), i, 2) FROM generate_series(1, length(lower(t)) - 1) AS i)
       END
$$;
-- +goose StatementEnd

-- The party names (matched with ILIKE).
CREATE INDEX case_parties_name_grams_idx ON case_parties USING gin (search_grams(name));

-- The case number and the registration number (matched with LIKE) in one
-- index: one index less for every intake to maintain. The separator
-- cannot create a false match (the LIKE test decides), at worst a pair
-- spanning both numbers lets a row through to that test.
CREATE INDEX cases_numbers_grams_idx ON cases USING gin (search_grams(number || E'\n' || registration_number));

-- The planner's estimate of how many rows hold a gram comes from the
-- statistics of the indexed expressions (most common elements); gather
-- them now rather than at the next autovacuum.
ANALYZE case_parties;
ANALYZE cases;

-- +goose Down
DROP INDEX IF EXISTS cases_numbers_grams_idx;
DROP INDEX IF EXISTS case_parties_name_grams_idx;
DROP FUNCTION IF EXISTS search_term_grams(text);
DROP FUNCTION IF EXISTS search_grams(text);
