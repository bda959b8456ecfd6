-- +goose Up
-- Dispute cases (docs/design.md §4). Personal information of parties (identity
-- numbers, phones, addresses) is stored encrypted (*_enc, AES-GCM) with an
-- HMAC blind index (*_hash) where exact lookup is needed.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Gapless case numbers per handling organisation and year: the intake
-- transaction increments its row (a row lock serialises concurrent intakes
-- of one org-year, and a rolled-back intake gives its number back).
CREATE TABLE case_counters (
    org_id  bigint  NOT NULL REFERENCES orgs (id),
    year    integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    last_no integer NOT NULL CHECK (last_no >= 0),
    PRIMARY KEY (org_id, year)
);

CREATE TABLE cases (
    id                    bigserial PRIMARY KEY,
    org_id                bigint      NOT NULL REFERENCES orgs (id),
    number                text        NOT NULL UNIQUE,
    year                  integer     NOT NULL,
    seq                   integer     NOT NULL CHECK (seq > 0),
    region_code           text        NOT NULL DEFAULT '',
    source                text        NOT NULL CHECK (source IN ('direct', 'court_delegated', 'court_entrusted',
                              'office_referred', 'assistance_referred', 'exhibition', 'association')),
    dispute_type          text        NOT NULL CHECK (dispute_type IN ('patent_infringement', 'trademark_infringement',
                              'copyright_infringement', 'trade_secret', 'unfair_competition', 'ownership',
                              'licensing_contract', 'other')),
    summary               text        NOT NULL,
    claims                text        NOT NULL DEFAULT '',
    claim_amount_fen      bigint      NOT NULL DEFAULT 0 CHECK (claim_amount_fen >= 0),
    status                text        NOT NULL CHECK (status IN ('submitted', 'accepted', 'rejected', 'mediating',
                              'settled', 'failed', 'withdrawn', 'closed')),
    respondent_consent_at timestamptz,
    mediation_due_at      timestamptz,
    repeat_infringer      boolean     NOT NULL DEFAULT false,
    outcome               text        NOT NULL DEFAULT '',
    outcome_reason        text        NOT NULL DEFAULT '',
    suggested_route       text        NOT NULL DEFAULT '' CHECK (suggested_route IN ('', 'litigation', 'arbitration',
                              'administrative_adjudication', 'none')),
    closing_note          text        NOT NULL DEFAULT '',
    submitted_by          bigint      REFERENCES users (id),
    applicant_org_id      bigint      REFERENCES orgs (id),
    external_ref          text        NOT NULL DEFAULT '',
    version               integer     NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    accepted_at           timestamptz,
    closed_at             timestamptz,
    UNIQUE (org_id, year, seq)
);
-- The org queues: newest first, optionally by status (keyset on id).
CREATE INDEX cases_org_id_idx ON cases (org_id, id DESC);
CREATE INDEX cases_org_status_id_idx ON cases (org_id, status, id DESC);
CREATE INDEX cases_status_id_idx ON cases (status, id DESC);
CREATE INDEX cases_applicant_org_idx ON cases (applicant_org_id, id DESC) WHERE applicant_org_id IS NOT NULL;
CREATE INDEX cases_created_at_idx ON cases (created_at);
CREATE INDEX cases_number_trgm_idx ON cases USING gin (number gin_trgm_ops);

CREATE TABLE case_parties (
    id               bigserial PRIMARY KEY,
    case_id          bigint  NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    position         integer NOT NULL DEFAULT 0,
    role             text    NOT NULL CHECK (role IN ('applicant', 'respondent', 'third_party')),
    kind             text    NOT NULL CHECK (kind IN ('person', 'organisation')),
    name             text    NOT NULL CHECK (name <> ''),
    id_number_enc    text    NOT NULL DEFAULT '',
    id_number_hash   text    NOT NULL DEFAULT '',
    credit_code      text    NOT NULL DEFAULT '',
    phone_enc        text    NOT NULL DEFAULT '',
    address_enc      text    NOT NULL DEFAULT '',
    is_sme           boolean NOT NULL DEFAULT false,
    org_id           bigint  REFERENCES orgs (id),
    agent_name       text    NOT NULL DEFAULT '',
    agent_phone_enc  text    NOT NULL DEFAULT '',
    agent_license    text    NOT NULL DEFAULT '',
    agent_poa_doc_id bigint,
    repeat_infringer boolean NOT NULL DEFAULT false
);
CREATE INDEX case_parties_case_idx ON case_parties (case_id, position);
CREATE INDEX case_parties_name_trgm_idx ON case_parties USING gin (name gin_trgm_ops);
CREATE INDEX case_parties_credit_code_idx ON case_parties (credit_code) WHERE credit_code <> '';
CREATE INDEX case_parties_id_hash_idx ON case_parties (id_number_hash) WHERE id_number_hash <> '';
CREATE INDEX case_parties_org_idx ON case_parties (org_id, case_id) WHERE org_id IS NOT NULL;

CREATE TABLE case_rights (
    id         bigserial PRIMARY KEY,
    case_id    bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    position   integer NOT NULL DEFAULT 0,
    kind       text   NOT NULL CHECK (kind IN ('invention_patent', 'utility_model_patent', 'design_patent', 'trademark',
                   'copyright', 'software_copyright', 'trade_secret', 'geographical_indication', 'plant_variety',
                   'layout_design')),
    number     text   NOT NULL DEFAULT '',
    title      text   NOT NULL DEFAULT '',
    holder     text   NOT NULL DEFAULT '',
    valid_from date,
    valid_to   date,
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from)
);
CREATE INDEX case_rights_case_idx ON case_rights (case_id, position);
CREATE INDEX case_rights_number_idx ON case_rights (number) WHERE number <> '';

CREATE TABLE case_mediators (
    case_id     bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    user_id     bigint      NOT NULL REFERENCES users (id),
    assigned_at timestamptz NOT NULL DEFAULT now(),
    assigned_by bigint      REFERENCES users (id),
    declared_at timestamptz,
    declaration text        NOT NULL DEFAULT '',
    removed_at  timestamptz,
    PRIMARY KEY (case_id, user_id)
);
-- "My cases": a mediator's active assignments.
CREATE INDEX case_mediators_user_idx ON case_mediators (user_id, case_id DESC) WHERE removed_at IS NULL;

CREATE TABLE case_objections (
    id              bigserial PRIMARY KEY,
    case_id         bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    mediator_id     bigint      NOT NULL REFERENCES users (id),
    party_id        bigint      NOT NULL REFERENCES case_parties (id),
    reason          text        NOT NULL CHECK (reason <> ''),
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'upheld', 'dismissed')),
    raised_by       bigint      REFERENCES users (id),
    decided_by      bigint      REFERENCES users (id),
    decision_reason text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    decided_at      timestamptz
);
CREATE INDEX case_objections_case_idx ON case_objections (case_id);
CREATE INDEX case_objections_pending_idx ON case_objections (case_id) WHERE status = 'pending';

CREATE TABLE case_sessions (
    id              bigserial PRIMARY KEY,
    case_id         bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    held_at         timestamptz NOT NULL,
    mode            text        NOT NULL CHECK (mode IN ('in_person', 'video', 'phone')),
    place           text        NOT NULL DEFAULT '',
    attendees       text        NOT NULL DEFAULT '',
    minutes         text        NOT NULL DEFAULT '',
    next_steps      text        NOT NULL DEFAULT '',
    next_session_at timestamptz,
    recorded_by     bigint      REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_sessions_case_idx ON case_sessions (case_id, held_at);
CREATE INDEX case_sessions_next_idx ON case_sessions (next_session_at) WHERE next_session_at IS NOT NULL;

CREATE TABLE case_agreements (
    id                 bigserial PRIMARY KEY,
    case_id            bigint      NOT NULL UNIQUE REFERENCES cases (id) ON DELETE CASCADE,
    facts              text        NOT NULL CHECK (facts <> ''),
    disputed_matters   text        NOT NULL CHECK (disputed_matters <> ''),
    responsibilities   text        NOT NULL CHECK (responsibilities <> ''),
    terms              text        NOT NULL CHECK (terms <> ''),
    performance_method text        NOT NULL CHECK (performance_method <> ''),
    performance_due    date,
    effective_at       timestamptz,
    created_by         bigint      REFERENCES users (id),
    created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agreement_signoffs (
    id           bigserial PRIMARY KEY,
    agreement_id bigint      NOT NULL REFERENCES case_agreements (id) ON DELETE CASCADE,
    signer_kind  text        NOT NULL CHECK (signer_kind IN ('party', 'mediator', 'seal')),
    party_id     bigint      REFERENCES case_parties (id),
    user_id      bigint      REFERENCES users (id),
    signer_name  text        NOT NULL,
    method       text        NOT NULL CHECK (method IN ('handwritten', 'electronic', 'seal')),
    signed_at    timestamptz NOT NULL,
    recorded_by  bigint      REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((signer_kind = 'party') = (party_id IS NOT NULL)),
    CHECK ((signer_kind = 'mediator') = (user_id IS NOT NULL))
);
-- One sign-off per party, per mediator, and one seal.
CREATE UNIQUE INDEX agreement_signoffs_party_key ON agreement_signoffs (agreement_id, party_id) WHERE party_id IS NOT NULL;
CREATE UNIQUE INDEX agreement_signoffs_user_key ON agreement_signoffs (agreement_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX agreement_signoffs_seal_key ON agreement_signoffs (agreement_id) WHERE signer_kind = 'seal';

-- The case timeline: who did what, when, before and after.
CREATE TABLE case_events (
    id          bigserial PRIMARY KEY,
    case_id     bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint,
    actor_name  text        NOT NULL DEFAULT '',
    action      text        NOT NULL,
    from_status text        NOT NULL DEFAULT '',
    to_status   text        NOT NULL DEFAULT '',
    detail      jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_case_idx ON case_events (case_id, id);

-- Documents attached to cases (and, later, referrals and applications).
-- The bytes live outside the database under storage_key.
CREATE TABLE documents (
    id           bigserial PRIMARY KEY,
    case_id      bigint      REFERENCES cases (id) ON DELETE CASCADE,
    kind         text        NOT NULL CHECK (kind IN ('application', 'evidence', 'power_of_attorney', 'identity',
                     'agreement', 'notice', 'minutes', 'arbitration_agreement', 'court_document', 'other')),
    file_name    text        NOT NULL CHECK (file_name <> ''),
    size_bytes   bigint      NOT NULL CHECK (size_bytes >= 0),
    content_type text        NOT NULL,
    sha256       text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    storage_key  text        NOT NULL UNIQUE,
    confidential boolean     NOT NULL DEFAULT false,
    uploaded_by  bigint      REFERENCES users (id),
    uploaded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_case_idx ON documents (case_id, id) WHERE case_id IS NOT NULL;
ALTER TABLE case_parties ADD CONSTRAINT case_parties_poa_fk FOREIGN KEY (agent_poa_doc_id) REFERENCES documents (id);

-- Findings of intentional or repeated infringement (docs/design.md §9), matched at
-- intake by credit code or by the HMAC of an identity number. Filled by the
-- enforcement and court flows; read by the repeat-infringer check.
CREATE TABLE credit_records (
    id             bigserial PRIMARY KEY,
    subject_kind   text        NOT NULL CHECK (subject_kind IN ('person', 'organisation')),
    name           text        NOT NULL,
    credit_code    text        NOT NULL DEFAULT '',
    id_number_hash text        NOT NULL DEFAULT '',
    finding        text        NOT NULL,
    source         text        NOT NULL,
    decided_on     date        NOT NULL,
    repair_status  text        NOT NULL DEFAULT 'none' CHECK (repair_status IN ('none', 'repairing', 'repaired')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (credit_code <> '' OR id_number_hash <> '')
);
CREATE INDEX credit_records_credit_code_idx ON credit_records (credit_code) WHERE credit_code <> '';
CREATE INDEX credit_records_id_hash_idx ON credit_records (id_number_hash) WHERE id_number_hash <> '';

-- +goose Down
DROP TABLE credit_records;
ALTER TABLE case_parties DROP CONSTRAINT case_parties_poa_fk;
DROP TABLE documents;
DROP TABLE case_events;
DROP TABLE agreement_signoffs;
DROP TABLE case_agreements;
DROP TABLE case_sessions;
DROP TABLE case_objections;
DROP TABLE case_mediators;
DROP TABLE case_rights;
DROP TABLE case_parties;
DROP TABLE cases;
DROP TABLE case_counters;
