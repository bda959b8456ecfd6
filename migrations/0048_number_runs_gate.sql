-- +goose Up
-- The case list's gate of 0047 was an EXISTS over case_number_runs, which
-- the planner makes a one-time filter: right, except that the planner
-- does not price that filter. At 5,000,000 cases it still costed the
-- gated bitmap scan of the numbers' gram index high enough to run it in
-- parallel, and a Gather launches its workers (some 40 ms) before the
-- filter, evaluated in them, finds nothing to do: a two-character term
-- took 141 ms at p50 where it had taken 32 (docs/benchmarks.md, "The
-- numbers' gate without parallel workers").
--
-- The same test as a PL/pgSQL function marked PARALLEL UNSAFE: PL/pgSQL
-- is never inlined, so the planner sees a call it may not run in a
-- worker, plans the whole list statement without parallel workers (a
-- page of fifty rows gains nothing from them), and still evaluates the
-- call once, as the one-time filter of each gated SELECT.
-- +goose StatementBegin
CREATE FUNCTION number_runs_hold(term text) RETURNS boolean LANGUAGE plpgsql STABLE PARALLEL UNSAFE AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM case_number_runs WHERE strpos(run, term) > 0);
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION number_runs_hold(text);
