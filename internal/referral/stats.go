package referral

import (
	"context"
	"fmt"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// KindStats are one kind's referrals of the actor's organisations in a
// period: sent by them and received by them (by the day sent), those
// received still open now, those received and completed in the period,
// and the median days from sending to completion of the latter.
type KindStats struct {
	Kind                            Kind
	Sent, Received, Open, Completed int
	TurnaroundDays                  float64 // median; 0 when none completed
}

// OpenStatuses are the statuses of a referral not yet finished.
var OpenStatuses = []Status{StatusSent, StatusReceived, StatusAccepted}

// Stats answers the referral figures of the period [from, to) for the
// organisations through which the actor reads referrals, one line per
// kind (every kind, in the order of Kinds); ok is false for an actor who
// reads none. Each figure counts the rows of the referral list with the
// matching filters (box, kind, status, sent_* or completed_*).
func (s *Service) Stats(ctx context.Context, from, to time.Time) (out []KindStats, ok bool, err error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, false, err
	}
	orgs := s.readOrgs(a)
	if len(orgs) == 0 {
		return nil, false, nil
	}
	out, err = s.StatsOf(ctx, orgs, from, to)
	return out, err == nil, err
}

// StatsOf is Stats for the organisations orgs, without authorization: for
// a caller that has decided who may read them (an organisation's annual
// work report).
func (s *Service) StatsOf(ctx context.Context, orgs []int64, from, to time.Time) (out []KindStats, err error) {
	open := make([]string, len(OpenStatuses))
	for i, st := range OpenStatuses {
		open[i] = string(st)
	}
	var rows []struct {
		Kind                            string
		Sent, Received, Open, Completed int
		Turnaround                      float64
	}
	err = s.db.WithContext(ctx).Raw(`SELECT kind,
count(*) FILTER (WHERE sender_org_id IN @orgs AND created_at >= @from AND created_at < @to) AS sent,
count(*) FILTER (WHERE receiver_org_id IN @orgs AND created_at >= @from AND created_at < @to) AS received,
count(*) FILTER (WHERE receiver_org_id IN @orgs AND status IN @open) AS open,
count(*) FILTER (WHERE receiver_org_id IN @orgs AND completed_at >= @from AND completed_at < @to) AS completed,
coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - created_at) / 86400)
	FILTER (WHERE receiver_org_id IN @orgs AND completed_at >= @from AND completed_at < @to), 0) AS turnaround
FROM referrals WHERE receiver_org_id IN @orgs OR sender_org_id IN @orgs
GROUP BY kind`, map[string]any{"orgs": orgs, "from": from, "to": to, "open": open}).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("referral statistics: %w", err)
	}
	for _, k := range Kinds {
		line := KindStats{Kind: k}
		for _, r := range rows {
			if r.Kind == string(k) {
				line.Sent, line.Received, line.Open, line.Completed, line.TurnaroundDays = r.Sent, r.Received, r.Open, r.Completed, r.Turnaround
			}
		}
		out = append(out, line)
	}
	return out, nil
}
