package dossier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Of returns the dossier of a case the caller has already read within
// the actor's scope (the case page), or nil when the case is not
// archived. It says nothing of the files' contents.
func (s *Service) Of(ctx context.Context, caseID int64) (*Dossier, error) {
	var r dossierRow
	err := s.db.WithContext(ctx).Where("case_id = ?", caseID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dossier of case %d: %w", caseID, err)
	}
	var name string
	if err := s.db.WithContext(ctx).Raw("SELECT display_name FROM users WHERE id = ?", r.ArchivedBy).Scan(&name).Error; err != nil {
		return nil, fmt.Errorf("dossier of case %d: archivist: %w", caseID, err)
	}
	d := r.toDossier()
	d.ArchivedByName = name
	return &d, nil
}

// CanRead reports whether the actor may read dossiers of a committee's
// cases: dossier:read in it, or in an organisation whose director
// supervises it.
func (s *Service) CanRead(a *domain.Actor, orgID int64) bool {
	if a == nil {
		return false
	}
	if s.authz.Can(a.UserID, orgID, "dossier", "read") {
		return true
	}
	if a.Supervises(orgID) {
		for _, m := range a.Memberships {
			if s.authz.Can(a.UserID, m.OrgID, "dossier", "read") {
				return true
			}
		}
	}
	return false
}

// File is which file of a dossier.
type File string

// The files of a dossier.
const (
	FilePDF File = "pdf"
	FileZIP File = "zip"
)

// Open opens a file of a case's dossier for download and audits the read
// (dossier.download): the dossier holds the minutes and the identity
// documents. ENOTFOUND for a case outside the actor's scope, one not
// archived or an unknown file; EFORBIDDEN without dossier:read.
func (s *Service) Open(ctx context.Context, caseID int64, f File) (io.ReadCloser, Dossier, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return nil, Dossier{}, err
	}
	cv, err := s.cases.Get(ctx, caseID)
	if err != nil {
		return nil, Dossier{}, err
	}
	if !s.CanRead(a, cv.OrgID) {
		return nil, Dossier{}, domain.Errorf(domain.EFORBIDDEN, "reading a dossier needs dossier:read")
	}
	d, err := s.Of(ctx, caseID)
	if err != nil {
		return nil, Dossier{}, err
	}
	if d == nil {
		return nil, Dossier{}, domain.NotFound("dossier")
	}
	var key, sum string
	switch f {
	case FilePDF:
		key, sum = d.PDFKey, d.PDFSHA256
	case FileZIP:
		key, sum = d.ZIPKey, d.ZIPSHA256
	default:
		return nil, Dossier{}, domain.NotFound("dossier file")
	}
	org := d.OrgID
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.audit.Append(ctx, tx, audit.Entry{OrgID: &org, Action: "dossier.download", ObjectType: "case",
			ObjectID: strconv.FormatInt(caseID, 10), Detail: map[string]any{"archive_number": d.ArchiveNumber,
				"file": string(f), "sha256": sum}})
	})
	if err != nil {
		return nil, Dossier{}, err
	}
	rc, err := s.store.Open(key)
	if err != nil {
		return nil, Dossier{}, fmt.Errorf("open dossier %s: %w", f, err)
	}
	return rc, *d, nil
}

func encode(m map[string]any) (string, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode detail: %w", err)
	}
	return string(b), nil
}
