package party_test

import (
	"context"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/party"
)

// toDraft takes the filed case to agreement_draft at 鼓楼: accepted with
// the respondent's consent, mediator1 assigned and declared, an
// agreement drawn up.
func (e *env) toDraft(caseID int64) {
	e.t.Helper()
	if _, err := e.a.Clock.Advance(time.Hour); err != nil {
		e.t.Fatal(err)
	}
	director, med := apptest.As(e.t, e.a, "director.gulou"), apptest.As(e.t, e.a, "mediator1.gulou")
	c, err := e.a.Cases.Get(director, caseID)
	if err != nil {
		e.t.Fatal(err)
	}
	v := c.Version
	step := func(what string, c domain.Case, err error) {
		e.t.Helper()
		if err != nil {
			e.t.Fatalf("%s: %v", what, err)
		}
		v = c.Version
	}
	step(e.do(func() (domain.Case, error) {
		return e.a.Cases.Accept(director, caseID, cases.AcceptInput{Version: v, ConsentAt: e.a.Clock.Now().Add(-time.Minute)})
	}))
	m1 := apptest.Scalar[int64](e.t, e.a, "SELECT id FROM users WHERE username = 'mediator1.gulou'")
	step(e.do(func() (domain.Case, error) {
		return e.a.Cases.Assign(director, caseID, cases.AssignInput{Version: v, MediatorIDs: []int64{m1}})
	}))
	step(e.do(func() (domain.Case, error) {
		return e.a.Cases.Declare(med, caseID, cases.DeclareInput{Version: v, NoConflict: true, Statement: "与双方无利害关系"})
	}))
	step(e.do(func() (domain.Case, error) {
		return e.a.Cases.Settle(med, caseID, cases.AgreementInput{Version: v, Facts: "被申请人销售了落入专利保护范围的产品。",
			DisputedMatters: "是否侵权及赔偿数额。", Responsibilities: "被申请人承担侵权责任。",
			Terms: "被申请人停止销售并赔偿三万元。", PerformanceMethod: "银行转账", PerformanceDue: "2030-01-31", AmountFen: 3_000_000})
	}))
	c, err = e.a.Cases.Get(director, caseID)
	if err != nil || c.Status != domain.StatusAgreementDraft {
		e.t.Fatalf("not a draft: %v %v", c.Status, err)
	}
}

func (e *env) do(f func() (domain.Case, error)) (string, domain.Case, error) {
	c, err := f()
	return "case step", c, err
}

// signCode asks for a signing code and returns it from the SMS.
func (e *env) signCode(ctx context.Context, phone string) string {
	e.t.Helper()
	if err := e.a.Party.SendSignCode(ctx); err != nil {
		e.t.Fatalf("sign code: %v", err)
	}
	return e.code(phone)
}

// TestParty_SignAgreement: the respondent reads the draft, signs with a
// fresh code; the sign-off records the method, the masked phone, the
// digest, the address and the link; a wrong code or a stale digest
// signs nothing; a revision voids the signature; the sign-in code does
// not sign; the director and the mediator are told; the audit names the
// party; signing twice is refused.
func TestParty_SignAgreement(t *testing.T) {
	e := newEnv(t)
	caseID, _, resp := e.fileCase("gulou")
	ctx := e.signedIn(caseID, resp, respondentPhone)
	if _, ok, err := e.a.Party.AgreementToSign(ctx); ok || err != nil {
		t.Fatalf("an agreement before there is one: %v %v", ok, err)
	}
	e.toDraft(caseID)
	ag, ok, err := e.a.Party.AgreementToSign(ctx)
	if err != nil || !ok || !ag.Open || ag.Mine != nil || ag.Terms != "被申请人停止销售并赔偿三万元。" || len(ag.Digest) != 64 {
		t.Fatalf("the draft as the party reads it: %+v %v %v", ag, ok, err)
	}
	if ag.MaskedPhone != domain.MaskMobile(respondentPhone) {
		t.Errorf("masked phone %q", ag.MaskedPhone)
	}
	count := func() int64 {
		return apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM agreement_signoffs WHERE method = 'sms_electronic'")
	}

	// No code asked for yet, and then a wrong one: nothing is signed,
	// each attempt is audited.
	if _, err := e.a.Party.Sign(ctx, party.SignInput{Code: "123456", TextSHA256: ag.Digest}); code(err) != domain.EINVALID || !slices(domain.InvalidFields(err), "code") {
		t.Fatalf("sign without a code: %v", err)
	}
	good := e.signCode(ctx, respondentPhone)
	wrong := "000000"
	if good == wrong {
		wrong = "000001"
	}
	if _, err := e.a.Party.Sign(ctx, party.SignInput{Code: wrong, TextSHA256: ag.Digest}); code(err) != domain.EINVALID {
		t.Fatalf("a wrong code: %v", err)
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM audit_log WHERE action = 'party.sign_failed' AND actor_name = ?", "party:"+itoa(resp)); n != 2 {
		t.Errorf("failed attempts audited: %d", n)
	}
	// A digest of another text: refused, naming the field; the code is
	// not spent (the transaction rolled back).
	stale := ag.AgreementText
	stale.Terms += "另付律师费。"
	if _, err := e.a.Party.Sign(ctx, party.SignInput{Code: good, TextSHA256: stale.Digest()}); code(err) != domain.EINVALID || !slices(domain.InvalidFields(err), "text_sha256") {
		t.Fatalf("a stale digest: %v", err)
	}
	if count() != 0 {
		t.Fatal("a refused signature was written")
	}

	c, err := e.a.Party.Sign(ctx, party.SignInput{Code: good, TextSHA256: ag.Digest, IP: "203.0.113.7"})
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	if c.Status != domain.StatusAgreementDraft {
		t.Errorf("one signature of several settled the case: %s", c.Status)
	}
	var so struct {
		PartyID     int64
		Method      string
		PhoneMasked string
		TextSha256  string `gorm:"column:text_sha256"`
		IP          string
		AccessID    int64
		RecordedBy  *int64
		SignerName  string
	}
	if err := e.a.DB.Raw(`SELECT party_id, method, phone_masked, text_sha256, ip, access_id, recorded_by, signer_name
FROM agreement_signoffs WHERE voided_at IS NULL AND method = 'sms_electronic'`).Scan(&so).Error; err != nil {
		t.Fatal(err)
	}
	p, _ := domain.PartyFrom(ctx)
	if so.PartyID != resp || so.PhoneMasked != domain.MaskMobile(respondentPhone) || so.TextSha256 != ag.Digest ||
		so.IP != "203.0.113.7" || so.AccessID != p.AccessID || so.RecordedBy != nil || so.SignerName != "陈某某" {
		t.Errorf("the sign-off: %+v", so)
	}
	if n := apptest.Scalar[int64](t, e.a, `SELECT count(*) FROM audit_log WHERE action = 'case.signoff' AND actor_id IS NULL AND actor_name = ?`,
		"party:"+itoa(resp)); n != 1 {
		t.Errorf("the case action is not audited as the party: %d", n)
	}
	if n := apptest.Scalar[int64](t, e.a, `SELECT count(*) FROM case_events WHERE case_id = ? AND action = 'signoff' AND actor_id IS NULL
AND detail->>'method' = 'sms_electronic'`, caseID); n != 1 {
		t.Errorf("timeline: %d", n)
	}
	link := "/cases/" + itoa(caseID)
	for _, u := range []string{"director.gulou", "mediator1.gulou"} {
		if apptest.Told(t, e.a, u, party.NoticeSigned, link) != 1 {
			t.Errorf("%s not told of the signature", u)
		}
	}
	ag, _, _ = e.a.Party.AgreementToSign(ctx)
	if ag.Mine == nil || ag.Mine.Method != "sms_electronic" {
		t.Errorf("the view does not show the party's signature: %+v", ag.Mine)
	}
	// The code is spent; a new one signs nothing twice.
	if _, err := e.a.Party.Sign(ctx, party.SignInput{Code: good, TextSHA256: ag.Digest}); code(err) != domain.EINVALID {
		t.Errorf("a used code: %v", err)
	}
	again := e.signCode(ctx, respondentPhone)
	if _, err := e.a.Party.Sign(ctx, party.SignInput{Code: again, TextSHA256: ag.Digest}); code(err) != domain.EINVALID || !slices(domain.InvalidFields(err), "party_id") {
		t.Errorf("signing twice: %v", err)
	}

	// The mediator revises the text: the signature is voided, the old
	// digest no longer signs, the new one does.
	med := apptest.As(t, e.a, "mediator1.gulou")
	cur, _ := e.a.Cases.Get(med, caseID)
	if _, err := e.a.Cases.ReviseAgreement(med, caseID, cases.ReviseAgreementInput{Version: cur.Version, Facts: ag.Facts,
		DisputedMatters: ag.DisputedMatters, Responsibilities: ag.Responsibilities, Terms: "被申请人停止销售并赔偿两万元。",
		PerformanceMethod: ag.PerformanceMethod, PerformanceDue: "2030-01-31", AmountFen: 2_000_000}); err != nil {
		t.Fatal(err)
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM agreement_signoffs WHERE method = 'sms_electronic' AND voided_at IS NOT NULL"); n != 1 {
		t.Errorf("the revision did not void the party's signature: %d", n)
	}
	revised, _, _ := e.a.Party.AgreementToSign(ctx)
	if revised.Digest == ag.Digest || revised.Mine != nil {
		t.Fatalf("after the revision: %+v", revised)
	}
	third := e.signCode(ctx, respondentPhone)
	if _, err := e.a.Party.Sign(ctx, party.SignInput{Code: third, TextSHA256: ag.Digest}); !slices(domain.InvalidFields(err), "text_sha256") {
		t.Errorf("the old text signed: %v", err)
	}
	if _, err := e.a.Party.Sign(ctx, party.SignInput{Code: third, TextSHA256: revised.Digest}); err != nil {
		t.Errorf("the new text: %v", err)
	}

	// A staff member cannot record the party's online method.
	director := apptest.As(t, e.a, "director.gulou")
	cur, _ = e.a.Cases.Get(director, caseID)
	var applicant int64
	e.a.DB.Raw("SELECT id FROM case_parties WHERE case_id = ? AND role = 'applicant'", caseID).Scan(&applicant)
	if _, err := e.a.Cases.Signoff(director, caseID, cases.SignoffInput{Version: cur.Version, SignerKind: "party", PartyID: applicant,
		Method: "sms_electronic", SignedAt: e.a.Clock.Now()}); !slices(domain.InvalidFields(err), "method") {
		t.Errorf("staff recorded an SMS signature: %v", err)
	}
}

// TestParty_SignIsTheCasesOnly: a party session of one case cannot sign
// another case's agreement, nor act there by any other path.
func TestParty_SignIsTheCasesOnly(t *testing.T) {
	e := newEnv(t)
	caseA, _, respA := e.fileCase("gulou")
	caseB, _, _ := e.fileCase("gulou")
	e.toDraft(caseB)
	ctx := e.signedIn(caseA, respA, respondentPhone)
	// The session's case has no agreement: nothing to sign, and case B's
	// digest does not reach case B.
	if _, ok, _ := e.a.Party.AgreementToSign(ctx); ok {
		t.Fatal("case A shows an agreement")
	}
	good := e.signCode(ctx, respondentPhone)
	_, err := e.a.Party.Sign(ctx, party.SignInput{Code: good, TextSHA256: "0000000000000000000000000000000000000000000000000000000000000000"})
	if code(err) != domain.ECONFLICT {
		t.Errorf("signing in a case without a draft: %v", err)
	}
	if n := apptest.Scalar[int64](t, e.a, "SELECT count(*) FROM agreement_signoffs"); n != 0 {
		t.Errorf("%d sign-offs written", n)
	}
}
