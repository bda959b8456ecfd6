-- +goose Up
-- Legal time limits (docs/design.md §6). Every deadline is one row: what it is about
-- (the subject), the organisation responsible for it, the rule of
-- configs/deadlines.yaml it was computed from with its legal basis, and its
-- due instant. The row is written in the same transaction as the action
-- that starts, moves or ends it (internal/deadline, called by the case
-- actions), so the reminder and escalation workers can trust it.

-- A court-entrusted case (委托调解) is mediated within 15 days under the
-- ordinary procedure and 7 under the simplified one: intake records which.
ALTER TABLE cases ADD COLUMN court_procedure text CHECK (court_procedure IN ('ordinary', 'simplified'));

CREATE TABLE deadlines (
    id                  bigserial PRIMARY KEY,
    -- What the deadline is about. Only cases have deadlines yet; referrals,
    -- assistance applications and organisations (the annual report) follow.
    subject_type        text        NOT NULL CHECK (subject_type IN ('case', 'referral', 'application', 'org')),
    subject_id          bigint      NOT NULL CHECK (subject_id > 0),
    -- The responsible organisation: scopes "deadlines of my committee" and
    -- receives the escalation when the deadline is missed.
    org_id              bigint      NOT NULL REFERENCES orgs (id),
    case_id             bigint      REFERENCES cases (id) ON DELETE CASCADE,
    -- kind is what the deadline is for (mediation, judicial_confirmation,
    -- performance); at most one of each kind is open per subject.
    kind                text        NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*$'),
    -- rule_id names the rule of configs/deadlines.yaml; '' for a date the
    -- parties fixed themselves (the agreement's performance date).
    rule_id             text        NOT NULL DEFAULT '',
    title               text        NOT NULL CHECK (title <> ''),
    -- event_at is the event the period runs from; the due time is
    -- recomputed from it when an official holiday file replaces a
    -- provisional calendar. NULL for a fixed date.
    event_at            timestamptz,
    -- due_at is the instant the period runs out: 24:00 Beijing time of the
    -- last day (or the exact instant for a period in hours).
    due_at              timestamptz NOT NULL,
    basis               text        NOT NULL DEFAULT '',
    explanation         text        NOT NULL DEFAULT '',
    -- provisional: computed on a year without an official holiday
    -- arrangement; shown as such and recomputed when the file arrives.
    provisional         boolean     NOT NULL DEFAULT false,
    status              text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'met', 'missed', 'cancelled')),
    responsible_user_id bigint      REFERENCES users (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    closed_at           timestamptz,
    -- extended_from is the original due time of an extended deadline.
    extended_from       timestamptz,
    version             integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    CHECK ((status = 'open') = (closed_at IS NULL)),
    CHECK (subject_type <> 'case' OR case_id = subject_id)
);
-- At most one open deadline of each kind per subject; also the subject's
-- lookup when an action moves or closes its deadline.
CREATE UNIQUE INDEX deadlines_open_kind_key ON deadlines (subject_type, subject_id, kind) WHERE status = 'open';
-- A case page lists its deadlines.
CREATE INDEX deadlines_case_idx ON deadlines (case_id, due_at) WHERE case_id IS NOT NULL;
-- "My deadlines": the responsible user's, soonest (overdue) first.
CREATE INDEX deadlines_responsible_idx ON deadlines (responsible_user_id, status, due_at, id) WHERE responsible_user_id IS NOT NULL;
-- A committee's deadlines, for its director and clerks and for escalation.
CREATE INDEX deadlines_org_idx ON deadlines (org_id, status, due_at, id);
-- The sweeper: open deadlines by due time.
CREATE INDEX deadlines_open_due_idx ON deadlines (due_at, id) WHERE status = 'open';
-- Open deadlines computed on a provisional calendar, to recompute.
CREATE INDEX deadlines_provisional_idx ON deadlines (id) WHERE status = 'open' AND provisional;

-- +goose Down
DROP TABLE deadlines;
ALTER TABLE cases DROP COLUMN court_procedure;
