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

-- +goose Down
DROP TABLE party_consents;
