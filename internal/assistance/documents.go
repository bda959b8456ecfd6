package assistance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// UploadInput is one file to attach to an application.
type UploadInput struct {
	ApplicationID int64
	// Kind is one of DocumentKinds.
	Kind string
	// FileName is the name the user gave the file; it is cleaned and kept
	// as metadata only, never used in a path.
	FileName string
	Body     io.Reader
}

// Upload attaches a file to an application (the applicant, while the
// application is under review or waiting for materials; a file sent while
// materials are requested belongs to that request). The type is sniffed
// against the allow-list of case documents. ENOTFOUND outside the scope,
// ECONFLICT once the application is decided, EFORBIDDEN for officers,
// EINVALID naming kind, file_name or file.
func (s *Service) Upload(ctx context.Context, in UploadInput) (Document, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return Document{}, err
	}
	check := func(db *gorm.DB, lock bool) (appRow, error) {
		v := s.viewerOf(a)
		r, ok, err := loadApp(ctx, db, in.ApplicationID, lock)
		if err != nil {
			return appRow{}, err
		}
		if !ok || !v.sees(r) {
			return appRow{}, domain.NotFound("application")
		}
		if !stateAllows(r, ActionUpload, 0) {
			return appRow{}, conflict(ActionUpload, r.status(), s.allowed(v, r, 0))
		}
		if !s.may(v, r, ActionUpload) {
			return appRow{}, domain.Errorf(domain.EFORBIDDEN, "only the applicant may add documents to an application")
		}
		return r, nil
	}
	if _, err := check(s.d.DB.WithContext(ctx), false); err != nil {
		return Document{}, err
	}
	var fe domain.Fields
	switch {
	case in.Kind == "":
		fe.Add("kind", "validation.required")
	case !slices.Contains(DocumentKinds, in.Kind):
		fe.Add("kind", "validation.document_kind")
	}
	name := document.CleanFileName(in.FileName)
	if name == "" {
		fe.Add("file_name", "validation.file_name")
	}
	if in.Body == nil {
		fe.Add("file", "validation.required")
	}
	if err := fe.Err(); err != nil {
		return Document{}, err
	}
	// The raw name tells the extension the user gave (cleaning drops the
	// dot of ".pdf"); PutUpload checks the content against it.
	st, err := s.d.Blobs.PutUpload(in.Body, s.d.MaxUploadBytes, in.FileName)
	if err != nil {
		return Document{}, err
	}
	var out Document
	err = s.d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := check(tx, true)
		if err != nil {
			return err
		}
		now := s.clock()
		var reqIDs []int64
		if err := tx.Raw(`SELECT id FROM assistance_material_requests WHERE application_id = ? AND status = 'open'`, r.ID).
			Scan(&reqIDs).Error; err != nil {
			return fmt.Errorf("open request: %w", err)
		}
		var reqID *int64
		if len(reqIDs) > 0 {
			reqID = &reqIDs[0]
		}
		if err := tx.Raw(`INSERT INTO assistance_documents (application_id, request_id, kind, file_name, size_bytes, content_type, sha256,
storage_key, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.ID, reqID, in.Kind, name, st.Size, st.ContentType, st.SHA256, st.Key, a.UserID, now).Scan(&out.ID).Error; err != nil {
			return fmt.Errorf("insert application document: %w", err)
		}
		out = Document{ID: out.ID, Kind: in.Kind, FileName: name, SizeBytes: st.Size, ContentType: st.ContentType, SHA256: st.SHA256,
			RequestID: reqID, UploadedBy: a.UserID, UploadedAt: now}
		if err := addEvent(ctx, tx, r.ID, a, "upload", r.status(), r.status(), map[string]any{
			"document_id": out.ID, "kind": in.Kind, "file_name": name}, now); err != nil {
			return err
		}
		return s.auditStep(ctx, tx, r, "assistance.upload", map[string]any{"document_id": out.ID, "kind": in.Kind,
			"file_name": name, "size_bytes": st.Size, "content_type": st.ContentType, "sha256": st.SHA256})
	})
	if err != nil {
		if derr := s.d.Blobs.Delete(st.Key); derr != nil {
			return Document{}, errors.Join(err, derr)
		}
		return Document{}, fmt.Errorf("upload application document: %w", err)
	}
	return out, nil
}

// documentsOf lists an application's documents.
func documentsOf(ctx context.Context, db *gorm.DB, appID int64) ([]Document, error) {
	var out []Document
	if err := db.WithContext(ctx).Raw(`SELECT id, kind, file_name, size_bytes, content_type, sha256, request_id,
coalesce(uploaded_by, 0) AS uploaded_by, uploaded_at FROM assistance_documents WHERE application_id = ? ORDER BY id`, appID).
		Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("documents of application %d: %w", appID, err)
	}
	return out, nil
}

// Download returns an application document as a document.Document (for
// document.ServeDownload) and its contents; the caller closes the reader.
// ENOTFOUND unless the actor sees the application.
func (s *Service) Download(ctx context.Context, id int64) (document.Document, io.ReadCloser, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return document.Document{}, nil, err
	}
	var rows []struct {
		Document
		ApplicationID int64
		StorageKey    string
	}
	db := s.d.DB.WithContext(ctx)
	if err := db.Raw(`SELECT id, application_id, kind, file_name, size_bytes, content_type, sha256, storage_key,
coalesce(uploaded_by, 0) AS uploaded_by, uploaded_at FROM assistance_documents WHERE id = ?`, id).Scan(&rows).Error; err != nil {
		return document.Document{}, nil, fmt.Errorf("load application document %d: %w", id, err)
	}
	if len(rows) == 0 {
		return document.Document{}, nil, domain.NotFound("document")
	}
	d := rows[0]
	r, ok, err := loadApp(ctx, db, d.ApplicationID, false)
	if err != nil {
		return document.Document{}, nil, err
	}
	if !ok || !s.viewerOf(a).handles(r) {
		return document.Document{}, nil, domain.NotFound("document")
	}
	body, err := s.d.Blobs.Open(d.StorageKey)
	if err != nil {
		return document.Document{}, nil, &domain.Error{Code: domain.EINTERNAL, Message: "the document's file is missing", Err: err}
	}
	return document.Document{ID: d.ID, Kind: d.Kind, FileName: d.FileName, SizeBytes: d.SizeBytes, ContentType: d.ContentType,
		SHA256: d.SHA256, UploadedBy: d.UploadedBy, UploadedAt: d.UploadedAt}, body, nil
}

// DocumentLink is the download path of an application document.
func DocumentLink(id int64) string { return "/assistance/documents/" + strconv.FormatInt(id, 10) }
