// Package credit is the IP credit record (知识产权信用, docs/design.md §9)
// with its due process.
//
// A record is made from a final decision: an enforcement decision finding
// intentional or repeated infringement, a court judgment or ruling, a
// customs decision, or a party's refusal to perform an agreement a court
// confirmed. The recording body (an enforcement body, the IP office) says
// that the decision is final and names its document. Then:
//
//   - the subject is told: an organisation registered here in its inbox,
//     anyone else by the means the body records (post, in person …);
//   - it may object within the objection period (rule credit.objection);
//     the body decides the objection with a reason (credit.objection_decision):
//     upheld, the record is revoked; dismissed, it takes effect;
//   - with no objection it takes effect when the period ends (the
//     worker's Settle sweep);
//   - in effect it is displayed for the months the body set within its
//     severity's bounds (Severity), and flags the subject's later cases at
//     intake (internal/cases); after that it expires and leaves every list
//     and flag;
//   - once the severity's minimum display has passed, the subject may
//     apply for credit repair (信用修复); the body decides with a reason
//     (credit.repair_decision); repaired, it leaves every list and flag.
//
// Who sees it: the enforcement bodies and the leadership office read every
// record; the recording body alone takes the body's steps; a registered
// subject reads its own records and objects or applies for repair itself;
// nobody else (the role table's object credit). The repeat-infringer flag
// a record raises at intake is the case service's, shown to the
// committee's director and clerks only.
//
// The package owns credit_records and credit_record_events. Every step is
// one transaction that locks the record, checks the version the client
// saw, writes the change, an event, its deadlines, the notices and the
// audit row. Errors are *domain.Error as elsewhere.
package credit

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// Status is where a record stands.
type Status string

// The statuses of a record.
const (
	// StatusProvisional: recorded from a decision not yet final; it
	// flags nothing and its subject is not told until the body confirms
	// the decision final (finalize).
	StatusProvisional Status = "provisional"
	// StatusObjection: the subject was told; the objection period runs.
	StatusObjection Status = "objection"
	// StatusObjected: the subject objected; the body decides.
	StatusObjected Status = "objected"
	// StatusInEffect: displayed and flagging until display_until.
	StatusInEffect Status = "in_effect"
	// StatusRevoked: an objection was upheld.
	StatusRevoked Status = "revoked"
	// StatusRepairing: the subject applied for credit repair; the
	// record stays in effect until the body decides.
	StatusRepairing Status = "repairing"
	// StatusRepaired: repair was granted.
	StatusRepaired Status = "repaired"
	// StatusExpired: the display period ended.
	StatusExpired Status = "expired"
)

// Statuses lists every status in the order of the process.
var Statuses = []Status{StatusProvisional, StatusObjection, StatusObjected, StatusInEffect, StatusRepairing,
	StatusRevoked, StatusRepaired, StatusExpired}

// Valid reports whether st is a known status.
func (st Status) Valid() bool { return slices.Contains(Statuses, st) }

// Shown reports whether a record in st is displayed and flags (until its
// display period ends).
func (st Status) Shown() bool { return st == StatusInEffect || st == StatusRepairing }

// ShownSQL is the condition on credit_records under which a record is
// displayed and flags on the Beijing day given as the one argument: in
// effect (a repair applied for leaves it so until granted) and within its
// display period. The intake check (internal/cases) and the lists share it.
const ShownSQL = "credit_records.status IN ('in_effect', 'repairing') AND credit_records.display_until >= ?"

// SourceKind is the kind of final decision a record comes from.
type SourceKind string

// The sources of a record.
const (
	SourceEnforcement      SourceKind = "enforcement"       // an administrative decision (intentional or repeated infringement)
	SourceCourt            SourceKind = "court"             // a court judgment or ruling
	SourceCustoms          SourceKind = "customs"           // a customs decision
	SourceAgreementRefusal SourceKind = "agreement_refusal" // refusal to perform an agreement a court confirmed
)

// SourceKinds lists every source.
var SourceKinds = []SourceKind{SourceEnforcement, SourceCourt, SourceCustoms, SourceAgreementRefusal}

// Severity is a record's tier, which bounds its display period.
type Severity string

// The tiers of 国办发〔2025〕22号 §二 (轻微、一般、严重失信): the display
// period and the minimum before repair follow from it (Bounds).
const (
	SeverityMinor   Severity = "minor"
	SeverityGeneral Severity = "general"
	SeveritySerious Severity = "serious"
)

// Severities lists every tier.
var Severities = []Severity{SeverityMinor, SeverityGeneral, SeveritySerious}

// Bounds are a tier's shortest and longest display, in months: minor up to
// 3, general 3 to 12, serious 12 to 36 (docs/law.md §4). The shortest is
// also how long a record is displayed before its subject may apply for
// repair.
func (sv Severity) Bounds() (min, max int) {
	switch sv {
	case SeverityMinor:
		return 0, 3
	case SeverityGeneral:
		return 3, 12
	case SeveritySerious:
		return 12, 36
	}
	return 0, 0
}

// Valid reports whether sv is a known tier.
func (sv Severity) Valid() bool { return slices.Contains(Severities, sv) }

// Action is a step on a record.
type Action string

// The steps. The body's: finalize, decide_objection, decide_repair (and
// object and apply_repair on a subject's behalf, for what reached it on
// paper); the subject's: object, apply_repair.
const (
	ActionFinalize        Action = "finalize"
	ActionObject          Action = "object"
	ActionDecideObjection Action = "decide_objection"
	ActionApplyRepair     Action = "apply_repair"
	ActionDecideRepair    Action = "decide_repair"
)

// Actions lists every step.
var Actions = []Action{ActionFinalize, ActionObject, ActionDecideObjection, ActionApplyRepair, ActionDecideRepair}

// EventActions are the actions of a record's history (credit_record_events):
// recorded, notified (the subject told: at recording, or when the body
// confirms a provisional decision final), the steps, and the worker's
// took_effect and expired, and imported.
var EventActions = []string{"recorded", "notified", string(ActionObject), string(ActionDecideObjection), string(ActionApplyRepair),
	string(ActionDecideRepair), "took_effect", "expired", "imported"}

// from are the statuses each step starts from.
var from = map[Action][]Status{
	ActionFinalize:        {StatusProvisional},
	ActionObject:          {StatusObjection},
	ActionDecideObjection: {StatusObjected},
	ActionApplyRepair:     {StatusInEffect},
	ActionDecideRepair:    {StatusRepairing},
}

// bodyOnly are the steps only the recording body takes.
var bodyOnly = []Action{ActionFinalize, ActionDecideObjection, ActionDecideRepair}

// NoticeMethods are how a subject not registered here is told: served
// with the decision itself, by post, in person, by phone, by e-mail, or by
// public announcement.
var NoticeMethods = []string{"decision", "post", "in_person", "phone", "email", "announcement"}

// The deadline kinds and rules of a record (configs/deadlines.yaml).
const (
	KindObjection         = "credit_objection"
	KindObjectionDecision = "credit_objection_decision"
	KindRepairDecision    = "credit_repair_decision"

	RuleObjection         = "credit.objection"
	RuleObjectionDecision = "credit.objection_decision"
	RuleRepairDecision    = "credit.repair_decision"
)

// Subject is the deadline subject of record id.
func Subject(id int64) deadline.Subject {
	return deadline.Subject{Type: deadline.SubjectCreditRecord, ID: id}
}

// Link is the page of record id.
func Link(id int64) string { return "/credit/" + strconv.FormatInt(id, 10) }

// Authorizer answers whether a user's roles in an organisation grant a
// permission (casbin, internal/authz).
type Authorizer interface {
	Can(userID, orgID int64, resource, action string) bool
}

// Auditor appends audit rows inside the caller's transaction.
type Auditor interface {
	Append(ctx context.Context, tx *gorm.DB, e audit.Entry) error
}

// Hasher gives the keyed hash of an identity number (internal/pii).
type Hasher interface {
	Hash(normalized string) string
}

// Deadlines opens, closes and lists deadlines inside the caller's
// transaction (deadline.Service).
type Deadlines interface {
	OpenTx(ctx context.Context, tx *gorm.DB, sp deadline.Spec) (deadline.Deadline, error)
	CloseTx(ctx context.Context, tx *gorm.DB, subject deadline.Subject, kind string, status deadline.Status, at time.Time) ([]deadline.Deadline, error)
	ForSubjectTx(ctx context.Context, db *gorm.DB, subject deadline.Subject) ([]deadline.Deadline, error)
}

// Notifier queues a message to a user inside the caller's transaction
// (notify.Service).
type Notifier interface {
	SendTx(ctx context.Context, tx *gorm.DB, m notify.Message) error
}

// Deps are the service's collaborators; all but Now and Log are required.
type Deps struct {
	DB        *gorm.DB
	Authz     Authorizer
	Audit     Auditor
	PII       Hasher
	Deadlines Deadlines
	Notify    Notifier
	// Now is the clock (default: the wall clock).
	Now func() time.Time
	Log *slog.Logger
}

// Service is the credit record service.
type Service struct{ d Deps }

// NewService builds the service; it panics naming a missing collaborator.
func NewService(d Deps) *Service {
	domain.RequireDeps("credit.NewService", map[string]bool{"DB": d.DB == nil, "Authz": d.Authz == nil, "Audit": d.Audit == nil,
		"PII": d.PII == nil, "Deadlines": d.Deadlines == nil, "Notify": d.Notify == nil})
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{d: d}
}

// clock is the time as PostgreSQL stores it.
func (s *Service) clock() time.Time { return s.d.Now().UTC().Truncate(time.Microsecond) }

// today is the Beijing day of the clock.
func (s *Service) today() calendar.Date { return calendar.DateOf(s.clock()) }

// Now is the service's clock, for pages that show countdowns.
func (s *Service) Now() time.Time { return s.d.Now() }

// viewer is the actor's credit scope (the role table's object credit):
// every record (the enforcement bodies, the leadership office), the
// records about its own enterprise (a registered subject), and the
// organisations in which it takes the body's steps (credit:record) or
// the subject's (credit:respond).
type viewer struct {
	a        *domain.Actor
	all      bool
	subjects []int64
	bodies   []int64
	respond  []int64
}

func (s *Service) viewerOf(a *domain.Actor) viewer {
	v := viewer{a: a}
	for _, m := range a.Memberships {
		reach := m.Role.Reach(domain.ObjectCredit)
		if reach == 0 || !s.d.Authz.Can(a.UserID, m.OrgID, "credit", "read") {
			continue
		}
		if reach.Has(domain.ReachAll) {
			v.all = true
		}
		if reach.Has(domain.ReachPartyTo) && !slices.Contains(v.subjects, m.OrgID) {
			v.subjects = append(v.subjects, m.OrgID)
		}
		if s.d.Authz.Can(a.UserID, m.OrgID, "credit", "record") && !slices.Contains(v.bodies, m.OrgID) {
			v.bodies = append(v.bodies, m.OrgID)
		}
		if s.d.Authz.Can(a.UserID, m.OrgID, "credit", "respond") && !slices.Contains(v.respond, m.OrgID) {
			v.respond = append(v.respond, m.OrgID)
		}
	}
	return v
}

func (v viewer) none() bool { return !v.all && len(v.subjects) == 0 }

// where is the viewer's records as a condition on credit_records.
func (v viewer) where() (string, []any) {
	if v.all {
		return "TRUE", nil
	}
	return "credit_records.subject_org_id IN ?", []any{v.subjects}
}

func (v viewer) sees(r row) bool {
	return v.all || r.SubjectOrgID != nil && slices.Contains(v.subjects, *r.SubjectOrgID)
}

// isBody reports whether the viewer takes the recording body's steps on r.
func (v viewer) isBody(r row) bool { return r.OrgID != nil && slices.Contains(v.bodies, *r.OrgID) }

// isSubject reports whether the viewer answers for r's subject.
func (v viewer) isSubject(r row) bool {
	return r.SubjectOrgID != nil && slices.Contains(v.respond, *r.SubjectOrgID)
}

// may reports whether the viewer may take act on r as far as permissions
// go (not the state).
func (v viewer) may(r row, act Action) bool {
	if slices.Contains(bodyOnly, act) {
		return v.isBody(r)
	}
	return v.isBody(r) || v.isSubject(r)
}

// CanRecord reports whether the actor records credit records somewhere.
func (s *Service) CanRecord(a *domain.Actor) bool { return len(s.viewerOf(a).bodies) > 0 }

// CanRead reports whether the actor reads any credit record.
func (s *Service) CanRead(a *domain.Actor) bool { return !s.viewerOf(a).none() }

// ReadsAll reports whether the actor reads every record (and the export).
func (s *Service) ReadsAll(a *domain.Actor) bool { return s.viewerOf(a).all }

func fmtErr(what string, err error) error { return fmt.Errorf("credit: %s: %w", what, err) }
