-- +goose Up
-- Service of documents (送达, internal/service, docs/design.md §4 "Service
-- of documents").
--
-- The committee's seal image (PNG), one per organisation, in the file
-- store under a generated key; its director replaces it by uploading
-- another.
CREATE TABLE org_seals (
    org_id      bigint      PRIMARY KEY REFERENCES orgs (id),
    storage_key text        NOT NULL CHECK (storage_key <> ''),
    sha256      text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes  bigint      NOT NULL CHECK (size_bytes > 0),
    uploaded_by bigint      NOT NULL REFERENCES users (id),
    uploaded_at timestamptz NOT NULL
);

-- A service record (送达回证): which notice of which case was served on
-- which party, the PDF served (in the file store, with its SHA-256), when
-- and by whom it was sent, when it reached the party (delivered_at) and
-- when the party first opened it (opened_at, with the personal access
-- link or the account it was opened through). A record not opened in
-- time is served by other means: by post (tracking number) or in person
-- (the receiver), on served_on.
CREATE TABLE service_records (
    id               bigserial   PRIMARY KEY,
    case_id          bigint      NOT NULL REFERENCES cases (id),
    party_id         bigint      NOT NULL REFERENCES case_parties (id),
    doc              text        NOT NULL CHECK (doc IN ('acceptance', 'rejection', 'termination', 'agreement')),
    storage_key      text        NOT NULL CHECK (storage_key <> ''),
    sha256           text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes       bigint      NOT NULL CHECK (size_bytes > 0),
    sent_at          timestamptz NOT NULL,
    sent_by          bigint      NOT NULL REFERENCES users (id),
    delivered_at     timestamptz,
    opened_at        timestamptz,
    opened_access_id bigint,
    opened_by        bigint      REFERENCES users (id),
    method           text        NOT NULL DEFAULT 'electronic' CHECK (method IN ('electronic', 'post', 'in_person')),
    served_on        date,
    tracking_number  text        NOT NULL DEFAULT '',
    receiver         text        NOT NULL DEFAULT '',
    note             text        NOT NULL DEFAULT '',
    recorded_by      bigint      REFERENCES users (id),
    recorded_at      timestamptz,
    CHECK (opened_at IS NOT NULL OR (opened_access_id IS NULL AND opened_by IS NULL)),
    CHECK ((method = 'electronic') = (served_on IS NULL)),
    CHECK ((method = 'electronic') = (recorded_at IS NULL)),
    CHECK (method <> 'post' OR tracking_number <> ''),
    CHECK (method <> 'in_person' OR receiver <> '')
);
CREATE INDEX service_records_case_idx ON service_records (case_id, id);
CREATE INDEX service_records_party_idx ON service_records (party_id, id);
CREATE INDEX service_records_unopened_idx ON service_records (sent_at) WHERE opened_at IS NULL AND method = 'electronic';

-- +goose Down
DROP TABLE service_records;
DROP TABLE org_seals;
