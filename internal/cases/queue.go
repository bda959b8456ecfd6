package cases

import (
	"context"
	"fmt"
	"slices"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Queue is what waits on a committee's desk: the counts behind the
// director's and the clerks' queue on "my work", each the size of a
// filtered case list (ListFilter with OrgID and the named status, or
// PendingObjection).
type Queue struct {
	OrgID int64
	// Submitted waits for acceptance (受理), whoever filed it: a party, an
	// enterprise, the assistance centre, a court, an exhibition complaint.
	Submitted int64
	// SubmittedBySource breaks Submitted down by source, in the order of
	// domain.CaseSources; sources with none are left out.
	SubmittedBySource []SourceCount
	// Accepted was accepted and waits for a mediator.
	Accepted int64
	// Objections counts the cases with an objection to a mediator the
	// director has not decided.
	Objections int64
	// AgreementDraft counts the agreements being signed and waiting for
	// the committee's seal.
	AgreementDraft int64
}

// SourceCount is the number of cases of one source.
type SourceCount struct {
	Source domain.CaseSource
	N      int64
}

// Empty reports whether nothing waits.
func (q Queue) Empty() bool {
	return q.Submitted+q.Accepted+q.Objections+q.AgreementDraft == 0
}

// Queue counts what waits at the committee orgID. Only its director and
// clerks (and the city director supervising it) have a queue there:
// EFORBIDDEN for anyone else.
func (s *Service) Queue(ctx context.Context, orgID int64) (Queue, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Queue{}, err
	}
	if v := s.viewerOf(a); !slices.Contains(v.queueOrgs(), orgID) {
		return Queue{}, domain.Errorf(domain.EFORBIDDEN, "you have no queue at this committee")
	}
	q := Queue{OrgID: orgID}
	var rows []struct {
		Status string
		Source string
		N      int64
	}
	db := s.db.WithContext(ctx)
	if err := db.Raw(`SELECT status, source, count(*) AS n FROM cases
WHERE org_id = ? AND status IN ('submitted', 'accepted', 'agreement_draft') GROUP BY status, source`, orgID).Scan(&rows).Error; err != nil {
		return Queue{}, fmt.Errorf("queue of committee %d: %w", orgID, err)
	}
	bySource := map[domain.CaseSource]int64{}
	for _, r := range rows {
		switch domain.CaseStatus(r.Status) {
		case domain.StatusSubmitted:
			q.Submitted += r.N
			bySource[domain.CaseSource(r.Source)] += r.N
		case domain.StatusAccepted:
			q.Accepted += r.N
		case domain.StatusAgreementDraft:
			q.AgreementDraft += r.N
		}
	}
	for _, src := range domain.CaseSources {
		if n := bySource[src]; n > 0 {
			q.SubmittedBySource = append(q.SubmittedBySource, SourceCount{Source: src, N: n})
		}
	}
	if err := db.Raw(`SELECT count(DISTINCT o.case_id) FROM case_objections o JOIN cases ON cases.id = o.case_id
WHERE cases.org_id = ? AND o.status = 'pending'`, orgID).Scan(&q.Objections).Error; err != nil {
		return Queue{}, fmt.Errorf("queue of committee %d: objections: %w", orgID, err)
	}
	return q, nil
}
