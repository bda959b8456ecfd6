package referral

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/deadline"
)

// The referrals' legal deadlines (docs/design.md §6), rules of
// configs/deadlines.yaml, kept as deadlines of subject referral inside the
// steps' transactions. Each kind declares the deadlines it opens
// (Descriptor.Deadlines) and opens and closes them at its steps
// (onSent, onReceived, onAccepted, in kind_<kind>.go). The receiving
// organisation is responsible (its members are reminded; the user who
// took the referral in once it is received). Declining or completing
// closes every open deadline of the referral (met, or missed when it had
// run out).
//
// Court delegation and entrustment start no deadline of their own: the
// case they create gets its mediation period on assignment, by its source.

func subject(r row) deadline.Subject {
	return deadline.Subject{Type: deadline.SubjectReferral, ID: r.ID}
}

// open opens one deadline of the referral, responsible org orgID, and
// notes its due time in detail.
func (s *Service) open(ctx context.Context, tx *gorm.DB, r row, orgID int64, kind, rule string, event, now time.Time,
	responsible *int64, detail map[string]any) (deadline.Deadline, error) {
	d, err := s.deadlines.OpenTx(ctx, tx, deadline.Spec{Subject: subject(r), OrgID: orgID, CaseID: r.CaseID, Kind: kind,
		RuleID: rule, Event: event, Responsible: responsible, Now: now})
	if err != nil {
		return deadline.Deadline{}, err
	}
	detail[kind+"_due_at"] = d.DueAt.UTC().Format(time.RFC3339)
	return d, nil
}

func parseStamp(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}

// hook is what a kind's deadline step (Descriptor.onSent, onReceived,
// onAccepted) works on: the referral inside the step's transaction, its
// fields, the user taking the step (none when sending) and the event's
// detail, where the due times and closed deadlines are noted.
type hook struct {
	s      *Service
	ctx    context.Context
	tx     *gorm.DB
	r      row
	fields map[string]any
	now    time.Time
	who    *int64
	detail map[string]any
}

// open opens the deadline step of the referral from event, org orgID
// responsible (and the user responsible, if any).
func (h hook) open(orgID int64, step DeadlineStep, event time.Time, responsible *int64) error {
	_, err := h.s.open(h.ctx, h.tx, h.r, orgID, step.Kind, step.Rule, event, h.now, responsible, h.detail)
	return err
}

// close closes the referral's open deadlines of the step as met (missed
// when they had run out).
func (h hook) close(step DeadlineStep) ([]deadline.Deadline, error) {
	return h.s.deadlines.CloseTx(h.ctx, h.tx, subject(h.r), step.Kind, deadline.Met, h.now)
}

// sentDeadlines opens (and for the criminal transfer, closes) the
// deadlines a kind starts when sent.
func (s *Service) sentDeadlines(ctx context.Context, tx *gorm.DB, r *row, fields map[string]any, detail map[string]any, now time.Time) error {
	on := Describe(Kind(r.Kind)).onSent
	if on == nil {
		return nil
	}
	return on(hook{s: s, ctx: ctx, tx: tx, r: *r, fields: fields, now: now, detail: detail})
}

// receivedDeadlines opens what runs from receipt and makes the user who
// received the referral responsible for its open deadlines.
func (s *Service) receivedDeadlines(ctx context.Context, tx *gorm.DB, st *state, detail map[string]any) error {
	who := st.actor.UserIDRef()
	if on := Describe(Kind(st.row.Kind)).onReceived; on != nil {
		if err := on(hook{s: s, ctx: ctx, tx: tx, r: st.row, fields: st.row.fields(), now: st.now, who: who, detail: detail}); err != nil {
			return err
		}
	}
	return s.deadlines.SetResponsibleTx(ctx, tx, subject(st.row), who, st.now)
}

// acceptedDeadlines closes what acceptance answers and opens what runs
// from it.
func (s *Service) acceptedDeadlines(ctx context.Context, tx *gorm.DB, st *state, detail map[string]any) error {
	on := Describe(Kind(st.row.Kind)).onAccepted
	if on == nil {
		return nil
	}
	return on(hook{s: s, ctx: ctx, tx: tx, r: st.row, fields: st.row.fields(), now: st.now, who: st.actor.UserIDRef(), detail: detail})
}

// closeDeadlines closes every open deadline of the referral: met, or
// missed when it had run out. It returns their kinds and statuses.
func (s *Service) closeDeadlines(ctx context.Context, tx *gorm.DB, r row, now time.Time) (map[string]string, error) {
	closed, err := s.deadlines.CloseTx(ctx, tx, subject(r), "", deadline.Met, now)
	if err != nil {
		return nil, err
	}
	if len(closed) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, d := range closed {
		out[d.Kind] = string(d.Status)
	}
	return out, nil
}

// referralDeadlines lists a referral's deadlines, open ones first.
func (s *Service) referralDeadlines(ctx context.Context, db *gorm.DB, id int64) ([]deadline.Deadline, error) {
	return s.deadlines.ForSubjectTx(ctx, db, deadline.Subject{Type: deadline.SubjectReferral, ID: id})
}
