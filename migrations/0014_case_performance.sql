-- +goose Up
-- How the mediation agreement was performed (People's Mediation Law art.
-- 31: the committee supervises performance and urges the parties to
-- perform). Each row is one follow-up (回访) of the case's agreement in
-- effect: its result, the day it refers to (when the agreement was
-- performed, or the day the result was established) and a note. A later
-- follow-up adds a row; the latest one is the case's current result.
CREATE TABLE case_performance (
    id           bigserial PRIMARY KEY,
    case_id      bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    agreement_id bigint      NOT NULL REFERENCES case_agreements (id) ON DELETE CASCADE,
    result       text        NOT NULL CHECK (result IN ('performed', 'partly', 'refused')),
    performed_on date        NOT NULL,
    note         text        NOT NULL DEFAULT '',
    recorded_by  bigint      REFERENCES users (id),
    recorded_at  timestamptz NOT NULL,
    -- A partial performance or a refusal says what happened.
    CHECK (result = 'performed' OR note <> '')
);
CREATE INDEX case_performance_case_idx ON case_performance (case_id, recorded_at, id);

-- The performance date is the mediator's follow-up, not the committee's
-- overdue duty: it reminds, never escalates and never shows red. Rows
-- opened before take that duty, and their pending escalations go.
UPDATE deadlines SET duty = 'soft' WHERE kind = 'performance' AND subject_type = 'case' AND rule_id = '';
UPDATE reminders SET status = 'cancelled', cancel_reason = 'superseded'
    WHERE stage = 'overdue_escalation' AND status IN ('pending', 'enqueued')
      AND deadline_id IN (SELECT id FROM deadlines WHERE kind = 'performance' AND subject_type = 'case' AND rule_id = '');

-- +goose Down
UPDATE deadlines SET duty = 'organisation' WHERE kind = 'performance' AND subject_type = 'case' AND rule_id = '';
DROP TABLE case_performance;
