package document

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// StoredFile is a file already in the file store (Blobs) that another
// capability hands to a case: an assistance application's documents,
// which go with the case opened from it.
type StoredFile struct {
	// Kind is one of Kinds.
	Kind        string
	FileName    string
	SizeBytes   int64
	ContentType string
	SHA256      string
	// StorageKey names the stored bytes (Stored.Key); they are shared,
	// never copied: stored files are never rewritten.
	StorageKey string
	UploadedBy *int64
	UploadedAt time.Time
}

// AddStoredTx attaches files already stored to case caseID inside tx, the
// caller's transaction, as ordinary (not confidential) documents of the
// case, each keeping who uploaded it and when. As for an upload, every
// document gets a "document_upload" entry on the case timeline, by actor a
// at at, and a "document.upload" audit row in the chain of the case's
// committee orgID (the detail says the file was handed over, not sent).
// The caller has decided that the files belong to the case. It returns
// how many documents it added.
func (s *Service) AddStoredTx(ctx context.Context, tx *gorm.DB, caseID, orgID int64, a *domain.Actor, files []StoredFile,
	at time.Time) (int, error) {
	at = at.UTC().Truncate(time.Microsecond)
	for _, f := range files {
		if !ValidKind(f.Kind) {
			return 0, fmt.Errorf("document: add stored file to case %d: unknown kind %q", caseID, f.Kind)
		}
		id := caseID
		r := row{CaseID: &id, Kind: f.Kind, FileName: f.FileName, SizeBytes: f.SizeBytes, ContentType: f.ContentType,
			SHA256: f.SHA256, StorageKey: f.StorageKey, UploadedBy: f.UploadedBy, UploadedAt: f.UploadedAt}
		if err := tx.WithContext(ctx).Create(&r).Error; err != nil {
			return 0, fmt.Errorf("document: add stored file to case %d: %w", caseID, err)
		}
		if err := s.access.AddEventTx(ctx, tx, caseID, a, "document_upload", eventDetail(r), at); err != nil {
			return 0, err
		}
		org := orgID
		if err := s.audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: "document.upload", ObjectType: "document",
			ObjectID: strconv.FormatInt(r.ID, 10), Detail: map[string]any{"kind": r.Kind, "file_name": r.FileName,
				"size_bytes": r.SizeBytes, "content_type": r.ContentType, "sha256": r.SHA256, "confidential": r.Confidential,
				"case_id": caseID, "handed_over": true}}); err != nil {
			return 0, err
		}
	}
	return len(files), nil
}

// MoveReferralFilesTx gives case caseID, inside tx, the files attached to
// referral referralID that belong to no case yet: a court's delegation
// files its case on acceptance, and the court's files go with it. They
// stay attached to the referral. It returns how many moved.
func (s *Service) MoveReferralFilesTx(ctx context.Context, tx *gorm.DB, referralID, caseID int64) (int64, error) {
	res := tx.WithContext(ctx).Model(&row{}).Where("referral_id = ? AND case_id IS NULL", referralID).Update("case_id", caseID)
	if res.Error != nil {
		return 0, fmt.Errorf("document: move the files of referral %d to case %d: %w", referralID, caseID, res.Error)
	}
	return res.RowsAffected, nil
}
