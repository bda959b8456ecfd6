-- +goose Up
-- A natural person registers by phone and sees all the cases in which
-- it is a party or an agent (internal/party, docs/design.md §16.2).
--
-- The blind index of each stored phone: HMAC-SHA256 under the PII HMAC
-- key of "mobile|<normalized number>" (domain.MobileIndexKey), so that a
-- phone can be found without decrypting every row and a copy of the
-- database reveals no number. Intake fills both columns and sets
-- phones_hashed; rows written before this migration are hashed by the
-- application at its start (party.BackfillPhoneHashes), which reads them
-- through the small partial index below and so costs nothing once done.
ALTER TABLE case_parties
    ADD COLUMN phone_hash       text    NOT NULL DEFAULT '' CHECK (phone_hash = '' OR phone_hash ~ '^[0-9a-f]{64}$'),
    ADD COLUMN agent_phone_hash text    NOT NULL DEFAULT '' CHECK (agent_phone_hash = '' OR agent_phone_hash ~ '^[0-9a-f]{64}$'),
    ADD COLUMN phones_hashed    boolean NOT NULL DEFAULT false;
CREATE INDEX case_parties_phone_hash_idx ON case_parties (phone_hash) WHERE phone_hash <> '';
CREATE INDEX case_parties_agent_phone_hash_idx ON case_parties (agent_phone_hash) WHERE agent_phone_hash <> '';
CREATE INDEX case_parties_phones_unhashed_idx ON case_parties (id) WHERE NOT phones_hashed;

-- The account of a natural person, made at its first sign-in with a
-- code sent to its phone. The phone is kept encrypted, and its blind
-- index finds the account and the person's cases.
CREATE TABLE party_accounts (
    id             bigserial   PRIMARY KEY,
    phone_hash     text        NOT NULL UNIQUE CHECK (phone_hash ~ '^[0-9a-f]{64}$'),
    phone_enc      text        NOT NULL CHECK (phone_enc <> ''),
    created_at     timestamptz NOT NULL,
    last_signin_at timestamptz NOT NULL
);

-- Sign-in codes of accounts, per phone (the account may not exist yet):
-- only their keyed hash is kept, never the code.
CREATE TABLE party_account_codes (
    id         bigserial   PRIMARY KEY,
    phone_hash text        NOT NULL CHECK (phone_hash ~ '^[0-9a-f]{64}$'),
    code_hash  text        NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    attempts   integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX party_account_codes_phone_idx ON party_account_codes (phone_hash, created_at DESC);

-- Account sessions: the cookie carries a random token, the table its
-- SHA-256. An account session lists the person's cases; opening one
-- starts an ordinary party session (party_sessions) on a link of the
-- account.
CREATE TABLE party_account_sessions (
    id           bigserial   PRIMARY KEY,
    account_id   bigint      NOT NULL REFERENCES party_accounts (id) ON DELETE CASCADE,
    token_hash   text        NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    ended_at     timestamptz
);
CREATE INDEX party_account_sessions_account_idx ON party_account_sessions (account_id);

-- A link opened from an account rather than issued by the staff: its
-- token was never sent anywhere; the staff see it in the case's links
-- and may revoke it like any other.
ALTER TABLE party_access ADD COLUMN account_id bigint REFERENCES party_accounts (id);
CREATE INDEX party_access_account_idx ON party_access (account_id, party_id) WHERE account_id IS NOT NULL;

-- +goose Down
DROP INDEX party_access_account_idx;
ALTER TABLE party_access DROP COLUMN account_id;
DROP TABLE party_account_sessions;
DROP TABLE party_account_codes;
DROP TABLE party_accounts;
DROP INDEX case_parties_phones_unhashed_idx;
DROP INDEX case_parties_agent_phone_hash_idx;
DROP INDEX case_parties_phone_hash_idx;
ALTER TABLE case_parties DROP COLUMN phones_hashed, DROP COLUMN agent_phone_hash, DROP COLUMN phone_hash;
