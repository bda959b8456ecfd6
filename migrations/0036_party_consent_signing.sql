-- +goose Up
-- A party's consent to, or refusal of, mediation, recorded by the party
-- itself from its online view (internal/party, docs/design.md §16).
-- A change of mind is a new row: the latest row of a party is its
-- current decision, the earlier ones its history.
CREATE TABLE party_consents (
    id         bigserial   PRIMARY KEY,
    case_id    bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    party_id   bigint      NOT NULL REFERENCES case_parties (id) ON DELETE CASCADE,
    access_id  bigint      NOT NULL REFERENCES party_access (id) ON DELETE CASCADE,
    decision   text        NOT NULL CHECK (decision IN ('consent', 'refuse')),
    note       text        NOT NULL DEFAULT '' CHECK (char_length(note) <= 500),
    created_at timestamptz NOT NULL
);
CREATE INDEX party_consents_case_idx ON party_consents (case_id, party_id, created_at DESC, id DESC);
CREATE TRIGGER party_consents_archived_guard BEFORE INSERT OR UPDATE OR DELETE ON party_consents
    FOR EACH ROW EXECUTE FUNCTION refuse_archived_case();

-- Revising a draft agreement's text voids the signatures collected on
-- the old text instead of deleting them: they stay, marked voided, for
-- the case page, the timeline and the dossier. Only signatures not
-- voided count, so the unique indexes allow a new signature after a
-- void.
ALTER TABLE agreement_signoffs
    ADD COLUMN voided_at   timestamptz,
    ADD COLUMN voided_by   bigint REFERENCES users (id),
    ADD COLUMN void_reason text NOT NULL DEFAULT '',
    ADD CONSTRAINT agreement_signoffs_void_check CHECK ((voided_at IS NULL) = (void_reason = ''));
DROP INDEX agreement_signoffs_party_key;
DROP INDEX agreement_signoffs_user_key;
DROP INDEX agreement_signoffs_seal_key;
CREATE UNIQUE INDEX agreement_signoffs_party_key ON agreement_signoffs (agreement_id, party_id)
    WHERE party_id IS NOT NULL AND voided_at IS NULL;
CREATE UNIQUE INDEX agreement_signoffs_user_key ON agreement_signoffs (agreement_id, user_id)
    WHERE user_id IS NOT NULL AND voided_at IS NULL;
CREATE UNIQUE INDEX agreement_signoffs_seal_key ON agreement_signoffs (agreement_id)
    WHERE signer_kind = 'seal' AND voided_at IS NULL;

-- +goose Down
DELETE FROM agreement_signoffs WHERE voided_at IS NOT NULL;
DROP INDEX agreement_signoffs_party_key;
DROP INDEX agreement_signoffs_user_key;
DROP INDEX agreement_signoffs_seal_key;
CREATE UNIQUE INDEX agreement_signoffs_party_key ON agreement_signoffs (agreement_id, party_id) WHERE party_id IS NOT NULL;
CREATE UNIQUE INDEX agreement_signoffs_user_key ON agreement_signoffs (agreement_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX agreement_signoffs_seal_key ON agreement_signoffs (agreement_id) WHERE signer_kind = 'seal';
ALTER TABLE agreement_signoffs DROP CONSTRAINT agreement_signoffs_void_check,
    DROP COLUMN void_reason, DROP COLUMN voided_by, DROP COLUMN voided_at;
DROP TABLE party_consents;
