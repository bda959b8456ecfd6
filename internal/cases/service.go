// Package cases is the dispute-case capability (docs/design.md §4): intake with
// gapless case numbers and the repeat-infringer check, the workflow from
// acceptance to closing, the case page and the case lists.
//
// Every query carries the actor's scope (scope.go): a case outside it does
// not exist for them (ENOTFOUND), never "forbidden". Casbin decides whether
// a role may take an action at all; the service adds what casbin cannot
// know: the state machine, the mediator's assignment and declaration, and
// which enterprise is a party. Each action is one transaction that locks the
// case row, checks the version the client saw (optimistic locking), writes
// the change, a case_events row and, last, the audit row.
//
// Errors are *domain.Error: EINVALID with field errors named after the
// input (parties[0].id_number), ENOTFOUND, EFORBIDDEN for an action the
// actor may not take on a case they can see, ECONFLICT for an action the
// state machine does not allow now (with Allowed) or a stale version.
package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Authorizer answers whether a user's roles in an organisation grant a
// permission (casbin, internal/authz).
type Authorizer interface {
	Can(userID, orgID int64, resource, action string) bool
}

// Auditor appends audit rows inside the caller's transaction.
type Auditor interface {
	Append(ctx context.Context, tx *gorm.DB, e audit.Entry) error
	// Link places e after head h of its chain, for the intake, which
	// locks the head and writes the row in statements of its own.
	Link(ctx context.Context, h audit.Head, e audit.Entry) (audit.Link, error)
}

// Cipher protects personal information at rest (internal/pii): identity
// numbers, phones and addresses are stored encrypted, identity numbers
// also as a keyed hash for exact lookups.
type Cipher interface {
	Encrypt(plaintext string) (string, error)
	Decrypt(s string) (string, error)
	Hash(normalized string) string
}

// Reader hands out the connection for lag-tolerant reads: a healthy
// read replica, else the primary (internal/database.Reads).
type Reader interface {
	Read(ctx context.Context) *gorm.DB
}

// Service implements the case use cases.
type Service struct {
	db    *gorm.DB
	reads Reader
	authz Authorizer
	audit Auditor
	pii   Cipher
	now   func() time.Time
	log   *slog.Logger
	// deadlines opens, moves and closes the case's legal deadlines inside
	// the actions' transactions (deadlines.go).
	deadlines *deadline.Service
	// notices tells people what lands on their desk (notices.go).
	notices Notifier
	// hooks are what other capabilities are told inside the actions'
	// transactions (hooks.go).
	hooks hookSet
}

// Deps are the case service's collaborators. Now and Log may be left
// out (the wall clock, no log); every other one is required.
type Deps struct {
	DB *gorm.DB
	// Reads serves the case lists, which may lag the primary by a moment
	// (a read replica; internal/database.Reads).
	Reads Reader
	Authz Authorizer
	Audit Auditor
	PII   Cipher
	// Deadlines keeps the cases' deadlines (the deadline service the rest
	// of the application shares).
	Deadlines *deadline.Service
	// Notices tells people what lands on their desk.
	Notices Notifier
	Now     func() time.Time
	Log     *slog.Logger
}

// NewService returns a Service that keeps the cases' deadlines with
// d.Deadlines and tells people what lands on their desk through d.Notices:
// a new case (the committee's director and clerks), an assignment (the
// mediator), an objection to a mediator (the director). It registers the
// recomputation of the mediation due date with the deadline service. A
// missing collaborator is a wiring mistake: NewService panics naming it.
func NewService(d Deps) *Service {
	domain.RequireDeps("cases.NewService", map[string]bool{"DB": d.DB == nil, "Reads": d.Reads == nil, "Authz": d.Authz == nil, "Audit": d.Audit == nil,
		"PII": d.PII == nil, "Deadlines": d.Deadlines == nil, "Notices": d.Notices == nil})
	if d.Now == nil {
		d.Now = clock.Wall
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{db: d.DB, reads: d.Reads, authz: d.Authz, audit: d.Audit, pii: d.PII, deadlines: d.Deadlines, notices: d.Notices, now: d.Now, log: d.Log}
	d.Deadlines.OnRecompute("cases.mediation_due_at", s.recomputedDeadline)
	return s
}

// clock returns the current time as PostgreSQL stores it (UTC,
// microseconds), so that what a method returns equals what a later read
// gives back.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// beijing is China Standard Time. China has no daylight saving time, so a
// fixed offset is exact and needs no time zone database on the server.
var beijing = time.FixedZone("CST", 8*3600)

// caseYear returns the year a case filed at t is numbered in: the calendar
// year in Beijing, so that a case filed at 07:00 on 1 January counts
// towards the new year although it is still the old year in UTC.
func caseYear(t time.Time) int { return t.In(beijing).Year() }

// encodeDetail encodes a timeline or audit detail; the maps are built
// here from strings, numbers and times, so encoding cannot fail in
// practice, but an error is still reported rather than stored as garbage.
func encodeDetail(d map[string]any) (string, error) {
	if len(d) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("encode case event detail: %w", err)
	}
	return string(b), nil
}

// stamp formats a time for timeline and audit details.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// stampPtr formats an optional time; nil gives nil (JSON null).
func stampPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return stamp(*t)
}

// forbidden is the answer to an action the actor may not take on a case
// they can see.
func forbidden(action domain.CaseAction) error {
	return domain.Errorf(domain.EFORBIDDEN, "you may not %s this case", action)
}
