-- +goose Up
-- How many mediations took each whole number of days, per committee and
-- Beijing day (grain 'd') or month (grain 'm') of their outcome: the
-- median and the 90th percentile of the statistics (internal/stats,
-- durations.go) are exact, yet no longer read every mediation of the
-- period. The counts say in which whole day (floor of cases.mediation_days,
-- migration 0023) each wanted rank lies; only the mediations of those few
-- days are read, through the index below, and the exact value of the rank
-- is taken among them. At 5,000,000 cases the city's year held 1,300,000
-- durations, and reading them all was most of the statistics' time
-- (docs/benchmarks.md).
--
-- A mediation counts when it has an outcome of settled or failed and was
-- accepted, the condition of cases_durations_idx; the triggers keep the
-- counts in the transaction that changes a case, as 0022 keeps its own.
-- A bulk loader that sets ipmediate.bulk = 'on' calls
-- case_duration_tallies_add(ids) beside case_tallies_add(ids).

CREATE TABLE case_duration_tallies (
    org_id bigint  NOT NULL,
    grain  "char"  NOT NULL CHECK (grain IN ('d', 'm')),
    day    date    NOT NULL,
    days   integer NOT NULL,
    n      integer NOT NULL,
    PRIMARY KEY (org_id, grain, day, days)
);

-- The mediations of one committee and whole day of duration, by outcome
-- time, with the exact duration in the entry (an index-only read).
CREATE INDEX cases_duration_days_idx ON cases (org_id, floor(mediation_days), outcome_at) INCLUDE (mediation_days)
    WHERE outcome IN ('settled', 'failed') AND accepted_at IS NOT NULL;

-- What one case counts for: a row per grain, none for a NULL case or one
-- that is no ended mediation.
-- +goose StatementBegin
CREATE FUNCTION case_duration_rows(c cases)
RETURNS TABLE (org_id bigint, grain "char", day date, days integer, n integer)
LANGUAGE sql STABLE AS $$
    SELECT c.org_id, g.grain, CASE g.grain WHEN 'd' THEN x.day ELSE date_trunc('month', x.day)::date END,
           floor(c.mediation_days)::integer, 1
    FROM (SELECT (c.outcome_at AT TIME ZONE 'Asia/Shanghai')::date AS day) x
    CROSS JOIN (VALUES ('d'::"char"), ('m'::"char")) AS g (grain)
    WHERE c.id IS NOT NULL AND c.outcome IN ('settled', 'failed') AND c.accepted_at IS NOT NULL
      AND c.outcome_at IS NOT NULL
$$;
-- +goose StatementEnd

-- Moves a case's count from what it was to what it is, in key order.
-- +goose StatementBegin
CREATE FUNCTION cases_duration_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    o  cases;
    nw cases;
BEGIN
    IF current_setting('ipmediate.bulk', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN o := OLD; END IF;
    IF TG_OP <> 'DELETE' THEN nw := NEW; END IF;
    INSERT INTO case_duration_tallies AS t (org_id, grain, day, days, n)
    SELECT x.org_id, x.grain, x.day, x.days, sum(x.n)
    FROM (SELECT r.org_id, r.grain, r.day, r.days, -r.n AS n FROM case_duration_rows(o) r
          UNION ALL SELECT * FROM case_duration_rows(nw)) x
    GROUP BY 1, 2, 3, 4 HAVING sum(x.n) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (org_id, grain, day, days) DO UPDATE SET n = t.n + EXCLUDED.n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- An intake (no outcome) fires none of them.
CREATE TRIGGER cases_duration_insert AFTER INSERT ON cases
    FOR EACH ROW WHEN (NEW.outcome IN ('settled', 'failed') AND NEW.accepted_at IS NOT NULL)
    EXECUTE FUNCTION cases_duration_trigger();
CREATE TRIGGER cases_duration_delete AFTER DELETE ON cases
    FOR EACH ROW WHEN (OLD.outcome IN ('settled', 'failed') AND OLD.accepted_at IS NOT NULL)
    EXECUTE FUNCTION cases_duration_trigger();
CREATE TRIGGER cases_duration_update AFTER UPDATE ON cases
    FOR EACH ROW WHEN ((OLD.org_id, OLD.outcome, OLD.outcome_at, OLD.accepted_at)
        IS DISTINCT FROM (NEW.org_id, NEW.outcome, NEW.outcome_at, NEW.accepted_at))
    EXECUTE FUNCTION cases_duration_trigger();

-- For a bulk loader (ipmediate.bulk = 'on'): the counts of the cases ids,
-- written by it in this transaction and not counted yet.
-- +goose StatementBegin
CREATE FUNCTION case_duration_tallies_add(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO case_duration_tallies AS t (org_id, grain, day, days, n)
    SELECT r.org_id, r.grain, r.day, r.days, sum(r.n)
    FROM cases c CROSS JOIN LATERAL case_duration_rows(c) r
    WHERE c.id = ANY (ids) AND c.outcome IN ('settled', 'failed') AND c.accepted_at IS NOT NULL
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (org_id, grain, day, days) DO UPDATE SET n = t.n + EXCLUDED.n;
$$;
-- +goose StatementEnd

-- The mediations already here.
INSERT INTO case_duration_tallies (org_id, grain, day, days, n)
SELECT r.org_id, r.grain, r.day, r.days, sum(r.n)
FROM cases c CROSS JOIN LATERAL case_duration_rows(c) r
WHERE c.outcome IN ('settled', 'failed') AND c.accepted_at IS NOT NULL
GROUP BY 1, 2, 3, 4;

-- +goose Down
DROP TRIGGER IF EXISTS cases_duration_update ON cases;
DROP TRIGGER IF EXISTS cases_duration_delete ON cases;
DROP TRIGGER IF EXISTS cases_duration_insert ON cases;
DROP FUNCTION IF EXISTS case_duration_tallies_add(bigint[]);
DROP FUNCTION IF EXISTS cases_duration_trigger();
DROP FUNCTION IF EXISTS case_duration_rows(cases);
DROP INDEX IF EXISTS cases_duration_days_idx;
DROP TABLE IF EXISTS case_duration_tallies;
