package referral_test

import (
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/referral"
)

// TestCourtDelegation_RoundTrip walks 委派调解 end to end: the court
// sends, the committee accepts (the case is filed as the court sent it),
// mediates and settles, and the court sees the result without anyone
// typing it; then the committee applies for judicial confirmation and the
// court records acceptance, the decision and its 民特 ruling number.
func TestCourtDelegation_RoundTrip(t *testing.T) {
	fx := newFixture(t)
	d := dispute()
	r := fx.send("liaison.gulou-court", referral.SendInput{Kind: referral.KindCourtDelegation, ReceiverOrgID: fx.org("gulou"),
		Case: &d, Fields: raw(map[string]any{"pre_filing_number": "（2026）闽0102民诉前调123号"})})
	if r.Status != referral.StatusSent || r.CaseID != nil || *r.SenderOrgID != fx.org("gulou-court") {
		t.Fatalf("sent referral = %+v", r)
	}
	if _, ok := r.Fields["case_enc"]; ok {
		t.Error("the encrypted case leaves the service")
	}
	if !strings.Contains(r.Title, "（2026）闽0102民诉前调123号") {
		t.Errorf("title = %q", r.Title)
	}
	var stored string
	if err := fx.app.DB.Raw("SELECT fields::text FROM referrals WHERE id = ?", r.ID).Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, respondentID) || strings.Contains(stored, "13900002222") || strings.Contains(stored, "金山大道") {
		t.Error("personal data of the delegated case is stored in the clear")
	}
	if got := fx.notified("referral_sent", r.ID); strings.Join(got, ",") != "director.gulou" {
		t.Errorf("referral_sent went to %v, want the committee's director", got)
	}
	// Nobody but the two organisations' referral roles sees it.
	for _, u := range []string{"director.cangshan", "mediator1.gulou", "customs.fz", "liaison.mawei-court", "sme1", "admin"} {
		if _, err := fx.svc.Get(fx.as(u), r.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("%s reads the referral: %v", u, err)
		}
	}
	// The clerk reads it but may not accept; the court may not accept its own.
	if v := fx.get("clerk.gulou", r.ID); len(v.Allowed) != 0 {
		t.Errorf("clerk may %v", v.Allowed)
	}
	_, err := fx.svc.Accept(fx.as("clerk.gulou"), r.ID, referral.AcceptInput{Version: r.Version})
	wantCode(t, err, domain.EFORBIDDEN)
	_, err = fx.svc.Accept(fx.as("liaison.gulou-court"), r.ID, referral.AcceptInput{Version: r.Version})
	wantCode(t, err, domain.EFORBIDDEN)

	dir := fx.as("director.gulou")
	r = fx.ok(fx.svc.Receive(dir, r.ID, referral.ReceiveInput{Version: r.Version}))
	if r.Status != referral.StatusReceived || r.ReceivedAt == nil {
		t.Fatalf("received = %+v", r)
	}
	_, err = fx.svc.Receive(dir, r.ID, referral.ReceiveInput{Version: r.Version})
	if de := wantCode(t, err, domain.ECONFLICT); !strings.Contains(strings.Join(de.Allowed, ","), "accept") {
		t.Errorf("allowed = %v", de.Allowed)
	}
	_, err = fx.svc.Accept(dir, r.ID, referral.AcceptInput{Version: r.Version - 1})
	wantCode(t, err, domain.ECONFLICT) // stale
	r = fx.ok(fx.svc.Accept(dir, r.ID, referral.AcceptInput{Version: r.Version}))
	if r.Status != referral.StatusAccepted || r.CaseID == nil {
		t.Fatalf("accepted = %+v", r)
	}
	c, err := fx.cs.Get(dir, *r.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != domain.SourceCourtDelegated || c.ExternalRef != "（2026）闽0102民诉前调123号" || c.Status != domain.StatusSubmitted ||
		c.OrgID != fx.org("gulou") || len(c.Parties) != 2 || c.Parties[1].IDNumber != respondentID || len(c.Rights) != 1 {
		t.Fatalf("filed case = %+v", c.Case)
	}
	if got := fx.notified("referral_accepted", r.ID); strings.Join(got, ",") != "liaison.gulou-court" {
		t.Errorf("referral_accepted went to %v", got)
	}

	// The court follows the case: within the disclosure, personal data masked.
	court := fx.as("liaison.gulou-court")
	cv, err := fx.cs.Get(court, c.ID)
	if err != nil {
		t.Fatalf("court reads the delegated case: %v", err)
	}
	if cv.Summary == "" || len(cv.Parties) != 2 || cv.Parties[1].IDNumber == respondentID || len(cv.Allowed) != 0 {
		t.Errorf("court's view = %+v", cv)
	}

	// Mediation: the delegated period (30 days) from the receipt of the
	// court's materials (court_period_test.go).
	cs := fx.mediate("gulou", c.Case)
	med := fx.deadlines("case", cs.ID)["mediation"]
	if med.RuleID != "mediation.court_delegated" {
		t.Errorf("mediation rule = %q", med.RuleID)
	}
	_, err = fx.svc.Complete(fx.as("director.gulou"), r.ID, referral.CompleteInput{Version: r.Version, Result: raw(map[string]any{"outcome": "settled"})})
	wantCode(t, err, domain.ECONFLICT) // reported by the case, not by hand
	fx.settle("gulou", cs)

	v := fx.get("liaison.gulou-court", r.ID)
	if v.Status != referral.StatusCompleted || v.Result["outcome"] != "settled" || v.Result["case_number"] != cs.Number || cs.Number == "" ||
		v.Result["agreement_effective_at"] == nil {
		t.Fatalf("court sees %+v", v.Referral)
	}
	if got := fx.notified("referral_completed", r.ID); strings.Join(got, ",") != "liaison.gulou-court" {
		t.Errorf("referral_completed went to %v", got)
	}
	events := strings.Join(fx.caseEvents(c.ID), ",")
	if !strings.HasPrefix(events, "submit,referral_accepted") || !strings.HasSuffix(events, "agreement_effective,referral_completed") {
		t.Errorf("case timeline = %s", events)
	}
	if got := strings.Join(fx.auditActions(r.ID), ","); got != "referral.send,referral.receive,referral.accept,referral.complete" {
		t.Errorf("audit = %s", got)
	}
	cv, _ = fx.cs.Get(court, c.ID)
	if cv.Agreement == nil || cv.Status != domain.StatusSettled {
		t.Errorf("the court does not see the agreement: %+v", cv.Agreement)
	}

	// 司法确认: the committee applies within the window; the court accepts
	// within 3 days and decides within 15.
	jc := fx.send("clerk.gulou", referral.SendInput{Kind: referral.KindJudicialConfirm, ReceiverOrgID: fx.org("gulou-court"),
		CaseID: &c.ID, Fields: raw(map[string]any{"joint_application": true})})
	if got := fx.deadlines("case", c.ID)["judicial_confirmation"].Status; got != "met" {
		t.Errorf("application window = %s, want met", got)
	}
	dls := fx.deadlines("referral", jc.ID)
	if a := dls["confirmation_accept"]; a.RuleID != "judicial_confirmation.accept" || a.Status != "open" {
		t.Errorf("accept deadline = %+v", a)
	}
	if jc.NextDueAt == nil {
		t.Error("no next due time")
	}
	jc = fx.ok(fx.svc.Accept(court, jc.ID, referral.AcceptInput{Version: jc.Version}))
	dls = fx.deadlines("referral", jc.ID)
	if dls["confirmation_accept"].Status != "met" || dls["confirmation_decide"].Status != "open" ||
		dls["confirmation_decide"].RuleID != "judicial_confirmation.decide" {
		t.Errorf("deadlines after acceptance = %+v", dls)
	}
	_, err = fx.svc.Complete(court, jc.ID, referral.CompleteInput{Version: jc.Version, Result: raw(map[string]any{"decision": "confirmed"})})
	wantField(t, err, "result.ruling_number")
	_, err = fx.svc.Complete(court, jc.ID, referral.CompleteInput{Version: jc.Version, Result: raw(map[string]any{"decision": "rejected",
		"ruling_number": "（2026）闽0102民特1号"})})
	wantField(t, err, "result.reason")
	// The ruling is a 民特 ruling: the old 调确字 label, 第, zero padding, a
	// short year or court code, a year to come, are all refused.
	for _, bad := range []string{"（2026）鼓民调确字第12号", "（2026）闽0102民特第12号", "（2026）闽0102民特012号",
		"（26）闽0102民特12号", "（2026）闽01民特12号", "（2026）京0102民特12号", "（2027）闽0102民特12号", "（2010）闽0102民特12号",
		"（2026）闽0102民初12号", "（2026）闽0102民特0号"} {
		_, err = fx.svc.Complete(court, jc.ID, referral.CompleteInput{Version: jc.Version, Result: raw(map[string]any{
			"decision": "confirmed", "ruling_number": bad})})
		wantField(t, err, "result.ruling_number")
	}
	// Half-width parentheses are tidied to the full-width ones.
	jc = fx.ok(fx.svc.Complete(court, jc.ID, referral.CompleteInput{Version: jc.Version, Result: raw(map[string]any{
		"decision": "confirmed", "ruling_number": "(2026)闽0102民特12号"})}))
	if jc.Status != referral.StatusCompleted || jc.Result["ruling_number"] != "（2026）闽0102民特12号" {
		t.Fatalf("confirmation = %+v", jc)
	}
	if fx.deadlines("referral", jc.ID)["confirmation_decide"].Status != "met" {
		t.Error("decide deadline still open")
	}
	if got := fx.notified("referral_completed", jc.ID); strings.Join(got, ",") != "clerk.gulou,director.gulou" {
		t.Errorf("the committee was told %v", got)
	}
	// A second application while none is pending is refused only by the
	// closed window? No: the first completed, the window was met; the
	// case is still settled, so a new one could follow; but a pending
	// one blocks a duplicate.
	jc2 := fx.send("clerk.gulou", referral.SendInput{Kind: referral.KindJudicialConfirm, ReceiverOrgID: fx.org("gulou-court"),
		CaseID: &c.ID, Fields: raw(map[string]any{"joint_application": true})})
	_, err = fx.svc.Send(fx.as("clerk.gulou"), referral.SendInput{Kind: referral.KindJudicialConfirm, ReceiverOrgID: fx.org("gulou-court"),
		CaseID: &c.ID, Fields: raw(map[string]any{"joint_application": true})})
	wantField(t, err, "case_id")
	d2 := fx.ok(fx.svc.Decline(court, jc2.ID, referral.DeclineInput{Version: jc2.Version, Reason: "重复申请"}))
	if d2.Status != referral.StatusDeclined || d2.DeclineReason != "重复申请" || fx.deadlines("referral", jc2.ID)["confirmation_accept"].Status != "met" {
		t.Errorf("declined = %+v", d2)
	}
}

// TestCourtEntrustment_FailsThenLitigation: 委托调解 under the simplified
// procedure gets 7 days; the failed mediation is reported to the court,
// and the committee transfers the case for filing (转立案).
func TestCourtEntrustment_FailsThenLitigation(t *testing.T) {
	fx := newFixture(t)
	d := dispute()
	_, err := fx.svc.Send(fx.as("liaison.gulou-court"), referral.SendInput{Kind: referral.KindCourtEntrustment, ReceiverOrgID: fx.org("gulou"),
		Case: &d, Fields: raw(map[string]any{"court_case_number": "（2026）闽0102民初88号", "procedure": "quick"})})
	wantField(t, err, "fields.procedure")
	r := fx.send("liaison.gulou-court", referral.SendInput{Kind: referral.KindCourtEntrustment, ReceiverOrgID: fx.org("gulou"),
		Case: &d, Fields: raw(map[string]any{"court_case_number": "（2026）闽0102民初88号", "procedure": "simplified"})})
	r = fx.ok(fx.svc.Accept(fx.as("director.gulou"), r.ID, referral.AcceptInput{Version: r.Version}))
	c, err := fx.cs.Get(fx.as("director.gulou"), *r.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != domain.SourceCourtEntrusted || c.CourtProcedure != domain.ProcedureSimplified || c.ExternalRef != "（2026）闽0102民初88号" {
		t.Fatalf("case = %+v", c.Case)
	}
	cs := fx.mediate("gulou", c.Case)
	if got := fx.deadlines("case", cs.ID)["mediation"].RuleID; got != "mediation.court_entrusted_simplified" {
		t.Errorf("mediation rule = %s", got)
	}
	_, err = fx.svc.Send(fx.as("clerk.gulou"), referral.SendInput{Kind: referral.KindLitigation, ReceiverOrgID: fx.org("gulou-court"), CaseID: &cs.ID})
	wantField(t, err, "case_id") // not failed yet
	fx.fail("gulou", cs)
	v := fx.get("liaison.gulou-court", r.ID)
	if v.Status != referral.StatusCompleted || v.Result["outcome"] != "failed" || v.Result["suggested_route"] != "litigation" ||
		v.Result["reason"] != "双方分歧过大" {
		t.Fatalf("court sees %+v", v.Referral)
	}

	lit := fx.send("clerk.gulou", referral.SendInput{Kind: referral.KindLitigation, ReceiverOrgID: fx.org("gulou-court"), CaseID: &cs.ID})
	if len(fx.deadlines("referral", lit.ID)) != 0 {
		t.Error("litigation opened a deadline")
	}
	court := fx.as("liaison.gulou-court")
	lit = fx.ok(fx.svc.Receive(court, lit.ID, referral.ReceiveInput{Version: lit.Version}))
	_, err = fx.svc.Complete(court, lit.ID, referral.CompleteInput{Version: lit.Version, Result: raw(map[string]any{"filing_number": "（2026）闽0102民初99号"})})
	wantCode(t, err, domain.ECONFLICT) // not accepted yet
	lit = fx.ok(fx.svc.Accept(court, lit.ID, referral.AcceptInput{Version: lit.Version}))
	_, err = fx.svc.Complete(court, lit.ID, referral.CompleteInput{Version: lit.Version, Result: raw(map[string]any{})})
	wantField(t, err, "result.filing_number")
	lit = fx.ok(fx.svc.Complete(court, lit.ID, referral.CompleteInput{Version: lit.Version, Result: raw(map[string]any{"filing_number": "（2026）闽0102民初99号"})}))
	if lit.Result["filing_number"] != "（2026）闽0102民初99号" {
		t.Errorf("result = %v", lit.Result)
	}
	if ev := fx.caseEvents(cs.ID); ev[len(ev)-1] != "referral_completed" {
		t.Errorf("timeline ends %v", ev)
	}
}

// TestCourtDelegation_Declines: bad input changes nothing; a decline needs
// a reason; the declined court delegation files no case.
func TestCourtDelegation_Declines(t *testing.T) {
	fx := newFixture(t)
	d := dispute()
	d.Parties = d.Parties[:1]
	d.Parties[0].IDNumber = "123"
	before := fx.scalar("SELECT count(*) FROM referrals")
	_, err := fx.svc.Send(fx.as("liaison.gulou-court"), referral.SendInput{Kind: referral.KindCourtDelegation, ReceiverOrgID: fx.org("fz-customs"),
		Case: &d, Fields: raw(map[string]any{})})
	wantCode(t, err, domain.EINVALID)
	got := strings.Join(fieldNames(err), ",")
	for _, want := range []string{"receiver_org_id", "fields.pre_filing_number", "case.parties", "case.parties[0].id_number"} {
		if !strings.Contains(got, want) {
			t.Errorf("field errors %s do not name %s", got, want)
		}
	}
	if fx.scalar("SELECT count(*) FROM referrals") != before {
		t.Error("an invalid referral was written")
	}
	_, err = fx.svc.Send(fx.as("clerk.gulou"), referral.SendInput{Kind: referral.KindCourtDelegation, ReceiverOrgID: fx.org("gulou")})
	wantCode(t, err, domain.EFORBIDDEN) // a committee does not delegate

	d = dispute()
	r := fx.send("liaison.gulou-court", referral.SendInput{Kind: referral.KindCourtDelegation, ReceiverOrgID: fx.org("gulou"),
		Case: &d, Fields: raw(map[string]any{"pre_filing_number": "（2026）闽0102民诉前调7号"})})
	_, err = fx.svc.Decline(fx.as("director.gulou"), r.ID, referral.DeclineInput{Version: r.Version, Reason: "  "})
	wantField(t, err, "reason")
	r = fx.ok(fx.svc.Decline(fx.as("director.gulou"), r.ID, referral.DeclineInput{Version: r.Version, Reason: "被申请人拒绝调解"}))
	if r.Status != referral.StatusDeclined || r.CaseID != nil || r.ReceivedAt == nil {
		t.Fatalf("declined = %+v", r)
	}
	if got := fx.notified("referral_declined", r.ID); strings.Join(got, ",") != "liaison.gulou-court" {
		t.Errorf("referral_declined went to %v", got)
	}
	_, err = fx.svc.Accept(fx.as("director.gulou"), r.ID, referral.AcceptInput{Version: r.Version})
	if de := wantCode(t, err, domain.ECONFLICT); len(de.Allowed) != 0 {
		t.Errorf("allowed after decline = %v", de.Allowed)
	}
}

// TestJudicialConfirmation_Window: only an effective agreement, only
// within 30 days of its effect.
func TestJudicialConfirmation_Window(t *testing.T) {
	fx := newFixture(t)
	c := fx.mediate("gulou", fx.fileCase("gulou"))
	send := func() error {
		_, err := fx.svc.Send(fx.as("director.gulou"), referral.SendInput{Kind: referral.KindJudicialConfirm, ReceiverOrgID: fx.org("gulou-court"),
			CaseID: &c.ID, Fields: raw(map[string]any{"joint_application": true})})
		return err
	}
	wantField(t, send(), "case_id") // mediating
	c = fx.settle("gulou", c)
	_, err := fx.svc.Send(fx.as("director.gulou"), referral.SendInput{Kind: referral.KindJudicialConfirm, ReceiverOrgID: fx.org("gulou-court"),
		CaseID: &c.ID, Fields: raw(map[string]any{})})
	wantField(t, err, "fields.joint_application")
	_, err = fx.svc.Send(fx.as("director.cangshan"), referral.SendInput{Kind: referral.KindJudicialConfirm, ReceiverOrgID: fx.org("gulou-court"),
		CaseID: &c.ID, Fields: raw(map[string]any{"joint_application": true})})
	wantCode(t, err, domain.ENOTFOUND) // another committee's case
	fx.exec("UPDATE case_agreements SET effective_at = ? WHERE case_id = ?", fx.now().AddDate(0, 0, -40), c.ID)
	err = send()
	wantField(t, err, "case_id")
	if de := wantCode(t, err, domain.EINVALID); de.Fields[0].Message != "validation.referral_window_passed" {
		t.Errorf("message = %s", de.Fields[0].Message)
	}
	fx.exec("UPDATE case_agreements SET effective_at = ? WHERE case_id = ?", fx.now().AddDate(0, 0, -20), c.ID)
	if err := send(); err != nil {
		t.Fatalf("within the window: %v", err)
	}
}

// TestCourtEntrustment_WithdrawnReported: a withdrawn case tells the court
// too.
func TestCourtDelegation_RejectedReported(t *testing.T) {
	fx := newFixture(t)
	d := dispute()
	r := fx.send("liaison.gulou-court", referral.SendInput{Kind: referral.KindCourtDelegation, ReceiverOrgID: fx.org("gulou"),
		Case: &d, Fields: raw(map[string]any{"pre_filing_number": "（2026）闽0102民诉前调9号"})})
	r = fx.ok(fx.svc.Accept(fx.as("director.gulou"), r.ID, referral.AcceptInput{Version: r.Version}))
	c, err := fx.cs.Get(fx.as("director.gulou"), *r.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.cs.Reject(fx.as("director.gulou"), c.ID, cases.ReasonInput{Version: c.Version, Reason: "不属于受理范围",
		Route: domain.RouteOtherBody}); err != nil {
		t.Fatal(err)
	}
	v := fx.get("liaison.gulou-court", r.ID)
	if v.Status != referral.StatusCompleted || v.Result["outcome"] != "rejected" || v.Result["reason"] != "不属于受理范围" {
		t.Fatalf("court sees %+v", v.Referral)
	}
}
