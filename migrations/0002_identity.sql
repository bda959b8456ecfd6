-- +goose Up
-- Users sign in with a username and password. Role assignments are not
-- here: they are casbin grouping rows (see 0004_casbin.sql), the single
-- source of truth for who holds which role in which organisation.
CREATE TABLE users (
    id                   bigserial PRIMARY KEY,
    username             text        NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
    display_name         text        NOT NULL CHECK (display_name <> ''),
    password_hash        text        NOT NULL,
    email                text        NOT NULL DEFAULT '',
    -- Personal information: encrypted at rest (AES-GCM, internal/pii).
    phone_enc            text        NOT NULL DEFAULT '',
    active               boolean     NOT NULL DEFAULT true,
    failed_logins        integer     NOT NULL DEFAULT 0,
    locked_until         timestamptz,
    password_changed_at  timestamptz NOT NULL DEFAULT now(),
    last_login_at        timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_key ON users (username);

-- API bearer tokens: only the SHA-256 of the token is stored, so a leaked
-- table does not leak usable tokens.
CREATE TABLE api_tokens (
    id           bigserial PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   text        NOT NULL UNIQUE,
    name         text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);

-- Server-side web sessions (alexedwards/scs postgresstore layout).
CREATE TABLE sessions (
    token  text        PRIMARY KEY,
    data   bytea       NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE users;
