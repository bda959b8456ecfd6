-- +goose Up
-- A party's own steps from its online view (signing, evidence) and the
-- notice of the next session.
--
-- A party signs the draft agreement itself, from its online view, after a
-- fresh one-time code sent to the phone of its link (internal/party,
-- docs/design.md §16, docs/law.md §10). Such a signature records how it
-- was made: the access link it was made through, the phone the code went
-- to (masked, as shown to the party), the SHA-256 of the agreement's
-- canonical text the party read (domain.AgreementText.Digest) and the
-- request's address. A signature recorded by staff (handwritten,
-- electronic, seal) has none of these.
ALTER TABLE agreement_signoffs
    DROP CONSTRAINT agreement_signoffs_method_check,
    ADD CONSTRAINT agreement_signoffs_method_check
        CHECK (method IN ('handwritten', 'electronic', 'seal', 'sms_electronic')),
    ADD COLUMN access_id    bigint REFERENCES party_access (id),
    ADD COLUMN phone_masked text NOT NULL DEFAULT '',
    ADD COLUMN text_sha256  text NOT NULL DEFAULT '',
    ADD COLUMN ip           text NOT NULL DEFAULT '',
    ADD CONSTRAINT agreement_signoffs_sms_check CHECK (
        (method = 'sms_electronic') = (access_id IS NOT NULL)
        AND (method <> 'sms_electronic' OR (signer_kind = 'party' AND text_sha256 ~ '^[0-9a-f]{64}$' AND phone_masked <> ''))
    );

-- The notice of the next mediation session (调解通知书) is served like
-- the other notices.
ALTER TABLE service_records DROP CONSTRAINT service_records_doc_check,
    ADD CONSTRAINT service_records_doc_check CHECK (doc IN ('acceptance', 'session', 'rejection', 'termination', 'agreement'));

-- A party uploads its evidence from its own view: the document records
-- which party, as uploaded_by records which user.
ALTER TABLE documents ADD COLUMN uploaded_by_party bigint REFERENCES case_parties (id),
    ADD CONSTRAINT documents_uploader_check CHECK (uploaded_by IS NULL OR uploaded_by_party IS NULL);

-- +goose Down
ALTER TABLE documents DROP CONSTRAINT documents_uploader_check, DROP COLUMN uploaded_by_party;
DELETE FROM service_records WHERE doc = 'session';
ALTER TABLE service_records DROP CONSTRAINT service_records_doc_check,
    ADD CONSTRAINT service_records_doc_check CHECK (doc IN ('acceptance', 'rejection', 'termination', 'agreement'));
DELETE FROM agreement_signoffs WHERE method = 'sms_electronic';
ALTER TABLE agreement_signoffs
    DROP CONSTRAINT agreement_signoffs_sms_check,
    DROP COLUMN ip, DROP COLUMN text_sha256, DROP COLUMN phone_masked, DROP COLUMN access_id,
    DROP CONSTRAINT agreement_signoffs_method_check,
    ADD CONSTRAINT agreement_signoffs_method_check CHECK (method IN ('handwritten', 'electronic', 'seal'));
