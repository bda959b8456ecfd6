-- +goose Up
-- Industry associations and their member enterprises (docs/design.md §16).
-- The association's staff add and remove members; a member enterprise's
-- applicant users grant or withdraw the association's consent to read its
-- cases and assistance applications. The consent stands while consent_at
-- is set; it is cleared when withdrawn or when the membership ends, and
-- the case and assistance scopes read it on every request, so a
-- withdrawal takes effect at once. Every grant and withdrawal is kept in
-- association_consent_events (who, when) besides the audit log.
CREATE TABLE association_members (
    id                 bigserial PRIMARY KEY,
    association_org_id bigint      NOT NULL REFERENCES orgs (id),
    member_org_id      bigint      NOT NULL REFERENCES orgs (id),
    since              date        NOT NULL,
    status             text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
    ended_at           timestamptz,
    consent_at         timestamptz,
    consent_by         bigint REFERENCES users (id),
    added_by           bigint REFERENCES users (id),
    version            integer     NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT association_members_pair UNIQUE (association_org_id, member_org_id),
    CONSTRAINT association_members_not_self CHECK (association_org_id <> member_org_id),
    CONSTRAINT association_members_consent_active CHECK (consent_at IS NULL OR status = 'active'),
    CONSTRAINT association_members_ended CHECK ((status = 'ended') = (ended_at IS NOT NULL))
);
CREATE INDEX association_members_member ON association_members (member_org_id);

CREATE TABLE association_consent_events (
    id         bigserial PRIMARY KEY,
    member_id  bigint      NOT NULL REFERENCES association_members (id),
    granted    boolean     NOT NULL,
    user_id    bigint REFERENCES users (id),
    at         timestamptz NOT NULL
);
CREATE INDEX association_consent_events_member ON association_consent_events (member_id, id);

-- +goose Down
DROP TABLE association_consent_events;
DROP TABLE association_members;
