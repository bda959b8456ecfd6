-- +goose Up
-- The parties' details that the mediation agreement names (People's
-- Mediation Law art. 29: 当事人的基本情况), the agreement's draft stage and
-- its oral form (art. 28), the route a rejection notice names, and the
-- finality of credit records (docs/design.md §4, §9; docs/law.md §3).

-- A natural person: gender, ethnic group, date of birth or age,
-- occupation; the address (address_enc) is the person's 住所. An
-- organisation: its legal representative (法定代表人) or, for an
-- organisation that is not a legal person, its principal (主要负责人),
-- with name and post. The date of birth is personal information, stored
-- encrypted like the identity number it can be read from.
ALTER TABLE case_parties
    ADD COLUMN gender               text     NOT NULL DEFAULT '' CHECK (gender IN ('', 'male', 'female')),
    ADD COLUMN ethnicity            text     NOT NULL DEFAULT '' CHECK (char_length(ethnicity) <= 16),
    ADD COLUMN birth_date_enc       text     NOT NULL DEFAULT '',
    ADD COLUMN age                  smallint CHECK (age IS NULL OR age BETWEEN 1 AND 150),
    ADD COLUMN occupation           text     NOT NULL DEFAULT '' CHECK (char_length(occupation) <= 64),
    ADD COLUMN representative_role  text     NOT NULL DEFAULT '' CHECK (representative_role IN ('', 'legal_representative', 'principal')),
    ADD COLUMN representative_name  text     NOT NULL DEFAULT '' CHECK (char_length(representative_name) <= 64),
    ADD COLUMN representative_title text     NOT NULL DEFAULT '' CHECK (char_length(representative_title) <= 64),
    ADD CONSTRAINT case_parties_representative_check CHECK ((representative_role = '') = (representative_name = ''));

-- agreement_draft (协议待签署): the agreement is recorded and may be
-- corrected; the case is settled when it takes effect.
ALTER TABLE cases DROP CONSTRAINT cases_status_check;
ALTER TABLE cases ADD CONSTRAINT cases_status_check CHECK (status IN ('submitted', 'accepted', 'rejected', 'mediating',
    'agreement_draft', 'settled', 'failed', 'withdrawn', 'closed'));

-- A rejection names the route the parties can take; other_body is another
-- mediation organisation or the body in charge of the matter.
ALTER TABLE cases DROP CONSTRAINT cases_suggested_route_check;
ALTER TABLE cases ADD CONSTRAINT cases_suggested_route_check CHECK (suggested_route IN ('', 'litigation', 'arbitration',
    'administrative_adjudication', 'other_body', 'none'));

-- outcome_at: when the decision that gave the case its outcome was made
-- (rejected, failed, withdrawn, or the agreement took effect); the notices
-- print it. Earlier cases take it from their timeline.
ALTER TABLE cases ADD COLUMN outcome_at timestamptz;
UPDATE cases SET outcome_at = (SELECT max(e.at) FROM case_events e WHERE e.case_id = cases.id
    AND e.action IN ('reject', 'fail', 'withdraw', 'agreement_effective'))
WHERE outcome <> '';

-- oral: an oral agreement whose content the mediator recorded (art. 28);
-- it takes effect on the day the parties reached it, without sign-off.
-- revision counts the corrections of the draft; revised_by/revised_at
-- name the last one. The recorder (记录人) of the text is revised_by, or
-- created_by when it was never corrected.
ALTER TABLE case_agreements
    ADD COLUMN oral       boolean     NOT NULL DEFAULT false,
    ADD COLUMN revision   integer     NOT NULL DEFAULT 1 CHECK (revision >= 1),
    ADD COLUMN revised_by bigint      REFERENCES users (id),
    ADD COLUMN revised_at timestamptz;

-- A credit record counts at intake only once the decision it records is
-- final (no longer open to review or suit). Rows written before this
-- column existed were entered as final findings.
ALTER TABLE credit_records ADD COLUMN decision_final boolean NOT NULL DEFAULT true;

-- +goose Down
ALTER TABLE credit_records DROP COLUMN decision_final;
ALTER TABLE case_agreements DROP COLUMN revised_at, DROP COLUMN revised_by, DROP COLUMN revision, DROP COLUMN oral;
ALTER TABLE cases DROP COLUMN outcome_at;
ALTER TABLE cases DROP CONSTRAINT cases_suggested_route_check;
ALTER TABLE cases ADD CONSTRAINT cases_suggested_route_check CHECK (suggested_route IN ('', 'litigation', 'arbitration',
    'administrative_adjudication', 'none'));
ALTER TABLE cases DROP CONSTRAINT cases_status_check;
ALTER TABLE cases ADD CONSTRAINT cases_status_check CHECK (status IN ('submitted', 'accepted', 'rejected', 'mediating',
    'settled', 'failed', 'withdrawn', 'closed'));
ALTER TABLE case_parties DROP CONSTRAINT case_parties_representative_check,
    DROP COLUMN representative_title, DROP COLUMN representative_name, DROP COLUMN representative_role,
    DROP COLUMN occupation, DROP COLUMN age, DROP COLUMN birth_date_enc, DROP COLUMN ethnicity, DROP COLUMN gender;
