-- +goose Up
-- SME rights-protection assistance (维权援助, docs/design.md §8) and the exhibition
-- fast track. An enterprise applies to the assistance centre; an officer
-- reviews the application, asks for missing materials with a deadline
-- (rule assistance.supplement; the application lapses when it passes),
-- approves it with a plan or rejects it with a reason. An approved plan
-- opens a mediation case or sends referrals; the links are kept here so the
-- SME can follow what its application led to.

-- Gapless application numbers per assistance centre and year, like case
-- numbers: the apply transaction increments its row.
CREATE TABLE assistance_counters (
    org_id  bigint  NOT NULL REFERENCES orgs (id),
    year    integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    last_no integer NOT NULL CHECK (last_no >= 0),
    PRIMARY KEY (org_id, year)
);

-- The named exhibitions of the fast track (data, not code: a new fair is
-- an INSERT). Complaints name one of these by code.
CREATE TABLE exhibitions (
    code    text    PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name_zh text    NOT NULL CHECK (name_zh <> ''),
    name_en text    NOT NULL DEFAULT '',
    -- When the fair is usually held, for the forms (e.g. "每年5月18日前后").
    season  text    NOT NULL DEFAULT '',
    active  boolean NOT NULL DEFAULT true,
    position integer NOT NULL DEFAULT 0
);
INSERT INTO exhibitions (code, name_zh, name_en, season, position) VALUES
    ('fair-518', '5·18 海峡两岸经贸交易会（海交会）', '5·18 Cross-Strait Fair for Economy and Trade', '每年5月18日前后', 1),
    ('fair-618', '6·18 中国·海峡项目成果交易会', '6·18 China Cross-Strait Fair for Projects and Achievements', '每年6月18日前后', 2),
    ('digital-china', '数字中国建设峰会', 'Digital China Summit', '每年4月前后', 3),
    ('fisheries-expo', '中国（福州）国际渔业博览会', 'China (Fuzhou) International Fisheries Expo', '每年6月前后', 4);

CREATE TABLE assistance_applications (
    id                  bigserial   PRIMARY KEY,
    number              text        NOT NULL UNIQUE,
    year                integer     NOT NULL,
    seq                 integer     NOT NULL CHECK (seq > 0),
    -- The applicant enterprise (an organisation of type enterprise) and
    -- the assistance centre that handles the application.
    applicant_org_id    bigint      NOT NULL REFERENCES orgs (id),
    center_org_id       bigint      NOT NULL REFERENCES orgs (id),
    submitted_by        bigint      REFERENCES users (id),
    contact_name        text        NOT NULL DEFAULT '',
    -- Personal information: encrypted at rest (AES-GCM, internal/pii).
    contact_phone_enc   text        NOT NULL DEFAULT '',
    -- The IP rights concerned: [{kind, number, title, holder}], numbers
    -- checked like a case's.
    rights              jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(rights) = 'array'),
    -- What happened, and who is suspected of infringing (optional).
    narrative           text        NOT NULL CHECK (narrative <> ''),
    respondent_name     text        NOT NULL DEFAULT '',
    respondent_credit_code text     NOT NULL DEFAULT '',
    -- Where: in China (place = city, address), online (place = the shop
    -- or site), abroad (country required), at a named exhibition.
    place_kind          text        NOT NULL CHECK (place_kind IN ('domestic', 'online', 'abroad', 'exhibition')),
    place               text        NOT NULL DEFAULT '',
    country             text        NOT NULL DEFAULT '',
    exhibition_code     text        REFERENCES exhibitions (code),
    -- The help wanted, from the list of docs/design.md §8.
    help_wanted         text[]      NOT NULL CHECK (cardinality(help_wanted) > 0 AND help_wanted <@ ARRAY[
                            'consultation', 'infringement_opinion', 'expert_review', 'mediation', 'litigation_support',
                            'customs_support', 'exhibition_response', 'overseas_guidance']::text[]),
    status              text        NOT NULL CHECK (status IN ('submitted', 'under_review', 'materials_requested',
                            'approved', 'rejected', 'lapsed')),
    -- The plan of an approved application: the kinds of help given and
    -- the officer responsible for them.
    plan_help           text[]      NOT NULL DEFAULT '{}' CHECK (plan_help <@ ARRAY[
                            'consultation', 'infringement_opinion', 'expert_review', 'mediation', 'litigation_support',
                            'customs_support', 'exhibition_response', 'overseas_guidance']::text[]),
    plan_note           text        NOT NULL DEFAULT '',
    responsible_user_id bigint      REFERENCES users (id),
    reject_reason       text        NOT NULL DEFAULT '',
    decided_by          bigint      REFERENCES users (id),
    decided_at          timestamptz,
    version             integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (center_org_id, year, seq),
    CHECK (place_kind <> 'abroad' OR country <> ''),
    CHECK ((place_kind = 'exhibition') = (exhibition_code IS NOT NULL)),
    CHECK (status <> 'approved' OR cardinality(plan_help) > 0),
    CHECK (status <> 'rejected' OR reject_reason <> '')
);
-- The SME's list and the centre's queue, newest first (keyset on id).
CREATE INDEX assistance_applications_applicant_idx ON assistance_applications (applicant_org_id, id DESC);
CREATE INDEX assistance_applications_center_idx ON assistance_applications (center_org_id, status, id DESC);

-- Requests for missing materials (补正): the message, the due time (the
-- deadline row of rule assistance.supplement) and the applicant's answer.
CREATE TABLE assistance_material_requests (
    id             bigserial   PRIMARY KEY,
    application_id bigint      NOT NULL REFERENCES assistance_applications (id) ON DELETE CASCADE,
    message        text        NOT NULL CHECK (message <> ''),
    requested_by   bigint      REFERENCES users (id),
    requested_at   timestamptz NOT NULL,
    due_at         timestamptz NOT NULL,
    deadline_id    bigint      REFERENCES deadlines (id),
    status         text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'lapsed', 'cancelled')),
    answer         text        NOT NULL DEFAULT '',
    answered_by    bigint      REFERENCES users (id),
    answered_at    timestamptz,
    CHECK ((status = 'answered') = (answered_at IS NOT NULL))
);
CREATE INDEX assistance_material_requests_app_idx ON assistance_material_requests (application_id, id);
-- At most one open request per application.
CREATE UNIQUE INDEX assistance_material_requests_open_key ON assistance_material_requests (application_id) WHERE status = 'open';

-- What an approved plan led to: mediation cases opened and referrals sent
-- (the referral id refers to the referral model's table).
CREATE TABLE assistance_links (
    id             bigserial   PRIMARY KEY,
    application_id bigint      NOT NULL REFERENCES assistance_applications (id) ON DELETE CASCADE,
    kind           text        NOT NULL CHECK (kind IN ('case', 'referral')),
    case_id        bigint      REFERENCES cases (id),
    referral_id    bigint,
    created_by     bigint      REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'case') = (case_id IS NOT NULL)),
    CHECK ((kind = 'referral') = (referral_id IS NOT NULL))
);
CREATE INDEX assistance_links_app_idx ON assistance_links (application_id, id);
CREATE UNIQUE INDEX assistance_links_case_key ON assistance_links (case_id) WHERE case_id IS NOT NULL;
CREATE UNIQUE INDEX assistance_links_referral_key ON assistance_links (referral_id) WHERE referral_id IS NOT NULL;

-- The application's timeline: who did what, when, before and after.
CREATE TABLE assistance_events (
    id             bigserial   PRIMARY KEY,
    application_id bigint      NOT NULL REFERENCES assistance_applications (id) ON DELETE CASCADE,
    at             timestamptz NOT NULL DEFAULT now(),
    actor_id       bigint,
    actor_name     text        NOT NULL DEFAULT '',
    action         text        NOT NULL,
    from_status    text        NOT NULL DEFAULT '',
    to_status      text        NOT NULL DEFAULT '',
    detail         jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX assistance_events_app_idx ON assistance_events (application_id, id);

-- Files attached to an application (evidence, right certificates, the
-- materials asked for). The bytes live outside the database under
-- storage_key, like case documents.
CREATE TABLE assistance_documents (
    id             bigserial   PRIMARY KEY,
    application_id bigint      NOT NULL REFERENCES assistance_applications (id) ON DELETE CASCADE,
    request_id     bigint      REFERENCES assistance_material_requests (id),
    kind           text        NOT NULL CHECK (kind IN ('evidence', 'right_certificate', 'business_license',
                       'power_of_attorney', 'other')),
    file_name      text        NOT NULL CHECK (file_name <> ''),
    size_bytes     bigint      NOT NULL CHECK (size_bytes >= 0),
    content_type   text        NOT NULL,
    sha256         text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    storage_key    text        NOT NULL UNIQUE,
    uploaded_by    bigint      REFERENCES users (id),
    uploaded_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assistance_documents_app_idx ON assistance_documents (application_id, id);

-- Complaints lodged at a named exhibition (fast track): each created a
-- case with source exhibition and a 24-hour first-response deadline.
CREATE TABLE exhibition_complaints (
    id              bigserial   PRIMARY KEY,
    case_id         bigint      NOT NULL UNIQUE REFERENCES cases (id) ON DELETE CASCADE,
    exhibition_code text        NOT NULL REFERENCES exhibitions (code),
    booth           text        NOT NULL DEFAULT '',
    complainant_org_id bigint   REFERENCES orgs (id),
    lodged_by       bigint      REFERENCES users (id),
    lodged_at       timestamptz NOT NULL,
    first_response_due timestamptz NOT NULL
);
CREATE INDEX exhibition_complaints_lodged_idx ON exhibition_complaints (lodged_at, id);

-- The referral rules (internal/assistance, RunReferralRules) look for
-- failed mediations and flagged respondents among all cases: these keep
-- those scans to the few rows concerned.
CREATE INDEX cases_repeat_infringer_idx ON cases (id) WHERE repeat_infringer;
CREATE INDEX cases_suggested_route_idx ON cases (id) WHERE suggested_route <> '';

-- +goose Down
DROP INDEX cases_suggested_route_idx;
DROP INDEX cases_repeat_infringer_idx;
DROP TABLE exhibition_complaints;
DROP TABLE assistance_documents;
DROP TABLE assistance_events;
DROP TABLE assistance_links;
DROP TABLE assistance_material_requests;
DROP TABLE assistance_applications;
DROP TABLE exhibitions;
DROP TABLE assistance_counters;
