package referral

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Files answers who may read and attach the files of a referral
// (document.ReferralAccessor): the members of its sending and receiving
// organisations whose role reads referrals. It reads the referrals table
// only, so the document service is given it at construction, before the
// referral service (which moves a court referral's files through the
// document service) exists.
type Files struct {
	db    *gorm.DB
	authz Authorizer
}

// NewFiles returns the referrals' file access over db; authz decides who
// reads referrals. NewFiles panics when either is nil.
func NewFiles(db *gorm.DB, authz Authorizer) *Files {
	if db == nil || authz == nil {
		panic("referral.NewFiles: missing db or authz")
	}
	return &Files{db: db, authz: authz}
}

// DocumentAccess is the organisation
// through which the actor stands on referral id (the receiving one when
// they belong to both) and the case it concerns. ENOTFOUND unless the
// actor is a member of either end whose role reads referrals.
func (f *Files) DocumentAccess(ctx context.Context, id int64) (int64, *int64, error) {
	return f.access(ctx, f.db, id, false)
}

// AttachAccess is DocumentAccess for adding a file: and the referral must be open (sent, received or
// accepted) — either end attaches while it runs. A declined referral
// takes nothing more from either end (it discloses nothing any longer,
// and a file attached to it would still reach the body that declined
// it); a completed one is closed. Both give ECONFLICT. The referral is
// read FOR SHARE in tx, the upload's transaction, so that a decline or
// completion running at the same time waits for the upload to commit,
// or the upload sees it.
func (f *Files) AttachAccess(ctx context.Context, tx *gorm.DB, id int64) (int64, *int64, error) {
	return f.access(ctx, tx, id, true)
}

func (f *Files) access(ctx context.Context, db *gorm.DB, id int64, attach bool) (int64, *int64, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return 0, nil, err
	}
	// A referral's documents are read by its sender and receiver alone,
	// not by the office that reads every referral.
	orgs := readScope(f.authz, a).orgs
	if len(orgs) == 0 {
		return 0, nil, domain.NotFound("referral")
	}
	var rows []struct {
		SenderOrgID   *int64
		ReceiverOrgID int64
		CaseID        *int64
		Status        string
	}
	lock := ""
	if attach {
		lock = " FOR SHARE"
	}
	if err := db.WithContext(ctx).Raw(`SELECT sender_org_id, receiver_org_id, case_id, status FROM referrals
WHERE id = ? AND (receiver_org_id IN ? OR sender_org_id IN ?)`+lock, id, orgs, orgs).Scan(&rows).Error; err != nil {
		return 0, nil, fmt.Errorf("referral %d: document access: %w", id, err)
	}
	if len(rows) == 0 {
		return 0, nil, domain.NotFound("referral")
	}
	r := rows[0]
	if st := Status(r.Status); attach && st.Final() {
		return 0, nil, domain.Errorf(domain.ECONFLICT, "the referral is %s: a closed referral takes no more documents", st)
	}
	if slices.Contains(orgs, r.ReceiverOrgID) || r.SenderOrgID == nil {
		return r.ReceiverOrgID, r.CaseID, nil
	}
	return *r.SenderOrgID, r.CaseID, nil
}
