package register

import (
	"context"
)

// CommitteeFeedback is a committee's feedback figure (docs/design.md
// §10, §17): how many ratings its ended cases received and their average
// scores.
type CommitteeFeedback struct {
	OrgID         int64
	Name          string
	Count         int
	AvgService    float64
	AvgFairness   float64
	AvgTimeliness float64
	Complaints    int // complaints about its mediators
}

// FeedbackByCommittee is the feedback figure of every committee whose
// register the actor reads (every committee for the leadership office),
// committees without ratings included. ENOTFOUND for an actor who reads
// no register.
func (s *Service) FeedbackByCommittee(ctx context.Context) ([]CommitteeFeedback, error) {
	v, err := s.viewer(ctx)
	if err != nil {
		return nil, err
	}
	if v.none() {
		return nil, notFoundRegister()
	}
	orgs := v.readers
	if orgs == nil {
		orgs = []int64{}
	}
	var out []CommitteeFeedback
	if err := s.d.DB.WithContext(ctx).Raw(`SELECT o.id AS org_id, o.name_zh AS name,
  count(fb.id) AS count, COALESCE(avg(fb.service), 0)::float8 AS avg_service,
  COALESCE(avg(fb.fairness), 0)::float8 AS avg_fairness, COALESCE(avg(fb.timeliness), 0)::float8 AS avg_timeliness,
  (SELECT count(*) FROM mediator_complaints mc WHERE mc.org_id = o.id) AS complaints
FROM orgs o LEFT JOIN cases c ON c.org_id = o.id LEFT JOIN case_feedback fb ON fb.case_id = c.id
WHERE o.type IN ('mediation_committee', 'social_mediation_org') AND (? OR o.id IN ?)
GROUP BY o.id, o.name_zh ORDER BY o.id`, v.all, append(orgs, 0)).Scan(&out).Error; err != nil {
		return nil, fmtErr("feedback figures", err)
	}
	return out, nil
}
