-- +goose Up
-- The mediator register (调解员名册), the technical experts a committee
-- may invite to a case, the parties' feedback on an ended case and their
-- complaints about a mediator (internal/register, docs/design.md §17).
-- internal/register owns the tables.

-- A mediator's profile in the register of one committee: specialties
-- (from a fixed list, plus a free-text technical field), qualifications
-- and whether a court appointed them its invited mediator (特邀调解员).
CREATE TABLE mediator_profiles (
    org_id          bigint      NOT NULL REFERENCES orgs (id),
    user_id         bigint      NOT NULL REFERENCES users (id),
    specialties     text[]      NOT NULL DEFAULT '{}'
        CHECK (specialties <@ ARRAY['patent', 'trademark', 'copyright', 'trade_secret']::text[]),
    technical_field text        NOT NULL DEFAULT '',
    qualifications  text[]      NOT NULL DEFAULT '{}'
        CHECK (qualifications <@ ARRAY['lawyer', 'patent_attorney', 'engineer']::text[]),
    qualification_other text    NOT NULL DEFAULT '',
    court_invited   boolean     NOT NULL DEFAULT false,
    court_name      text        NOT NULL DEFAULT '',
    invited_from    date,
    invited_to      date,
    version         integer     NOT NULL DEFAULT 1,
    updated_by      bigint      REFERENCES users (id),
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (org_id, user_id),
    CHECK (NOT court_invited OR (court_name <> '' AND invited_from IS NOT NULL)),
    CHECK (invited_to IS NULL OR invited_from IS NULL OR invited_to >= invited_from)
);

-- A training a mediator of the register attended.
CREATE TABLE mediator_trainings (
    id             bigserial   PRIMARY KEY,
    org_id         bigint      NOT NULL REFERENCES orgs (id),
    user_id        bigint      NOT NULL REFERENCES users (id),
    title          text        NOT NULL CHECK (title <> ''),
    hours          numeric(6,1) NOT NULL CHECK (hours > 0),
    certificate    text        NOT NULL DEFAULT '',
    certificate_no text        NOT NULL DEFAULT '',
    trained_on     date        NOT NULL,
    recorded_by    bigint      REFERENCES users (id),
    recorded_at    timestamptz NOT NULL
);
CREATE INDEX mediator_trainings_user_idx ON mediator_trainings (org_id, user_id, trained_on DESC);

-- A technical expert of a committee: not a user and not one of its
-- mediators; invited to a case to explain technical questions.
CREATE TABLE technical_experts (
    id         bigserial   PRIMARY KEY,
    org_id     bigint      NOT NULL REFERENCES orgs (id),
    name       text        NOT NULL CHECK (name <> ''),
    field      text        NOT NULL CHECK (field <> ''),
    employer   text        NOT NULL DEFAULT '',
    phone_enc  text        NOT NULL DEFAULT '',
    active     boolean     NOT NULL DEFAULT true,
    created_by bigint      REFERENCES users (id),
    created_at timestamptz NOT NULL
);
CREATE INDEX technical_experts_org_idx ON technical_experts (org_id, name);

-- An expert invited to a case; removal keeps the row.
CREATE TABLE case_experts (
    case_id    bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    expert_id  bigint      NOT NULL REFERENCES technical_experts (id),
    invited_by bigint      REFERENCES users (id),
    invited_at timestamptz NOT NULL,
    removed_by bigint      REFERENCES users (id),
    removed_at timestamptz,
    PRIMARY KEY (case_id, expert_id)
);

-- A party's feedback on an ended case: once per party.
CREATE TABLE case_feedback (
    id         bigserial   PRIMARY KEY,
    case_id    bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    party_id   bigint      NOT NULL REFERENCES case_parties (id),
    service    smallint    NOT NULL CHECK (service BETWEEN 1 AND 5),
    fairness   smallint    NOT NULL CHECK (fairness BETWEEN 1 AND 5),
    timeliness smallint    NOT NULL CHECK (timeliness BETWEEN 1 AND 5),
    comment    text        NOT NULL DEFAULT '',
    -- Who gave it: a user of the party enterprise, or the party through
    -- its personal access link.
    user_id    bigint      REFERENCES users (id),
    access_id  bigint,
    created_at timestamptz NOT NULL,
    UNIQUE (case_id, party_id),
    CHECK ((user_id IS NULL) <> (access_id IS NULL))
);

-- A complaint about a mediator of a case, answered by the committee's
-- director.
CREATE TABLE mediator_complaints (
    id          bigserial   PRIMARY KEY,
    case_id     bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    org_id      bigint      NOT NULL REFERENCES orgs (id),
    mediator_id bigint      NOT NULL REFERENCES users (id),
    party_id    bigint      NOT NULL REFERENCES case_parties (id),
    feedback_id bigint      REFERENCES case_feedback (id),
    body        text        NOT NULL CHECK (body <> ''),
    status      text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered')),
    answer      text        NOT NULL DEFAULT '',
    user_id     bigint      REFERENCES users (id),
    access_id   bigint,
    created_at  timestamptz NOT NULL,
    answered_by bigint      REFERENCES users (id),
    answered_at timestamptz,
    CHECK ((status = 'answered') = (answered_at IS NOT NULL AND answer <> '')),
    CHECK ((user_id IS NULL) <> (access_id IS NULL))
);
CREATE INDEX mediator_complaints_org_idx ON mediator_complaints (org_id, id DESC);
CREATE INDEX mediator_complaints_case_idx ON mediator_complaints (case_id);

ALTER TABLE deadlines DROP CONSTRAINT deadlines_subject_type_check;
ALTER TABLE deadlines ADD CONSTRAINT deadlines_subject_type_check
    CHECK (subject_type IN ('case', 'referral', 'application', 'org', 'credit_record', 'customs_recordation', 'fair_complaint',
        'mediator_complaint'));

-- +goose Down
DELETE FROM deadlines WHERE subject_type = 'mediator_complaint';
ALTER TABLE deadlines DROP CONSTRAINT deadlines_subject_type_check;
ALTER TABLE deadlines ADD CONSTRAINT deadlines_subject_type_check
    CHECK (subject_type IN ('case', 'referral', 'application', 'org', 'credit_record', 'customs_recordation', 'fair_complaint'));
DROP TABLE mediator_complaints;
DROP TABLE case_feedback;
DROP TABLE case_experts;
DROP TABLE technical_experts;
DROP TABLE mediator_trainings;
DROP TABLE mediator_profiles;
