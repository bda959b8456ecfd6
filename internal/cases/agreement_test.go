package cases_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// mediating files in as sme1 with gulou and takes it to mediating with
// mediator1.gulou assigned and declared.
func (fx *fixture) mediating(in cases.IntakeInput) domain.Case {
	fx.t.Helper()
	c := fx.submit("sme1", in)
	director := fx.as("director.gulou")
	c, err := fx.svc.Accept(director, c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: hourAgo()})
	if err != nil {
		fx.t.Fatal(err)
	}
	if c, err = fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{fx.userID("mediator1.gulou")}}); err != nil {
		fx.t.Fatal(err)
	}
	if c, err = fx.svc.Declare(fx.as("mediator1.gulou"), c.ID, cases.DeclareInput{Version: c.Version, NoConflict: true, Statement: "无利害关系"}); err != nil {
		fx.t.Fatal(err)
	}
	return c
}

func revision(a cases.AgreementInput) cases.ReviseAgreementInput {
	return cases.ReviseAgreementInput{Version: a.Version, Facts: a.Facts, DisputedMatters: a.DisputedMatters,
		Responsibilities: a.Responsibilities, Terms: a.Terms, PerformanceMethod: a.PerformanceMethod, PerformanceDue: a.PerformanceDue,
		AmountFen: a.AmountFen}
}

// TestAgreement_DraftReviseSignoffsSettle: settling records a draft (the
// case is agreement_draft, without an outcome, the mediation period met);
// the mediator corrects it, which clears the signatures recorded and says
// so on the timeline; the case is settled only with the last sign-off.
func TestAgreement_DraftReviseSignoffsSettle(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	med, clerk := fx.as("mediator1.gulou"), fx.as("clerk.gulou")
	m1 := fx.userID("mediator1.gulou")
	c := fx.mediating(intake(fx.org("gulou")))

	in := agreement(c.Version)
	in.AmountFen = -1
	_, err := fx.svc.Settle(med, c.ID, in)
	if got := fieldNames(err); !slices.Equal(got, []string{"amount_fen"}) {
		t.Errorf("a negative amount: %v", err)
	}
	in.AmountFen = 3_000_000 // 三万元
	c, err = fx.svc.Settle(med, c.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.StatusAgreementDraft || c.Outcome != "" || c.OutcomeAt != nil {
		t.Fatalf("after settle: %+v", c)
	}
	if n := fx.count("SELECT count(*) FROM deadlines WHERE case_id = ? AND kind = ? AND status = 'met'", c.ID, deadline.KindMediation); n != 1 {
		t.Errorf("the mediation period is not closed when the agreement is reached (%d met)", n)
	}
	parties := fx.partyIDs(c.ID)
	sign := func(ctx any, in cases.SignoffInput) {
		t.Helper()
		in.Version, in.SignedAt = c.Version, hourAgo()
		if c, err = fx.svc.Signoff(fx.as(ctx.(string)), c.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	sign("mediator1.gulou", cases.SignoffInput{SignerKind: "party", PartyID: parties[0], Method: "handwritten"})
	sign("clerk.gulou", cases.SignoffInput{SignerKind: "seal", Method: "seal"})

	// Mistakes change nothing.
	rev := revision(in)
	rev.Version = c.Version
	_, err = fx.svc.ReviseAgreement(med, c.ID, rev)
	if m := fieldMessage(err, "agreement"); m != "validation.agreement_unchanged" {
		t.Errorf("unchanged text: %v", err)
	}
	rev.Terms, rev.AmountFen = "被申请人停止销售并赔偿二万五千元。", 2_500_000
	rev.Version = c.Version - 1
	_, err = fx.svc.ReviseAgreement(med, c.ID, rev)
	wantCode(t, err, domain.ECONFLICT)
	rev.Version = c.Version
	_, err = fx.svc.ReviseAgreement(clerk, c.ID, rev)
	wantCode(t, err, domain.EFORBIDDEN)
	rev.Facts = " "
	_, err = fx.svc.ReviseAgreement(med, c.ID, rev)
	if got := fieldNames(err); !slices.Equal(got, []string{"facts"}) {
		t.Errorf("empty facts: %v", err)
	}
	if n := fx.count("SELECT count(*) FROM agreement_signoffs s JOIN case_agreements g ON g.id = s.agreement_id WHERE g.case_id = ?", c.ID); n != 2 {
		t.Fatalf("sign-offs = %d before the correction", n)
	}

	// The correction clears the party's signature and the seal.
	rev.Facts = in.Facts
	if c, err = fx.svc.ReviseAgreement(med, c.ID, rev); err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.StatusAgreementDraft {
		t.Errorf("status after correction = %s", c.Status)
	}
	v, err := fx.svc.Get(fx.as("director.gulou"), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a := v.Agreement; a == nil || a.Terms != rev.Terms || a.AmountFen != 2_500_000 || a.Revision != 2 || len(a.Signoffs) != 0 || a.RevisedAt == nil ||
		a.RecordedBy != m1 || a.RecorderName != "张伟" {
		t.Fatalf("corrected agreement = %+v", v.Agreement)
	}
	// The signatures on the old text are voided, not deleted, and shown
	// as voided; the new text can be signed again by the same signers.
	if n := fx.count(`SELECT count(*) FROM agreement_signoffs s JOIN case_agreements g ON g.id = s.agreement_id
		WHERE g.case_id = ? AND s.voided_at IS NOT NULL AND s.void_reason = ? AND s.voided_by = ?`, c.ID, cases.VoidAgreementRevised, m1); n != 2 {
		t.Errorf("voided sign-offs = %d, want 2", n)
	}
	if a := v.Agreement; len(a.VoidedSignoffs) != 2 || a.VoidedSignoffs[0].VoidedAt == nil || a.VoidedSignoffs[0].VoidReason != cases.VoidAgreementRevised {
		t.Errorf("voided sign-offs in the view = %+v", a.VoidedSignoffs)
	}
	ev := v.Events[len(v.Events)-1]
	if ev.Action != "revise_agreement" || ev.Detail["signoffs_cleared"] != float64(2) {
		t.Errorf("correction event = %+v", ev)
	}
	if changed, _ := ev.Detail["changed"].([]any); len(changed) != 2 || changed[0] != "terms" || changed[1] != "amount_fen" {
		t.Errorf("changed = %v", ev.Detail["changed"])
	}
	if got := fx.auditActions(c.ID); !slices.Contains(got, "case.revise_agreement") {
		t.Errorf("audit = %v", got)
	}

	// Every party, the mediator and the seal sign the corrected text: only
	// the last sign-off settles the case.
	sign("mediator1.gulou", cases.SignoffInput{SignerKind: "party", PartyID: parties[0], Method: "handwritten"})
	sign("mediator1.gulou", cases.SignoffInput{SignerKind: "party", PartyID: parties[1], Method: "handwritten"})
	sign("mediator1.gulou", cases.SignoffInput{SignerKind: "mediator", UserID: m1, Method: "handwritten"})
	if c.Status != domain.StatusAgreementDraft || c.Outcome != "" {
		t.Fatalf("settled before the seal: %+v", c)
	}
	sign("clerk.gulou", cases.SignoffInput{SignerKind: "seal", Method: "seal"})
	if c.Status != domain.StatusSettled || c.Outcome != "settled" || c.OutcomeAt == nil {
		t.Fatalf("after the last sign-off: %+v", c)
	}
	rev.Version, rev.Terms = c.Version, "再次修改"
	_, err = fx.svc.ReviseAgreement(med, c.ID, rev)
	wantCode(t, err, domain.ECONFLICT)
}

// TestAgreement_DraftMayFailOrBeWithdrawn: an agreement not yet in effect
// binds no one; a party that will not sign ends the mediation (fail), or
// the applicant withdraws.
func TestAgreement_DraftMayFailOrBeWithdrawn(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	med := fx.as("mediator1.gulou")
	for _, withdraw := range []bool{false, true} {
		c := fx.mediating(intake(fx.org("gulou")))
		c, err := fx.svc.Settle(med, c.ID, agreement(c.Version))
		if err != nil {
			t.Fatal(err)
		}
		if withdraw {
			c, err = fx.svc.Withdraw(fx.as("sme1"), c.ID, cases.ReasonInput{Version: c.Version, Reason: "双方已自行和解"})
		} else {
			c, err = fx.svc.Fail(med, c.ID, cases.FailInput{Version: c.Version, Reason: "被申请人拒绝签署协议", Route: domain.RouteLitigation})
		}
		if err != nil {
			t.Fatal(err)
		}
		if c.Outcome == "settled" || c.OutcomeAt == nil || (c.Status != domain.StatusFailed && c.Status != domain.StatusWithdrawn) {
			t.Errorf("withdraw %v: %+v", withdraw, c)
		}
	}
}

// TestAgreement_Oral: an oral agreement (People's Mediation Law arts. 28,
// 30) is recorded by the mediator and takes effect on the day the parties
// reached it, without sign-off: the case is settled at once and the
// judicial-confirmation window opens from then.
func TestAgreement_Oral(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	med := fx.as("mediator1.gulou")
	c := fx.mediating(intake(fx.org("gulou")))

	in := agreement(c.Version)
	future := caseClock.Now().Add(time.Hour)
	in.AgreedAt = &future
	_, err := fx.svc.Settle(med, c.ID, in)
	if m := fieldMessage(err, "agreed_at"); m != "validation.not_applicable" {
		t.Errorf("a written agreement with agreed_at: %v", err)
	}
	in.Oral = true
	_, err = fx.svc.Settle(med, c.ID, in)
	if m := fieldMessage(err, "agreed_at"); m != "validation.future" {
		t.Errorf("agreed in the future: %v", err)
	}
	agreed := caseClock.Now().Add(-30 * time.Minute).UTC().Truncate(time.Microsecond)
	in.AgreedAt = &agreed
	if c, err = fx.svc.Settle(med, c.ID, in); err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.StatusSettled || c.Outcome != "settled" || c.OutcomeAt == nil || !c.OutcomeAt.Equal(agreed) {
		t.Fatalf("after an oral agreement: %+v", c)
	}
	v, err := fx.svc.Get(fx.as("director.gulou"), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a := v.Agreement; a == nil || !a.Oral || a.EffectiveAt == nil || !a.EffectiveAt.Equal(agreed) || len(a.Signoffs) != 0 {
		t.Fatalf("agreement = %+v", v.Agreement)
	}
	if got := fx.eventActions(c.ID); !slices.Equal(got[len(got)-2:], []string{"settle", "agreement_effective"}) {
		t.Errorf("events = %v", got)
	}
	if n := fx.count("SELECT count(*) FROM deadlines WHERE case_id = ? AND kind = ? AND status = 'open'", c.ID, deadline.KindJudicialConfirmation); n != 1 {
		t.Errorf("judicial confirmation windows open: %d", n)
	}
	// In effect: the director may follow up its performance and close.
	if !slices.Equal(v.Allowed, []domain.CaseAction{domain.ActionPerformance, domain.ActionClose}) {
		t.Errorf("allowed = %v", v.Allowed)
	}
}

// TestReject_Route: a rejection names the route the parties can take; it
// and the time of the decision are kept for the notice.
func TestReject_Route(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	c := fx.submit("sme1", intake(fx.org("gulou")))
	director := fx.as("director.gulou")
	for _, route := range []domain.FailRoute{"", domain.RouteNone, "court"} {
		_, err := fx.svc.Reject(director, c.ID, cases.ReasonInput{Version: c.Version, Reason: "已由人民法院受理", Route: route})
		if m := fieldMessage(err, "route"); m != "validation.reject_route" {
			t.Errorf("route %q: %v", route, err)
		}
	}
	c, err := fx.svc.Reject(director, c.ID, cases.ReasonInput{Version: c.Version, Reason: "已由人民法院受理", Route: domain.RouteOtherBody})
	if err != nil {
		t.Fatal(err)
	}
	if c.SuggestedRoute != domain.RouteOtherBody || c.OutcomeAt == nil || !c.OutcomeAt.Equal(c.UpdatedAt) {
		t.Errorf("rejected = %+v", c)
	}
}

// TestIntake_PartyDetails: the details the agreement states are optional,
// bounded, refused for the wrong kind of party; the date of birth lies in
// the past, is stored encrypted and is shown only to those who see
// personal data.
func TestIntake_PartyDetails(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou := fx.org("gulou")
	with := func(edit func(p []cases.PartyInput)) cases.IntakeInput {
		in := intake(gulou)
		edit(in.Parties)
		return in
	}
	for _, tc := range []struct {
		desc           string
		edit           func(p []cases.PartyInput)
		field, message string
	}{
		{"gender of an organisation", func(p []cases.PartyInput) { p[0].Gender = domain.GenderMale }, "parties[0].gender", "validation.not_applicable"},
		{"unknown gender", func(p []cases.PartyInput) { p[1].Gender = "x" }, "parties[1].gender", "validation.one_of"},
		{"ethnicity too long", func(p []cases.PartyInput) { p[1].Ethnicity = strings.Repeat("汉", 17) }, "parties[1].ethnicity", "validation.too_long"},
		{"born tomorrow", func(p []cases.PartyInput) {
			p[1].BirthDate = caseClock.Now().AddDate(0, 0, 1).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
		}, "parties[1].birth_date", "validation.date_range"},
		{"born in 1899", func(p []cases.PartyInput) { p[1].BirthDate = "1899-12-31" }, "parties[1].birth_date", "validation.date_range"},
		{"not a date", func(p []cases.PartyInput) { p[1].BirthDate = "1990-02-30" }, "parties[1].birth_date", "validation.date"},
		{"age 200", func(p []cases.PartyInput) { p[1].Age = 200 }, "parties[1].age", "validation.age"},
		{"a person's representative", func(p []cases.PartyInput) { p[1].RepresentativeName = "王五" }, "parties[1].representative_name", "validation.not_applicable"},
		{"an organisation's occupation", func(p []cases.PartyInput) { p[0].Occupation = "软件" }, "parties[0].occupation", "validation.not_applicable"},
		{"a post without a name", func(p []cases.PartyInput) { p[0].RepresentativeTitle = "执行董事" }, "parties[0].representative_name", "validation.required"},
		{"unknown representative role", func(p []cases.PartyInput) {
			p[0].RepresentativeName, p[0].RepresentativeRole = "王五", "boss"
		}, "parties[0].representative_role", "validation.one_of"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			fx := fx.with(t)
			before := fx.count("SELECT count(*) FROM cases")
			_, err := fx.svc.Submit(fx.as("sme1"), with(tc.edit))
			if got := fieldMessage(err, tc.field); got != tc.message {
				t.Errorf("%s: %q, want %q (%v)", tc.field, got, tc.message, err)
			}
			if n := fx.count("SELECT count(*) FROM cases"); n != before {
				t.Error("a case was written")
			}
		})
	}

	c := fx.submit("sme1", with(func(p []cases.PartyInput) {
		p[0].RepresentativeName, p[0].RepresentativeTitle = "王五", "执行董事"
		p[1].Gender, p[1].Ethnicity, p[1].BirthDate, p[1].Occupation = domain.GenderMale, "汉族", "1990-01-01", "个体经营者"
	}))
	var raw string
	if err := fx.db.Raw("SELECT birth_date_enc FROM case_parties WHERE case_id = ? AND role = 'respondent'", c.ID).Scan(&raw).Error; err != nil {
		t.Fatal(err)
	}
	if raw == "" || strings.Contains(raw, "1990") {
		t.Errorf("the date of birth is stored as %q", raw)
	}
	v, err := fx.svc.Get(fx.as("director.gulou"), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	org, person := v.Parties[0], v.Parties[1]
	if org.RepresentativeRole != domain.RepresentativeLegal || org.RepresentativeName != "王五" || org.RepresentativeTitle != "执行董事" {
		t.Errorf("organisation = %+v", org)
	}
	if person.Gender != domain.GenderMale || person.Ethnicity != "汉族" || person.Occupation != "个体经营者" ||
		person.BirthDate == nil || person.BirthDate.Format("2006-01-02") != "1990-01-01" {
		t.Errorf("person = %+v", person)
	}
	// The other party sees the case without the respondent's personal data.
	v, err = fx.svc.Get(fx.as("sme1"), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p := v.Parties[1]; p.BirthDate != nil || p.Address == "福建省福州市仓山区金山大道8号" {
		t.Errorf("shown to the other party: birth date %v, address %q", p.BirthDate, p.Address)
	}
}
