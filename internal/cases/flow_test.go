package cases_test

import (
	"slices"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// TestCaseService_HappyPath runs a case from intake to closing through the
// service only, checking the timeline, the audit chain and the Allowed
// list each viewer gets on the way.
func TestCaseService_HappyPath(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	director, clerk, med := fx.as("director.gulou"), fx.as("clerk.gulou"), fx.as("mediator1.gulou")
	m1 := fx.userID("mediator1.gulou")

	c := fx.submit("sme1", intake(fx.org("gulou")))
	allowed := func(ctx any, want ...domain.CaseAction) {
		t.Helper()
		v, err := fx.svc.Get(fx.as(ctx.(string)), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = []domain.CaseAction{}
		}
		if !slices.Equal(v.Allowed, want) {
			t.Errorf("%s: allowed = %v, want %v", ctx, v.Allowed, want)
		}
	}
	allowed("director.gulou", domain.ActionAccept, domain.ActionReject)
	allowed("clerk.gulou", domain.ActionWithdraw)
	allowed("sme1", domain.ActionWithdraw)
	// The city committee's director supervises 鼓楼: they may move the case
	// to another committee, nothing else.
	allowed("director.city", domain.ActionReassign)

	consent := caseClock.Now().Add(-2 * time.Hour).UTC().Truncate(time.Microsecond)
	c, err := fx.svc.Accept(director, c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: consent, ConsentNote: "被申请人书面同意"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.StatusAccepted || c.AcceptedAt == nil || c.RespondentConsentAt == nil || !c.RespondentConsentAt.Equal(consent) {
		t.Fatalf("accepted case = %+v", c)
	}

	if c, err = fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m1}}); err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.StatusMediating || c.MediationDueAt == nil {
		t.Fatalf("assigned case = %+v", c)
	}
	// A direct case is mediated within 30 days of the assignment
	// (mediation.direct), ending at 24:00 Beijing time; a last day that is
	// a rest day moves to the next working day, at most 9 days later (the
	// longest holiday block, the Spring Festival of 2026). So the due time
	// is a Beijing midnight more than 30 and at most 40 days away.
	if h, m, s := c.MediationDueAt.In(time.FixedZone("CST", 8*3600)).Clock(); h != 0 || m != 0 || s != 0 {
		t.Errorf("due at %v, want 24:00 Beijing time", c.MediationDueAt)
	}
	if d := c.MediationDueAt.Sub(*c.AcceptedAt); d <= 30*24*time.Hour || d > 40*24*time.Hour {
		t.Errorf("due in %v, want the 30-day period", d)
	}
	// Before declaring, the mediator can only declare.
	allowed("mediator1.gulou", domain.ActionDeclareConflict)
	_, err = fx.svc.LogSession(med, c.ID, cases.SessionInput{Version: c.Version, HeldAt: hourAgo(), Mode: domain.ModeVideo, Minutes: "x"})
	wantCode(t, err, domain.EFORBIDDEN)

	if c, err = fx.svc.Declare(med, c.ID, cases.DeclareInput{Version: c.Version, NoConflict: true, Statement: "本人与双方无利害关系"}); err != nil {
		t.Fatal(err)
	}
	allowed("mediator1.gulou", domain.ActionDeclareConflict, domain.ActionLogSession, domain.ActionSettle, domain.ActionFail)
	_, err = fx.svc.Declare(med, c.ID, cases.DeclareInput{Version: c.Version, NoConflict: true})
	wantCode(t, err, domain.EINVALID)

	for i, mode := range []domain.SessionMode{domain.ModeInPerson, domain.ModeVideo} {
		next := caseClock.Now().Add(24 * time.Hour)
		if c, err = fx.svc.LogSession(med, c.ID, cases.SessionInput{Version: c.Version, HeldAt: caseClock.Now().Add(time.Duration(i-3) * time.Hour),
			Mode: mode, Place: "调解室", Attendees: "双方", Minutes: "第一次调解：双方陈述。", NextSteps: "补充证据", NextSessionAt: &next}); err != nil {
			t.Fatal(err)
		}
	}
	oldDue := *c.MediationDueAt
	newDue := oldDue.AddDate(0, 0, 15)
	if c, err = fx.svc.Extend(director, c.ID, cases.ExtendInput{Version: c.Version, NewDueAt: newDue, Reason: "等待鉴定结果",
		ApplicantConsent: true, RespondentConsent: true}); err != nil {
		t.Fatal(err)
	}
	if !c.MediationDueAt.Equal(newDue.UTC().Truncate(time.Microsecond)) {
		t.Errorf("due = %v, want %v", c.MediationDueAt, newDue)
	}

	if c, err = fx.svc.Settle(med, c.ID, agreement(c.Version)); err != nil {
		t.Fatal(err)
	}
	// A written agreement is a draft until signed and sealed: no outcome yet.
	if c.Status != domain.StatusAgreementDraft || c.Outcome != "" || c.OutcomeAt != nil {
		t.Fatalf("case with a draft agreement = %+v", c)
	}
	allowed("director.gulou", domain.ActionSignoff)
	allowed("mediator1.gulou", domain.ActionReviseAgreement, domain.ActionSignoff, domain.ActionFail)
	allowed("sme1", domain.ActionWithdraw)

	parties := fx.partyIDs(c.ID)
	sign := func(ctx any, in cases.SignoffInput) {
		t.Helper()
		in.Version = c.Version
		if in.SignedAt.IsZero() {
			in.SignedAt = hourAgo()
		}
		var err error
		if c, err = fx.svc.Signoff(fx.as(ctx.(string)), c.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	sign("mediator1.gulou", cases.SignoffInput{SignerKind: "party", PartyID: parties[0], Method: "handwritten"})
	sign("clerk.gulou", cases.SignoffInput{SignerKind: "party", PartyID: parties[1], Method: "electronic"})
	sign("mediator1.gulou", cases.SignoffInput{SignerKind: "mediator", UserID: m1, Method: "handwritten"})

	t.Run("sign-off mistakes", func(t *testing.T) {
		fx := fx.with(t)
		_, err := fx.svc.Signoff(clerk, c.ID, cases.SignoffInput{Version: c.Version, SignerKind: "party", PartyID: parties[0],
			Method: "handwritten", SignedAt: hourAgo()})
		wantCode(t, err, domain.EINVALID)
		if m := fieldMessage(err, "party_id"); m != "validation.signoff_duplicate" {
			t.Errorf("duplicate party: %v", err)
		}
		_, err = fx.svc.Signoff(clerk, c.ID, cases.SignoffInput{Version: c.Version, SignerKind: "mediator", UserID: m1,
			Method: "handwritten", SignedAt: hourAgo()})
		if m := fieldMessage(err, "user_id"); m != "validation.signoff_duplicate" {
			t.Errorf("duplicate mediator: %v", err)
		}
		_, err = fx.svc.Signoff(med, c.ID, cases.SignoffInput{Version: c.Version, SignerKind: "seal", Method: "seal", SignedAt: hourAgo()})
		wantCode(t, err, domain.EFORBIDDEN)
		_, err = fx.svc.Signoff(clerk, c.ID, cases.SignoffInput{Version: c.Version, SignerKind: "seal", Method: "electronic", SignedAt: hourAgo()})
		if m := fieldMessage(err, "method"); m != "validation.signoff_method" {
			t.Errorf("seal method: %v", err)
		}
		_, err = fx.svc.Signoff(clerk, c.ID, cases.SignoffInput{Version: c.Version, SignerKind: "party", PartyID: 999999,
			Method: "electronic", SignedAt: caseClock.Now().Add(time.Hour)})
		if got := fieldNames(err); !slices.Equal(got, []string{"signed_at"}) {
			t.Errorf("future signature: %v", err)
		}
		// Not settled before the agreement takes effect: nothing to close.
		_, err = fx.svc.Close(director, c.ID, cases.CloseInput{Version: c.Version, Note: "履行中"})
		wantCode(t, err, domain.ECONFLICT)
	})

	sealAt := caseClock.Now().Add(-time.Minute).UTC().Truncate(time.Microsecond)
	sign("director.gulou", cases.SignoffInput{SignerKind: "seal", Method: "seal", SignedAt: sealAt})
	// The last sign-off settles the case: the outcome dates from the effect.
	if c.Status != domain.StatusSettled || c.Outcome != "settled" || c.OutcomeAt == nil || !c.OutcomeAt.Equal(sealAt) {
		t.Fatalf("settled case = %+v", c)
	}
	v, err := fx.svc.Get(director, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Agreement == nil || v.Agreement.EffectiveAt == nil || !v.Agreement.EffectiveAt.Equal(sealAt) || len(v.Agreement.Signoffs) != 4 {
		t.Fatalf("agreement = %+v", v.Agreement)
	}
	if v.Agreement.Signoffs[3].SignerName != "鼓楼区知识产权纠纷调解委员会" || v.Agreement.Signoffs[2].SignerName != "张伟" {
		t.Errorf("signers = %+v", v.Agreement.Signoffs)
	}
	// In effect: the director follows up its performance (art. 31) and closes.
	if !slices.Equal(v.Allowed, []domain.CaseAction{domain.ActionPerformance, domain.ActionClose}) {
		t.Errorf("allowed after effect = %v", v.Allowed)
	}

	if c, err = fx.svc.Close(director, c.ID, cases.CloseInput{Version: c.Version, Note: "被申请人已按期支付赔偿款"}); err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.StatusClosed || c.ClosedAt == nil || c.ClosingNote != "被申请人已按期支付赔偿款" {
		t.Fatalf("closed case = %+v", c)
	}

	wantEvents := []string{"submit", "accept", "assign", "declare", "sessions", "sessions", "extend", "settle",
		"signoff", "signoff", "signoff", "signoff", "agreement_effective", "close"}
	if got := fx.eventActions(c.ID); !slices.Equal(got, wantEvents) {
		t.Errorf("events = %v\nwant     %v", got, wantEvents)
	}
	// Reads that showed personal data are audited too (case.read); the
	// changes are each audited once, in order.
	var changes []string
	for _, a := range fx.auditActions(c.ID) {
		if a != "case.read" {
			changes = append(changes, a)
		}
	}
	wantAudit := []string{"case.submit", "case.accept", "case.assign", "case.declare", "case.sessions", "case.sessions",
		"case.extend", "case.settle", "case.signoff", "case.signoff", "case.signoff", "case.signoff", "case.close"}
	if !slices.Equal(changes, wantAudit) {
		t.Errorf("audit = %v\nwant    %v", changes, wantAudit)
	}
	v, err = fx.svc.Get(director, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Closed, the case takes only follow-ups of its agreement's performance.
	if !slices.Equal(v.Allowed, []domain.CaseAction{domain.ActionPerformance}) || len(v.Sessions) != 2 || v.Sessions[0].Minutes == "" {
		t.Errorf("closed view: allowed %v sessions %+v", v.Allowed, v.Sessions)
	}
	ext := v.Events[6]
	before, _ := ext.Detail["before"].(map[string]any)
	after, _ := ext.Detail["after"].(map[string]any)
	if ext.Action != "extend" || before["mediation_due_at"] == nil || after["mediation_due_at"] == nil ||
		before["mediation_due_at"] == after["mediation_due_at"] || ext.Detail["reason"] != "等待鉴定结果" {
		t.Errorf("extend event = %+v", ext)
	}
	if v.Events[1].ActorName != "王海峰" || v.Events[1].FromStatus != domain.StatusSubmitted || v.Events[1].ToStatus != domain.StatusAccepted {
		t.Errorf("accept event = %+v", v.Events[1])
	}
	rep, err := fx.app.Audit.Verify(t.Context(), nil)
	if err != nil || !rep.OK() {
		t.Fatalf("audit verify: %+v %v", rep, err)
	}

	t.Run("minutes are for the handling committee and the parties", func(t *testing.T) {
		fx := fx.with(t)
		for who, want := range map[string]bool{"sme1": true, "leader": false, "director.city": true} {
			v, err := fx.svc.Get(fx.as(who), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.Sessions[0].Minutes != ""; got != want {
				t.Errorf("%s sees minutes: %v, want %v", who, got, want)
			}
		}
	})
}

func TestCaseService_ObjectionUpheldWithReplacement(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	director := fx.as("director.gulou")
	m1, m2 := fx.userID("mediator1.gulou"), fx.userID("mediator2.gulou")
	c := fx.submit("sme1", intake(fx.org("gulou")))
	c, err := fx.svc.Accept(director, c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: hourAgo()})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m1}}); err != nil {
		t.Fatal(err)
	}
	parties := fx.partyIDs(c.ID)

	t.Run("an SME objects only for its own party", func(t *testing.T) {
		fx := fx.with(t)
		_, err := fx.svc.Object(fx.as("sme1"), c.ID, cases.ObjectInput{Version: c.Version, MediatorID: m1, PartyID: parties[1], Reason: "x"})
		if m := fieldMessage(err, "party_id"); m != "validation.party_not_own" {
			t.Errorf("objection for the respondent: %v", err)
		}
		_, err = fx.svc.Object(fx.as("sme1"), c.ID, cases.ObjectInput{Version: c.Version, MediatorID: m2, PartyID: parties[0], Reason: "x"})
		if m := fieldMessage(err, "mediator_id"); m != "validation.mediator" {
			t.Errorf("objection to an unassigned mediator: %v", err)
		}
	})

	if c, err = fx.svc.Object(fx.as("sme1"), c.ID, cases.ObjectInput{Version: c.Version, MediatorID: m1, PartyID: parties[0],
		Reason: "调解员曾担任被申请人的法律顾问"}); err != nil {
		t.Fatal(err)
	}
	// The clerk records the respondent's objection too; a second one
	// against the same mediator while the first is pending is refused.
	_, err = fx.svc.Object(fx.as("clerk.gulou"), c.ID, cases.ObjectInput{Version: c.Version, MediatorID: m1, PartyID: parties[1], Reason: "同上"})
	if m := fieldMessage(err, "mediator_id"); m != "validation.objection_pending" {
		t.Errorf("second objection: %v", err)
	}
	v, err := fx.svc.Get(director, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Objections) != 1 || v.Objections[0].Status != "pending" || !slices.Contains(v.Allowed, domain.ActionDecideObjection) {
		t.Fatalf("objections %+v allowed %v", v.Objections, v.Allowed)
	}
	oid := v.Objections[0].ID

	_, err = fx.svc.DecideObjection(director, c.ID, cases.DecideObjectionInput{Version: c.Version, ObjectionID: oid, Uphold: true,
		Replacements: []int64{fx.userID("mediator1.cangshan")}})
	if m := fieldMessage(err, "replacement_ids[0]"); m != "validation.mediator" {
		t.Errorf("replacement from another committee: %v", err)
	}
	if c, err = fx.svc.DecideObjection(director, c.ID, cases.DecideObjectionInput{Version: c.Version, ObjectionID: oid, Uphold: true,
		Reason: "存在利害关系", Replacements: []int64{m2}}); err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.StatusMediating {
		t.Errorf("status = %s", c.Status)
	}
	v, err = fx.svc.Get(director, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Mediators) != 2 || !v.Mediators[0].Removed || v.Mediators[1].Removed || v.Mediators[1].UserID != m2 || v.Mediators[1].DeclaredAt != nil {
		t.Errorf("mediators = %+v", v.Mediators)
	}
	if v.Objections[0].Status != "upheld" || v.Objections[0].DecidedAt == nil || v.Objections[0].DecidedBy == nil {
		t.Errorf("objection = %+v", v.Objections[0])
	}
	// The removed mediator no longer sees the case; the replacement does,
	// and must declare before working it.
	if _, err := fx.svc.Get(fx.as("mediator1.gulou"), c.ID); code(err) != domain.ENOTFOUND {
		t.Errorf("removed mediator: %v", err)
	}
	v, err = fx.svc.Get(fx.as("mediator2.gulou"), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(v.Allowed, []domain.CaseAction{domain.ActionDeclareConflict}) {
		t.Errorf("replacement allowed = %v", v.Allowed)
	}
	if _, err = fx.svc.Declare(fx.as("mediator2.gulou"), c.ID, cases.DeclareInput{Version: c.Version, NoConflict: true}); err != nil {
		t.Fatal(err)
	}
	if got := fx.eventActions(c.ID); !slices.Equal(got, []string{"submit", "accept", "assign", "object", "decide_objection", "declare"}) {
		t.Errorf("events = %v", got)
	}
}

func TestCaseService_WithdrawalLeavesTheCaseToReassign(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	director := fx.as("director.gulou")
	m1, m2 := fx.userID("mediator1.gulou"), fx.userID("mediator2.gulou")
	c := fx.submit("clerk.gulou", intake(fx.org("gulou")))
	c, err := fx.svc.Accept(director, c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: hourAgo()})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m1}}); err != nil {
		t.Fatal(err)
	}
	due := *c.MediationDueAt
	_, err = fx.svc.Declare(fx.as("mediator1.gulou"), c.ID, cases.DeclareInput{Version: c.Version, NoConflict: false})
	if m := fieldMessage(err, "statement"); m != "validation.required" {
		t.Errorf("withdrawal without reason: %v", err)
	}
	if c, err = fx.svc.Declare(fx.as("mediator1.gulou"), c.ID, cases.DeclareInput{Version: c.Version, Statement: "本人系申请人股东的近亲属"}); err != nil {
		t.Fatal(err)
	}
	v, err := fx.svc.Get(director, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(v.Allowed, domain.ActionAssign) || !v.Mediators[0].Removed {
		t.Fatalf("allowed %v mediators %+v", v.Allowed, v.Mediators)
	}
	_, err = fx.svc.Settle(fx.as("mediator2.gulou"), c.ID, agreement(c.Version))
	de := wantCode(t, err, domain.ENOTFOUND)
	_ = de
	_, err = fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m1}})
	if m := fieldMessage(err, "mediator_ids[0]"); m != "validation.mediator_removed" {
		t.Errorf("reassigning the withdrawn mediator: %v", err)
	}
	if c, err = fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m2}}); err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.StatusMediating || !c.MediationDueAt.Equal(due) {
		t.Errorf("after reassignment: %s due %v (was %v)", c.Status, c.MediationDueAt, due)
	}
	_, err = fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m1}})
	de = wantCode(t, err, domain.ECONFLICT)
	if slices.Contains(de.Allowed, "assign") {
		t.Errorf("allowed = %v", de.Allowed)
	}
}

func TestCaseService_WithdrawBySME(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	c := fx.submit("sme1", intake(fx.org("gulou")))
	_, err := fx.svc.Withdraw(fx.as("sme1"), c.ID, cases.ReasonInput{Version: c.Version})
	if got := fieldNames(err); !slices.Equal(got, []string{"reason"}) {
		t.Errorf("fields = %v", got)
	}
	_, err = fx.svc.Withdraw(fx.as("sme2"), c.ID, cases.ReasonInput{Version: c.Version, Reason: "x"})
	wantCode(t, err, domain.ENOTFOUND)
	c, err = fx.svc.Withdraw(fx.as("sme1"), c.ID, cases.ReasonInput{Version: c.Version, Reason: "双方已自行和解"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.StatusWithdrawn || c.Outcome != "withdrawn" || c.OutcomeReason != "双方已自行和解" {
		t.Errorf("case = %+v", c)
	}
	v, err := fx.svc.Get(fx.as("sme1"), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := v.Events[len(v.Events)-1]
	if last.Action != "withdraw" || last.ActorName != "林晓峰" || last.ToStatus != domain.StatusWithdrawn || len(v.Allowed) != 0 {
		t.Errorf("event %+v allowed %v", last, v.Allowed)
	}

	t.Run("a respondent enterprise may not withdraw", func(t *testing.T) {
		fx := fx.with(t)
		// ent-sme2 linked as the respondent party sees the case and may
		// object, but withdrawal is the applicant's.
		in := intake(fx.org("gulou"))
		c := fx.submit("clerk.gulou", in)
		fx.exec("UPDATE case_parties SET org_id = ? WHERE case_id = ? AND role = 'respondent'", fx.org("ent-sme2"), c.ID)
		acc, err := fx.svc.Access(fx.as("sme2"), c.ID)
		if err != nil || !acc.Party {
			t.Fatalf("access = %+v, %v", acc, err)
		}
		_, err = fx.svc.Withdraw(fx.as("sme2"), c.ID, cases.ReasonInput{Version: c.Version, Reason: "x"})
		wantCode(t, err, domain.EFORBIDDEN)
	})
}
