-- +goose Up
-- The tamper-evident audit log (docs/design.md §12: audit log). Rows are append-only;
-- each carries the SHA-256 of its own canonical content and the hash of the
-- previous row of its chain, so altering or deleting a row breaks the chain
-- and `ipmediate audit verify` names the first broken row. internal/audit
-- computes the hashes; see its package documentation for the canonical form.
--
-- There is one chain per organisation ('org:<id>') plus 'system' for events
-- outside any organisation, so writers of different organisations never
-- queue behind one global lock.
--
-- org_id and actor_id deliberately have no foreign keys: the log must
-- outlive the organisations and users it mentions, and ON DELETE actions
-- would have to rewrite rows that may never change.
--
-- chain and action use the "C" collation: chains are walked in byte order,
-- the same on every server whatever its locale, and LIKE 'prefix%' on
-- action can use the btree index.
CREATE TABLE audit_log (
    id          bigserial   PRIMARY KEY,
    chain       text        COLLATE "C" NOT NULL CHECK (chain <> ''),
    seq         bigint      NOT NULL CHECK (seq > 0),
    occurred_at timestamptz NOT NULL,
    org_id      bigint,
    actor_id    bigint,
    actor_name  text        NOT NULL DEFAULT '',
    action      text        COLLATE "C" NOT NULL CHECK (action <> ''),
    object_type text        NOT NULL DEFAULT '',
    object_id   text        NOT NULL DEFAULT '',
    -- Before/after values and other particulars of the event.
    detail      jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object'),
    ip          text        NOT NULL DEFAULT '',
    request_id  text        NOT NULL DEFAULT '',
    -- Hex SHA-256 of the previous row of the chain; 64 zeros for seq 1.
    prev_hash   text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    -- Hex SHA-256 of this row's canonical content (which includes prev_hash).
    hash        text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT audit_log_chain_seq_key UNIQUE (chain, seq)
);
-- Browsing (the sysadmin audit page) filters by one of these and pages by id.
CREATE INDEX audit_log_org_id_idx ON audit_log (org_id, id DESC);
CREATE INDEX audit_log_actor_id_idx ON audit_log (actor_id, id DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, id DESC);
CREATE INDEX audit_log_occurred_at_idx ON audit_log (occurred_at DESC);

-- The head of each chain: its last seq and hash. A writer locks only its
-- own chain's head row for the rest of its transaction, which makes seqs
-- gapless and serialises writers of one chain without touching others.
-- Verify compares the head with the last row, so deleting the newest rows
-- of a chain is detected too.
CREATE TABLE audit_chain_heads (
    chain     text   COLLATE "C" PRIMARY KEY,
    last_seq  bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
    last_hash text   NOT NULL DEFAULT repeat('0', 64) CHECK (last_hash ~ '^[0-9a-f]{64}$')
);

-- +goose StatementBegin
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'audit rows can only be inserted, through internal/audit';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- A head may only start empty and then advance one seq at a time, so a
-- stray UPDATE cannot rewind a chain (the next append would then collide
-- with an existing seq and every audited write of that organisation would
-- fail) and a DELETE cannot hide the newest rows of a chain.
-- +goose StatementBegin
CREATE FUNCTION audit_chain_heads_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.last_seq <> 0 OR NEW.last_hash <> repeat('0', 64) THEN
            RAISE EXCEPTION 'audit chain % must start at seq 0', NEW.chain
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.chain <> OLD.chain OR NEW.last_seq <> OLD.last_seq + 1 THEN
            RAISE EXCEPTION 'audit chain % may only advance by one seq (from % to %)',
                OLD.chain, OLD.last_seq, NEW.last_seq
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_chain_heads rows cannot be removed: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_chain_heads_guard
    BEFORE INSERT OR UPDATE OR DELETE ON audit_chain_heads
    FOR EACH ROW EXECUTE FUNCTION audit_chain_heads_guard();

CREATE TRIGGER audit_chain_heads_no_truncate
    BEFORE TRUNCATE ON audit_chain_heads
    FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_heads_guard();

-- +goose Down
DROP TABLE audit_chain_heads;
DROP TABLE audit_log;
DROP FUNCTION audit_chain_heads_guard();
DROP FUNCTION audit_log_refuse_change();
