// Package deadline keeps the legal time limits of docs/design.md §6 as rows of the
// deadlines table: what a deadline is about (its subject, a case for now),
// the organisation responsible, the rule of configs/deadlines.yaml it was
// computed from with its legal basis, the due instant and whether the
// working-day calendar behind it was provisional.
//
// The period arithmetic is internal/calendar's; this package stores its
// answers. Deadlines are opened, moved and closed by the actions that cause
// them, inside those actions' transactions (OpenTx, MoveTx, CloseTx: the
// case actions of internal/cases call them), so a deadline never disagrees
// with the case it belongs to and the reminder workers can trust the table.
// Hooks registered with OnChange run inside those same transactions for
// every deadline changed, so that what depends on a deadline (its
// reminders) is written with it.
//
// Reading: ForCase lists a case's deadlines for its page (the case service
// has already decided the actor may see the case); Mine lists the actor's
// own: those they are responsible for, those of the cases they mediate, and
// for a committee's director or clerk every deadline of the committee,
// overdue first, then the soonest. Calculate answers "when is this due"
// for a rule and an event without storing anything.
//
// Provisional calendars: a deadline computed on a year whose official
// holiday arrangement is not out yet is marked provisional. When the
// official file arrives (a new configs/holidays/<year>.yaml, which ships in
// a new binary), RecomputeProvisional recomputes every open provisional
// deadline from its event; internal/app runs it at every start of serve and
// worker, and `ipmediate deadline recompute` runs it on demand.
package deadline

import (
	"regexp"
	"slices"
	"time"

	"github.com/ipmediate/ipmediate/internal/calendar"
)

// Status is a deadline's state.
type Status string

// The states of a deadline. Open is the only one that can change; met,
// missed, cancelled and lapsed are final.
const (
	// Open: still running (or overdue and not yet dealt with).
	Open Status = "open"
	// Met: what the deadline asked for was done before it ran out.
	Met Status = "met"
	// Missed: it was done, or ended, after the deadline ran out.
	Missed Status = "missed"
	// Cancelled: it no longer applies (the case was withdrawn).
	Cancelled Status = "cancelled"
	// Lapsed: an information deadline (DutyInformation) that passed; it
	// owed nobody anything, so it is neither met nor missed.
	Lapsed Status = "lapsed"
)

// Statuses lists every status.
var Statuses = []Status{Open, Met, Missed, Cancelled, Lapsed}

// Duty is whose time limit a deadline is (calendar.Duty, the duty of its
// rule in configs/deadlines.yaml; docs/law.md §1).
type Duty = calendar.Duty

// The duties, as calendar defines them.
const (
	DutyOrganisation = calendar.DutyOrganisation
	DutyParty        = calendar.DutyParty
	DutyInformation  = calendar.DutyInformation
	DutySoft         = calendar.DutySoft
)

// CaseFinished reports whether a case in status is finished: settled,
// failed, withdrawn, rejected or closed. A finished case's deadlines are
// never overdue and show no countdown.
func CaseFinished(status string) bool { return slices.Contains(finishedCaseStatuses, status) }

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// SubjectType is the kind of thing a deadline is about.
type SubjectType string

// Subject types. Only cases have deadlines yet; the others are reserved by
// the schema for referrals, assistance applications and organisations (the
// annual report).
const (
	SubjectCase        SubjectType = "case"
	SubjectReferral    SubjectType = "referral"
	SubjectApplication SubjectType = "application"
	SubjectOrg         SubjectType = "org"
	// SubjectCreditRecord: a credit record's objection period and the
	// body's decisions (internal/credit).
	SubjectCreditRecord SubjectType = "credit_record"
	// SubjectCustomsRecordation: a customs recordation's validity
	// (internal/recordation).
	SubjectCustomsRecordation SubjectType = "customs_recordation"
)

// Subject names what a deadline is about.
type Subject struct {
	Type SubjectType
	ID   int64
}

// CaseSubject is the case with id.
func CaseSubject(id int64) Subject { return Subject{Type: SubjectCase, ID: id} }

// The kinds of the case deadlines. A kind says what the deadline is for;
// at most one deadline of each kind is open per subject.
const (
	// KindMediation is the mediation period, opened when mediators are
	// assigned (rule mediation.<source>), moved by an extension, closed
	// when the case is settled, fails or is withdrawn.
	KindMediation = "mediation"
	// KindJudicialConfirmation is the 30 days in which the parties may
	// apply for judicial confirmation of the agreement, opened when the
	// agreement takes effect.
	KindJudicialConfirmation = "judicial_confirmation"
	// KindPerformance is the performance date the agreement fixes: the
	// mediator's follow-up (duty soft), closed when a follow-up records
	// that the agreement was performed or refused.
	KindPerformance = "performance"
)

// Rule ids the case actions use.
const (
	RuleMediationDirect               = "mediation.direct"
	RuleMediationCourtDelegated       = "mediation.court_delegated"
	RuleMediationCourtEntrustedOrd    = "mediation.court_entrusted_ordinary"
	RuleMediationCourtEntrustedSimple = "mediation.court_entrusted_simplified"
	RuleJudicialConfirmationApply     = "judicial_confirmation.apply"
)

// CaseDeadlineRules lists the rule ids the case actions open deadlines with; the
// application refuses to start on rules that lack one of them (with the
// referral, assistance and annual-report rules).
var CaseDeadlineRules = []string{RuleMediationDirect, RuleMediationCourtDelegated, RuleMediationCourtEntrustedOrd,
	RuleMediationCourtEntrustedSimple, RuleJudicialConfirmationApply}

var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Deadline is one stored deadline.
type Deadline struct {
	ID      int64
	Subject Subject
	// OrgID is the organisation responsible (scoping and escalation).
	OrgID  int64
	CaseID *int64
	// CaseNumber and CaseStatus are the case's number and status, filled
	// by the listings.
	CaseNumber string
	CaseStatus string
	Kind       string
	// RuleID names the rule of configs/deadlines.yaml; "" for a date the
	// parties fixed (the performance date).
	RuleID string
	Title  string
	// EventAt is the event the period runs from; nil for a fixed date.
	EventAt *time.Time
	// DueAt is the instant the deadline runs out: 24:00 Beijing time of
	// the last day, or the exact instant of a period in hours.
	DueAt       time.Time
	Basis       string
	Explanation string
	// Provisional: computed on a year without an official holiday
	// arrangement; recomputed when the file arrives.
	Provisional       bool
	Status            Status
	ResponsibleUserID *int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
	ClosedAt          *time.Time
	// ExtendedFrom is the original due time of an extended deadline.
	ExtendedFrom *time.Time
	// Duty is whose time limit it is: who is reminded, whether it
	// escalates and how it shows once passed.
	Duty    Duty
	Version int
}

// LastDay is the last day of the deadline: the Beijing date of the last
// moment before DueAt (2026-10-28 for a deadline due at 24:00 on the 28th,
// which is 00:00 on the 29th).
func (d Deadline) LastDay() calendar.Date { return calendar.DateOf(d.DueAt.Add(-time.Nanosecond)) }

// Passed reports whether an open deadline has run out at now, whatever its
// duty.
func (d Deadline) Passed(now time.Time) bool { return d.Status == Open && !now.Before(d.DueAt) }

// Overdue reports whether an open deadline is overdue at now: it has run
// out, it is its organisation's own duty, and its case (if any) is not
// finished. A party's time limit, an information window or a soft
// follow-up that passed is not overdue (Passed), nor is anything of a
// finished case.
func (d Deadline) Overdue(now time.Time) bool {
	return d.Passed(now) && d.owed() && !d.CaseFinished()
}

// owed: the deadline is its organisation's own duty ("" is the duty of a
// row read without the column, as before duties existed).
func (d Deadline) owed() bool { return d.Duty == DutyOrganisation || d.Duty == "" }

// CaseFinished reports whether the deadline belongs to a finished case.
func (d Deadline) CaseFinished() bool { return d.CaseID != nil && CaseFinished(d.CaseStatus) }

// FollowUp reports whether the deadline is the performance date of a
// settled or closed case's agreement: the mediator follows up how it was
// performed (People's Mediation Law art. 31) after the case is finished,
// so it stays on "my deadlines" and counts down, though it is never
// overdue (its duty is soft).
func (d Deadline) FollowUp() bool {
	return d.Kind == KindPerformance && d.CaseID != nil && slices.Contains(followUpCaseStatuses, d.CaseStatus)
}

// followUpCaseStatuses are the finished statuses whose performance date
// is still followed up.
var followUpCaseStatuses = []string{"settled", "closed"}

// Running reports whether the deadline shows a countdown: open, and not of
// a finished case unless it is the follow-up of its agreement's
// performance (FollowUp).
func (d Deadline) Running() bool { return d.Status == Open && (!d.CaseFinished() || d.FollowUp()) }

// Information reports whether the deadline is shown for information only.
func (d Deadline) Information() bool { return d.Duty == DutyInformation }

// Extended reports whether the deadline was moved later by an extension.
func (d Deadline) Extended() bool { return d.ExtendedFrom != nil }

// Spec describes a deadline to open.
type Spec struct {
	Subject Subject
	OrgID   int64
	CaseID  *int64
	Kind    string
	// RuleID names the rule to compute the due time with, from Event.
	// With Due set, the rule only supplies the title and the basis.
	RuleID string
	Event  time.Time
	// Due is a fixed due instant (a date the parties agreed, an extended
	// period); when zero the rule computes it.
	Due time.Time
	// Title, Basis and Explanation default to the rule's name, basis and
	// the calendar's explanation.
	Title       string
	Basis       string
	Explanation string
	// ExtendedFrom records the original due time of a period that was
	// extended before this row existed.
	ExtendedFrom *time.Time
	// Duty overrides the rule's duty; "" takes the rule's, and a fixed
	// date without a rule is the organisation's.
	Duty        Duty
	Responsible *int64
	// Now is the time of the action; zero: the service's clock.
	Now time.Time
}
