package assistance_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/referral"
)

// fileCase files a gulou case as sme1 with the given applicant SME flag and
// respondent credit code.
func (fx *fixture) fileCase(sme bool, respondentCode string) domain.Case {
	fx.t.Helper()
	c, err := fx.app.Cases.Submit(fx.as("sme1"), cases.IntakeInput{
		OrgID: fx.org("gulou"), Source: domain.SourceDirect, DisputeType: domain.DisputeTrademark,
		Summary: "被申请人销售假冒申请人注册商标的商品。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: "91350100MA34A1B2CU", IsSME: sme},
			{Role: domain.PartyRespondent, Kind: domain.PartyOrganisation, Name: "晋江市某鞋业有限公司", CreditCode: respondentCode},
		},
		Rights: []cases.RightInput{{Kind: domain.RightTrademark, Number: "12345678"}},
	})
	if err != nil {
		fx.t.Fatalf("file case: %v", err)
	}
	return c
}

// failCase takes a case from submitted to failed. The case service runs
// on the app's clock, so the consent time is read from it.
func (fx *fixture) failCase(c domain.Case) domain.Case {
	fx.t.Helper()
	var err error
	if c, err = fx.app.Cases.Accept(fx.as("director.gulou"), c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: fx.app.Clock.Now().Add(-time.Hour)}); err != nil {
		fx.t.Fatal(err)
	}
	if c, err = fx.app.Cases.Assign(fx.as("director.gulou"), c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{fx.userID("mediator1.gulou")}}); err != nil {
		fx.t.Fatal(err)
	}
	if c, err = fx.app.Cases.Declare(fx.as("mediator1.gulou"), c.ID, cases.DeclareInput{Version: c.Version, NoConflict: true, Statement: "无利害关系"}); err != nil {
		fx.t.Fatal(err)
	}
	if c, err = fx.app.Cases.Fail(fx.as("mediator1.gulou"), c.ID, cases.FailInput{Version: c.Version, Reason: "双方分歧较大", Route: domain.RouteLitigation}); err != nil {
		fx.t.Fatal(err)
	}
	return c
}

const flaggedCode = "91350582MA2Y6PA3L8"

func (fx *fixture) creditRecord(code string) {
	fx.t.Helper()
	if err := fx.app.DB.Exec(`INSERT INTO credit_records (subject_kind, name, credit_code, finding, source, decided_on, display_until)
VALUES ('organisation', '晋江市某鞋业有限公司', ?, '故意侵犯注册商标专用权', 'enforcement', DATE '2025-09-18', DATE '2099-12-31')`, code).Error; err != nil {
		fx.t.Fatal(err)
	}
}

type producedRow struct {
	CaseID int64
	Rule   string
	Key    string
	Status string
}

func (fx *fixture) produced() []producedRow {
	fx.t.Helper()
	var rows []producedRow
	if err := fx.app.DB.Raw(`SELECT case_id, rule, idem_key AS key, status FROM referrals WHERE kind = 'rights_assistance' ORDER BY case_id, rule`).
		Scan(&rows).Error; err != nil {
		fx.t.Fatal(err)
	}
	return rows
}

func validCreditCode(t *testing.T, body string) string {
	t.Helper()
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		if domain.ValidCreditCode(body + string(c)) {
			return body + string(c)
		}
	}
	t.Fatalf("no check character for %s", body)
	return ""
}

// TestRules_ProduceReferrals: each rule fires for its case, says which
// rule fired, and a second run produces nothing more.
func TestRules_ProduceReferrals(t *testing.T) {
	fx := newFixture(t)
	code := validCreditCode(t, flaggedCode[:17])
	fx.creditRecord(code)

	smeFailed := fx.failCase(fx.fileCase(true, ""))
	otherFailed := fx.failCase(fx.fileCase(false, "")) // no SME: no referral
	flagged := fx.fileCase(false, code)
	// The flag is the committee's: the filing enterprise is not shown it.
	var isFlagged bool
	if err := fx.app.DB.Raw("SELECT repeat_infringer FROM cases WHERE id = ?", flagged.ID).Scan(&isFlagged).Error; err != nil {
		t.Fatal(err)
	}
	if !isFlagged || flagged.RepeatInfringer {
		t.Fatalf("flagged %v, shown to the filing enterprise %v: the respondent with a credit record must flag the case for the committee only",
			isFlagged, flagged.RepeatInfringer)
	}
	plain := fx.fileCase(true, "") // submitted, nothing special
	complaint, err := fx.svc.LodgeComplaint(fx.as("sme1"), assistance.ComplaintInput{ExhibitionCode: "fair-518", OrgID: fx.org("gulou"),
		Summary: "展会侵权投诉", RespondentName: "厦门某公司", Rights: []assistance.Right{{Kind: domain.RightTrademark, Number: "12345678"}}})
	if err != nil {
		t.Fatal(err)
	}

	n, err := fx.svc.RunReferralRules(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("first run: %d created, %v", n, err)
	}
	got := fx.produced()
	want := []producedRow{
		{smeFailed.ID, assistance.RuleSMEMediationFailed, fmt.Sprintf("case:%d", smeFailed.ID), "sent"},
		{flagged.ID, assistance.RuleRespondentCreditRecord, fmt.Sprintf("case:%d", flagged.ID), "sent"},
		{complaint.Case.ID, assistance.RuleExhibitionComplaint, fmt.Sprintf("case:%d", complaint.Case.ID), "sent"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("produced %+v, want %+v", got, want)
	}
	for _, id := range []int64{otherFailed.ID, plain.ID} {
		if n := fx.count(`SELECT count(*) FROM referrals WHERE case_id = ?`, id); n != 0 {
			t.Errorf("case %d needs no assistance but got %d referrals", id, n)
		}
	}

	// Re-running changes nothing.
	for range 3 {
		if n, err := fx.svc.RunReferralRules(context.Background()); err != nil || n != 0 {
			t.Fatalf("re-run: %d created, %v", n, err)
		}
	}
	if got := fx.produced(); len(got) != 3 {
		t.Fatalf("after re-runs: %+v", got)
	}

	// The assistance officer sees them, each with its rule.
	items, _, err := fx.app.Referrals.List(fx.as("assistance.fz"), referral.ListFilter{Box: "inbox", Kind: referral.KindRightsAssistance})
	if err != nil || len(items) != 3 {
		t.Fatalf("the officer's inbox: %+v %v", items, err)
	}
	for _, r := range items {
		if !slices.Contains(assistance.Rules, r.Rule) || r.CaseID == nil || r.SenderOrgID == nil || *r.SenderOrgID != fx.org("gulou") {
			t.Errorf("produced referral: %+v", r)
		}
	}
	if fx.notices("assistance.fz", "referral_sent") != 3 {
		t.Errorf("the centre's officers must be told of each referral: %d", fx.notices("assistance.fz", "referral_sent"))
	}
}

// TestRules_ConcurrentWorkers: several workers running the rules at once,
// each in its own transactions, produce every referral exactly once.
func TestRules_ConcurrentWorkers(t *testing.T) {
	fx := newFixture(t)
	code := validCreditCode(t, flaggedCode[:17])
	fx.creditRecord(code)
	const each = 4
	for range each {
		fx.fileCase(false, code)
		if _, err := fx.svc.LodgeComplaint(fx.as("sme1"), assistance.ComplaintInput{ExhibitionCode: "fair-618", OrgID: fx.org("gulou"),
			Summary: "展会侵权投诉", RespondentName: "厦门某公司", Rights: []assistance.Right{{Kind: domain.RightTrademark, Number: "12345678"}}}); err != nil {
			t.Fatal(err)
		}
	}
	const workers = 6
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	start := make(chan struct{})
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			n, err := fx.svc.RunReferralRules(context.Background())
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	got := fx.produced()
	if total != 2*each || len(got) != 2*each {
		t.Fatalf("workers created %d, rows %d, want %d each", total, len(got), 2*each)
	}
	if n := fx.count(`SELECT count(*) FROM audit_log WHERE action = 'referral.produce'`); n != 2*each {
		t.Fatalf("audit rows: %d", n)
	}
}

// TestService_SendReferrals: an approved plan sends an enforcement and a
// customs referral in one step; the receivers see them, the SME follows
// them.
func TestService_SendReferrals(t *testing.T) {
	fx := newFixture(t)
	officer := fx.as("assistance.fz")
	app := fx.apply("sme1", goodApplication())
	enf := &assistance.EnforcementReferral{ReceiverOrgID: fx.org("fz-amr"), Grounds: "repeat_infringement"}
	cus := &assistance.CustomsReferral{ReceiverOrgID: fx.org("fz-customs"), Mode: "on_application", Goods: "仿冒“闽光”商标的软件光盘", Port: "福州长乐国际机场口岸"}

	if _, err := fx.svc.SendReferrals(officer, app.ID, assistance.SendReferralsInput{Version: app.Version, Enforcement: enf}); code(err) != domain.ECONFLICT {
		t.Fatalf("referrals before approval: %v", err)
	}
	app, err := fx.svc.Approve(officer, app.ID, assistance.ApproveInput{Version: app.Version,
		Help: []assistance.Help{assistance.HelpCustomsSupport, assistance.HelpInfringementOpinion}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.SendReferrals(fx.as("sme1"), app.ID, assistance.SendReferralsInput{Version: app.Version, Enforcement: enf}); code(err) != domain.EFORBIDDEN {
		t.Fatalf("the SME sending: %v", err)
	}
	if _, err := fx.svc.SendReferrals(officer, app.ID, assistance.SendReferralsInput{Version: app.Version}); !slices.Contains(fields(err), "referrals") {
		t.Fatalf("nothing to send: %v", err)
	}
	bad := *enf
	bad.Grounds = "dislike"
	if _, err := fx.svc.SendReferrals(officer, app.ID, assistance.SendReferralsInput{Version: app.Version, Enforcement: &bad}); !slices.Contains(fields(err), "enforcement.grounds") ||
		!slices.Contains(fields(err), "enforcement.infringer_credit_code") {
		t.Fatalf("bad grounds, infringer unidentified: %v (%v)", err, fields(err))
	}
	enf.InfringerCreditCode = validCreditCode(t, flaggedCode[:17])
	// One step, one transaction: a customs referral the referral model
	// refuses takes the valid enforcement referral down with it.
	wrong := *cus
	wrong.ReceiverOrgID = fx.org("gulou")
	if _, err := fx.svc.SendReferrals(officer, app.ID, assistance.SendReferralsInput{Version: app.Version, Enforcement: enf, Customs: &wrong}); code(err) != domain.EINVALID {
		t.Fatalf("customs referral to a committee: %v", err)
	}
	if n := fx.count(`SELECT count(*) FROM referrals`); n != 0 {
		t.Fatalf("refused steps sent %d referrals", n)
	}

	out, err := fx.svc.SendReferrals(officer, app.ID, assistance.SendReferralsInput{Version: app.Version, Enforcement: enf, Customs: cus, Note: "请依法处理。"})
	if err != nil {
		t.Fatalf("%v %v", err, fields(err))
	}
	if len(out.Referrals) != 2 || out.Referrals[0].Kind != referral.KindEnforcement || out.Referrals[1].Kind != referral.KindCustoms ||
		out.Referrals[0].ApplicationID == nil || *out.Referrals[0].ApplicationID != app.ID {
		t.Fatalf("sent: %+v", out.Referrals)
	}
	v, err := fx.svc.Get(fx.as("sme1"), app.ID)
	if err != nil || len(v.Links) != 2 || v.Links[0].ReferralKind != "enforcement" || v.Links[1].ReceiverName == "" || v.Links[1].ReferralStatus != "sent" {
		t.Fatalf("the SME's view of the referrals: %+v %v", v.Links, err)
	}
	if fx.notices("sme1", assistance.NoticeReferralSent) != 2 {
		t.Fatal("the SME must be told of each referral")
	}
	for _, u := range []string{"enforcement.fz-amr", "customs.fz"} {
		items, _, err := fx.app.Referrals.List(fx.as(u), referral.ListFilter{Box: "inbox"})
		if err != nil || len(items) != 1 {
			t.Errorf("%s's inbox: %+v %v", u, items, err)
		}
	}
}
