-- +goose Up
-- A party's choice of mediator (People's Mediation Law art. 23: a party
-- may choose a mediator or accept the one the committee designates),
-- recorded by the party from its online view before the case is
-- assigned (internal/party, docs/design.md §16). mediator_id NULL is
-- "leave it to the committee". A change of mind is a new row: the latest
-- row of a party counts, the earlier ones are its history.
CREATE TABLE party_mediator_choices (
    id          bigserial   PRIMARY KEY,
    case_id     bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    party_id    bigint      NOT NULL REFERENCES case_parties (id) ON DELETE CASCADE,
    access_id   bigint      NOT NULL REFERENCES party_access (id) ON DELETE CASCADE,
    mediator_id bigint      REFERENCES users (id),
    note        text        NOT NULL DEFAULT '' CHECK (char_length(note) <= 500),
    created_at  timestamptz NOT NULL
);
CREATE INDEX party_mediator_choices_case_idx ON party_mediator_choices (case_id, party_id, created_at DESC, id DESC);
CREATE TRIGGER party_mediator_choices_archived_guard BEFORE INSERT OR UPDATE OR DELETE ON party_mediator_choices
    FOR EACH ROW EXECUTE FUNCTION refuse_archived_case();

-- A party's answer whether it will attend the case's next scheduled
-- session (case_sessions.next_session_at), with a note when it cannot.
-- session_at names the session answered; the latest row of a party for
-- that session counts.
CREATE TABLE party_attendance (
    id         bigserial   PRIMARY KEY,
    case_id    bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    party_id   bigint      NOT NULL REFERENCES case_parties (id) ON DELETE CASCADE,
    access_id  bigint      NOT NULL REFERENCES party_access (id) ON DELETE CASCADE,
    session_at timestamptz NOT NULL,
    attends    boolean     NOT NULL,
    note       text        NOT NULL DEFAULT '' CHECK (char_length(note) <= 500),
    created_at timestamptz NOT NULL
);
CREATE INDEX party_attendance_case_idx ON party_attendance (case_id, party_id, created_at DESC, id DESC);
CREATE TRIGGER party_attendance_archived_guard BEFORE INSERT OR UPDATE OR DELETE ON party_attendance
    FOR EACH ROW EXECUTE FUNCTION refuse_archived_case();

-- +goose Down
DROP TABLE party_attendance;
DROP TABLE party_mediator_choices;
