-- +goose Up
-- The customs recordation register (知识产权海关保护备案, internal/recordation,
-- docs/design.md §5): an enterprise's recordations of its rights with the
-- General Administration of Customs, their validity (条例 art. 10: ten
-- years, renewable) and status. Customs referrals pick their recordation
-- from here; the validity runs as a deadline on the recordation.
CREATE TABLE customs_recordations (
    id            bigserial   PRIMARY KEY,
    holder_org_id bigint      NOT NULL REFERENCES orgs (id),
    number        text        NOT NULL,
    right_kind    text        NOT NULL CHECK (right_kind IN ('trademark', 'copyright', 'software_copyright',
                                  'invention_patent', 'utility_model_patent', 'design_patent')),
    right_number  text        NOT NULL DEFAULT '',
    right_name    text        NOT NULL,
    valid_from    date        NOT NULL,
    valid_until   date        NOT NULL,
    renewed_on    date,
    status        text        NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'renewed', 'lapsed', 'withdrawn')),
    note          text        NOT NULL DEFAULT '',
    recorded_by   bigint      REFERENCES users (id),
    version       integer     NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_until > valid_from)
);
CREATE UNIQUE INDEX customs_recordations_number_key ON customs_recordations (number);
CREATE INDEX customs_recordations_holder_idx ON customs_recordations (holder_org_id, valid_until);

-- A recordation's validity is a deadline on it.
ALTER TABLE deadlines DROP CONSTRAINT deadlines_subject_type_check;
ALTER TABLE deadlines ADD CONSTRAINT deadlines_subject_type_check
    CHECK (subject_type IN ('case', 'referral', 'application', 'org', 'credit_record', 'customs_recordation'));

-- +goose Down
DELETE FROM deadlines WHERE subject_type = 'customs_recordation';
ALTER TABLE deadlines DROP CONSTRAINT deadlines_subject_type_check;
ALTER TABLE deadlines ADD CONSTRAINT deadlines_subject_type_check
    CHECK (subject_type IN ('case', 'referral', 'application', 'org', 'credit_record'));
DROP TABLE customs_recordations;
