-- +goose Up
-- Counts of cases kept as cases change, for the statistics (docs/design.md
-- §10, docs/benchmarks.md): counting a year of the whole city from the
-- cases themselves reads every case of the year (and probes its parties
-- and rights), more than a page may take at a million cases. The counts
-- are kept by triggers, in the transaction that changes a case, its
-- parties, its rights or its agreement, so no writer can leave them
-- behind, and they count exactly what the case lists filter:
--
--   case_tallies        the cases filed on a Beijing day (with the SME
--                       applicants among them and the amounts claimed) and
--                       those ended on a day, by outcome (with the amounts
--                       their agreements settle, for settled), per
--                       committee, dispute type and source; each case once
--                       by day (grain 'd') and once by month (grain 'm',
--                       day = the month's first day), so that a year reads
--                       twelve month rows per key and only the days of a
--                       month the period cuts read day rows;
--   case_right_tallies  the same by kind of IP right (a case with rights of
--                       two kinds counts under each);
--   case_open_tallies, case_open_right_tallies
--                       the cases in progress now (submitted, accepted,
--                       mediating, agreement_draft).
--
-- Three columns of cases carry what the counts need from the other
-- tables, kept by their triggers: sme_applicant (an applicant is an SME:
-- the list's sme_applicant filter, cases.SMEApplicantSQL), right_kinds
-- (the distinct kinds of its rights: the list's right_kind filter) and
-- agreed_fen (its agreement's amount_fen).
--
-- A bulk loader may set ipmediate.bulk = 'on' for its transaction: the
-- triggers then do nothing, and it must call case_tallies_add(ids) for
-- the cases it wrote before committing (the benchmark seeder does).

ALTER TABLE cases ADD COLUMN sme_applicant boolean NOT NULL DEFAULT false;
ALTER TABLE cases ADD COLUMN right_kinds text[] NOT NULL DEFAULT '{}';
ALTER TABLE cases ADD COLUMN agreed_fen bigint NOT NULL DEFAULT 0;

CREATE TABLE case_tallies (
    org_id       bigint  NOT NULL,
    grain        "char"  NOT NULL CHECK (grain IN ('d', 'm')),
    day          date    NOT NULL,
    figure       text    NOT NULL CHECK (figure IN ('filed', 'settled', 'failed', 'withdrawn', 'rejected')),
    dispute_type text    NOT NULL,
    source       text    NOT NULL,
    n            integer NOT NULL,
    sme          integer NOT NULL,
    fen          bigint  NOT NULL,
    PRIMARY KEY (org_id, grain, day, figure, dispute_type, source)
);
CREATE TABLE case_right_tallies (
    org_id bigint  NOT NULL,
    grain  "char"  NOT NULL CHECK (grain IN ('d', 'm')),
    day    date    NOT NULL,
    figure text    NOT NULL CHECK (figure IN ('filed', 'settled', 'failed', 'withdrawn', 'rejected')),
    kind   text    NOT NULL,
    n      integer NOT NULL,
    PRIMARY KEY (org_id, grain, day, figure, kind)
);
CREATE TABLE case_open_tallies (
    org_id       bigint  NOT NULL,
    dispute_type text    NOT NULL,
    source       text    NOT NULL,
    n            integer NOT NULL,
    PRIMARY KEY (org_id, dispute_type, source)
);
CREATE TABLE case_open_right_tallies (
    org_id bigint  NOT NULL,
    kind   text    NOT NULL,
    n      integer NOT NULL,
    PRIMARY KEY (org_id, kind)
);

-- What one case counts for: a row per tally key with its amounts (none
-- for a NULL case).
-- +goose StatementBegin
CREATE FUNCTION case_tally_rows(c cases)
RETURNS TABLE (org_id bigint, grain "char", day date, figure text, dispute_type text, source text, n integer, sme integer, fen bigint)
LANGUAGE sql STABLE AS $$
    SELECT c.org_id, g.grain, CASE g.grain WHEN 'd' THEN x.day ELSE date_trunc('month', x.day)::date END,
           x.figure, c.dispute_type, c.source, 1, x.sme, x.fen
    FROM (VALUES ('filed', (c.created_at AT TIME ZONE 'Asia/Shanghai')::date,
                  CASE WHEN c.sme_applicant THEN 1 ELSE 0 END, c.claim_amount_fen),
                 (c.outcome, (c.outcome_at AT TIME ZONE 'Asia/Shanghai')::date,
                  0, CASE WHEN c.outcome = 'settled' THEN c.agreed_fen ELSE 0 END)) AS x (figure, day, sme, fen)
    CROSS JOIN (VALUES ('d'::"char"), ('m'::"char")) AS g (grain)
    WHERE c.id IS NOT NULL AND x.day IS NOT NULL AND x.figure IN ('filed', 'settled', 'failed', 'withdrawn', 'rejected')
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION case_right_tally_rows(c cases)
RETURNS TABLE (org_id bigint, grain "char", day date, figure text, kind text, n integer)
LANGUAGE sql STABLE AS $$
    SELECT t.org_id, t.grain, t.day, t.figure, k.kind, 1
    FROM case_tally_rows(c) t CROSS JOIN unnest(c.right_kinds) AS k (kind)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION case_is_open(c cases) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT c.id IS NOT NULL AND c.status IN ('submitted', 'accepted', 'mediating', 'agreement_draft')
$$;
-- +goose StatementEnd

-- Moves a case's counts from what it was (o) to what it is (nw); either
-- may be NULL. Only keys whose counts change are written, in key order,
-- so that two transactions take the rows they share in the same order.
-- +goose StatementBegin
CREATE FUNCTION case_tally_move(o cases, nw cases) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_tallies AS t (org_id, grain, day, figure, dispute_type, source, n, sme, fen)
    SELECT x.org_id, x.grain, x.day, x.figure, x.dispute_type, x.source, sum(x.n), sum(x.sme), sum(x.fen)
    FROM (SELECT r.org_id, r.grain, r.day, r.figure, r.dispute_type, r.source, -r.n AS n, -r.sme AS sme, -r.fen AS fen
          FROM case_tally_rows(o) r
          UNION ALL SELECT * FROM case_tally_rows(nw)) x
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(x.n) <> 0 OR sum(x.sme) <> 0 OR sum(x.fen) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (org_id, grain, day, figure, dispute_type, source)
    DO UPDATE SET n = t.n + EXCLUDED.n, sme = t.sme + EXCLUDED.sme, fen = t.fen + EXCLUDED.fen;

    INSERT INTO case_right_tallies AS t (org_id, grain, day, figure, kind, n)
    SELECT x.org_id, x.grain, x.day, x.figure, x.kind, sum(x.n)
    FROM (SELECT r.org_id, r.grain, r.day, r.figure, r.kind, -r.n AS n FROM case_right_tally_rows(o) r
          UNION ALL SELECT * FROM case_right_tally_rows(nw)) x
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(x.n) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (org_id, grain, day, figure, kind) DO UPDATE SET n = t.n + EXCLUDED.n;

    INSERT INTO case_open_tallies AS t (org_id, dispute_type, source, n)
    SELECT x.org_id, x.dispute_type, x.source, sum(x.n)
    FROM (SELECT o.org_id, o.dispute_type, o.source, -1 AS n WHERE case_is_open(o)
          UNION ALL SELECT nw.org_id, nw.dispute_type, nw.source, 1 WHERE case_is_open(nw)) x
    GROUP BY 1, 2, 3 HAVING sum(x.n) <> 0
    ORDER BY 1, 2, 3
    ON CONFLICT (org_id, dispute_type, source) DO UPDATE SET n = t.n + EXCLUDED.n;

    INSERT INTO case_open_right_tallies AS t (org_id, kind, n)
    SELECT x.org_id, x.kind, sum(x.n)
    FROM (SELECT o.org_id, k.kind, -1 AS n FROM unnest(o.right_kinds) AS k (kind) WHERE case_is_open(o)
          UNION ALL SELECT nw.org_id, k.kind, 1 FROM unnest(nw.right_kinds) AS k (kind) WHERE case_is_open(nw)) x
    GROUP BY 1, 2 HAVING sum(x.n) <> 0
    ORDER BY 1, 2
    ON CONFLICT (org_id, kind) DO UPDATE SET n = t.n + EXCLUDED.n;
END
$$;
-- +goose StatementEnd

-- The trigger of cases. Two paths are taken often and kept short: a new
-- case (an intake) adds its counts row by row, and a move between two
-- statuses in progress (accepted, mediating …) changes no count. Every
-- other change goes through case_tally_move.
-- +goose StatementBegin
CREATE FUNCTION cases_tally_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    o    cases;
    nw   cases;
    k    text;
    d    date;
    g    "char";
BEGIN
    IF current_setting('ipmediate.bulk', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND case_is_open(OLD) AND case_is_open(NEW)
       AND (OLD.org_id, OLD.created_at, OLD.dispute_type, OLD.source, OLD.claim_amount_fen, OLD.outcome, OLD.outcome_at,
            OLD.sme_applicant, OLD.right_kinds, OLD.agreed_fen)
           IS NOT DISTINCT FROM (NEW.org_id, NEW.created_at, NEW.dispute_type, NEW.source, NEW.claim_amount_fen, NEW.outcome,
            NEW.outcome_at, NEW.sme_applicant, NEW.right_kinds, NEW.agreed_fen) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.outcome IS NULL THEN
        d := (NEW.created_at AT TIME ZONE 'Asia/Shanghai')::date;
        FOREACH g IN ARRAY ARRAY['d', 'm']::"char"[] LOOP
            INSERT INTO case_tallies AS t (org_id, grain, day, figure, dispute_type, source, n, sme, fen)
            VALUES (NEW.org_id, g, CASE g WHEN 'd' THEN d ELSE date_trunc('month', d)::date END, 'filed', NEW.dispute_type,
                    NEW.source, 1, CASE WHEN NEW.sme_applicant THEN 1 ELSE 0 END, NEW.claim_amount_fen)
            ON CONFLICT (org_id, grain, day, figure, dispute_type, source)
            DO UPDATE SET n = t.n + 1, sme = t.sme + EXCLUDED.sme, fen = t.fen + EXCLUDED.fen;
            FOREACH k IN ARRAY NEW.right_kinds LOOP
                INSERT INTO case_right_tallies AS t (org_id, grain, day, figure, kind, n)
                VALUES (NEW.org_id, g, CASE g WHEN 'd' THEN d ELSE date_trunc('month', d)::date END, 'filed', k, 1)
                ON CONFLICT (org_id, grain, day, figure, kind) DO UPDATE SET n = t.n + 1;
            END LOOP;
        END LOOP;
        IF case_is_open(NEW) THEN
            INSERT INTO case_open_tallies AS t (org_id, dispute_type, source, n) VALUES (NEW.org_id, NEW.dispute_type, NEW.source, 1)
            ON CONFLICT (org_id, dispute_type, source) DO UPDATE SET n = t.n + 1;
            FOREACH k IN ARRAY NEW.right_kinds LOOP
                INSERT INTO case_open_right_tallies AS t (org_id, kind, n) VALUES (NEW.org_id, k, 1)
                ON CONFLICT (org_id, kind) DO UPDATE SET n = t.n + 1;
            END LOOP;
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN o := OLD; END IF;
    IF TG_OP <> 'DELETE' THEN nw := NEW; END IF;
    PERFORM case_tally_move(o, nw);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER cases_tally_insert_delete AFTER INSERT OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_tally_trigger();
CREATE TRIGGER cases_tally_update AFTER UPDATE ON cases
    FOR EACH ROW WHEN ((OLD.org_id, OLD.created_at, OLD.dispute_type, OLD.source, OLD.claim_amount_fen, OLD.status,
                        OLD.outcome, OLD.outcome_at, OLD.sme_applicant, OLD.right_kinds, OLD.agreed_fen)
        IS DISTINCT FROM (NEW.org_id, NEW.created_at, NEW.dispute_type, NEW.source, NEW.claim_amount_fen, NEW.status,
                          NEW.outcome, NEW.outcome_at, NEW.sme_applicant, NEW.right_kinds, NEW.agreed_fen))
    EXECUTE FUNCTION cases_tally_trigger();

-- The derived columns of the cases whose parties, rights or agreement
-- changed (the UPDATE fires the cases trigger above).
-- +goose StatementBegin
CREATE FUNCTION case_derive(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE cases c SET sme_applicant = d.sme, right_kinds = d.kinds, agreed_fen = d.agreed
    FROM (SELECT x.id,
                 EXISTS (SELECT 1 FROM case_parties p WHERE p.case_id = x.id AND p.role = 'applicant' AND p.is_sme) AS sme,
                 ARRAY(SELECT DISTINCT r.kind COLLATE "C" FROM case_rights r WHERE r.case_id = x.id ORDER BY 1) AS kinds,
                 coalesce((SELECT g.amount_fen FROM case_agreements g WHERE g.case_id = x.id), 0) AS agreed
          FROM unnest(ids) AS x (id)) d
    WHERE c.id = d.id AND (c.sme_applicant, c.right_kinds, c.agreed_fen) IS DISTINCT FROM (d.sme, d.kinds, d.agreed)
$$;
-- +goose StatementEnd

-- Once per statement, over the cases its rows name (the transition
-- tables): an intake writes its parties in one statement and its rights
-- in another, and sets the derived columns itself when it inserts the
-- case (internal/cases), so these find nothing to change and the case row
-- is written once.
-- +goose StatementBegin
CREATE FUNCTION case_derive_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF current_setting('ipmediate.bulk', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' AND TG_TABLE_NAME = 'case_parties' THEN
        -- New parties change a case only when one is an SME applicant of
        -- a case not marked so (an intake marks its case itself).
        SELECT array_agg(DISTINCT n.case_id) INTO ids FROM new_rows n JOIN cases c ON c.id = n.case_id
        WHERE n.role = 'applicant' AND n.is_sme AND NOT c.sme_applicant;
    ELSIF TG_OP = 'INSERT' AND TG_TABLE_NAME = 'case_rights' THEN
        -- New rights, only when of a kind the case's kinds lack.
        SELECT array_agg(DISTINCT n.case_id) INTO ids FROM new_rows n JOIN cases c ON c.id = n.case_id
        WHERE NOT n.kind = ANY (c.right_kinds);
    ELSIF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT case_id) INTO ids FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT case_id) INTO ids FROM old_rows;
    ELSE
        SELECT array_agg(DISTINCT x.case_id) INTO ids FROM (SELECT case_id FROM old_rows UNION SELECT case_id FROM new_rows) x;
    END IF;
    IF ids IS NOT NULL THEN
        PERFORM case_derive(ids);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER case_parties_derive_insert AFTER INSERT ON case_parties
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_derive_trigger();
CREATE TRIGGER case_parties_derive_update AFTER UPDATE ON case_parties
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_derive_trigger();
CREATE TRIGGER case_parties_derive_delete AFTER DELETE ON case_parties
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION case_derive_trigger();
CREATE TRIGGER case_rights_derive_insert AFTER INSERT ON case_rights
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_derive_trigger();
CREATE TRIGGER case_rights_derive_update AFTER UPDATE ON case_rights
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_derive_trigger();
CREATE TRIGGER case_rights_derive_delete AFTER DELETE ON case_rights
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION case_derive_trigger();
CREATE TRIGGER case_agreements_derive_insert AFTER INSERT ON case_agreements
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_derive_trigger();
CREATE TRIGGER case_agreements_derive_update AFTER UPDATE ON case_agreements
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_derive_trigger();
CREATE TRIGGER case_agreements_derive_delete AFTER DELETE ON case_agreements
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION case_derive_trigger();

-- For a bulk loader (ipmediate.bulk = 'on'): the derived columns and the
-- counts of the cases ids, written by it in this transaction and not
-- counted yet.
-- +goose StatementBegin
CREATE FUNCTION case_tallies_add(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    SELECT case_derive(ids);

    INSERT INTO case_tallies AS t (org_id, grain, day, figure, dispute_type, source, n, sme, fen)
    SELECT r.org_id, r.grain, r.day, r.figure, r.dispute_type, r.source, sum(r.n), sum(r.sme), sum(r.fen)
    FROM cases c CROSS JOIN LATERAL case_tally_rows(c) r WHERE c.id = ANY (ids)
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (org_id, grain, day, figure, dispute_type, source)
    DO UPDATE SET n = t.n + EXCLUDED.n, sme = t.sme + EXCLUDED.sme, fen = t.fen + EXCLUDED.fen;

    INSERT INTO case_right_tallies AS t (org_id, grain, day, figure, kind, n)
    SELECT r.org_id, r.grain, r.day, r.figure, r.kind, sum(r.n)
    FROM cases c CROSS JOIN LATERAL case_right_tally_rows(c) r WHERE c.id = ANY (ids)
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (org_id, grain, day, figure, kind) DO UPDATE SET n = t.n + EXCLUDED.n;

    INSERT INTO case_open_tallies AS t (org_id, dispute_type, source, n)
    SELECT c.org_id, c.dispute_type, c.source, count(*) FROM cases c WHERE c.id = ANY (ids) AND case_is_open(c)
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (org_id, dispute_type, source) DO UPDATE SET n = t.n + EXCLUDED.n;

    INSERT INTO case_open_right_tallies AS t (org_id, kind, n)
    SELECT c.org_id, k.kind, count(*) FROM cases c CROSS JOIN LATERAL unnest(c.right_kinds) AS k (kind)
    WHERE c.id = ANY (ids) AND case_is_open(c)
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (org_id, kind) DO UPDATE SET n = t.n + EXCLUDED.n;
$$;
-- +goose StatementEnd

-- The cases already here.
SET LOCAL ipmediate.bulk = 'on';
SELECT case_tallies_add(ARRAY(SELECT id FROM cases));
RESET ipmediate.bulk;

-- +goose Down
DROP TRIGGER IF EXISTS case_agreements_derive_insert ON case_agreements;
DROP TRIGGER IF EXISTS case_agreements_derive_update ON case_agreements;
DROP TRIGGER IF EXISTS case_agreements_derive_delete ON case_agreements;
DROP TRIGGER IF EXISTS case_rights_derive_insert ON case_rights;
DROP TRIGGER IF EXISTS case_rights_derive_update ON case_rights;
DROP TRIGGER IF EXISTS case_rights_derive_delete ON case_rights;
DROP TRIGGER IF EXISTS case_parties_derive_insert ON case_parties;
DROP TRIGGER IF EXISTS case_parties_derive_update ON case_parties;
DROP TRIGGER IF EXISTS case_parties_derive_delete ON case_parties;
DROP TRIGGER IF EXISTS cases_tally_update ON cases;
DROP TRIGGER IF EXISTS cases_tally_insert_delete ON cases;
DROP FUNCTION IF EXISTS case_tallies_add(bigint[]);
DROP FUNCTION IF EXISTS case_derive_trigger();
DROP FUNCTION IF EXISTS case_derive(bigint[]);
DROP FUNCTION IF EXISTS cases_tally_trigger();
DROP FUNCTION IF EXISTS case_tally_move(cases, cases);
DROP FUNCTION IF EXISTS case_is_open(cases);
DROP FUNCTION IF EXISTS case_right_tally_rows(cases);
DROP FUNCTION IF EXISTS case_tally_rows(cases);
DROP TABLE IF EXISTS case_open_right_tallies;
DROP TABLE IF EXISTS case_open_tallies;
DROP TABLE IF EXISTS case_right_tallies;
DROP TABLE IF EXISTS case_tallies;
ALTER TABLE cases DROP COLUMN IF EXISTS agreed_fen;
ALTER TABLE cases DROP COLUMN IF EXISTS right_kinds;
ALTER TABLE cases DROP COLUMN IF EXISTS sme_applicant;
