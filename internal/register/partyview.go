package register

import (
	"context"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// PartyFeedback is where the rating of its case stands for the party of
// an access link: whether the case has ended (it may be rated), whether
// the party has rated it, and the case's mediators it may complain about.
type PartyFeedback struct {
	Ended     bool
	Done      bool
	Mediators []CaseMediator
}

// CaseMediator is a mediator of the case, by name.
type CaseMediator struct {
	ID   int64
	Name string
}

// PartyFeedbackState reads the rating of the case of the party acting
// through its access link (domain.PartyFrom). ENOTFOUND without a party
// in ctx, or for a party no longer of its case.
func (s *Service) PartyFeedbackState(ctx context.Context) (PartyFeedback, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return PartyFeedback{}, domain.NotFound("case")
	}
	db := s.d.DB.WithContext(ctx)
	var st []struct {
		Status string
		Done   bool
	}
	if err := db.Raw(`SELECT c.status, EXISTS (SELECT 1 FROM case_feedback f WHERE f.case_id = c.id AND f.party_id = pa.id) AS done
FROM cases c JOIN case_parties pa ON pa.case_id = c.id WHERE c.id = ? AND pa.id = ?`, p.CaseID, p.PartyID).Scan(&st).Error; err != nil {
		return PartyFeedback{}, fmtErr("feedback state", err)
	}
	if len(st) == 0 {
		return PartyFeedback{}, domain.NotFound("case")
	}
	out := PartyFeedback{Ended: ended(domain.CaseStatus(st[0].Status)), Done: st[0].Done}
	if out.Ended && !out.Done {
		if err := db.Raw(`SELECT DISTINCT u.id, COALESCE(NULLIF(u.display_name, ''), u.username) AS name FROM case_mediators m
JOIN users u ON u.id = m.user_id WHERE m.case_id = ? ORDER BY u.id`, p.CaseID).Scan(&out.Mediators).Error; err != nil {
			return PartyFeedback{}, fmtErr("case mediators", err)
		}
	}
	return out, nil
}
