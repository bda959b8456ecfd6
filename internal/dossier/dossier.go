// Package dossier archives a closed case as its dossier (卷宗,
// docs/design.md §4 "The dossier"): one PDF — a cover, an index with the
// page of each item, the application, the printed notices, the sessions
// with their minutes, the uploaded documents and the timeline — and a ZIP
// of the originals, the PDF and a manifest of their SHA-256 hashes, both
// in the file store, under an archive number (档案号) given per committee
// and year without gaps. From then on the case is read-only: the services
// refuse every change (domain.ErrArchived) and the schema refuses it
// behind them (migration 0034).
//
// Other capabilities add their own material to every dossier through a
// Section (for instance the service records, 送达回证, of the notices).
package dossier

import (
	"context"
	"io"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/pdf"
)

// Authorizer answers whether a user's roles in an organisation grant a
// permission (internal/authz).
type Authorizer interface {
	Can(userID, orgID int64, resource, action string) bool
}

// Auditor appends audit rows inside the caller's transaction.
type Auditor interface {
	Append(ctx context.Context, tx *gorm.DB, e audit.Entry) error
}

// Cases reads a case as its page shows it, within the actor's scope
// (ENOTFOUND outside it).
type Cases interface {
	Get(ctx context.Context, id int64) (cases.CaseView, error)
}

// Store is the file store (internal/document.Blobs).
type Store interface {
	Put(r io.Reader, max int64) (document.Stored, error)
	Open(key string) (io.ReadCloser, error)
	Delete(key string) error
}

// Item is one entry of a dossier's index: a part written by the dossier
// (Write), a PDF merged in whole (PDF), or a file that cannot be put on
// pages, listed with its hash and kept in the ZIP only (neither).
type Item struct {
	// Title is the entry's name in the index and the heading of its part.
	Title string
	// Write writes the part on pages of its own.
	Write func(d *pdf.Document)
	// PDF is a PDF file merged as it is.
	PDF []byte
	// Note is said in the index after the title (a hash, why a file is
	// only in the ZIP).
	Note string
}

// Section is material another capability adds to every dossier, after
// the uploaded documents and before the timeline: the hook through which
// the service records (送达回证) of the printed notices join the
// dossier. Items runs inside the archiving transaction; it returns no
// items for a case it has nothing about.
type Section interface {
	Items(ctx context.Context, tx *gorm.DB, c cases.CaseView) ([]Item, error)
}

// Words says codes (a dispute type, a status, an action) in Chinese words:
// the message catalog's zh-CN text of an id.
type Words func(id string) string

// Dossier is an archived case's dossier row.
type Dossier struct {
	ID            int64     `json:"id"`
	CaseID        int64     `json:"case_id"`
	OrgID         int64     `json:"org_id"`
	ArchiveNumber string    `json:"archive_number"`
	PDFKey        string    `json:"-"`
	PDFSHA256     string    `json:"pdf_sha256"`
	PDFSize       int64     `json:"pdf_size"`
	PDFPages      int       `json:"pdf_pages"`
	ZIPKey        string    `json:"-"`
	ZIPSHA256     string    `json:"zip_sha256"`
	ZIPSize       int64     `json:"zip_size"`
	ArchivedAt    time.Time `json:"archived_at"`
	ArchivedBy    int64     `json:"archived_by"`
	// ArchivedByName is the archivist's name.
	ArchivedByName string `json:"archived_by_name" gorm:"->"`
}

// Service archives cases and serves their dossiers.
type Service struct {
	db       *gorm.DB
	authz    Authorizer
	audit    Auditor
	cases    Cases
	store    Store
	words    Words
	sections []Section
	now      func() time.Time
	log      *slog.Logger
}

// Deps are the dossier service's collaborators. Sections, Now and Log may
// be left out; every other one is required.
type Deps struct {
	DB    *gorm.DB
	Authz Authorizer
	Audit Auditor
	Cases Cases
	Store Store
	Words Words
	// Sections are the other capabilities' material, in order.
	Sections []Section
	Now      func() time.Time
	Log      *slog.Logger
}

// New returns the dossier service. A missing collaborator is a wiring
// mistake: New panics naming it.
func New(d Deps) *Service {
	domain.RequireDeps("dossier.New", map[string]bool{"DB": d.DB == nil, "Authz": d.Authz == nil, "Audit": d.Audit == nil,
		"Cases": d.Cases == nil, "Store": d.Store == nil, "Words": d.Words == nil})
	if d.Now == nil {
		d.Now = clock.Wall
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d.DB, authz: d.Authz, audit: d.Audit, cases: d.Cases, store: d.Store, words: d.Words,
		sections: d.Sections, now: d.Now, log: d.Log}
}

// beijing is China Standard Time (no daylight saving time).
var beijing = time.FixedZone("CST", 8*3600)
