-- +goose Up
-- Whose time limit a deadline is (docs/law.md §1, the duty of its rule in
-- configs/deadlines.yaml), kept on the row so that the listings and the
-- reminder planner need no rule lookup:
--   organisation  the responsible organisation's own legal duty: reminders,
--                 red when overdue, escalation to its directors;
--   party         binds a party or right holder: its users and the
--                 organisation helping it are reminded, no escalation;
--   information   shown for information only (the parties' right to apply
--                 for judicial confirmation): no reminders to staff, no
--                 escalation, and it lapses quietly when it passes;
--   soft          another authority's limit followed up by the responsible
--                 user: reminders up to the last day, no escalation.
ALTER TABLE deadlines ADD COLUMN duty text NOT NULL DEFAULT 'organisation'
    CHECK (duty IN ('organisation', 'party', 'information', 'soft'));

-- The rows written before the column existed take their rule's duty.
UPDATE deadlines SET duty = CASE
        WHEN rule_id = 'judicial_confirmation.apply' THEN 'information'
        WHEN rule_id IN ('customs.ex_officio.answer', 'customs.application.court_notice', 'customs.recordation.validity') THEN 'party'
        WHEN rule_id = 'criminal.police_decision' THEN 'soft'
        ELSE 'organisation' END
    WHERE rule_id <> '';

-- lapsed: an information deadline that ran out without anything owed by
-- anyone; final, like met, missed and cancelled.
ALTER TABLE deadlines DROP CONSTRAINT deadlines_status_check;
ALTER TABLE deadlines ADD CONSTRAINT deadlines_status_check
    CHECK (status IN ('open', 'met', 'missed', 'cancelled', 'lapsed'));
ALTER TABLE deadlines ADD CONSTRAINT deadlines_lapsed_information_check
    CHECK (status <> 'lapsed' OR duty = 'information');

-- The sweep that closes information deadlines once they have passed.
CREATE INDEX deadlines_information_due_idx ON deadlines (due_at, id) WHERE status = 'open' AND duty = 'information';

-- +goose Down
DROP INDEX deadlines_information_due_idx;
UPDATE deadlines SET status = 'missed' WHERE status = 'lapsed';
ALTER TABLE deadlines DROP CONSTRAINT deadlines_lapsed_information_check;
ALTER TABLE deadlines DROP CONSTRAINT deadlines_status_check;
ALTER TABLE deadlines ADD CONSTRAINT deadlines_status_check
    CHECK (status IN ('open', 'met', 'missed', 'cancelled'));
ALTER TABLE deadlines DROP COLUMN duty;
