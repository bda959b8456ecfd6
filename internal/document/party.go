package document

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// PartyKinds are the kinds of document a party uploads from its own view
// (docs/design.md §16): its evidence, its agent's power of attorney, its
// identity papers, anything else.
var PartyKinds = []string{KindEvidence, KindPowerOfAttorney, KindIdentity, KindOther}

// PartyUpload is a document the party uploaded from its view.
type PartyUpload struct {
	ID         int64
	Kind       string
	FileName   string
	SizeBytes  int64
	SHA256     string `gorm:"column:sha256"`
	UploadedAt time.Time
}

// partyCaseOpen answers the case the signed-in party uploads to: its
// committee, or ECONFLICT once mediation has ended (the record is then
// complete) and the archived refusal for an archived case.
func (s *Service) partyCaseOpen(ctx context.Context, p *domain.PartyActor) (int64, error) {
	var c []struct {
		OrgID    int64
		Status   string
		Archived bool
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT org_id, status, archived_at IS NOT NULL AS archived FROM cases WHERE id = ?`, p.CaseID).
		Scan(&c).Error; err != nil {
		return 0, fmt.Errorf("document: party case: %w", err)
	}
	switch {
	case len(c) == 0:
		return 0, domain.NotFound("case")
	case c[0].Archived:
		return 0, domain.ErrArchived()
	}
	switch domain.CaseStatus(c[0].Status) {
	case domain.StatusSubmitted, domain.StatusAccepted, domain.StatusMediating, domain.StatusAgreementDraft:
		return c[0].OrgID, nil
	}
	return 0, &domain.Error{Code: domain.ECONFLICT, ID: "partyview.evidence.closed", Message: "mediation of this case has ended; no more documents are taken"}
}

// UploadAsParty stores a document the party signed in through its access
// link (domain.PartyFrom) uploads to its own case: one of PartyKinds,
// kept confidential (the handling committee and the parties read it),
// recorded as the party's (uploaded_by_party), on the timeline and in
// the audit log under the party's name. The case is the link's, never
// the request's.
func (s *Service) UploadAsParty(ctx context.Context, in UploadInput) (Document, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return Document{}, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	if in.Kind != "" && !slices.Contains(PartyKinds, in.Kind) {
		return Document{}, domain.Invalid(domain.FieldError{Field: "kind", Message: "validation.document_kind"})
	}
	org, err := s.PartyUploadAccess(ctx)
	if err != nil {
		return Document{}, err
	}
	caseID := p.CaseID
	in.CaseID, in.Confidential = caseID, true
	return s.storeChecked(ctx, &domain.Actor{DisplayName: p.Name}, in, &caseID, nil, org, nil)
}

// PartyUploadAccess answers whether the signed-in party may upload now,
// as UploadAsParty decides it, so that a request can be refused before
// its body is read; it returns the handling committee.
func (s *Service) PartyUploadAccess(ctx context.Context) (int64, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return 0, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	return s.partyCaseOpen(ctx, p)
}

// PartyUploads lists what the signed-in party uploaded to its case,
// newest first.
func (s *Service) PartyUploads(ctx context.Context) ([]PartyUpload, error) {
	p, ok := domain.PartyFrom(ctx)
	if !ok {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "sign in through your link first")
	}
	var out []PartyUpload
	if err := s.db.WithContext(ctx).Raw(`SELECT id, kind, file_name, size_bytes, sha256, uploaded_at FROM documents
WHERE case_id = ? AND uploaded_by_party = ? ORDER BY uploaded_at DESC, id DESC`, p.CaseID, p.PartyID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("document: party uploads: %w", err)
	}
	return out, nil
}
