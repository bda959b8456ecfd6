-- +goose Up
-- Referrals (转介 / 移送) and court docking (诉调对接), docs/design.md §5. One model
-- for every kind: a sender organisation passes a matter to a receiver
-- organisation, which takes it in (received), accepts or declines it
-- (with a reason) and reports the result (completed). internal/referral
-- writes every step together with its timeline event, audit row,
-- deadlines and notifications in one transaction.
CREATE TABLE referrals (
    id              bigserial PRIMARY KEY,
    kind            text        NOT NULL CHECK (kind IN ('court_delegation', 'court_entrustment', 'judicial_confirmation',
                        'litigation', 'arbitration', 'administrative_adjudication', 'enforcement', 'customs', 'criminal',
                        'rights_assistance')),
    -- The sender is NULL only for a referral a worker produced on nobody's
    -- behalf (rights_assistance, with its rule).
    sender_org_id   bigint      REFERENCES orgs (id),
    receiver_org_id bigint      NOT NULL REFERENCES orgs (id),
    status          text        NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'received', 'accepted', 'declined',
                        'completed')),
    -- The case the referral is about. A court delegation or entrustment
    -- has none until the committee accepts it and the case is filed.
    case_id         bigint      REFERENCES cases (id),
    -- An SME's assistance application (internal/assistance keeps that
    -- table; no foreign key so the two capabilities stay independent).
    application_id  bigint,
    -- A line that says what the referral is about, shown in inboxes.
    title           text        NOT NULL CHECK (title <> ''),
    note            text        NOT NULL DEFAULT '',
    -- disclosure: which parts of the case the receiver may read
    -- ({"summary","parties","rights","agreement": bool, "documents": [ids]}).
    disclosure      jsonb       NOT NULL DEFAULT '{}',
    -- fields: the kind's own data (the court's numbers, the goods and
    -- port, the suspected offence …); result: what the receiver reported.
    fields          jsonb       NOT NULL DEFAULT '{}',
    result          jsonb       NOT NULL DEFAULT '{}',
    decline_reason  text        NOT NULL DEFAULT '',
    -- A referral produced by a worker names the rule that fired and an
    -- idempotency key: re-running the rule finds the row instead of
    -- writing a second one (unique index below).
    rule            text        NOT NULL DEFAULT '',
    idem_key        text,
    sent_by         bigint      REFERENCES users (id),
    received_by     bigint      REFERENCES users (id),
    decided_by      bigint      REFERENCES users (id),
    completed_by    bigint      REFERENCES users (id),
    version         integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    received_at     timestamptz,
    decided_at      timestamptz,
    completed_at    timestamptz,
    CHECK (sender_org_id IS DISTINCT FROM receiver_org_id),
    CHECK (sender_org_id IS NOT NULL OR rule <> ''),
    CHECK ((idem_key IS NULL) OR rule <> ''),
    CHECK ((status = 'declined') = (decline_reason <> '')),
    CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
CREATE UNIQUE INDEX referrals_produced_key ON referrals (kind, rule, idem_key) WHERE idem_key IS NOT NULL;
-- Inboxes and outboxes, newest first (keyset on id).
CREATE INDEX referrals_receiver_idx ON referrals (receiver_org_id, id DESC);
CREATE INDEX referrals_sender_idx ON referrals (sender_org_id, id DESC) WHERE sender_org_id IS NOT NULL;
-- A case's referrals: its page, the case scope of the receivers, and the
-- result reported back when the case ends.
CREATE INDEX referrals_case_idx ON referrals (case_id, id) WHERE case_id IS NOT NULL;
CREATE INDEX referrals_application_idx ON referrals (application_id, id) WHERE application_id IS NOT NULL;

-- The referral's own history (a referral need not have a case; when it
-- has, each step is written to the case timeline as well).
CREATE TABLE referral_events (
    id          bigserial PRIMARY KEY,
    referral_id bigint      NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint,
    actor_name  text        NOT NULL DEFAULT '',
    org_id      bigint      REFERENCES orgs (id),
    action      text        NOT NULL,
    from_status text        NOT NULL DEFAULT '',
    to_status   text        NOT NULL DEFAULT '',
    detail      jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX referral_events_referral_idx ON referral_events (referral_id, id);

-- Files attached to a referral (the court's delegation letter, the
-- ruling on judicial confirmation). When an accepted court delegation
-- becomes a case, its files move to the case as well.
ALTER TABLE documents ADD COLUMN referral_id bigint REFERENCES referrals (id);
CREATE INDEX documents_referral_idx ON documents (referral_id, id) WHERE referral_id IS NOT NULL;

-- +goose Down
DROP INDEX documents_referral_idx;
ALTER TABLE documents DROP COLUMN referral_id;
DROP TABLE referral_events;
DROP TABLE referrals;
