package party

import (
	"context"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// CaseMediator is a mediator assigned to the party's case, by name.
type CaseMediator struct {
	ID   int64
	Name string
}

// Objection is one of the party's objections to a mediator (回避申请)
// and where it stands.
type Objection struct {
	ID             int64
	MediatorName   string
	Reason         string
	Status         string // pending, upheld, dismissed
	DecisionReason string
	At             time.Time `gorm:"column:created_at"`
	DecidedAt      *time.Time
}

// Objections is what the signed-in party's objection section shows: the
// mediators now assigned to its case (whom it may object to) and its own
// objections, newest first. The objection itself is the case service's
// action (cases.Service.ObjectAsParty).
func (s *Service) Objections(ctx context.Context) ([]CaseMediator, []Objection, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return nil, nil, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	if _, err := s.byActor(ctx, s.d.DB, p, false); err != nil {
		return nil, nil, err
	}
	db := s.d.DB.WithContext(ctx)
	var ms []CaseMediator
	if err := db.Raw(`SELECT u.id, COALESCE(NULLIF(u.display_name, ''), u.username) AS name FROM case_mediators m
JOIN users u ON u.id = m.user_id WHERE m.case_id = ? AND m.removed_at IS NULL ORDER BY m.assigned_at, u.id`, p.CaseID).Scan(&ms).Error; err != nil {
		return nil, nil, fmtErr("case mediators", err)
	}
	var os []Objection
	if err := db.Raw(`SELECT o.id, COALESCE(NULLIF(u.display_name, ''), u.username) AS mediator_name, o.reason, o.status,
  o.decision_reason, o.created_at, o.decided_at
FROM case_objections o JOIN users u ON u.id = o.mediator_id
WHERE o.case_id = ? AND o.party_id = ? ORDER BY o.created_at DESC, o.id DESC`, p.CaseID, p.PartyID).Scan(&os).Error; err != nil {
		return nil, nil, fmtErr("objections", err)
	}
	return ms, os, nil
}
