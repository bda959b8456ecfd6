// Package referral is the referral capability (转介 / 移送, docs/design.md §5):
// one model for court docking (诉调对接: delegated and entrusted
// mediation, judicial confirmation, transfer to litigation), arbitration,
// administrative adjudication, enforcement, customs, criminal transfer
// (行刑衔接) and rights-assistance referrals.
//
// A referral goes from a sender organisation to a receiver organisation:
//
//	sent -> received -> accepted | declined (reason) -> completed (result)
//
// receive is the receiver's acknowledgement (签收); accepting or declining
// a referral that was not acknowledged yet acknowledges it as well. Each
// kind is one descriptor in its own file (kind_<kind>.go, listed in
// kinds.go): who may send it to whom, what it needs (an effective
// agreement, a failed mediation, an arbitration agreement on file …), its
// own fields and result, which deadlines of configs/deadlines.yaml each
// step opens and closes, and what its forms show.
//
// Court docking closes the loop without anyone typing twice: accepting a
// court's delegation or entrustment files the case (source
// court_delegated or court_entrusted, so that assignment starts the right
// mediation period), and when the case's agreement takes effect, or the
// mediation fails, the case service tells this package inside its action's
// transaction (cases.OnOutcome) and the referral is completed with that
// result for the court to see.
//
// Scope: a referral exists only for the members of its sender and
// receiver organisations whose role reads referrals; for everyone else it
// is ENOTFOUND. The receivers read the referred case within the
// referral's disclosure scope (cases.Disclosure), enforced by the case
// service for the case page, the API and the downloads.
//
// Every step is one transaction that locks the referral, checks the
// version the client saw, writes the change, the referral's own event,
// the event on the case timeline, the deadlines, the notifications of the
// other side and, last, the audit row.
//
// Errors are *domain.Error: EINVALID naming the field, ENOTFOUND,
// EFORBIDDEN for a step the actor's role does not allow on a referral
// they can see, ECONFLICT for a step the state does not allow now (with
// the allowed steps) or a stale version.
package referral

import (
	"encoding/json"
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/deadline"
)

// Kind is the kind of a referral. Each kind is declared by its
// descriptor in kind_<kind>.go (kinds.go lists them).
type Kind string

// Status is a referral's place in its state machine.
type Status string

// Referral statuses. declined and completed are final.
const (
	StatusSent      Status = "sent"      // 已发送
	StatusReceived  Status = "received"  // 已签收
	StatusAccepted  Status = "accepted"  // 已接收办理
	StatusDeclined  Status = "declined"  // 已退回
	StatusCompleted Status = "completed" // 已办结
)

// Statuses lists every status in workflow order.
var Statuses = []Status{StatusSent, StatusReceived, StatusAccepted, StatusDeclined, StatusCompleted}

// Final reports whether no step can follow.
func (s Status) Final() bool { return s == StatusDeclined || s == StatusCompleted }

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// Action is a step on an existing referral; each is its own endpoint
// (POST /api/v1/referrals/{id}/<action>) and its own form.
type Action string

// Referral steps.
const (
	ActionReceive  Action = "receive"
	ActionAccept   Action = "accept"
	ActionDecline  Action = "decline"
	ActionComplete Action = "complete"
)

// Actions lists the steps in display order.
var Actions = []Action{ActionReceive, ActionAccept, ActionDecline, ActionComplete}

var transitions = map[Action]struct {
	from []Status
	to   Status
}{
	ActionReceive:  {from: []Status{StatusSent}, to: StatusReceived},
	ActionAccept:   {from: []Status{StatusSent, StatusReceived}, to: StatusAccepted},
	ActionDecline:  {from: []Status{StatusSent, StatusReceived}, to: StatusDeclined},
	ActionComplete: {from: []Status{StatusAccepted}, to: StatusCompleted},
}

// Referral is one referral as its sender and receiver see it. Fields and
// Result never carry personal data in the clear: identity numbers are
// kept encrypted and only their masked form is shown.
type Referral struct {
	ID              int64            `json:"id"`
	Kind            Kind             `json:"kind"`
	Status          Status           `json:"status"`
	SenderOrgID     *int64           `json:"sender_org_id"`
	SenderOrgName   string           `json:"sender_org_name"`
	ReceiverOrgID   int64            `json:"receiver_org_id"`
	ReceiverOrgName string           `json:"receiver_org_name"`
	CaseID          *int64           `json:"case_id"`
	CaseNumber      string           `json:"case_number"`
	ApplicationID   *int64           `json:"application_id"`
	Title           string           `json:"title"`
	Note            string           `json:"note"`
	Disclosure      cases.Disclosure `json:"disclosure"`
	Fields          map[string]any   `json:"fields"`
	Result          map[string]any   `json:"result"`
	DeclineReason   string           `json:"decline_reason"`
	// Rule names the rule of a worker that produced the referral.
	Rule        string     `json:"rule"`
	SentBy      *int64     `json:"sent_by"`
	Version     int        `json:"version"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	ReceivedAt  *time.Time `json:"received_at"`
	DecidedAt   *time.Time `json:"decided_at"`
	CompletedAt *time.Time `json:"completed_at"`
	// NextDueAt is the earliest open deadline of the referral, if any.
	NextDueAt *time.Time `json:"next_due_at"`
}

// Overdue reports whether an open deadline of the referral has run out.
func (r Referral) Overdue(now time.Time) bool {
	return !r.Status.Final() && r.NextDueAt != nil && !now.Before(*r.NextDueAt)
}

// Event is one entry of a referral's history.
type Event struct {
	ID         int64          `json:"id"`
	At         time.Time      `json:"at"`
	ActorName  string         `json:"actor_name"`
	OrgID      *int64         `json:"org_id"`
	Action     string         `json:"action"`
	FromStatus Status         `json:"from_status"`
	ToStatus   Status         `json:"to_status"`
	Detail     map[string]any `json:"detail"`
}

// View is a referral with its history and deadlines, for its page.
type View struct {
	Referral
	Events    []Event
	Deadlines []deadline.Deadline
	// Allowed lists the steps the viewer may take now.
	Allowed []Action
	// Sender and Receiver say on which side the viewer stands (both for
	// a member of both organisations).
	Sender, Receiver bool
}

// Can reports whether the viewer may take step a now.
func (v View) Can(a Action) bool {
	for _, x := range v.Allowed {
		if x == a {
			return true
		}
	}
	return false
}

// SendInput is a new referral.
type SendInput struct {
	Kind Kind `json:"kind"`
	// SenderOrgID is the organisation that sends; 0 picks the actor's
	// only organisation that may send the kind (ambiguity is EINVALID).
	SenderOrgID   int64  `json:"sender_org_id,omitempty"`
	ReceiverOrgID int64  `json:"receiver_org_id"`
	CaseID        *int64 `json:"case_id,omitempty"`
	// ApplicationID refers an SME's assistance application instead of a
	// case (enforcement, customs, rights assistance sent by the
	// assistance centre).
	ApplicationID *int64 `json:"application_id,omitempty"`
	Title         string `json:"title,omitempty"`
	Note          string `json:"note,omitempty"`
	// Disclosure is what of the case the receiver may read; nil takes
	// the kind's default.
	Disclosure *cases.Disclosure `json:"disclosure,omitempty"`
	// Case is the dispute a court delegates or entrusts, filed with the
	// committee when it accepts (org_id and source are set then).
	Case *cases.IntakeInput `json:"case,omitempty"`
	// Fields are the kind's own data (see the kinds).
	Fields json.RawMessage `json:"fields,omitempty"`
}

// ReceiveInput acknowledges a referral.
type ReceiveInput struct {
	Version int `json:"version"`
}

// AcceptInput accepts a referral; Fields carry what the kind records on
// acceptance (customs: the detention).
type AcceptInput struct {
	Version int             `json:"version"`
	Note    string          `json:"note,omitempty"`
	Fields  json.RawMessage `json:"fields,omitempty"`
}

// DeclineInput declines a referral with a reason.
type DeclineInput struct {
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

// CompleteInput reports a referral's result.
type CompleteInput struct {
	Version int             `json:"version"`
	Result  json.RawMessage `json:"result"`
}

// ListFilter narrows List. Zero values mean "any".
type ListFilter struct {
	// Box is "inbox" (received by the actor's organisations), "outbox"
	// (sent by them) or "" (both).
	Box           string
	Kind          Kind
	Statuses      []Status
	CaseID        int64
	ApplicationID int64
	// SentFrom, SentTo bound the day a referral was sent (created_at);
	// CompletedFrom, CompletedTo the day it was completed; To exclusive.
	// The statistics link their figures to lists so filtered.
	SentFrom, SentTo           time.Time
	CompletedFrom, CompletedTo time.Time
	// DecidedFrom, DecidedTo bound the day the receiver accepted or
	// declined it.
	DecidedFrom, DecidedTo time.Time
	// Result keeps the referrals whose result value (ResultSQL) is this
	// (confirmed, rejected, award …).
	Result string
	Cursor string
	Limit  int // default 50, max 200
}

// Produce is a rights-assistance referral produced by a worker's rule
// (docs/design.md §7): ProduceTx writes it once per (rule, key).
type Produce struct {
	// ReceiverOrgID is the assistance centre.
	ReceiverOrgID int64
	// SenderOrgID is the organisation on whose behalf the rule fired;
	// 0 takes the case's committee, or none (the system) without a case.
	SenderOrgID   int64
	CaseID        *int64
	ApplicationID *int64
	// Rule names the rule that fired (e.g. "sme_mediation_failed"); Key
	// identifies what it fired for (e.g. "case:42"). Required.
	Rule, Key string
	Note      string
}
