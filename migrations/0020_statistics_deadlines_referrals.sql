-- +goose Up
-- The statistics count each committee's deadlines met and missed in a
-- period (by the day they closed) and the referrals declined in a period;
-- each figure links to its list (deadlines: status, org_id and
-- closed_from/closed_to; referrals: status=declined and
-- decided_from/decided_to). The deadlines' own indexes order by due time,
-- which would read every closed deadline of a committee to find a year's.
CREATE INDEX deadlines_org_closed_idx ON deadlines (org_id, closed_at) INCLUDE (status, duty) WHERE status IN ('met', 'missed');
CREATE INDEX referrals_decided_idx ON referrals (decided_at) WHERE status = 'declined';

-- +goose Down
DROP INDEX IF EXISTS referrals_decided_idx;
DROP INDEX IF EXISTS deadlines_org_closed_idx;
