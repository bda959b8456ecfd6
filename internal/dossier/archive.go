package dossier

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Archivable are the statuses a case may be archived in: the terminal
// ones, its matter ended.
var Archivable = []domain.CaseStatus{domain.StatusClosed, domain.StatusRejected, domain.StatusWithdrawn}

func archivable(s domain.CaseStatus) bool {
	for _, a := range Archivable {
		if a == s {
			return true
		}
	}
	return false
}

// Input is what the caller adds to the dossier: the printed notices of the
// case (受理、不予受理、终止调解通知书, the agreement) as the web layer
// prints them today, so that their text is written once.
type Input struct {
	Notices []Item
}

// Archive archives a case as its dossier (归档), by the handling
// committee's director or clerk (dossier:archive in its organisation).
// The case must be closed, rejected or withdrawn (else ECONFLICT), not yet
// archived (ErrArchived). In one transaction it locks the case, takes the
// next archive number of the committee and year (gapless: the counter row
// stays locked until commit), builds the PDF and the ZIP, writes them to
// the file store, records the dossier, marks the case archived, puts an
// "archive" event on its timeline and appends the audit row. Should
// anything fail, the files written are removed and nothing is recorded.
//
// Errors: ENOTFOUND (outside the actor's scope), EFORBIDDEN, ECONFLICT.
func (s *Service) Archive(ctx context.Context, caseID int64, in Input) (Dossier, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Dossier{}, err
	}
	var (
		out     Dossier
		written []string
	)
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row struct {
			OrgID      int64
			Status     string
			ArchivedAt *time.Time
		}
		// The scope first: a case the actor cannot see does not exist.
		cv, err := s.cases.Get(ctx, caseID)
		if err != nil {
			return err
		}
		if !s.authz.Can(a.UserID, cv.OrgID, "dossier", "archive") {
			return domain.Errorf(domain.EFORBIDDEN, "archiving needs dossier:archive in the handling committee")
		}
		if err := tx.Table("cases").Select("org_id, status, archived_at").Where("id = ?", caseID).
			Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Take(&row).Error; err != nil {
			return fmt.Errorf("lock case: %w", err)
		}
		if row.ArchivedAt != nil {
			return domain.ErrArchived()
		}
		if !archivable(domain.CaseStatus(row.Status)) {
			return &domain.Error{Code: domain.ECONFLICT, ID: MsgNotEnded,
				Message: "only a closed, rejected or withdrawn case is archived"}
		}
		// Read the case again under the lock: what the dossier holds is
		// what the case is at the commit.
		if cv, err = s.cases.Get(ctx, caseID); err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		year := now.In(beijing).Year()
		number, seq, err := s.nextNumber(ctx, tx, row.OrgID, year)
		if err != nil {
			return err
		}
		docs, err := s.documents(ctx, tx, caseID)
		if err != nil {
			return err
		}
		var extra []Item
		for _, sec := range s.sections {
			items, err := sec.Items(ctx, tx, cv)
			if err != nil {
				return fmt.Errorf("dossier section: %w", err)
			}
			extra = append(extra, items...)
		}
		b, err := s.build(ctx, buildInput{view: cv, number: number, archivist: a.Name(), at: now,
			notices: in.Notices, docs: docs, extra: extra})
		if err != nil {
			return err
		}
		pdfStored, err := s.store.Put(bytes.NewReader(b.pdf), int64(len(b.pdf))+1)
		if err != nil {
			return fmt.Errorf("store dossier pdf: %w", err)
		}
		written = append(written, pdfStored.Key)
		zipStored, err := s.store.Put(bytes.NewReader(b.zip), int64(len(b.zip))+1)
		if err != nil {
			return fmt.Errorf("store dossier zip: %w", err)
		}
		written = append(written, zipStored.Key)

		d := dossierRow{CaseID: caseID, OrgID: row.OrgID, ArchiveYear: year, ArchiveSeq: seq, ArchiveNumber: number,
			PDFKey: pdfStored.Key, PDFSHA256: pdfStored.SHA256, PDFSize: pdfStored.Size, PDFPages: b.pages,
			ZIPKey: zipStored.Key, ZIPSHA256: zipStored.SHA256, ZIPSize: zipStored.Size, ArchivedAt: now, ArchivedBy: a.UserID}
		if err := tx.Create(&d).Error; err != nil {
			return fmt.Errorf("record dossier: %w", err)
		}
		detail, err := encode(map[string]any{"archive_number": number, "dossier_id": d.ID, "pages": b.pages,
			"pdf_sha256": pdfStored.SHA256, "zip_sha256": zipStored.SHA256})
		if err != nil {
			return err
		}
		// The timeline's last event, before the case becomes read-only.
		if err := tx.Exec(`INSERT INTO case_events (case_id, at, actor_id, actor_name, action, from_status, to_status, detail)
			VALUES (?, ?, ?, ?, 'archive', ?, ?, ?::jsonb)`, caseID, now, a.UserIDRef(), a.Name(), row.Status, row.Status, detail).Error; err != nil {
			return fmt.Errorf("record archive event: %w", err)
		}
		if err := tx.Exec("UPDATE cases SET archived_at = ? WHERE id = ?", now, caseID).Error; err != nil {
			return fmt.Errorf("mark case archived: %w", err)
		}
		org := row.OrgID
		if err := s.audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: "case.archive", ObjectType: "case",
			ObjectID: strconv.FormatInt(caseID, 10), Detail: map[string]any{"archive_number": number, "dossier_id": d.ID,
				"pdf_sha256": pdfStored.SHA256, "zip_sha256": zipStored.SHA256, "pages": b.pages}}); err != nil {
			return err
		}
		out = d.toDossier()
		out.ArchivedByName = a.Name()
		return nil
	})
	if err != nil {
		for _, k := range written {
			if derr := s.store.Delete(k); derr != nil {
				s.log.WarnContext(ctx, "remove dossier file after a failed archive", "key", k, "err", derr)
			}
		}
		return Dossier{}, fmt.Errorf("archive case %d: %w", caseID, err)
	}
	return out, nil
}

// MsgNotEnded names, in the catalogs, the refusal to archive a case whose
// matter has not ended.
const MsgNotEnded = "dossier.not_ended"

// nextNumber takes the next archive number of a committee and year:
// （2026）鼓知调档字第0001号, the committee's short code as in its case
// numbers. The counter row stays locked until the transaction ends, so
// numbers are unique and gapless even when archives run at once: one that
// fails rolls its number back with it.
func (s *Service) nextNumber(ctx context.Context, tx *gorm.DB, orgID int64, year int) (string, int, error) {
	var code string
	if err := tx.WithContext(ctx).Table("orgs").Select("short_code").Where("id = ?", orgID).Scan(&code).Error; err != nil {
		return "", 0, fmt.Errorf("load committee %d: %w", orgID, err)
	}
	if code == "" {
		return "", 0, domain.Errorf(domain.ECONFLICT, "the committee has no short code to number the dossier with; a system administrator sets it")
	}
	var seq int
	if err := tx.WithContext(ctx).Raw(`INSERT INTO dossier_counters (org_id, year, last) VALUES (?, ?, 1)
		ON CONFLICT (org_id, year) DO UPDATE SET last = dossier_counters.last + 1 RETURNING last`, orgID, year).Scan(&seq).Error; err != nil {
		return "", 0, fmt.Errorf("archive number: %w", err)
	}
	return ArchiveNumber(year, code, seq), seq, nil
}

// ArchiveNumber formats an archive number: the case number's pattern with
// 档 (档案).
func ArchiveNumber(year int, shortCode string, seq int) string {
	return fmt.Sprintf("（%d）%s档字第%04d号", year, shortCode, seq)
}

// docFile is an uploaded document of the case, with where its bytes are.
type docFile struct {
	ID          int64
	Kind        string
	FileName    string
	SizeBytes   int64
	ContentType string
	SHA256      string
	StorageKey  string
	UploadedAt  time.Time
}

func (s *Service) documents(ctx context.Context, tx *gorm.DB, caseID int64) ([]docFile, error) {
	var out []docFile
	err := tx.WithContext(ctx).Table("documents").
		Select("id, kind, file_name, size_bytes, content_type, sha256, storage_key, uploaded_at").
		Where("case_id = ?", caseID).Order("id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load documents: %w", err)
	}
	return out, nil
}

// dossierRow is a case_dossiers row.
type dossierRow struct {
	ID            int64
	CaseID        int64
	OrgID         int64
	ArchiveYear   int
	ArchiveSeq    int
	ArchiveNumber string
	PDFKey        string `gorm:"column:pdf_key"`
	PDFSHA256     string `gorm:"column:pdf_sha256"`
	PDFSize       int64  `gorm:"column:pdf_size"`
	PDFPages      int    `gorm:"column:pdf_pages"`
	ZIPKey        string `gorm:"column:zip_key"`
	ZIPSHA256     string `gorm:"column:zip_sha256"`
	ZIPSize       int64  `gorm:"column:zip_size"`
	ArchivedAt    time.Time
	ArchivedBy    int64
}

func (dossierRow) TableName() string { return "case_dossiers" }

func (r dossierRow) toDossier() Dossier {
	return Dossier{ID: r.ID, CaseID: r.CaseID, OrgID: r.OrgID, ArchiveNumber: r.ArchiveNumber, PDFKey: r.PDFKey,
		PDFSHA256: r.PDFSHA256, PDFSize: r.PDFSize, PDFPages: r.PDFPages, ZIPKey: r.ZIPKey, ZIPSHA256: r.ZIPSHA256,
		ZIPSize: r.ZIPSize, ArchivedAt: r.ArchivedAt, ArchivedBy: r.ArchivedBy}
}
