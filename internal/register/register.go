// Package register is a committee's mediator register (调解员名册,
// docs/design.md §17): its mediators' profiles (specialties,
// qualifications, appointment as a court's invited mediator, trainings),
// the technical experts it may invite to a case, the assignment
// suggestions drawn from them, the parties' feedback on an ended case and
// their complaints about a mediator, which the committee's director
// answers within a configurable period.
//
// Who sees what (the role table's object register): the committee's
// director, clerk and mediators read its register (ReachOrg); the
// leadership office reads every register (ReachAll). The director keeps
// the register (register:manage) and answers complaints; whoever works a
// case invites experts to it (register:invite). A party gives feedback
// and complains either through its personal access link
// (domain.PartyFrom) or as a user of a party enterprise
// (register:feedback). Every change is one transaction with its audit row.
package register

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/deadline"
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

// Notifier queues a message to a user inside the caller's transaction.
type Notifier interface {
	SendTx(ctx context.Context, tx *gorm.DB, m notify.Message) error
}

// Deadlines opens and closes deadlines inside the caller's transaction
// (deadline.Service).
type Deadlines interface {
	OpenTx(ctx context.Context, tx *gorm.DB, sp deadline.Spec) (deadline.Deadline, error)
	CloseTx(ctx context.Context, tx *gorm.DB, subject deadline.Subject, kind string, status deadline.Status, at time.Time) ([]deadline.Deadline, error)
}

// Cases is what the register needs of the case capability
// (cases.Service): the actor's access to a case and its timeline.
type Cases interface {
	AccessTx(ctx context.Context, tx *gorm.DB, id int64) (domain.CaseAccess, error)
	AddEventTx(ctx context.Context, tx *gorm.DB, caseID int64, a *domain.Actor, action string, detail map[string]any, at time.Time) error
}

// Cipher encrypts personal data at rest (internal/pii).
type Cipher interface {
	Encrypt(plaintext string) (string, error)
	Decrypt(s string) (string, error)
}

// Deps are the service's collaborators; all but Now are required.
type Deps struct {
	DB        *gorm.DB
	Authz     Authorizer
	Audit     Auditor
	Notify    Notifier
	Deadlines Deadlines
	Cases     Cases
	PII       Cipher
	// Now is the clock (default: the wall clock).
	Now func() time.Time
}

// Service is the mediator register service.
type Service struct{ d Deps }

// New builds the service; it panics naming a missing collaborator.
func New(d Deps) *Service {
	domain.RequireDeps("register.New", map[string]bool{"DB": d.DB == nil, "Authz": d.Authz == nil, "Audit": d.Audit == nil,
		"Notify": d.Notify == nil, "Deadlines": d.Deadlines == nil, "Cases": d.Cases == nil, "PII": d.PII == nil})
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{d: d}
}

func (s *Service) clock() time.Time { return s.d.Now().UTC().Truncate(time.Microsecond) }

// Deadline kind, rule and subject of a complaint about a mediator.
const (
	KindComplaintAnswer = "complaint_answer"
	RuleComplaintAnswer = "mediator.complaint.answer"
	// SubjectComplaint is the deadline subject type of a complaint.
	SubjectComplaint deadline.SubjectType = "mediator_complaint"
)

// DeadlineRules are the rule ids the register opens deadlines with (the
// start-up check holds configs/deadlines.yaml to them).
var DeadlineRules = []string{RuleComplaintAnswer}

// Notification kinds (texts: web/i18n/register.*.yaml, notify.<kind>.*).
const (
	NoticeFeedbackInvite = "case_feedback_invite" // to a party enterprise's users: the case ended, rate it
	NoticeComplaint      = "mediator_complaint"   // to the committee's director: a complaint to answer
)

// CaseEvents are the case timeline entries the register writes
// (event.<action> in the message catalogs).
var CaseEvents = []string{"feedback", "mediator_complaint", "mediator_complaint_answered", "expert_invited", "expert_removed"}

// viewer is the actor's scope on registers.
type viewer struct {
	a       *domain.Actor
	all     bool
	readers []int64 // committees whose register it reads
	editors []int64 // committees whose register it keeps
}

func (s *Service) viewerOf(a *domain.Actor) viewer {
	v := viewer{a: a}
	for _, m := range a.Memberships {
		reach := m.Role.Reach(domain.ObjectRegister)
		if reach == 0 || !s.d.Authz.Can(a.UserID, m.OrgID, "register", "read") {
			continue
		}
		if reach.Has(domain.ReachAll) {
			v.all = true
		}
		if reach.Has(domain.ReachOrg) && !slices.Contains(v.readers, m.OrgID) {
			v.readers = append(v.readers, m.OrgID)
		}
		if reach.Has(domain.ReachOrg) && s.d.Authz.Can(a.UserID, m.OrgID, "register", "manage") && !slices.Contains(v.editors, m.OrgID) {
			v.editors = append(v.editors, m.OrgID)
		}
	}
	return v
}

func (v viewer) reads(org int64) bool { return v.all || slices.Contains(v.readers, org) }
func (v viewer) keeps(org int64) bool { return slices.Contains(v.editors, org) }
func (v viewer) none() bool           { return !v.all && len(v.readers) == 0 }
func (v viewer) committees() []int64  { return v.readers }
func (s *Service) viewer(ctx context.Context) (viewer, error) {
	a, err := domain.RequireActor(ctx)
	if err != nil {
		return viewer{}, err
	}
	return s.viewerOf(a), nil
}

// CanRead reports whether the actor reads some register.
func (s *Service) CanRead(a *domain.Actor) bool { return !s.viewerOf(a).none() }

// Committees are the committees whose register the actor reads through
// membership (nil with ReachAll alone: the caller lists every committee).
func (s *Service) Committees(a *domain.Actor) []int64 { return s.viewerOf(a).committees() }

// Keeps reports whether the actor keeps committee org's register.
func (s *Service) Keeps(a *domain.Actor, org int64) bool { return s.viewerOf(a).keeps(org) }

func fmtErr(what string, err error) error { return fmt.Errorf("register: %s: %w", what, err) }

func notFoundRegister() error { return domain.NotFound("register") }
