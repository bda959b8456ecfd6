-- +goose Up
-- Parties online (internal/party, docs/design.md §16): a party of a case,
-- or its agent, takes part without an account through a personal access
-- link and one-time codes sent to its phone.
--
-- A personal access link. The token exists only in the link sent to the
-- party; the table keeps its SHA-256, so a copy of the database opens no
-- case.
CREATE TABLE party_access (
    id           bigserial   PRIMARY KEY,
    case_id      bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    party_id     bigint      NOT NULL REFERENCES case_parties (id) ON DELETE CASCADE,
    agent        boolean     NOT NULL DEFAULT false,
    token_hash   text        NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_by   bigint      REFERENCES users (id),
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    revoked_by   bigint      REFERENCES users (id),
    last_used_at timestamptz,
    CHECK (expires_at > created_at),
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX party_access_case_idx ON party_access (case_id, id DESC);

-- One-time codes: only their HMAC is kept (keyed by the link's token
-- hash and the code's id), never the code. purpose signin opens a party
-- session; purpose sign confirms a signature.
CREATE TABLE party_codes (
    id         bigserial   PRIMARY KEY,
    access_id  bigint      NOT NULL REFERENCES party_access (id) ON DELETE CASCADE,
    purpose    text        NOT NULL CHECK (purpose IN ('signin', 'sign')),
    code_hash  text        NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    attempts   integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX party_codes_access_idx ON party_codes (access_id, created_at DESC);

-- Party sessions: separate from the staff sessions; the cookie carries a
-- random token, the table its SHA-256.
CREATE TABLE party_sessions (
    id           bigserial   PRIMARY KEY,
    access_id    bigint      NOT NULL REFERENCES party_access (id) ON DELETE CASCADE,
    token_hash   text        NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    ended_at     timestamptz
);
CREATE INDEX party_sessions_access_idx ON party_sessions (access_id);

-- +goose Down
DROP TABLE party_sessions;
DROP TABLE party_codes;
DROP TABLE party_access;
