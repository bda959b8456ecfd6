-- +goose Up
-- The two tables every change of a case writes to, and that never shrink,
-- are range-partitioned by time, one partition per calendar year of the
-- city (Asia/Shanghai), plus a DEFAULT partition that keeps any row whose
-- year has no partition yet, so that nothing is ever refused or lost
-- (docs/scaling.md "Partitioning"):
--
--   case_events  by at           (the case timeline)
--   audit_log    by occurred_at  (the tamper-evident audit log)
--
-- A partition key must be part of every primary key and unique constraint
-- of a partitioned table, so the keys become (id, at), (id, occurred_at)
-- and (chain, seq, occurred_at). ids still come from one sequence per
-- table and stay unique; a chain's seqs stay gapless and unique because the
-- writer holds the chain head (audit_chain_heads, whose trigger lets a head
-- advance by exactly one), and `ipmediate audit verify` walks each chain in
-- seq order across all partitions and names any duplicate or gap.
--
-- notifications and deliveries are not partitioned: notifications carry
-- the globally unique dedup_key that makes each reminder exactly-once, which
-- a partitioned table could only enforce together with the time, and
-- deliveries are read only through their notification.
--
-- Existing rows are copied into the partitions (ids, seqs and hashes
-- unchanged); the indexes are built after the copy. New years' partitions
-- are made by ensure_year_partitions, which the application calls at start
-- and the worker's scheduler every few hours (internal/database).

-- +goose StatementBegin
-- ensure_year_partition makes the partition of parent for year y (in the
-- city's time zone) unless it exists. It returns true when it made one. It
-- makes none, with a warning, when the DEFAULT partition already holds rows
-- of that year: PostgreSQL would refuse to attach the new partition, and
-- the rows are safe where they are. Partitions of audit_log get the
-- statement-level TRUNCATE guard, which PostgreSQL does not clone from the
-- parent; the row-level guards are cloned.
CREATE FUNCTION ensure_year_partition(parent regclass, y int) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    part text := parent::text || '_' || y;
    lo timestamptz := make_timestamptz(y, 1, 1, 0, 0, 0, 'Asia/Shanghai');
    hi timestamptz := make_timestamptz(y + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai');
    key text;
    stray boolean;
BEGIN
    IF y < 2000 OR y > 2999 THEN
        RAISE EXCEPTION 'ensure_year_partition: year % is out of range', y;
    END IF;
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    SELECT a.attname INTO key
    FROM pg_partitioned_table p
    JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
    WHERE p.partrelid = parent;
    IF key IS NULL THEN
        RAISE EXCEPTION 'ensure_year_partition: % is not partitioned', parent;
    END IF;
    IF to_regclass(parent::text || '_default') IS NOT NULL THEN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I >= $1 AND %I < $2)',
                       parent::text || '_default', key, key)
            INTO stray USING lo, hi;
        IF stray THEN
            RAISE WARNING 'ensure_year_partition: %_default holds rows of %; partition % not made', parent, y, part;
            RETURN false;
        END IF;
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', part, parent, lo, hi);
    IF parent = 'audit_log'::regclass THEN
        EXECUTE format('CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON %I
            FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()', part);
    END IF;
    RETURN true;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- ensure_year_partitions makes the partitions of both tables for the years
-- from..through and returns the names of those it made.
CREATE FUNCTION ensure_year_partitions(from_year int, through_year int) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    t regclass;
    y int;
BEGIN
    FOREACH t IN ARRAY ARRAY['case_events'::regclass, 'audit_log'::regclass] LOOP
        FOR y IN from_year .. through_year LOOP
            IF ensure_year_partition(t, y) THEN
                RETURN NEXT t::text || '_' || y;
            END IF;
        END LOOP;
    END LOOP;
END;
$$;
-- +goose StatementEnd

-- The old tables step aside under other names; their constraints and
-- indexes go, so that the partitioned tables can take the same names.
ALTER TABLE case_events RENAME TO case_events_unpartitioned;
ALTER TABLE case_events_unpartitioned DROP CONSTRAINT case_events_pkey;
DROP INDEX case_events_case_idx;
ALTER SEQUENCE case_events_id_seq OWNED BY NONE;

ALTER TABLE audit_log RENAME TO audit_log_unpartitioned;
ALTER TABLE audit_log_unpartitioned DROP CONSTRAINT audit_log_pkey, DROP CONSTRAINT audit_log_chain_seq_key;
DROP INDEX audit_log_org_id_idx, audit_log_actor_id_idx, audit_log_action_idx, audit_log_occurred_at_idx;
ALTER SEQUENCE audit_log_id_seq OWNED BY NONE;

CREATE TABLE case_events (
    id          bigint      NOT NULL DEFAULT nextval('case_events_id_seq'),
    case_id     bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint,
    actor_name  text        NOT NULL DEFAULT '',
    action      text        NOT NULL,
    from_status text        NOT NULL DEFAULT '',
    to_status   text        NOT NULL DEFAULT '',
    detail      jsonb       NOT NULL DEFAULT '{}'
) PARTITION BY RANGE (at);
ALTER SEQUENCE case_events_id_seq OWNED BY case_events.id;
CREATE TABLE case_events_default PARTITION OF case_events DEFAULT;

CREATE TABLE audit_log (
    id          bigint      NOT NULL DEFAULT nextval('audit_log_id_seq'),
    chain       text        COLLATE "C" NOT NULL CHECK (chain <> ''),
    seq         bigint      NOT NULL CHECK (seq > 0),
    occurred_at timestamptz NOT NULL,
    org_id      bigint,
    actor_id    bigint,
    actor_name  text        NOT NULL DEFAULT '',
    action      text        COLLATE "C" NOT NULL CHECK (action <> ''),
    object_type text        NOT NULL DEFAULT '',
    object_id   text        NOT NULL DEFAULT '',
    detail      jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object'),
    ip          text        NOT NULL DEFAULT '',
    request_id  text        NOT NULL DEFAULT '',
    prev_hash   text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash        text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
) PARTITION BY RANGE (occurred_at);
ALTER SEQUENCE audit_log_id_seq OWNED BY audit_log.id;
CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log_default
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- A partition for every year that has rows, and for the year before, this
-- and the next one.
SELECT count(*) FROM ensure_year_partitions(
    (SELECT least(
        extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')::int - 1,
        (SELECT extract(year FROM min(at) AT TIME ZONE 'Asia/Shanghai')::int FROM case_events_unpartitioned),
        (SELECT extract(year FROM min(occurred_at) AT TIME ZONE 'Asia/Shanghai')::int FROM audit_log_unpartitioned))),
    (SELECT greatest(
        extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')::int + 1,
        (SELECT extract(year FROM max(at) AT TIME ZONE 'Asia/Shanghai')::int FROM case_events_unpartitioned),
        (SELECT extract(year FROM max(occurred_at) AT TIME ZONE 'Asia/Shanghai')::int FROM audit_log_unpartitioned))));

-- The rows move over unchanged. The guards go on after the copy (the
-- archived-case guard would refuse the events of archived cases).
INSERT INTO case_events (id, case_id, at, actor_id, actor_name, action, from_status, to_status, detail)
    SELECT id, case_id, at, actor_id, actor_name, action, from_status, to_status, detail
    FROM case_events_unpartitioned ORDER BY id;
INSERT INTO audit_log (id, chain, seq, occurred_at, org_id, actor_id, actor_name, action, object_type,
                       object_id, detail, ip, request_id, prev_hash, hash)
    SELECT id, chain, seq, occurred_at, org_id, actor_id, actor_name, action, object_type,
           object_id, detail, ip, request_id, prev_hash, hash
    FROM audit_log_unpartitioned ORDER BY id;
DROP TABLE case_events_unpartitioned;
DROP TABLE audit_log_unpartitioned;

ALTER TABLE case_events ADD CONSTRAINT case_events_pkey PRIMARY KEY (id, at);
CREATE INDEX case_events_case_idx ON case_events (case_id, id);
CREATE TRIGGER case_events_archived_guard BEFORE INSERT OR UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION refuse_archived_case();

ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id, occurred_at);
ALTER TABLE audit_log ADD CONSTRAINT audit_log_chain_seq_key UNIQUE (chain, seq, occurred_at);
CREATE INDEX audit_log_org_id_idx ON audit_log (org_id, id DESC);
CREATE INDEX audit_log_actor_id_idx ON audit_log (actor_id, id DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, id DESC);
CREATE INDEX audit_log_occurred_at_idx ON audit_log (occurred_at DESC);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- +goose Down
ALTER TABLE case_events RENAME TO case_events_partitioned;
ALTER TABLE case_events_partitioned DROP CONSTRAINT case_events_pkey;
DROP INDEX case_events_case_idx;
ALTER SEQUENCE case_events_id_seq OWNED BY NONE;
ALTER TABLE audit_log RENAME TO audit_log_partitioned;
ALTER TABLE audit_log_partitioned DROP CONSTRAINT audit_log_pkey, DROP CONSTRAINT audit_log_chain_seq_key;
DROP INDEX audit_log_org_id_idx, audit_log_actor_id_idx, audit_log_action_idx, audit_log_occurred_at_idx;
ALTER SEQUENCE audit_log_id_seq OWNED BY NONE;

CREATE TABLE case_events (
    id          bigint      PRIMARY KEY DEFAULT nextval('case_events_id_seq'),
    case_id     bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint,
    actor_name  text        NOT NULL DEFAULT '',
    action      text        NOT NULL,
    from_status text        NOT NULL DEFAULT '',
    to_status   text        NOT NULL DEFAULT '',
    detail      jsonb       NOT NULL DEFAULT '{}'
);
ALTER SEQUENCE case_events_id_seq OWNED BY case_events.id;
INSERT INTO case_events SELECT id, case_id, at, actor_id, actor_name, action, from_status, to_status, detail
    FROM case_events_partitioned ORDER BY id;
DROP TABLE case_events_partitioned;
CREATE INDEX case_events_case_idx ON case_events (case_id, id);
CREATE TRIGGER case_events_archived_guard BEFORE INSERT OR UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION refuse_archived_case();

CREATE TABLE audit_log (
    id          bigint      PRIMARY KEY DEFAULT nextval('audit_log_id_seq'),
    chain       text        COLLATE "C" NOT NULL CHECK (chain <> ''),
    seq         bigint      NOT NULL CHECK (seq > 0),
    occurred_at timestamptz NOT NULL,
    org_id      bigint,
    actor_id    bigint,
    actor_name  text        NOT NULL DEFAULT '',
    action      text        COLLATE "C" NOT NULL CHECK (action <> ''),
    object_type text        NOT NULL DEFAULT '',
    object_id   text        NOT NULL DEFAULT '',
    detail      jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object'),
    ip          text        NOT NULL DEFAULT '',
    request_id  text        NOT NULL DEFAULT '',
    prev_hash   text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash        text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT audit_log_chain_seq_key UNIQUE (chain, seq)
);
ALTER SEQUENCE audit_log_id_seq OWNED BY audit_log.id;
INSERT INTO audit_log SELECT id, chain, seq, occurred_at, org_id, actor_id, actor_name, action, object_type,
                             object_id, detail, ip, request_id, prev_hash, hash
    FROM audit_log_partitioned ORDER BY id;
DROP TABLE audit_log_partitioned;
CREATE INDEX audit_log_org_id_idx ON audit_log (org_id, id DESC);
CREATE INDEX audit_log_actor_id_idx ON audit_log (actor_id, id DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, id DESC);
CREATE INDEX audit_log_occurred_at_idx ON audit_log (occurred_at DESC);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

DROP FUNCTION ensure_year_partitions(int, int);
DROP FUNCTION ensure_year_partition(regclass, int);
