-- +goose Up
-- Reminders and notifications (docs/design.md §6 reliability, §7 notifications).
-- PostgreSQL is the source of truth; Redis (asynq) only carries work that
-- the tables below already record, so losing Redis loses nothing. See the
-- internal/notify package documentation for the whole protocol.

-- reminders are planned reminder instances: one row per deadline (or
-- annual report), due time, stage and recipient, written in the same
-- transaction as the business change that opens or moves the deadline
-- (notify.PlanTx). The relay moves due rows to the queue (status enqueued;
-- several reminders may share one task), the task handler re-checks each
-- row under a lock and marks it sent in the transaction that writes the
-- in-app notification; the unique keys below
-- are what makes a reminder go out at most once, the sweeper is what
-- makes it go out at least once.
CREATE TABLE reminders (
    id                bigserial   PRIMARY KEY,
    -- The deadline reminded of; NULL for an annual work report reminder,
    -- which belongs to an organisation and a year (org_id, due_at).
    deadline_id       bigint      REFERENCES deadlines (id) ON DELETE CASCADE,
    org_id            bigint      NOT NULL REFERENCES orgs (id),
    -- The asynq task type that delivers it.
    topic             text        NOT NULL CHECK (topic IN ('deadline:remind', 'deadline:escalate', 'report:annual')),
    -- before_<N>wd, before_<N>d, due_day, overdue_escalation, annual_open
    -- (configs: reminders.stages).
    stage             text        NOT NULL CHECK (stage ~ '^[a-z][a-z0-9_]*$'),
    -- The due time this reminder is about: a deadline that moves gets new
    -- reminders, and the old ones are cancelled unless already sent.
    due_at            timestamptz NOT NULL,
    send_at           timestamptz NOT NULL,
    recipient_user_id bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status            text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'enqueued', 'sent', 'cancelled')),
    -- The asynq task id it was last queued under (remind:<id>, or
    -- remind:<first id>-<last id>.<count> for a batch): the sweeper queues
    -- it again under the same id, so a task still queued is not doubled.
    task_id           text        NOT NULL DEFAULT '',
    -- Handler runs that reached the database (a retry after a crash adds one).
    attempts          integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- Why a reminder was cancelled: superseded, deadline_closed, too_late,
    -- recipient_inactive.
    cancel_reason     text        NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now(),
    enqueued_at       timestamptz,
    sent_at           timestamptz,
    CHECK ((topic = 'report:annual') = (deadline_id IS NULL)),
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
-- Exactly once: one reminder per deadline, due time, stage and recipient...
CREATE UNIQUE INDEX reminders_deadline_once_key ON reminders (deadline_id, due_at, stage, recipient_user_id)
    WHERE deadline_id IS NOT NULL;
-- ...and one per organisation, report year (its due time), stage and recipient.
CREATE UNIQUE INDEX reminders_annual_once_key ON reminders (org_id, due_at, stage, recipient_user_id)
    WHERE deadline_id IS NULL;
-- The relay: pending reminders by send time.
CREATE INDEX reminders_pending_idx ON reminders (send_at, id) WHERE status = 'pending';
-- The sweeper: queued reminders by the time they were (last) queued.
CREATE INDEX reminders_enqueued_idx ON reminders (enqueued_at, task_id, id) WHERE status = 'enqueued';

-- outbox holds events written in business transactions for work outside
-- the database: a message to a user (notify:send) and each e-mail or SMS
-- of a notification (notify:email, notify:sms). The relay enqueues a row
-- as an asynq task of type topic with the task id outbox:<id>; the handler
-- marks it done in the transaction that records its effect.
CREATE TABLE outbox (
    id           bigserial   PRIMARY KEY,
    topic        text        NOT NULL CHECK (topic ~ '^[a-z]+:[a-z_]+$'),
    payload      jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'),
    -- pending -> enqueued -> done, or failed once the retries are spent.
    status       text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'enqueued', 'done', 'failed')),
    attempts     integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    enqueued_at  timestamptz,
    processed_at timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE status = 'pending';
CREATE INDEX outbox_enqueued_idx ON outbox (enqueued_at, id) WHERE status = 'enqueued';

-- notifications is the in-app inbox. The text is rendered when read, in
-- the reader's language, from kind and params (web/i18n notify.<kind>.*).
CREATE TABLE notifications (
    id         bigserial   PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text        NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*$'),
    params     jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
    -- A local path (/cases/42) the notification leads to; '' for none.
    link       text        NOT NULL DEFAULT '' CHECK (link = '' OR link ~ '^/[^/\\]'),
    -- What the notification is the delivery of (reminder:<id>,
    -- outbox:<id>): a retried handler cannot insert it twice.
    dedup_key  text        NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);
-- The unread badge in the navigation, on every page.
CREATE INDEX notifications_unread_idx ON notifications (user_id, id DESC) WHERE read_at IS NULL;

-- deliveries records every delivery attempt of a notification on each
-- channel, failed ones included, with the error.
CREATE TABLE deliveries (
    id              bigserial   PRIMARY KEY,
    notification_id bigint      NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    channel         text        NOT NULL CHECK (channel IN ('inapp', 'email', 'sms')),
    status          text        NOT NULL CHECK (status IN ('ok', 'failed')),
    -- The address used, masked (13800****00, a***@example.com).
    address         text        NOT NULL DEFAULT '',
    error           text        NOT NULL DEFAULT '',
    attempted_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deliveries_notification_idx ON deliveries (notification_id, channel, id);

-- +goose Down
DROP TABLE deliveries;
DROP TABLE notifications;
DROP TABLE outbox;
DROP TABLE reminders;
