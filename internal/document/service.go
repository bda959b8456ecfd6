// Package document keeps the files attached to dispute cases (docs/design.md §4
// "Documents", §12 "Uploads"): the bytes in a directory outside the
// database under generated keys (Blobs), the metadata in the documents
// table (Service), and the HTTP response that hands a file out
// (ServeDownload).
//
// Rules:
//
//   - Uploads are limited in size and checked against a content-type
//     allow-list by sniffing the bytes, never by the client's header.
//   - Names given by users are metadata only: cleaned, and never used in a
//     path.
//   - Who may see a case is the case service's business, asked through
//     CaseAccessor, and so is what casbin's document permissions give the
//     actor on it (CaseAccess.ReadsDocuments, UploadsDocuments: the
//     policy, configs/policy.csv, asked for the roles held in the
//     organisations through which the actor sees the case). A document is
//     visible to whoever sees its case and reads its documents, except
//     that confidential documents and mediation minutes need
//     CaseAccess.SeesConfidential, and identity documents need
//     CaseAccess.SeesPersonalData unless the viewer uploaded them; anything
//     not visible is ENOTFOUND.
//   - Uploading needs UploadsDocuments: working the case in its handling
//     committee, or being a party; a supervising director reads, never
//     adds.
//   - Every upload is audited ("document.upload") and written to the case
//     timeline in the transaction that inserts the row; every read of a
//     confidential, minutes or identity document is audited
//     ("document.read").
package document

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Document kinds, as the documents table's CHECK lists them.
const (
	KindApplication          = "application"           // 调解申请书
	KindEvidence             = "evidence"              // 证据材料
	KindPowerOfAttorney      = "power_of_attorney"     // 授权委托书
	KindIdentity             = "identity"              // 身份证明
	KindAgreement            = "agreement"             // 调解协议
	KindNotice               = "notice"                // 通知书
	KindMinutes              = "minutes"               // 调解笔录
	KindArbitrationAgreement = "arbitration_agreement" // 仲裁协议
	KindCourtDocument        = "court_document"        // 法院文书
	KindOther                = "other"
)

// Kinds lists every document kind in display order.
var Kinds = []string{KindApplication, KindEvidence, KindPowerOfAttorney, KindIdentity, KindAgreement,
	KindNotice, KindMinutes, KindArbitrationAgreement, KindCourtDocument, KindOther}

// ValidKind reports whether kind is a known document kind.
func ValidKind(kind string) bool {
	for _, k := range Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// CaseAccessor tells what the context's actor may do with a case. It
// returns ENOTFOUND when the actor may not see the case at all. The case
// service implements it.
type CaseAccessor interface {
	Access(ctx context.Context, caseID int64) (domain.CaseAccess, error)
	// AddEventTx writes an entry to the case's timeline inside tx: the
	// case service owns the timeline.
	AddEventTx(ctx context.Context, tx *gorm.DB, caseID int64, a *domain.Actor, action string, detail map[string]any, at time.Time) error
}

// Auditor appends audit rows inside the caller's transaction.
type Auditor interface {
	Append(ctx context.Context, tx *gorm.DB, e audit.Entry) error
}

// Document is a file attached to a case. The storage key never leaves the
// package.
type Document struct {
	ID           int64     `json:"id"`
	CaseID       int64     `json:"case_id"`
	Kind         string    `json:"kind"`
	FileName     string    `json:"file_name"`
	SizeBytes    int64     `json:"size_bytes"`
	ContentType  string    `json:"content_type"`
	SHA256       string    `json:"sha256"`
	Confidential bool      `json:"confidential"`
	UploadedBy   int64     `json:"uploaded_by"` // 0 when the uploader is unknown
	UploadedAt   time.Time `json:"uploaded_at"`
}

// UploadInput is one file to attach to a case.
type UploadInput struct {
	CaseID int64
	// Kind is one of Kinds.
	Kind string
	// FileName is the name the user gave the file; it is cleaned and kept
	// as metadata only.
	FileName string
	// Confidential limits the document to viewers who see confidential
	// material (the handling organisation and the parties).
	Confidential bool
	// Body is the file's content; it is streamed, never held in memory.
	Body io.Reader
}

// Service attaches documents to cases and hands them out.
type Service struct {
	db        *gorm.DB
	blobs     *Blobs
	access    CaseAccessor
	audit     Auditor
	maxBytes  int64
	now       func() time.Time
	referrals ReferralAccessor
}

// Deps are the document service's collaborators. Now may be left out
// (the wall clock); every other one is required.
type Deps struct {
	DB *gorm.DB
	// Blobs stores the files.
	Blobs *Blobs
	// Cases says who sees a case and writes its timeline (the case
	// service).
	Cases CaseAccessor
	// Referrals says who reads a referral and attaches its files
	// (referral.Files).
	Referrals ReferralAccessor
	Audit     Auditor
	// MaxBytes caps one file (config Storage.MaxUploadBytes).
	MaxBytes int64
	Now      func() time.Time
}

// NewService returns a Service. A missing collaborator is a wiring
// mistake: NewService panics naming it.
func NewService(d Deps) *Service {
	domain.RequireDeps("document.NewService", map[string]bool{"DB": d.DB == nil, "Blobs": d.Blobs == nil, "Cases": d.Cases == nil,
		"Referrals": d.Referrals == nil, "Audit": d.Audit == nil})
	if d.Now == nil {
		d.Now = clock.Wall
	}
	return &Service{db: d.DB, blobs: d.Blobs, access: d.Cases, referrals: d.Referrals, audit: d.Audit, maxBytes: d.MaxBytes, now: d.Now}
}

// row is a documents row.
type row struct {
	ID           int64 `gorm:"primaryKey"`
	CaseID       *int64
	ReferralID   *int64
	Kind         string
	FileName     string
	SizeBytes    int64
	ContentType  string
	SHA256       string `gorm:"column:sha256"`
	StorageKey   string
	Confidential bool
	UploadedBy   *int64
	UploadedAt   time.Time
	// UploadedByParty is the party that uploaded the document from its
	// own view (UploadAsParty); nil for a user's upload.
	UploadedByParty *int64
}

// TableName tells GORM the table.
func (row) TableName() string { return "documents" }

// toDocument returns the row's public form.
func (r row) toDocument() Document {
	d := Document{ID: r.ID, Kind: r.Kind, FileName: r.FileName, SizeBytes: r.SizeBytes,
		ContentType: r.ContentType, SHA256: r.SHA256, Confidential: r.Confidential, UploadedAt: r.UploadedAt}
	if r.CaseID != nil {
		d.CaseID = *r.CaseID
	}
	if r.UploadedBy != nil {
		d.UploadedBy = *r.UploadedBy
	}
	return d
}

// Upload attaches a file to a case.
//
// The actor must see the case (else ENOTFOUND) and hold document:upload
// as one who works it in its handling committee or as a party to it
// (CaseAccess.UploadsDocuments, else EFORBIDDEN). Anyone who may upload may mark the file
// confidential, parties included: mediation confidentiality protects the
// parties, and it hides nothing from the other side (every party sees
// confidential material) — only from viewers outside the handling
// organisation and the parties. Minutes are always confidential. A party
// may upload identity documents even when it may not see other parties'
// personal data; it sees its own uploads.
//
// Invalid input gives EINVALID naming "kind", "file_name" or "file"
// (too large, empty, a type not on the allow-list, or content that is
// not what the name's extension says). The blob is stored
// first; the row, the "document_upload" case event and the
// "document.upload" audit row are then written in one transaction, and
// the blob is deleted again when that transaction fails.
func (s *Service) Upload(ctx context.Context, in UploadInput) (Document, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Document{}, err
	}
	acc, err := s.UploadAccess(ctx, in.CaseID)
	if err != nil {
		return Document{}, err
	}
	caseID := in.CaseID
	return s.store(ctx, a, in, &caseID, nil, acc.OrgID)
}

// UploadAccess answers whether the actor may upload to case caseID, as
// Upload decides it (ENOTFOUND, EFORBIDDEN), so that a request can be
// refused before its body is read.
func (s *Service) UploadAccess(ctx context.Context, caseID int64) (domain.CaseAccess, error) {
	acc, err := s.access.Access(ctx, caseID)
	if err != nil {
		return domain.CaseAccess{}, err
	}
	if !acc.UploadsDocuments {
		return domain.CaseAccess{}, domain.Errorf(domain.EFORBIDDEN,
			"only those who work the case in its committee and its parties may add documents to it")
	}
	// An archived case takes no more documents: its dossier is the record.
	var archived bool
	if err := s.db.WithContext(ctx).Raw("SELECT archived_at IS NOT NULL FROM cases WHERE id = ?", caseID).Scan(&archived).Error; err != nil {
		return domain.CaseAccess{}, fmt.Errorf("upload access: %w", err)
	}
	if archived {
		return domain.CaseAccess{}, domain.ErrArchived()
	}
	return acc, nil
}

// store validates an upload, stores its bytes and writes the row, the
// case timeline event (when it belongs to a case) and the audit row in
// the audit chain of org, in one transaction; the blob is deleted again
// when the transaction fails.
func (s *Service) store(ctx context.Context, a *domain.Actor, in UploadInput, caseID, referralID *int64, org int64) (Document, error) {
	return s.storeChecked(ctx, a, in, caseID, referralID, org, nil)
}

// storeChecked is store with check, when not nil, run first inside the
// transaction: an error from it rolls the upload back.
func (s *Service) storeChecked(ctx context.Context, a *domain.Actor, in UploadInput, caseID, referralID *int64, org int64,
	check func(tx *gorm.DB) error) (Document, error) {
	var fe domain.Fields
	if in.Kind == "" {
		fe.Add("kind", "validation.required")
	} else if !ValidKind(in.Kind) {
		fe.Add("kind", "validation.document_kind")
	}
	name := CleanFileName(in.FileName)
	if name == "" {
		fe.Add("file_name", "validation.file_name")
	}
	if in.Body == nil {
		fe.Add("file", "validation.required")
	}
	if err := fe.Err(); err != nil {
		return Document{}, err
	}
	confidential := in.Confidential || in.Kind == KindMinutes

	// The raw name, not the cleaned one, tells the extension the user
	// gave: cleaning drops the dot of ".pdf".
	st, err := s.blobs.PutUpload(in.Body, s.maxBytes, in.FileName)
	if err != nil {
		return Document{}, err
	}
	r := row{CaseID: caseID, ReferralID: referralID, Kind: in.Kind, FileName: name, SizeBytes: st.Size, ContentType: st.ContentType,
		SHA256: st.SHA256, StorageKey: st.Key, Confidential: confidential, UploadedBy: a.UserIDRef(),
		UploadedAt: s.now().UTC().Truncate(time.Microsecond)}
	actorName := ""
	if p, ok := domain.PartyFrom(ctx); ok && a.UserID == 0 {
		// A party uploading from its own view (UploadAsParty).
		pid := p.PartyID
		r.UploadedByParty, actorName = &pid, p.AuditName()
	}
	detail := map[string]any{"kind": r.Kind, "file_name": r.FileName, "size_bytes": r.SizeBytes,
		"content_type": r.ContentType, "sha256": r.SHA256, "confidential": r.Confidential}
	if caseID != nil {
		detail["case_id"] = *caseID
	}
	if referralID != nil {
		detail["referral_id"] = *referralID
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if check != nil {
			if err := check(tx); err != nil {
				return err
			}
		}
		if err := tx.Create(&r).Error; err != nil {
			return fmt.Errorf("document: insert: %w", err)
		}
		if r.CaseID != nil {
			if err := s.access.AddEventTx(ctx, tx, *r.CaseID, a, "document_upload", eventDetail(r), r.UploadedAt); err != nil {
				return err
			}
		}
		return s.audit.Append(ctx, tx, audit.Entry{OrgID: &org, ActorName: actorName, Action: "document.upload",
			ObjectType: "document", ObjectID: strconv.FormatInt(r.ID, 10), Detail: detail})
	})
	if err != nil {
		if derr := s.blobs.Delete(st.Key); derr != nil {
			return Document{}, errors.Join(err, derr)
		}
		return Document{}, err
	}
	return r.toDocument(), nil
}

// eventDetail is what the case timeline says of an upload. The timeline
// is shown to everyone who sees the case, so for a confidential document
// it names neither the file nor its hash (the audit row keeps both).
func eventDetail(r row) map[string]any {
	detail := map[string]any{"document_id": r.ID, "kind": r.Kind, "size_bytes": r.SizeBytes,
		"confidential": r.Confidential}
	if !r.Confidential {
		detail["file_name"] = r.FileName
		detail["sha256"] = r.SHA256
	}
	return detail
}

// visible reports whether the actor a, with access acc to the case, may
// see document r: nothing without ReadsDocuments; confidential documents and minutes need
// SeesConfidential (mediation confidentiality); identity documents —
// copies that show identity numbers whole — need SeesPersonalData, except
// for whoever uploaded them (a party may see the licence or identity card
// it handed in).
func visible(a *domain.Actor, acc domain.CaseAccess, r row) bool {
	if !acc.ReadsDocuments {
		return false
	}
	if (r.Confidential || r.Kind == KindMinutes) && !acc.SeesConfidential {
		return false
	}
	if r.Kind == KindIdentity && !acc.SeesPersonalData && (r.UploadedBy == nil || *r.UploadedBy != a.UserID) {
		return false
	}
	return true
}

// sensitive reports whether reading a document is audited.
func sensitive(d Document) bool {
	return d.Confidential || d.Kind == KindMinutes || d.Kind == KindIdentity
}

// List returns the documents of a case the actor may see, oldest first:
// none when their role does not read documents. A case the actor may not
// see gives ENOTFOUND.
func (s *Service) List(ctx context.Context, caseID int64) ([]Document, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	acc, err := s.access.Access(ctx, caseID)
	if err != nil {
		return nil, err
	}
	var rows []row
	if err := s.db.WithContext(ctx).Where("case_id = ?", caseID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("document: list: %w", err)
	}
	seen, err := s.visibleTo(ctx, a, acc, rows)
	if err != nil {
		return nil, err
	}
	out := []Document{}
	for i, r := range rows {
		if seen[i] {
			out = append(out, r.toDocument())
		}
	}
	return out, nil
}

// Download returns a document and its contents; the caller closes the
// reader. A document that does not exist, belongs to a case the actor may
// not see, or is withheld from the actor (see the package rules) gives
// ENOTFOUND, the same answer in every case. Reading a confidential,
// minutes or identity document is audited ("document.read") before the
// contents are handed out; when that fails, so does the download.
func (s *Service) Download(ctx context.Context, id int64) (Document, io.ReadCloser, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Document{}, nil, err
	}
	var rows []row
	if err := s.db.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return Document{}, nil, fmt.Errorf("document: load %d: %w", id, err)
	}
	if len(rows) == 0 {
		return Document{}, nil, domain.NotFound("document")
	}
	r := rows[0]
	if org, ok, err := s.referralReader(ctx, r); err != nil {
		return Document{}, nil, err
	} else if ok {
		return s.open(ctx, r, org)
	}
	if r.CaseID == nil {
		return Document{}, nil, domain.NotFound("document")
	}
	acc, err := s.access.Access(ctx, *r.CaseID)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return Document{}, nil, domain.NotFound("document")
		}
		return Document{}, nil, err
	}
	seen, err := s.visibleTo(ctx, a, acc, rows[:1])
	if err != nil {
		return Document{}, nil, err
	}
	if !seen[0] {
		return Document{}, nil, domain.NotFound("document")
	}
	return s.open(ctx, r, acc.OrgID)
}

// open hands out a document the actor may read, auditing the read of a
// sensitive one in the audit chain of org first.
func (s *Service) open(ctx context.Context, r row, org int64) (Document, io.ReadCloser, error) {
	d := r.toDocument()
	body, err := s.blobs.Open(r.StorageKey)
	if err != nil {
		return Document{}, nil, &domain.Error{Code: domain.EINTERNAL, Message: "the document's file is missing", Err: err}
	}
	if sensitive(d) {
		detail := map[string]any{"case_id": d.CaseID, "kind": d.Kind, "file_name": d.FileName,
			"sha256": d.SHA256, "confidential": d.Confidential}
		if r.ReferralID != nil {
			detail["referral_id"] = *r.ReferralID
		}
		err := s.audit.Append(ctx, s.db.WithContext(ctx), audit.Entry{OrgID: &org, Action: "document.read",
			ObjectType: "document", ObjectID: strconv.FormatInt(d.ID, 10), Detail: detail})
		if err != nil {
			_ = body.Close()
			return Document{}, nil, err
		}
	}
	return d, body, nil
}
