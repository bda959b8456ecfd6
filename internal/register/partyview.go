package register

import (
	"context"

	"gorm.io/gorm"

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
	return s.FeedbackState(ctx, p.CaseID)
}

// FeedbackState reads the rating of case caseID for the party ctx speaks
// for: a party acting through its link, or a user of a party enterprise
// holding register:feedback there (the page /cases/{id}/feedback).
// ENOTFOUND when ctx speaks for no party of the case.
func (s *Service) FeedbackState(ctx context.Context, caseID int64) (PartyFeedback, error) {
	var out PartyFeedback
	err := s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p, err := s.partyOf(ctx, tx, caseID)
		if err != nil {
			return err
		}
		out.Ended = ended(p.status)
		if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM case_feedback WHERE case_id = ? AND party_id = ?)`, caseID, p.partyID).
			Scan(&out.Done).Error; err != nil {
			return fmtErr("feedback state", err)
		}
		if out.Ended && !out.Done {
			if err := tx.Raw(`SELECT DISTINCT u.id, COALESCE(NULLIF(u.display_name, ''), u.username) AS name FROM case_mediators m
JOIN users u ON u.id = m.user_id WHERE m.case_id = ? ORDER BY u.id`, caseID).Scan(&out.Mediators).Error; err != nil {
				return fmtErr("case mediators", err)
			}
		}
		return nil
	})
	return out, err
}
