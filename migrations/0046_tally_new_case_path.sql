-- +goose Up
-- The tally trigger of cases (0022) has a short path for a new case that
-- has not ended, which counts it as filed (and open) with one upsert per
-- key. It tested for "outcome IS NULL", but a case is written with an
-- empty outcome until it ends, so every intake took the general path
-- instead: four aggregating upserts through case_tally_move, the largest
-- single cost of an intake's write (docs/benchmarks.md, "Intake in two
-- statements"). The short path now serves every new case without an
-- ended figure, and counts it exactly as the general path does: a case
-- whose outcome is not settled, failed, withdrawn or rejected, or which
-- has no outcome time, has no ended row (case_tally_rows).
--
-- Only that condition changes, so the function's definition is edited in
-- place rather than written out again; the edit refuses to run on a
-- definition that does not hold the old condition.
-- +goose StatementBegin
DO $$
DECLARE
    def text := pg_get_functiondef('cases_tally_trigger()'::regprocedure);
    old text := $c$IF TG_OP = 'INSERT' AND NEW.outcome IS NULL THEN$c$;
    new text := $c$IF TG_OP = 'INSERT' AND NOT coalesce(NEW.outcome IN ('settled', 'failed', 'withdrawn', 'rejected')
                                      AND NEW.outcome_at IS NOT NULL, false) THEN$c$;
BEGIN
    IF strpos(def, old) = 0 THEN
        RAISE EXCEPTION 'cases_tally_trigger() does not hold the condition this migration replaces';
    END IF;
    EXECUTE replace(def, old, new);
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
    def text := pg_get_functiondef('cases_tally_trigger()'::regprocedure);
    old text := $c$IF TG_OP = 'INSERT' AND NOT coalesce(NEW.outcome IN ('settled', 'failed', 'withdrawn', 'rejected')
                                      AND NEW.outcome_at IS NOT NULL, false) THEN$c$;
    new text := $c$IF TG_OP = 'INSERT' AND NEW.outcome IS NULL THEN$c$;
BEGIN
    IF strpos(def, old) = 0 THEN
        RAISE EXCEPTION 'cases_tally_trigger() does not hold the condition this migration replaces';
    END IF;
    EXECUTE replace(def, old, new);
END
$$;
-- +goose StatementEnd
