-- +goose Up
-- The complaint station of a fair and its complaint procedure
-- (docs/design.md §8, docs/law.md): who staffs the station, and each
-- complaint received there with its steps (received, transferred to the
-- IP administration, the respondent's answer, the decision and measures,
-- closed, or mediation with a case filed). internal/assistance owns the
-- tables.

-- The station's staff: users of the assistance centre, an enforcement
-- body or an industry association assigned to a fair by its managers.
CREATE TABLE fair_station_staff (
    exhibition_code text        NOT NULL REFERENCES exhibitions (code),
    user_id         bigint      NOT NULL REFERENCES users (id),
    -- The organisation through which the user staffs the station.
    org_id          bigint      NOT NULL REFERENCES orgs (id),
    added_by        bigint      REFERENCES users (id),
    added_at        timestamptz NOT NULL,
    PRIMARY KEY (exhibition_code, user_id)
);
CREATE INDEX fair_station_staff_user_idx ON fair_station_staff (user_id);

CREATE TABLE fair_complaints (
    id                      bigserial   PRIMARY KEY,
    exhibition_code         text        NOT NULL REFERENCES exhibitions (code),
    -- The station's organisation (the receiver's), which owes the
    -- 24-hour transfer.
    station_org_id          bigint      NOT NULL REFERENCES orgs (id),
    status                  text        NOT NULL
        CHECK (status IN ('received', 'transferred', 'answered', 'decided', 'mediation', 'closed')),
    infringement            boolean     NOT NULL,
    complainant_name        text        NOT NULL,
    complainant_credit_code text        NOT NULL DEFAULT '',
    right_kind              text        NOT NULL,
    right_number            text        NOT NULL DEFAULT '',
    right_title             text        NOT NULL DEFAULT '',
    right_proof             text        NOT NULL,
    respondent_name         text        NOT NULL,
    respondent_credit_code  text        NOT NULL DEFAULT '',
    booth                   text        NOT NULL,
    summary                 text        NOT NULL,
    received_by             bigint      REFERENCES users (id),
    received_at             timestamptz NOT NULL,
    transfer_due            timestamptz,
    enforcement_org_id      bigint      REFERENCES orgs (id),
    transferred_at          timestamptz,
    answer                  text        NOT NULL DEFAULT '',
    no_answer               boolean     NOT NULL DEFAULT false,
    answered_at             timestamptz,
    decision                text        NOT NULL DEFAULT '' CHECK (decision IN ('', 'infringing', 'not_infringing')),
    measures                text[]      NOT NULL DEFAULT '{}'::text[]
        CHECK (measures <@ ARRAY['removal', 'covering', 'withdrawal', 'none']::text[]),
    decided_at              timestamptz,
    case_id                 bigint      REFERENCES cases (id),
    closed_at               timestamptz,
    version                 int         NOT NULL DEFAULT 1,
    updated_at              timestamptz NOT NULL,
    CHECK (infringement OR transfer_due IS NULL)
);
CREATE INDEX fair_complaints_fair_idx ON fair_complaints (exhibition_code, received_at DESC, id);
-- The repeat-respondent flag looks for earlier complaints decided as
-- infringing against the same name or credit code.
CREATE INDEX fair_complaints_infringing_name_idx ON fair_complaints (respondent_name) WHERE decision = 'infringing';
CREATE INDEX fair_complaints_infringing_code_idx ON fair_complaints (respondent_credit_code)
    WHERE decision = 'infringing' AND respondent_credit_code <> '';

-- The history of a complaint: every step, who took it and what it said.
CREATE TABLE fair_complaint_events (
    id            bigserial   PRIMARY KEY,
    complaint_id  bigint      NOT NULL REFERENCES fair_complaints (id),
    at            timestamptz NOT NULL,
    actor_user_id bigint      REFERENCES users (id),
    actor_name    text        NOT NULL DEFAULT '',
    action        text        NOT NULL,
    from_status   text        NOT NULL DEFAULT '',
    to_status     text        NOT NULL,
    detail        jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object')
);
CREATE INDEX fair_complaint_events_complaint_idx ON fair_complaint_events (complaint_id, id);

-- An infringement complaint's 24-hour transfer is a deadline.
ALTER TABLE deadlines DROP CONSTRAINT deadlines_subject_type_check;
ALTER TABLE deadlines ADD CONSTRAINT deadlines_subject_type_check
    CHECK (subject_type IN ('case', 'referral', 'application', 'org', 'credit_record', 'customs_recordation', 'fair_complaint'));

-- +goose Down
DELETE FROM deadlines WHERE subject_type = 'fair_complaint';
ALTER TABLE deadlines DROP CONSTRAINT deadlines_subject_type_check;
ALTER TABLE deadlines ADD CONSTRAINT deadlines_subject_type_check
    CHECK (subject_type IN ('case', 'referral', 'application', 'org', 'credit_record', 'customs_recordation'));
DROP TABLE fair_complaint_events;
DROP TABLE fair_complaints;
DROP TABLE fair_station_staff;
