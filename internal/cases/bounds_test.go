package cases_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// TestInputBounds: times, amounts, signer ids and list lengths that no
// case can hold are field errors that change nothing (docs/security.md,
// "Input boundary"). "Now" and "the day the case was filed" are the
// service's clock, never the wall clock.
func TestInputBounds(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	director, clerk, med := fx.as("director.gulou"), fx.as("clerk.gulou"), fx.as("mediator1.gulou")
	m1 := fx.userID("mediator1.gulou")
	now := caseClock.Now()
	y1900 := time.Date(1900, 1, 1, 10, 0, 0, 0, time.UTC)
	y2100 := time.Date(2100, 1, 1, 10, 0, 0, 0, time.UTC)

	refused := func(t *testing.T, err error, field, message string) {
		t.Helper()
		wantCode(t, err, domain.EINVALID)
		if got := fieldMessage(err, field); got != message {
			t.Errorf("%s: %q, want %q (%v)", field, got, message, err)
		}
	}

	t.Run("intake", func(t *testing.T) {
		fx := fx.with(t)
		before := fx.count("SELECT count(*) FROM cases")
		for _, tc := range []struct {
			desc           string
			edit           func(*cases.IntakeInput)
			field, message string
		}{
			{"negative claim", func(in *cases.IntakeInput) { in.ClaimAmountFen = -1 }, "claim_amount_fen", "validation.non_negative"},
			{"overflowing claim", func(in *cases.IntakeInput) { in.ClaimAmountFen = domain.MaxAmountFen + 1 }, "claim_amount_fen", "validation.amount_max"},
			{"right valid from 1800", func(in *cases.IntakeInput) { in.Rights[0].ValidFrom = "1800-01-01" }, "rights[0].valid_from", "validation.date_range"},
			{"right valid to 2500", func(in *cases.IntakeInput) { in.Rights[0].ValidTo = "2500-01-01" }, "rights[0].valid_to", "validation.date_range"},
			{"summary only spaces", func(in *cases.IntakeInput) { in.Summary = " \t\n　" }, "summary", "validation.required"},
			{"party name only spaces", func(in *cases.IntakeInput) { in.Parties[1].Name = "   " }, "parties[1].name", "validation.required"},
		} {
			in := intake(fx.org("gulou"))
			tc.edit(&in)
			_, err := fx.svc.Submit(fx.as("sme1"), in)
			t.Run(tc.desc, func(t *testing.T) { refused(t, err, tc.field, tc.message) })
		}
		in := intake(fx.org("gulou"))
		in.ClaimAmountFen = domain.MaxAmountFen
		in.Rights[0].ValidTo = "2199-12-31"
		if _, err := fx.svc.Submit(fx.as("sme1"), in); err != nil {
			t.Fatalf("the largest amount and the latest validity date: %v", err)
		}
		if n := fx.count("SELECT count(*) FROM cases"); n != before+1 {
			t.Errorf("%d cases filed, want 1", n-before)
		}
	})

	c := fx.submit("sme1", intake(fx.org("gulou")))
	t.Run("consent", func(t *testing.T) {
		fx := fx.with(t)
		for _, tc := range []struct {
			desc           string
			at             time.Time
			field, message string
		}{
			{"in 1900", y1900, "consent_at", "validation.date_range"},
			{"in the future", now.Add(time.Hour), "consent_at", "validation.future"},
			{"the day before filing", domain.DayStart(now).Add(-time.Minute), "consent_at", "validation.before_case"},
		} {
			_, err := fx.svc.Accept(director, c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: tc.at})
			refused(t, err, tc.field, tc.message)
		}
		if v := fx.version(c.ID); v != c.Version {
			t.Errorf("version %d, want %d unchanged", v, c.Version)
		}
	})
	// Earlier on the day of filing is fine: the consent may have been
	// given at the counter before the clerk typed the case in.
	c, err := fx.svc.Accept(director, c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: domain.DayStart(now).Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("assign", func(t *testing.T) {
		fx := fx.with(t)
		ids := make([]int64, 100000)
		for i := range ids {
			ids[i] = int64(i + 1)
		}
		_, err := fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: ids})
		refused(t, err, "mediator_ids", "validation.too_many")
	})
	if c, err = fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m1}}); err != nil {
		t.Fatal(err)
	}
	if c, err = fx.svc.Declare(med, c.ID, cases.DeclareInput{Version: c.Version, NoConflict: true, Statement: "无利害关系"}); err != nil {
		t.Fatal(err)
	}

	t.Run("sessions", func(t *testing.T) {
		fx := fx.with(t)
		next2100 := y2100
		nextYear := now.Add(400 * 24 * time.Hour)
		for _, tc := range []struct {
			desc           string
			in             cases.SessionInput
			field, message string
		}{
			{"held in 1900", cases.SessionInput{HeldAt: y1900}, "held_at", "validation.date_range"},
			{"held in 2100", cases.SessionInput{HeldAt: y2100}, "held_at", "validation.future"},
			{"held the day before filing", cases.SessionInput{HeldAt: domain.DayStart(now).Add(-time.Hour)}, "held_at", "validation.before_case"},
			{"next in 2100", cases.SessionInput{HeldAt: now.Add(-time.Minute), NextSessionAt: &next2100}, "next_session_at", "validation.date_range"},
			{"next in more than a year", cases.SessionInput{HeldAt: now.Add(-time.Minute), NextSessionAt: &nextYear}, "next_session_at", "validation.date_range"},
			{"minutes only spaces", cases.SessionInput{HeldAt: now.Add(-time.Minute), Minutes: "  \n "}, "minutes", "validation.required"},
		} {
			in := tc.in
			in.Version, in.Mode = c.Version, domain.ModeVideo
			if in.Minutes == "" {
				in.Minutes = "双方陈述意见。"
			}
			_, err := fx.svc.LogSession(med, c.ID, in)
			refused(t, err, tc.field, tc.message)
		}
		if n := fx.count("SELECT count(*) FROM case_sessions WHERE case_id = ?", c.ID); n != 0 {
			t.Errorf("%d sessions recorded", n)
		}
	})

	t.Run("extend", func(t *testing.T) {
		fx := fx.with(t)
		_, err := fx.svc.Extend(director, c.ID, cases.ExtendInput{Version: c.Version, NewDueAt: y2100, Reason: "双方同意延长",
			ApplicantConsent: true, RespondentConsent: true})
		refused(t, err, "new_due_at", "validation.date_range")
	})

	t.Run("agreement", func(t *testing.T) {
		fx := fx.with(t)
		for _, due := range []string{"1999-12-31", "2200-01-01", domain.DayStart(now).AddDate(0, 0, -1).Format("2006-01-02")} {
			_, err := fx.svc.Settle(med, c.ID, agreementDue(c.Version, due))
			refused(t, err, "performance_due", "validation.date_range")
		}
		_, err := fx.svc.Settle(med, c.ID, cases.AgreementInput{Version: c.Version, Facts: " ", DisputedMatters: "x", Responsibilities: "x",
			Terms: "x", PerformanceMethod: "x"})
		refused(t, err, "facts", "validation.required")
	})
	if c, err = fx.svc.Settle(med, c.ID, agreementDue(c.Version, now.AddDate(0, 1, 0).Format("2006-01-02"))); err != nil {
		t.Fatal(err)
	}

	t.Run("sign-off", func(t *testing.T) {
		fx := fx.with(t)
		parties := fx.partyIDs(c.ID)
		for _, tc := range []struct {
			desc           string
			in             cases.SignoffInput
			field, message string
		}{
			{"in the future", cases.SignoffInput{SignerKind: "party", PartyID: parties[0], Method: "handwritten", SignedAt: now.Add(time.Hour)},
				"signed_at", "validation.future"},
			{"in 1900", cases.SignoffInput{SignerKind: "party", PartyID: parties[0], Method: "handwritten", SignedAt: y1900},
				"signed_at", "validation.date_range"},
			{"before the agreement", cases.SignoffInput{SignerKind: "party", PartyID: parties[0], Method: "handwritten",
				SignedAt: domain.DayStart(now).Add(-time.Hour)}, "signed_at", "validation.date_range"},
			{"seal with a party", cases.SignoffInput{SignerKind: "seal", PartyID: parties[0], Method: "seal", SignedAt: now.Add(-time.Minute)},
				"party_id", "validation.not_applicable"},
			{"seal with a mediator", cases.SignoffInput{SignerKind: "seal", UserID: m1, Method: "seal", SignedAt: now.Add(-time.Minute)},
				"user_id", "validation.not_applicable"},
			{"party with a mediator's id", cases.SignoffInput{SignerKind: "party", PartyID: parties[0], UserID: m1, Method: "handwritten",
				SignedAt: now.Add(-time.Minute)}, "user_id", "validation.not_applicable"},
			{"mediator with a party's id", cases.SignoffInput{SignerKind: "mediator", UserID: m1, PartyID: parties[0], Method: "handwritten",
				SignedAt: now.Add(-time.Minute)}, "party_id", "validation.not_applicable"},
		} {
			in := tc.in
			in.Version = c.Version
			_, err := fx.svc.Signoff(clerk, c.ID, in)
			refused(t, err, tc.field, tc.message)
		}
		if n := fx.count("SELECT count(*) FROM agreement_signoffs s JOIN case_agreements a ON a.id = s.agreement_id WHERE a.case_id = ?", c.ID); n != 0 {
			t.Errorf("%d sign-offs recorded", n)
		}
		if _, err := fx.svc.Signoff(clerk, c.ID, cases.SignoffInput{Version: c.Version, SignerKind: "seal", Method: "seal",
			SignedAt: now.Add(-time.Minute)}); err != nil {
			t.Errorf("the seal: %v", err)
		}
	})
}

func agreementDue(version int, due string) cases.AgreementInput {
	return cases.AgreementInput{Version: version, Facts: "被申请人销售侵权产品。", DisputedMatters: "赔偿数额。",
		Responsibilities: "被申请人承担侵权责任。", Terms: strings.Repeat("被申请人赔偿五万元。", 2), PerformanceMethod: "银行转账",
		PerformanceDue: due}
}
