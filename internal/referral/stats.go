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
//
// Declined counts the referrals sent or received by them that the
// receiver declined in the period; Results those sent or received by them
// completed in the period, by result value (Kind.Results, every value even
// when zero): a committee sees the court's decisions on the judicial
// confirmations it applied for, the court the decisions it made.
type KindStats struct {
	Kind                            Kind
	Sent, Received, Open, Completed int
	TurnaroundDays                  float64 // median; 0 when none completed
	Declined                        int
	Results                         []ResultCount
}

// ResultCount is how many referrals of a kind ended with one result
// value.
type ResultCount struct {
	Value string
	N     int
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
	sc := s.readScope(a)
	if sc.none() {
		return nil, false, nil
	}
	out, err = s.stats(ctx, sc, from, to)
	return out, err == nil, err
}

// StatsOf is Stats for the organisations orgs, without authorization: for
// a caller that has decided who may read them (an organisation's annual
// work report).
func (s *Service) StatsOf(ctx context.Context, orgs []int64, from, to time.Time) (out []KindStats, err error) {
	return s.stats(ctx, scope{orgs: orgs}, from, to)
}

// stats counts the referrals of sc. For the whole city (sc.all) a
// referral is received by its receiver and sent when it has a sender,
// as the list's boxes say (scope.box).
func (s *Service) stats(ctx context.Context, sc scope, from, to time.Time) (out []KindStats, err error) {
	orgs := sc.orgs
	if orgs == nil {
		orgs = []int64{}
	}
	open := make([]string, len(OpenStatuses))
	for i, st := range OpenStatuses {
		open[i] = string(st)
	}
	var rows []struct {
		Kind                            string
		Sent, Received, Open, Completed int
		Turnaround                      float64
		Declined                        int
	}
	err = s.db.WithContext(ctx).Raw(`SELECT kind,
count(*) FILTER (WHERE (sender_org_id IN @orgs OR @all AND sender_org_id IS NOT NULL) AND created_at >= @from AND created_at < @to) AS sent,
count(*) FILTER (WHERE (receiver_org_id IN @orgs OR @all) AND created_at >= @from AND created_at < @to) AS received,
count(*) FILTER (WHERE (receiver_org_id IN @orgs OR @all) AND status IN @open) AS open,
count(*) FILTER (WHERE (receiver_org_id IN @orgs OR @all) AND completed_at >= @from AND completed_at < @to) AS completed,
coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - created_at) / 86400)
	FILTER (WHERE (receiver_org_id IN @orgs OR @all) AND completed_at >= @from AND completed_at < @to), 0) AS turnaround,
count(*) FILTER (WHERE status = 'declined' AND decided_at >= @from AND decided_at < @to) AS declined
FROM referrals WHERE receiver_org_id IN @orgs OR sender_org_id IN @orgs OR @all
GROUP BY kind`, map[string]any{"orgs": orgs, "all": sc.all, "from": from, "to": to, "open": open}).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("referral statistics: %w", err)
	}
	var results []struct {
		Kind, Value string
		N           int
	}
	err = s.db.WithContext(ctx).Raw(`SELECT kind, `+ResultSQL+` AS value, count(*) AS n FROM referrals
WHERE (receiver_org_id IN @orgs OR sender_org_id IN @orgs OR @all) AND completed_at >= @from AND completed_at < @to
GROUP BY 1, 2`, map[string]any{"orgs": orgs, "all": sc.all, "from": from, "to": to}).Scan(&results).Error
	if err != nil {
		return nil, fmt.Errorf("referral results: %w", err)
	}
	for _, k := range Kinds {
		line := KindStats{Kind: k}
		for _, r := range rows {
			if r.Kind == string(k) {
				line.Sent, line.Received, line.Open, line.Completed, line.TurnaroundDays = r.Sent, r.Received, r.Open, r.Completed, r.Turnaround
				line.Declined = r.Declined
			}
		}
		for _, v := range k.Results() {
			rc := ResultCount{Value: v}
			for _, r := range results {
				if r.Kind == string(k) && r.Value == v {
					rc.N = r.N
				}
			}
			line.Results = append(line.Results, rc)
		}
		out = append(out, line)
	}
	return out, nil
}
