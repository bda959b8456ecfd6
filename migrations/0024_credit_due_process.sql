-- +goose Up
-- Credit records with due process (docs/design.md §9, docs/law.md §5): a
-- record is made from a final decision, its subject is told and may
-- object, it is displayed for a period set within its severity's bounds,
-- and its subject may apply for credit repair. The credit package owns
-- credit_records and credit_record_events.
ALTER TABLE credit_records
    ADD COLUMN status text NOT NULL DEFAULT 'in_effect'
        CHECK (status IN ('provisional', 'objection', 'objected', 'in_effect', 'revoked', 'repairing', 'repaired', 'expired')),
    -- The recording body (an enforcement body, the IP office) and the
    -- officer who recorded it (responsible for its decisions' deadlines).
    ADD COLUMN org_id bigint REFERENCES orgs (id),
    ADD COLUMN recorded_by bigint REFERENCES users (id),
    ADD COLUMN source_kind text NOT NULL DEFAULT 'enforcement'
        CHECK (source_kind IN ('enforcement', 'court', 'customs', 'agreement_refusal')),
    -- The decision's document number (榕市监处罚〔2025〕312号); with the source
    -- kind and the subject it makes an import idempotent.
    ADD COLUMN document_number text NOT NULL DEFAULT '',
    ADD COLUMN severity text NOT NULL DEFAULT 'serious' CHECK (severity IN ('minor', 'general', 'serious')),
    ADD COLUMN display_months int NOT NULL DEFAULT 36 CHECK (display_months BETWEEN 0 AND 36),
    -- The subject when it is an organisation registered here (it is told
    -- in its inbox, and reads, objects and applies for repair itself).
    ADD COLUMN subject_org_id bigint REFERENCES orgs (id),
    ADD COLUMN notified_at timestamptz,
    -- How an unregistered subject was told (post, in person …).
    ADD COLUMN notice_method text NOT NULL DEFAULT '',
    ADD COLUMN objection_due timestamptz,
    ADD COLUMN effective_on date,
    ADD COLUMN display_until date,
    -- Another body's record taken in by the exchange import.
    ADD COLUMN imported_from text NOT NULL DEFAULT '',
    ADD COLUMN version int NOT NULL DEFAULT 1,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

UPDATE credit_records c SET org_id = a.org_id
FROM audit_log a WHERE a.object_type = 'credit_record' AND a.object_id = c.id::text AND a.action = 'credit_record.create';
UPDATE credit_records SET
    status = CASE WHEN repair_status = 'repaired' THEN 'repaired' WHEN decision_final THEN 'in_effect' ELSE 'provisional' END,
    effective_on = CASE WHEN decision_final THEN decided_on END,
    display_until = CASE WHEN decision_final THEN (decided_on + interval '36 months')::date END,
    updated_at = created_at;
ALTER TABLE credit_records DROP COLUMN decision_final, DROP COLUMN repair_status;

CREATE UNIQUE INDEX credit_records_document_key ON credit_records (source_kind, document_number, credit_code, id_number_hash)
    WHERE document_number <> '';
CREATE INDEX credit_records_status_idx ON credit_records (status, created_at);
CREATE INDEX credit_records_subject_org_idx ON credit_records (subject_org_id) WHERE subject_org_id IS NOT NULL;

-- The history of a record: every step, who took it and why.
CREATE TABLE credit_record_events (
    id            bigserial   PRIMARY KEY,
    record_id     bigint      NOT NULL REFERENCES credit_records (id),
    at            timestamptz NOT NULL,
    actor_user_id bigint      REFERENCES users (id),
    actor_name    text        NOT NULL DEFAULT '',
    action        text        NOT NULL,
    from_status   text        NOT NULL DEFAULT '',
    to_status     text        NOT NULL,
    detail        jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object')
);
CREATE INDEX credit_record_events_record_idx ON credit_record_events (record_id, id);

-- A credit record's decisions have deadlines.
ALTER TABLE deadlines DROP CONSTRAINT deadlines_subject_type_check;
ALTER TABLE deadlines ADD CONSTRAINT deadlines_subject_type_check
    CHECK (subject_type IN ('case', 'referral', 'application', 'org', 'credit_record'));

-- +goose Down
DELETE FROM deadlines WHERE subject_type = 'credit_record';
ALTER TABLE deadlines DROP CONSTRAINT deadlines_subject_type_check;
ALTER TABLE deadlines ADD CONSTRAINT deadlines_subject_type_check
    CHECK (subject_type IN ('case', 'referral', 'application', 'org'));
DROP TABLE credit_record_events;
DROP INDEX credit_records_subject_org_idx;
DROP INDEX credit_records_status_idx;
DROP INDEX credit_records_document_key;
ALTER TABLE credit_records ADD COLUMN decision_final boolean NOT NULL DEFAULT true,
    ADD COLUMN repair_status text NOT NULL DEFAULT 'none' CHECK (repair_status IN ('none', 'repairing', 'repaired'));
UPDATE credit_records SET decision_final = status <> 'provisional',
    repair_status = CASE status WHEN 'repaired' THEN 'repaired' WHEN 'repairing' THEN 'repairing' ELSE 'none' END;
ALTER TABLE credit_records DROP COLUMN status, DROP COLUMN org_id, DROP COLUMN recorded_by, DROP COLUMN source_kind, DROP COLUMN document_number,
    DROP COLUMN severity, DROP COLUMN display_months, DROP COLUMN subject_org_id, DROP COLUMN notified_at,
    DROP COLUMN notice_method, DROP COLUMN objection_due, DROP COLUMN effective_on, DROP COLUMN display_until,
    DROP COLUMN imported_from, DROP COLUMN version, DROP COLUMN updated_at;
