package referral_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/referral"
)

// TestCourtEntrustment_PeriodFromReceipt: the mediation period of a
// court's case runs from the day the committee received (签收) the
// court's materials, not from the acceptance of the case nor from the
// assignment of mediators. Received on Tuesday 10 March 2026, a
// court-entrusted case under the ordinary procedure has 15 days: day 15 is
// Wednesday 25 March, so it is due at 24:00 that day, however late the
// committee accepts it. Before mediators are assigned the committee is
// responsible; the first mediator is afterwards.
func TestCourtEntrustment_PeriodFromReceipt(t *testing.T) {
	fx := newFixture(t)
	d := dispute()
	r := fx.send("liaison.gulou-court", referral.SendInput{Kind: referral.KindCourtEntrustment, ReceiverOrgID: fx.org("gulou"),
		Case: &d, Fields: raw(map[string]any{"court_case_number": "（2026）闽0102民初188号", "procedure": "ordinary"})})
	dir := fx.as("director.gulou")
	r = fx.ok(fx.svc.Receive(dir, r.ID, referral.ReceiveInput{Version: r.Version}))
	received := *r.ReceivedAt
	if y, m, day := received.In(calendar.Beijing).Date(); y != 2026 || m != time.March || day != 10 {
		t.Fatalf("received on %v", received)
	}
	fx.app.Clock.Advance(3 * 24 * time.Hour)
	r = fx.ok(fx.svc.Accept(dir, r.ID, referral.AcceptInput{Version: r.Version}))
	c, err := fx.cs.Get(dir, *r.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.MaterialsReceivedAt == nil || !c.MaterialsReceivedAt.Equal(received) || c.MediationDueAt != nil || c.Number != "" {
		t.Fatalf("filed case: received %v, due %v, number %q", c.MaterialsReceivedAt, c.MediationDueAt, c.Number)
	}
	fx.app.Clock.Advance(2 * 24 * time.Hour)
	cs, err := fx.cs.Accept(dir, c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: fx.now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 3, 26, 0, 0, 0, 0, calendar.Beijing)
	med := fx.deadlines("case", cs.ID)["mediation"]
	if med.RuleID != "mediation.court_entrusted_ordinary" || med.EventAt == nil || !med.EventAt.Equal(received) || !med.DueAt.Equal(due) ||
		cs.MediationDueAt == nil || !cs.MediationDueAt.Equal(due) {
		t.Fatalf("mediation period %+v, case due %v; want from %v to %v", med, cs.MediationDueAt, received, due)
	}
	if n := fx.scalar("SELECT count(*) FROM deadlines WHERE case_id = ? AND kind = 'mediation' AND responsible_user_id IS NULL", cs.ID); n != 1 {
		t.Errorf("before assignment the committee is not responsible")
	}
	cs = fx.mediate2(cs)
	if n := fx.scalar("SELECT count(*) FROM deadlines WHERE case_id = ? AND kind = 'mediation' AND responsible_user_id = ?", cs.ID,
		fx.user("mediator1.gulou")); n != 1 {
		t.Errorf("after assignment the first mediator is not responsible")
	}
	if !cs.MediationDueAt.Equal(due) {
		t.Errorf("assignment moved the period to %v", cs.MediationDueAt)
	}
}

// mediate2 assigns mediator1 of gulou to an accepted case and declares.
func (fx *fixture) mediate2(c domain.Case) domain.Case {
	fx.t.Helper()
	var err error
	if c, err = fx.cs.Assign(fx.as("director.gulou"), c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{fx.user("mediator1.gulou")}}); err != nil {
		fx.t.Fatalf("assign case: %v", err)
	}
	if c, err = fx.cs.Declare(fx.as("mediator1.gulou"), c.ID, cases.DeclareInput{Version: c.Version, NoConflict: true, Statement: "无利害关系"}); err != nil {
		fx.t.Fatalf("declare: %v", err)
	}
	return c
}

// TestCourtEntrustment_NoJudicialConfirmation: a settled court-entrusted
// case goes back to the court that entrusted it: the outcome is reported
// to it, no window to apply for judicial confirmation opens, the case view
// does not offer it, and a judicial-confirmation referral is refused
// naming the reason. A court-delegated case keeps all of them.
func TestCourtEntrustment_NoJudicialConfirmation(t *testing.T) {
	fx := newFixture(t)
	dir := fx.as("director.gulou")
	file := func(kind referral.Kind, fields map[string]any) (referral.Referral, domain.Case) {
		d := dispute()
		r := fx.send("liaison.gulou-court", referral.SendInput{Kind: kind, ReceiverOrgID: fx.org("gulou"), Case: &d, Fields: raw(fields)})
		r = fx.ok(fx.svc.Accept(dir, r.ID, referral.AcceptInput{Version: r.Version}))
		c, err := fx.cs.Get(dir, *r.CaseID)
		if err != nil {
			t.Fatal(err)
		}
		return r, fx.settle("gulou", fx.mediate("gulou", c.Case))
	}
	jc := func(c domain.Case) error {
		_, err := fx.svc.Send(dir, referral.SendInput{Kind: referral.KindJudicialConfirm, ReceiverOrgID: fx.org("gulou-court"),
			CaseID: &c.ID, Fields: raw(map[string]any{"joint_application": true})})
		return err
	}

	r, ent := file(referral.KindCourtEntrustment, map[string]any{"court_case_number": "（2026）闽0102民初288号", "procedure": "simplified"})
	if ent.Status != domain.StatusSettled {
		t.Fatalf("entrusted case %s", ent.Status)
	}
	if v := fx.get("liaison.gulou-court", r.ID); v.Status != referral.StatusCompleted || v.Result["outcome"] != "settled" {
		t.Errorf("the court is not told: %+v", v.Referral)
	}
	dls := fx.deadlines("case", ent.ID)
	if _, ok := dls["judicial_confirmation"]; ok {
		t.Errorf("a judicial-confirmation window opened for a court-entrusted case: %+v", dls)
	}
	if _, ok := dls["performance"]; !ok {
		t.Errorf("no performance date: %+v", dls)
	}
	err := jc(ent)
	wantField(t, err, "case_id")
	if de := wantCode(t, err, domain.EINVALID); de.Fields[0].Message != "validation.referral_court_entrusted" {
		t.Errorf("message = %s", de.Fields[0].Message)
	}
	if v, err := fx.cs.Get(dir, ent.ID); err != nil || v.JudicialConfirmationOffered {
		t.Errorf("the entrusted case's view offers judicial confirmation (%v)", err)
	}

	_, del := file(referral.KindCourtDelegation, map[string]any{"pre_filing_number": "（2026）闽0102民诉前调288号"})
	if _, ok := fx.deadlines("case", del.ID)["judicial_confirmation"]; !ok {
		t.Error("no judicial-confirmation window for a court-delegated case")
	}
	if v, err := fx.cs.Get(dir, del.ID); err != nil || !v.JudicialConfirmationOffered {
		t.Errorf("the delegated case's view does not offer judicial confirmation (%v)", err)
	}
	if err := jc(del); err != nil && strings.Contains(err.Error(), "court_entrusted") {
		t.Errorf("a delegated case refused: %v", err)
	} else if err != nil {
		t.Fatalf("judicial confirmation of a delegated case: %v", err)
	}
}
