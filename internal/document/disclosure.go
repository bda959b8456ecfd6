package document

import (
	"context"
	"slices"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Discloser is implemented by a CaseAccessor that knows referrals (the
// case service): for an actor who sees a case only through a referral
// (docs/design.md §5), it names the documents the referral discloses. restricted
// false means the usual rules of visible apply.
type Discloser interface {
	DisclosedDocuments(ctx context.Context, caseID int64) (ids []int64, restricted bool, err error)
}

// visibleTo is visible extended by referral disclosure: an actor whose
// role reads documents and who sees the case only through a referral
// reads exactly the documents it discloses — confidential ones and minutes only when named there — and
// nothing else.
func (s *Service) visibleTo(ctx context.Context, a *domain.Actor, acc domain.CaseAccess, rows []row) ([]bool, error) {
	out := make([]bool, len(rows))
	if !acc.ReadsDocuments {
		return out, nil
	}
	if d, ok := s.access.(Discloser); ok && !acc.Handling && !acc.Party && len(rows) > 0 && rows[0].CaseID != nil {
		ids, restricted, err := d.DisclosedDocuments(ctx, *rows[0].CaseID)
		if err != nil {
			return nil, err
		}
		if restricted {
			for i, r := range rows {
				out[i] = slices.Contains(ids, r.ID)
			}
			return out, nil
		}
	}
	for i, r := range rows {
		out[i] = visible(a, acc, r)
	}
	return out, nil
}
