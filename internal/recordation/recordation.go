// Package recordation is the customs recordation register (知识产权海关保护
// 备案, docs/design.md §5): the recordations an enterprise holds with the
// General Administration of Customs for its trademarks, copyrights and
// patents, their validity and status.
//
// A recordation is valid for ten years from the day it was granted and may
// be renewed for ten years at a time within the six months before it ends
// (知识产权海关保护条例 art. 10, rule customs.recordation.validity). The
// register keeps:
//
//   - the holder (an enterprise registered here), the recordation number
//     (a letter for the right's family, the year, a serial: T2019-12345),
//     the right (its kind, number and name) and the validity;
//   - the validity as a deadline on the recordation (subject
//     customs_recordation, duty party): the holder's users are reminded
//     before it ends; a renewal closes it and opens the next period's;
//   - the status: valid, renewed, withdrawn (the holder withdrew it, or
//     customs cancelled it), lapsed (recorded as such, say because the
//     right itself ended first, art. 10 third sentence). A valid or renewed
//     recordation whose end has passed reads as lapsed without anyone
//     writing it (EffectiveStatus).
//
// Customs referrals pick their recordation from this register
// (internal/referral, CheckTx): a number given must be a recordation of
// the right holder that is in force.
//
// Who: an enterprise's users (applicant) keep their own enterprise's
// recordations; the assistance centre keeps them for any enterprise;
// customs and the leadership office read them all (the role table's object
// recordation). Every change is one transaction that locks the row,
// checks the version the client saw, writes the change, the deadline and
// the audit row.
package recordation

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/audit"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// Status is where a recordation stands.
type Status string

// The statuses.
const (
	StatusValid     Status = "valid"
	StatusRenewed   Status = "renewed"
	StatusLapsed    Status = "lapsed"
	StatusWithdrawn Status = "withdrawn"
)

// Statuses lists every status.
var Statuses = []Status{StatusValid, StatusRenewed, StatusLapsed, StatusWithdrawn}

// InForce reports whether a recordation in st protects its right (before
// its end date).
func (st Status) InForce() bool { return st == StatusValid || st == StatusRenewed }

// Action is a change of a recordation.
type Action string

// The changes: correct its particulars, record a renewal, record that it
// was withdrawn or that it lapsed early.
const (
	ActionUpdate   Action = "update"
	ActionRenew    Action = "renew"
	ActionWithdraw Action = "withdraw"
	ActionLapse    Action = "lapse"
)

// Actions lists every change.
var Actions = []Action{ActionUpdate, ActionRenew, ActionWithdraw, ActionLapse}

// RightKinds are the rights customs protects (知识产权海关保护条例 art. 2:
// trademarks, copyright and related rights, patents), as the system names
// right kinds (domain.RightKinds).
var RightKinds = []domain.RightKind{domain.RightTrademark, domain.RightCopyright, domain.RightSoftwareCopyr,
	domain.RightInvention, domain.RightUtilityModel, domain.RightDesign}

// prefix is the recordation number's letter for a right kind.
func prefix(k domain.RightKind) string {
	switch k {
	case domain.RightTrademark:
		return "T"
	case domain.RightCopyright, domain.RightSoftwareCopyr:
		return "C"
	case domain.RightInvention, domain.RightUtilityModel, domain.RightDesign:
		return "P"
	}
	return ""
}

// numberShape is a recordation number: the family letter, the year, a
// serial (T2019-12345).
var numberShape = regexp.MustCompile(`^([TCP])(\d{4})-(\d{3,8})$`)

// NormalizeNumber trims a number and puts its letter in upper case.
func NormalizeNumber(s string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}

// The validity in months (art. 10: ten years) and the renewal window
// before the end (six months).
const (
	ValidityMonths = 120
	WindowMonths   = 6
)

// The deadline of a recordation (configs/deadlines.yaml).
const (
	KindValidity = "recordation_validity"
	RuleValidity = "customs.recordation.validity"
)

// Subject is the deadline subject of recordation id.
func Subject(id int64) deadline.Subject {
	return deadline.Subject{Type: deadline.SubjectCustomsRecordation, ID: id}
}

// Link is the page of recordation id.
func Link(id int64) string { return "/recordations/" + strconv.FormatInt(id, 10) }

// Authorizer answers whether a user's roles in an organisation grant a
// permission (casbin, internal/authz).
type Authorizer interface {
	Can(userID, orgID int64, resource, action string) bool
}

// Auditor appends audit rows inside the caller's transaction.
type Auditor interface {
	Append(ctx context.Context, tx *gorm.DB, e audit.Entry) error
}

// Deadlines opens, closes and lists deadlines inside the caller's
// transaction (deadline.Service).
type Deadlines interface {
	OpenTx(ctx context.Context, tx *gorm.DB, sp deadline.Spec) (deadline.Deadline, error)
	CloseTx(ctx context.Context, tx *gorm.DB, subject deadline.Subject, kind string, status deadline.Status, at time.Time) ([]deadline.Deadline, error)
	ForSubjectTx(ctx context.Context, db *gorm.DB, subject deadline.Subject) ([]deadline.Deadline, error)
}

// Deps are the service's collaborators; all but Now and Log are required.
type Deps struct {
	DB        *gorm.DB
	Authz     Authorizer
	Audit     Auditor
	Deadlines Deadlines
	// Now is the clock (default: the wall clock).
	Now func() time.Time
	Log *slog.Logger
}

// Service is the recordation register.
type Service struct{ d Deps }

// NewService builds the service; it panics naming a missing collaborator.
func NewService(d Deps) *Service {
	domain.RequireDeps("recordation.NewService", map[string]bool{"DB": d.DB == nil, "Authz": d.Authz == nil,
		"Audit": d.Audit == nil, "Deadlines": d.Deadlines == nil})
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

// Today is the Beijing day of the service's clock.
func (s *Service) Today() calendar.Date { return calendar.DateOf(s.clock()) }

// viewer is the actor's reach (the role table's object recordation):
// every recordation (the assistance centre, customs, the leadership
// office), or its own enterprises'; and whose it may change.
type viewer struct {
	all       bool
	own       []int64
	manageAll bool
	manageOwn []int64
}

func (s *Service) viewerOf(a *domain.Actor) viewer {
	var v viewer
	if a == nil {
		return v
	}
	for _, m := range a.Memberships {
		reach := m.Role.Reach(domain.ObjectRecordation)
		if reach == 0 || !s.d.Authz.Can(a.UserID, m.OrgID, "recordation", "read") {
			continue
		}
		manage := s.d.Authz.Can(a.UserID, m.OrgID, "recordation", "manage")
		if reach.Has(domain.ReachAll) {
			v.all = true
			v.manageAll = v.manageAll || manage
		}
		if reach.Has(domain.ReachPartyTo) && m.OrgType == domain.OrgEnterprise && !slices.Contains(v.own, m.OrgID) {
			v.own = append(v.own, m.OrgID)
			if manage {
				v.manageOwn = append(v.manageOwn, m.OrgID)
			}
		}
	}
	return v
}

func (v viewer) sees(holder int64) bool { return v.all || slices.Contains(v.own, holder) }
func (v viewer) manages(holder int64) bool {
	return v.manageAll || slices.Contains(v.manageOwn, holder)
}

// CanRead reports whether the actor reads any recordation.
func (s *Service) CanRead(a *domain.Actor) bool {
	v := s.viewerOf(a)
	return v.all || len(v.own) > 0
}

// CanManage reports whether the actor records recordations for some
// enterprise.
func (s *Service) CanManage(a *domain.Actor) bool {
	v := s.viewerOf(a)
	return v.manageAll || len(v.manageOwn) > 0
}

// ManagesAll reports whether the actor records for any enterprise (the
// assistance centre), so picks the holder.
func (s *Service) ManagesAll(a *domain.Actor) bool { return s.viewerOf(a).manageAll }

func fmtErr(what string, err error) error { return fmt.Errorf("recordation: %s: %w", what, err) }
