-- +goose Up
-- A search term is matched against the case and registration numbers by
-- substring, through their trigram indexes. A term of digits and other
-- characters (a patent number such as 201710837942.9, a company's name)
-- costs those indexes 30-40 ms at a million cases, because every number
-- shares the digit trigrams of its year and sequence, and it almost never
-- matches a number (docs/benchmarks.md, "Numbers skipped for terms no
-- number can hold").
--
-- Split a number at the characters of its frame: （ ） 字 第 登 号. A term
-- that holds none of them lies, if anywhere, inside one piece; a term
-- that also holds a character other than a digit lies inside a piece
-- that does too. Those pieces are few (the committees' short codes, as
-- numbers are written), and case_number_runs keeps every one that was
-- ever part of a number, whatever its form. The case list asks it first
-- (internal/cases/list.go): when no piece holds the term, no number can,
-- and the trigram indexes are not read. A piece is never removed: one
-- that no number holds any more only costs the skipped search.
-- +goose StatementBegin
CREATE FUNCTION number_runs(n text) RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $$
    SELECT r FROM regexp_split_to_table(n, '[（）字第登号]') AS r WHERE r ~ '[^0-9]'
$$;
-- +goose StatementEnd

CREATE TABLE case_number_runs (
    run text PRIMARY KEY
);

INSERT INTO case_number_runs (run)
SELECT r FROM cases, LATERAL number_runs(number) AS r
UNION
SELECT r FROM cases, LATERAL number_runs(registration_number) AS r;

-- New cases (an intake, a bulk COPY) add their pieces once per statement;
-- a number given or changed later (acceptance) adds its own.
-- +goose StatementBegin
CREATE FUNCTION cases_number_runs_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_number_runs (run)
    SELECT r FROM new_rows, LATERAL number_runs(new_rows.number) AS r
    UNION
    SELECT r FROM new_rows, LATERAL number_runs(new_rows.registration_number) AS r
    ON CONFLICT (run) DO NOTHING;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION cases_number_runs_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_number_runs (run)
    SELECT number_runs(NEW.number)
    UNION
    SELECT number_runs(NEW.registration_number)
    ON CONFLICT (run) DO NOTHING;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER cases_number_runs_insert AFTER INSERT ON cases
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_number_runs_insert();
CREATE TRIGGER cases_number_runs_update AFTER UPDATE OF number, registration_number ON cases
    FOR EACH ROW WHEN (OLD.number IS DISTINCT FROM NEW.number OR OLD.registration_number IS DISTINCT FROM NEW.registration_number)
    EXECUTE FUNCTION cases_number_runs_update();

-- +goose Down
DROP TRIGGER cases_number_runs_update ON cases;
DROP TRIGGER cases_number_runs_insert ON cases;
DROP FUNCTION cases_number_runs_update();
DROP FUNCTION cases_number_runs_insert();
DROP TABLE case_number_runs;
DROP FUNCTION number_runs(text);
