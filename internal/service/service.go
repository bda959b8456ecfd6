// Package service is the service of documents on the parties (送达,
// docs/design.md §4 "Service of documents", docs/law.md §3): the
// committee serves a printed notice (internal/notice) on a party as a PDF
// kept in the file store, and a service record (送达回证) says which
// notice, which file (its SHA-256), when it was sent and by whom, when it
// reached the party and when the party first opened it. A record the
// party has not opened within the configured time (service.open_within)
// is listed for the committee's clerk and director, who serve the notice
// by post or in person and record how.
//
// Rules:
//
//   - Serving needs service:serve in the handling committee and working
//     the case (its director or clerk, an assigned mediator): the case
//     service's CaseAccess.Works. Recording other means needs
//     service:record in the handling committee; the seal image,
//     service:seal in the committee.
//   - Every change is one transaction with its audit row; the PDF is
//     stored before the transaction and removed again when it fails.
//   - A party reaches only its own records: through its personal access
//     link (domain.PartyFrom; the record's case and party must be the
//     link's), or as a user of the enterprise that is the party
//     (service:open there). Anything else is ENOTFOUND.
package service

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notice"
)

// Method is how a notice was served.
type Method string

// The methods of service.
const (
	MethodElectronic Method = "electronic" // 电子送达
	MethodPost       Method = "post"       // 邮寄送达
	MethodInPerson   Method = "in_person"  // 直接送达
)

// State is where a record stands, in the order it gets there.
type State string

// The states of a record, as the case page names them.
const (
	StateSent      State = "sent"      // 已发送
	StateDelivered State = "delivered" // 已送达
	StateOpened    State = "opened"    // 已查阅
	StatePost      State = "post"      // 邮寄送达
	StateInPerson  State = "in_person" // 直接送达
)

// DefaultOpenWithin is how long a party has to open a notice served
// electronically before it is served by other means.
const DefaultOpenWithin = 72 * time.Hour

// Record is a service record (送达回证).
type Record struct {
	ID             int64
	CaseID         int64
	CaseNumber     string
	PartyID        int64
	PartyName      string
	Doc            notice.Doc
	SHA256         string
	SizeBytes      int64
	SentAt         time.Time
	SentBy         int64
	SentByName     string
	DeliveredAt    *time.Time
	OpenedAt       *time.Time
	Method         Method
	ServedOn       *time.Time
	TrackingNumber string
	Receiver       string
	Note           string
}

// State is the record's latest state.
func (r Record) State() State {
	switch {
	case r.Method == MethodPost:
		return StatePost
	case r.Method == MethodInPerson:
		return StateInPerson
	case r.OpenedAt != nil:
		return StateOpened
	case r.DeliveredAt != nil:
		return StateDelivered
	}
	return StateSent
}

// Link is the page where a party user opens record id.
func Link(id int64) string { return "/served/" + strconv.FormatInt(id, 10) }

// PartyTeller tells a party that a notice was served on it, inside the
// transaction that records the service. The message names the case by
// its number and the notice. delivered reports that the message reached
// the party at once (an inbox); a gateway that confirms later calls
// Service.DeliveredTx.
type PartyTeller interface {
	TellTx(ctx context.Context, tx *gorm.DB, m Message) (delivered bool, err error)
}

// Message is what a party is told.
type Message struct {
	CaseID     int64
	CaseNumber string
	PartyID    int64
	RecordID   int64
	Doc        notice.Doc
	// Title is the notice's Chinese title (受理通知书 …).
	Title string
}

// CaseReader is what the service asks the case service.
type CaseReader interface {
	Get(ctx context.Context, id int64) (cases.CaseView, error)
	AccessTx(ctx context.Context, tx *gorm.DB, id int64) (domain.CaseAccess, error)
	AddEventTx(ctx context.Context, tx *gorm.DB, caseID int64, a *domain.Actor, action string, detail map[string]any, at time.Time) error
}

// Authorizer answers whether a user's roles in an organisation grant a
// permission (casbin, internal/authz).
type Authorizer interface {
	Can(userID, orgID int64, resource, action string) bool
}

// Auditor appends audit rows inside the caller's transaction.
type Auditor interface {
	Append(ctx context.Context, tx *gorm.DB, e audit.Entry) error
}

// Deps are the service's collaborators; all but Now, Log and OpenWithin
// are required.
type Deps struct {
	DB     *gorm.DB
	Blobs  *document.Blobs
	Cases  CaseReader
	Authz  Authorizer
	Audit  Auditor
	Teller PartyTeller
	// Texts are the Chinese words the notices take from the catalogs.
	Texts notice.Texts
	// OpenWithin is config service.open_within (default DefaultOpenWithin).
	OpenWithin time.Duration
	Now        func() time.Time
	Log        *slog.Logger
}

// Service serves notices and keeps the service records.
type Service struct{ d Deps }

// New builds the service; it panics naming a missing collaborator.
func New(d Deps) *Service {
	domain.RequireDeps("service.New", map[string]bool{"DB": d.DB == nil, "Blobs": d.Blobs == nil, "Cases": d.Cases == nil,
		"Authz": d.Authz == nil, "Audit": d.Audit == nil, "Teller": d.Teller == nil, "Texts": d.Texts == nil})
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.OpenWithin <= 0 {
		d.OpenWithin = DefaultOpenWithin
	}
	return &Service{d: d}
}

// OpenWithin is the time a party has to open a notice.
func (s *Service) OpenWithin() time.Duration { return s.d.OpenWithin }

func (s *Service) clock() time.Time { return s.d.Now().UTC().Truncate(time.Microsecond) }

func fmtErr(what string, err error) error { return fmt.Errorf("service: %s: %w", what, err) }

func notFound() error { return domain.NotFound("service_record") }

// can: a member of org whose roles there grant service:<action>.
func (s *Service) can(a *domain.Actor, org int64, action string) bool {
	return a.IsMember(org) && s.d.Authz.Can(a.UserID, org, "service", action)
}

// Titles are the notices' Chinese titles, for the messages.
var Titles = map[notice.Doc]string{notice.DocAcceptance: "受理通知书", notice.DocRejection: "不予受理通知书",
	notice.DocTermination: "调解终止通知书", notice.DocAgreement: "调解协议书", notice.DocSession: "调解通知书"}

// Serves reports whether the actor serves the notices of case v: works
// it and holds service:serve in its committee.
func (s *Service) Serves(a *domain.Actor, v cases.CaseView) bool {
	return a != nil && v.Access.Works && s.can(a, v.OrgID, "serve")
}

// SealOrgs are the committees whose seal the actor uploads (service:seal).
func (s *Service) SealOrgs(a *domain.Actor) []int64 {
	var out []int64
	for _, m := range a.Memberships {
		if s.can(a, m.OrgID, "seal") {
			out = append(out, m.OrgID)
		}
	}
	return out
}

// States lists the states of a record.
var States = []State{StateSent, StateDelivered, StateOpened, StatePost, StateInPerson}
