package document

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// ReferralAccessor says who may attach and read the documents of a
// referral (docs/design.md §5): the members of its sending and receiving
// organisations who read referrals. referral.Files implements it.
type ReferralAccessor interface {
	// DocumentAccess returns the organisation through which the actor
	// stands on the referral (its audit chain) and the case the referral
	// concerns, if any; ENOTFOUND when the actor is at neither end.
	DocumentAccess(ctx context.Context, referralID int64) (orgID int64, caseID *int64, err error)
	// AttachAccess is DocumentAccess for adding a file, read in tx (the
	// upload's transaction, or the plain handle for a check before the
	// body is read): ECONFLICT when the referral's state takes no files
	// any more (declined, completed).
	AttachAccess(ctx context.Context, tx *gorm.DB, referralID int64) (orgID int64, caseID *int64, err error)
}

// UploadToReferral attaches a file to a referral: the court's ruling or
// notice, the committee's agreement, a customs decision. Either end of the
// referral may attach while it is open (sent, received, accepted); a
// declined or completed referral gives ECONFLICT. The document also
// belongs to the referral's case when it has one (a court's delegation
// files it on acceptance, and its documents move to that case).
// Validation and storage are Upload's; the state is checked again inside
// the upload's transaction, with the referral row share-locked, so that a
// decline cannot slip in between. The upload is audited in the
// uploader's organisation's chain.
func (s *Service) UploadToReferral(ctx context.Context, referralID int64, in UploadInput) (Document, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Document{}, err
	}
	org, caseID, err := s.ReferralUploadAccess(ctx, referralID)
	if err != nil {
		return Document{}, err
	}
	return s.storeChecked(ctx, a, in, caseID, &referralID, org, func(tx *gorm.DB) error {
		_, _, err := s.referrals.AttachAccess(ctx, tx, referralID)
		return err
	})
}

// ReferralUploadAccess answers whether the actor may attach a file to
// referral referralID now, as UploadToReferral decides it (ENOTFOUND,
// ECONFLICT), so that a request can be refused before its body is read.
// It returns the organisation through which the actor attaches and the
// referral's case, if any.
func (s *Service) ReferralUploadAccess(ctx context.Context, referralID int64) (int64, *int64, error) {
	if _, err := domain.RequireActor(ctx); err != nil {
		return 0, nil, err
	}
	return s.referrals.AttachAccess(ctx, s.db, referralID)
}

// ListForReferral returns the documents attached to a referral, oldest
// first, for the members of its two organisations (else ENOTFOUND).
func (s *Service) ListForReferral(ctx context.Context, referralID int64) ([]Document, error) {
	if _, err := domain.RequireActor(ctx); err != nil {
		return nil, err
	}
	if _, _, err := s.referrals.DocumentAccess(ctx, referralID); err != nil {
		return nil, err
	}
	var rows []row
	if err := s.db.WithContext(ctx).Where("referral_id = ?", referralID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("document: list referral %d: %w", referralID, err)
	}
	out := make([]Document, len(rows))
	for i, r := range rows {
		out[i] = r.toDocument()
	}
	return out, nil
}

// referralReader reports whether the actor reads document r as a member
// of either end of the referral it is attached to, and through which
// organisation. Attached documents are the referral's own correspondence,
// so both ends read all of them; what else of the case a receiver reads is
// the disclosure's business (visibleTo).
func (s *Service) referralReader(ctx context.Context, r row) (int64, bool, error) {
	if r.ReferralID == nil {
		return 0, false, nil
	}
	org, _, err := s.referrals.DocumentAccess(ctx, *r.ReferralID)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return 0, false, nil
		}
		return 0, false, err
	}
	return org, true, nil
}
