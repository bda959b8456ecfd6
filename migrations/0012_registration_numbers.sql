-- +goose Up
-- Registration numbers and the start of the mediation period
-- (docs/design.md §4, docs/law.md §2).
--
-- An application is registered (登记) when it is filed and numbered
-- （2026）鼓知调登字第0001号 from a counter of its own; the case number
-- （2026）鼓知调字第0001号 is given only when the committee accepts the
-- dispute (受理), so rejected and withdrawn applications use up no case
-- number. Both stay gapless per committee and year: each is taken from its
-- counter row inside the transaction that issues it, and a rolled-back
-- transaction gives it back.
--
-- From here on cases.year and cases.seq are the registration's year and
-- sequence (the year a case was filed, which the statistics count by);
-- number_year and number_seq are those of the case number, NULL and
-- cases.number '' until acceptance. A case moved to another committee
-- keeps both numbers, so (org_id, year, seq) is no longer unique: the
-- numbers themselves are.
CREATE TABLE registration_counters (
    org_id  bigint  NOT NULL REFERENCES orgs (id),
    year    integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    last_no integer NOT NULL CHECK (last_no >= 0),
    PRIMARY KEY (org_id, year)
);

ALTER TABLE cases ADD COLUMN registration_number text;
ALTER TABLE cases ADD COLUMN number_year integer CHECK (number_year BETWEEN 2000 AND 2999);
ALTER TABLE cases ADD COLUMN number_seq integer CHECK (number_seq > 0);
-- When the committee received the court's materials (签收) for a case a
-- court delegated or entrusted: its mediation period runs from then.
ALTER TABLE cases ADD COLUMN materials_received_at timestamptz;

-- The cases filed so far were numbered at intake: their number stays, and
-- their registration takes the same year and sequence, so that the
-- registration counters continue where the case counters stood.
UPDATE cases c SET registration_number = format('（%s）%s登字第%s号', c.year, o.short_code, lpad(c.seq::text, 4, '0')),
    number_year = c.year, number_seq = c.seq
    FROM orgs o WHERE o.id = c.org_id;
INSERT INTO registration_counters (org_id, year, last_no) SELECT org_id, year, last_no FROM case_counters;

ALTER TABLE cases ALTER COLUMN registration_number SET NOT NULL;
ALTER TABLE cases ADD CONSTRAINT cases_registration_number_key UNIQUE (registration_number);
ALTER TABLE cases DROP CONSTRAINT cases_number_key;
ALTER TABLE cases DROP CONSTRAINT cases_org_id_year_seq_key;
ALTER TABLE cases ALTER COLUMN number SET DEFAULT '';
CREATE UNIQUE INDEX cases_number_key ON cases (number) WHERE number <> '';
ALTER TABLE cases ADD CONSTRAINT cases_number_given_check
    CHECK ((number = '') = (number_seq IS NULL) AND (number_seq IS NULL) = (number_year IS NULL));
CREATE INDEX cases_registration_number_trgm_idx ON cases USING gin (registration_number gin_trgm_ops);

-- +goose Down
DROP INDEX cases_registration_number_trgm_idx;
ALTER TABLE cases DROP CONSTRAINT cases_number_given_check;
DROP INDEX cases_number_key;
-- A case accepted after the upgrade has its number in number_year and
-- number_seq; one never accepted takes its registration's.
UPDATE cases SET number = registration_number WHERE number = '';
UPDATE cases SET year = number_year, seq = number_seq WHERE number_seq IS NOT NULL;
ALTER TABLE cases ALTER COLUMN number DROP DEFAULT;
ALTER TABLE cases ADD CONSTRAINT cases_number_key UNIQUE (number);
ALTER TABLE cases ADD CONSTRAINT cases_org_id_year_seq_key UNIQUE (org_id, year, seq);
ALTER TABLE cases DROP CONSTRAINT cases_registration_number_key;
ALTER TABLE cases DROP COLUMN materials_received_at;
ALTER TABLE cases DROP COLUMN number_seq;
ALTER TABLE cases DROP COLUMN number_year;
ALTER TABLE cases DROP COLUMN registration_number;
DROP TABLE registration_counters;
