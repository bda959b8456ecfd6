package register

import (
	"context"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// FollowUp is one follow-up visit (回访) of the agreement's performance,
// as a party sees it (internal/cases records them: case_performance).
type FollowUp struct {
	Result      string // performed, partly, refused
	PerformedOn time.Time
	Note        string
	RecordedAt  time.Time
}

// FollowUps lists the follow-ups of the case of the party acting through
// its access link (domain.PartyFrom), oldest first. ENOTFOUND without a
// party in ctx.
func (s *Service) FollowUps(ctx context.Context) ([]FollowUp, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return nil, domain.NotFound("case")
	}
	var out []FollowUp
	if err := s.d.DB.WithContext(ctx).Raw(`SELECT cp.result, cp.performed_on, cp.note, cp.recorded_at FROM case_performance cp
WHERE cp.case_id = ? AND EXISTS (SELECT 1 FROM case_parties pa WHERE pa.id = ? AND pa.case_id = cp.case_id)
ORDER BY cp.recorded_at, cp.id`, p.CaseID, p.PartyID).Scan(&out).Error; err != nil {
		return nil, fmtErr("follow-ups", err)
	}
	return out, nil
}
