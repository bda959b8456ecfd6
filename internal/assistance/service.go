// Package assistance is SME rights-protection assistance (维权援助, docs/design.md
// §8) and the exhibition fast track.
//
// An enterprise's applicant applies to the assistance centre: the IP
// rights concerned, what happened and where (in China, online, abroad or
// at a named exhibition), the help wanted, its documents. An assistance
// officer reviews the application: asks for missing materials with a
// deadline (rule assistance.supplement, 10 working days; the application
// lapses when it passes, see LapseOverdue), approves it with a plan (the
// kinds of help, the officer responsible) or rejects it with a reason. An
// approved plan opens a mediation case at a chosen committee (source
// assistance_referred) or sends enforcement and customs referrals. The SME
// is told of every step (internal/notify: in-app, and e-mail and SMS when
// configured).
//
// A complaint lodged at a named exhibition (5·18 海交会, 6·18 项目成果交易会
// …, the exhibitions table) creates a case with source exhibition and a
// 24-hour first-response deadline (rule exhibition.first_response).
//
// Scope: an applicant sees its own enterprise's applications, an
// assistance officer those of their centre; anything else does not exist
// for them (ENOTFOUND). Casbin decides the permissions (assistance:apply,
// assistance:read, assistance:review); the service decides the rows. Each
// step is one transaction that locks the application, checks the version
// the client saw, writes the change, a timeline event, its deadline, the
// notifications and, last, the audit row.
//
// Errors are *domain.Error: EINVALID naming the field, ENOTFOUND,
// EFORBIDDEN for a step the actor may not take on an application they can
// see, ECONFLICT for a step the state does not allow now (with the
// allowed actions) or a stale version.
package assistance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// Authorizer answers whether a user's roles in an organisation grant a
// permission (casbin, internal/authz).
type Authorizer interface {
	Can(userID, orgID int64, resource, action string) bool
}

// Auditor appends audit rows inside the caller's transaction.
type Auditor interface {
	Append(ctx context.Context, tx *gorm.DB, e audit.Entry) error
}

// Cipher protects personal information at rest (internal/pii).
type Cipher interface {
	Encrypt(plaintext string) (string, error)
	Decrypt(s string) (string, error)
}

// CaseFiler files a case inside the caller's transaction (cases.Service).
type CaseFiler interface {
	SubmitInternal(ctx context.Context, tx *gorm.DB, in cases.IntakeInput) (domain.Case, error)
}

// Deadlines opens and closes deadlines inside the caller's transaction
// (deadline.Service).
type Deadlines interface {
	OpenTx(ctx context.Context, tx *gorm.DB, sp deadline.Spec) (deadline.Deadline, error)
	CloseTx(ctx context.Context, tx *gorm.DB, subject deadline.Subject, kind string, status deadline.Status, at time.Time) ([]deadline.Deadline, error)
}

// Notifier queues a message to a user inside the caller's transaction
// (notify.Service).
type Notifier interface {
	SendTx(ctx context.Context, tx *gorm.DB, m notify.Message) error
}

// CaseDocuments attaches files already stored to a case inside the
// caller's transaction (document.Service).
type CaseDocuments interface {
	AddStoredTx(ctx context.Context, tx *gorm.DB, caseID, orgID int64, a *domain.Actor, files []document.StoredFile, at time.Time) (int, error)
}

// Blobs stores uploaded files outside the database (document.Blobs).
type Blobs interface {
	PutUpload(r io.Reader, max int64, fileName string) (document.Stored, error)
	Open(key string) (io.ReadCloser, error)
	Delete(key string) error
}

// Deps are the service's collaborators. All but MaxUploadBytes, Now and
// Log are required: NewService panics naming a missing one, and no use
// case checks for a collaborator that is not there.
type Deps struct {
	DB        *gorm.DB
	Authz     Authorizer
	Audit     Auditor
	PII       Cipher
	Cases     CaseFiler
	Deadlines Deadlines
	// Documents gives a case opened from an application its files.
	Documents CaseDocuments
	Notify    Notifier
	Blobs     Blobs
	// Referrals sends the plan's referrals and produces the rules'.
	Referrals Referrals
	// MaxUploadBytes caps one uploaded file (default 20 MiB).
	MaxUploadBytes int64
	// Now is the clock (default: the wall clock).
	Now func() time.Time
	Log *slog.Logger
}

// Service implements the assistance use cases.
type Service struct {
	d   Deps
	now func() time.Time
	log *slog.Logger
}

// NewService returns a Service.
func NewService(d Deps) *Service {
	domain.RequireDeps("assistance.NewService", map[string]bool{"DB": d.DB == nil, "Authz": d.Authz == nil, "Audit": d.Audit == nil,
		"PII": d.PII == nil, "Cases": d.Cases == nil, "Deadlines": d.Deadlines == nil, "Documents": d.Documents == nil,
		"Notify": d.Notify == nil, "Blobs": d.Blobs == nil, "Referrals": d.Referrals == nil})
	s := &Service{d: d, now: d.Now, log: d.Log}
	if s.now == nil {
		s.now = clock.Wall
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.d.MaxUploadBytes <= 0 {
		s.d.MaxUploadBytes = 20 << 20
	}
	return s
}

// clock returns the time as PostgreSQL stores it (UTC, microseconds).
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// beijing is China Standard Time (no daylight saving time).
var beijing = time.FixedZone("CST", 8*3600)

// Kinds of the deadlines this package opens.
const (
	// KindSupplement is the applicant's time to supply missing materials.
	KindSupplement = "supplement"
	// KindFirstResponse is the first answer to an exhibition complaint.
	KindFirstResponse = "first_response"
)

// Rule ids of configs/deadlines.yaml.
const (
	RuleSupplement    = "assistance.supplement"
	RuleFirstResponse = "exhibition.first_response"
)

// DeadlineRules lists the rule ids assistance opens deadlines with, for
// the start-up check that the configured rules define them.
var DeadlineRules = []string{RuleSupplement, RuleFirstResponse, RuleFairTransfer}

func encode(d map[string]any) (string, error) {
	if len(d) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("encode assistance event detail: %w", err)
	}
	return string(b), nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
