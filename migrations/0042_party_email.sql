-- +goose Up
-- A party's and its agent's e-mail address, each optional, encrypted like
-- the phones (personal information). Personal links and the notices of
-- documents served go to them as well as by SMS when a mail server is
-- configured (internal/party, docs/design.md §16).
ALTER TABLE case_parties
    ADD COLUMN email_enc       text NOT NULL DEFAULT '',
    ADD COLUMN agent_email_enc text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE case_parties DROP COLUMN agent_email_enc, DROP COLUMN email_enc;
