package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// printDispute is a dispute whose parties carry the details the
// agreement states: a company with its legal representative, and a
// natural person with gender, ethnic group, date of birth, occupation and
// domicile.
func printDispute(org int64) cases.IntakeInput {
	in := refDispute()
	in.OrgID, in.Source = org, domain.SourceDirect
	in.Parties[0].RepresentativeName, in.Parties[0].RepresentativeTitle = "王五", "执行董事"
	p := &in.Parties[1]
	p.Gender, p.Ethnicity, p.BirthDate, p.Occupation = domain.GenderMale, "汉族", "1990-01-01", "个体经营者"
	p.Address = "福建省福州市仓山区金山大道8号"
	return in
}

// printCase files in with gulou and takes it to mediating with
// mediator1.gulou declared.
func (e *refEnv) printCase(in cases.IntakeInput) domain.Case {
	e.t.Helper()
	c, err := e.a.Cases.Submit(e.as("clerk.gulou"), in)
	if err != nil {
		e.t.Fatal(err)
	}
	dir, med := e.as("director.gulou"), e.as("mediator1.gulou")
	if c, err = e.a.Cases.Accept(dir, c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: e.a.Clock.Now().Add(-time.Hour)}); err != nil {
		e.t.Fatal(err)
	}
	if c, err = e.a.Cases.Assign(dir, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{e.users["mediator1.gulou"]}}); err != nil {
		e.t.Fatal(err)
	}
	if c, err = e.a.Cases.Declare(med, c.ID, cases.DeclareInput{Version: c.Version, NoConflict: true, Statement: "无"}); err != nil {
		e.t.Fatal(err)
	}
	return c
}

func printAgreementInput(version int) cases.AgreementInput {
	return cases.AgreementInput{Version: version, Facts: "被申请人在网店销售假冒注册商标的茶叶。", DisputedMatters: "是否侵权及赔偿数额。",
		Responsibilities: "被申请人承担侵权责任。", Terms: "被申请人停止销售并赔偿三万元。", PerformanceMethod: "银行转账"}
}

// printed fetches a printable document of case id as u: 200 and its text.
func (e *refEnv) printed(u string, id int64, doc string) string {
	e.t.Helper()
	status, body := e.page(u, fmt.Sprintf("/cases/%d/print/%s", id, doc))
	if status != 200 {
		e.t.Fatalf("print %s as %s: %d\n%s", doc, u, status, body)
	}
	return body
}

// dateZH is t's Beijing date as the documents write it.
func dateZH(t time.Time) string {
	b := t.In(time.FixedZone("CST", 8*3600))
	return fmt.Sprintf("%d年%d月%d日", b.Year(), b.Month(), b.Day())
}

func wantText(t *testing.T, doc, body string, want []string, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s does not say %q", doc, w)
		}
	}
	for _, n := range not {
		if strings.Contains(body, n) {
			t.Errorf("%s says %q", doc, n)
		}
	}
}

// TestPrint_Agreement: the written agreement states the parties as the
// People's Mediation Law art. 29 asks (the company's legal representative,
// the person's gender, ethnic group, date of birth, occupation and
// domicile), has a blank signature line with its date for every party and
// mediator and the seal line with its date, counts one copy per party and
// one for the committee, names its recorder, never shows the
// repeat-infringer flag, and says when it took effect.
func TestPrint_Agreement(t *testing.T) {
	e := newRefEnv(t)
	in := printDispute(e.orgs["gulou"])
	// The respondent has a final credit record: the case is flagged.
	if err := e.a.DB.Exec(`INSERT INTO credit_records (subject_kind, name, id_number_hash, finding, source, decided_on, display_until)
VALUES ('person', '陈某', ?, '故意侵权', 'court', '2025-05-01', DATE '2099-12-31')`, e.a.PII.Hash(in.Parties[1].IDNumber)).Error; err != nil {
		t.Fatal(err)
	}
	c := e.printCase(in)
	med := e.as("mediator1.gulou")
	c, err := e.a.Cases.Settle(med, c.ID, printAgreementInput(c.Version))
	if err != nil {
		t.Fatal(err)
	}
	flag := []string{"重复侵权", "侵权记录"}
	body := e.printed("clerk.gulou", c.ID, "agreement")
	wantText(t, "the draft agreement", body, []string{
		"人民调解协议书",
		"法定代表人：王五，职务：执行董事",
		"陈某，男，汉族，1990年1月1日出生，个体经营者", "住所：福建省福州市仓山区金山大道8号",
		"本协议一式三份，各方当事人各执一份，人民调解委员会留存一份",
		"第二十九条", "第三十一条", "第三十三条",
		"记录人：张伟",
		"尚未全部签署",
	}, append([]string{"口头调解协议"}, flag...))
	if n := strings.Count(body, "（签名、盖章或按指印）"); n != 2 {
		t.Errorf("%d party signature lines, want 2", n)
	}
	if n := strings.Count(body, "人民调解员（签名）"); n != 1 {
		t.Errorf("%d mediator signature lines, want 1", n)
	}
	// Every party and mediator line and the seal carry a blank date.
	if n := strings.Count(body, "　　年　　月　　日"); n != 4 {
		t.Errorf("%d blank dates, want 4", n)
	}
	if !strings.Contains(body, "（印章）<br>　　年　　月　　日") {
		t.Error("the seal line has no date")
	}

	// The flag is the committee's: the director sees it on the case page,
	// the mediator and the filing side do not.
	for u, sees := range map[string]bool{"director.gulou": true, "clerk.gulou": true, "mediator1.gulou": false} {
		_, page := e.page(u, fmt.Sprintf("/cases/%d", c.ID))
		if got := strings.Contains(page, "注意：被申请人在知识产权信用记录中有故意或重复侵权记录"); got != sees {
			t.Errorf("%s sees the flag: %v, want %v", u, got, sees)
		}
	}

	// Signed and sealed: in effect from the last signature.
	parties := []int64{}
	e.a.DB.Raw("SELECT id FROM case_parties WHERE case_id = ? ORDER BY position", c.ID).Scan(&parties)
	at := e.a.Clock.Now().Add(-10 * time.Minute)
	for _, s := range []cases.SignoffInput{
		{SignerKind: "party", PartyID: parties[0], Method: "handwritten"},
		{SignerKind: "party", PartyID: parties[1], Method: "handwritten"},
		{SignerKind: "mediator", UserID: e.users["mediator1.gulou"], Method: "handwritten"},
		{SignerKind: "seal", Method: "seal"},
	} {
		s.Version, s.SignedAt = c.Version, at
		if c, err = e.a.Cases.Signoff(e.as("clerk.gulou"), c.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	if c.Status != domain.StatusSettled {
		t.Fatalf("status %s after the last sign-off", c.Status)
	}
	body = e.printed("director.gulou", c.ID, "agreement")
	wantText(t, "the agreement in effect", body, []string{"本协议已于" + dateZH(at) + "生效"}, append([]string{"尚未全部签署"}, flag...))
}

// TestPrint_OralAgreement: an oral agreement prints as the record of it
// (口头调解协议记录): in effect from the day reached (art. 30), with its
// recorder, and without signature lines or copies.
func TestPrint_OralAgreement(t *testing.T) {
	e := newRefEnv(t)
	c := e.printCase(printDispute(e.orgs["gulou"]))
	in := printAgreementInput(c.Version)
	in.Oral = true
	c, err := e.a.Cases.Settle(e.as("mediator1.gulou"), c.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.StatusSettled {
		t.Fatalf("status %s", c.Status)
	}
	body := e.printed("clerk.gulou", c.ID, "agreement")
	wantText(t, "the oral agreement", body, []string{"口头调解协议记录", "第二十八条", "第三十条", "记录人：张伟",
		"被申请人停止销售并赔偿三万元。", dateZH(*c.OutcomeAt)},
		[]string{"人民调解协议书", "（签名、盖章或按指印）", "一式", "（印章）"})
}

// TestPrint_CourtEntrustedAgreement: a court-entrusted case is concluded by
// the court that entrusted it, so its agreement does not offer judicial
// confirmation (art. 33).
func TestPrint_CourtEntrustedAgreement(t *testing.T) {
	e := newRefEnv(t)
	in := printDispute(e.orgs["gulou"])
	in.Source, in.CourtProcedure, in.ExternalRef = domain.SourceCourtEntrusted, domain.ProcedureOrdinary, "（2026）闽0102民初100号"
	c := e.printCase(in)
	c, err := e.a.Cases.Settle(e.as("mediator1.gulou"), c.ID, printAgreementInput(c.Version))
	if err != nil {
		t.Fatal(err)
	}
	wantText(t, "the agreement of a court-entrusted case", e.printed("clerk.gulou", c.ID, "agreement"),
		[]string{"人民调解协议书"}, []string{"第三十三条", "司法确认"})
}

// TestPrint_NoticesDateTheDecision: the rejection and termination notices
// are dated by the decision they record, not by the row's last change;
// the rejection notice cites art. 3 and the Provisions on People's
// Mediation Work (not art. 18, which is about courts and the police) and
// names the route the parties can take.
func TestPrint_NoticesDateTheDecision(t *testing.T) {
	e := newRefEnv(t)
	later := time.Date(2026, 4, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

	// Rejection.
	rej, err := e.a.Cases.Submit(e.as("clerk.gulou"), printDispute(e.orgs["gulou"]))
	if err != nil {
		t.Fatal(err)
	}
	if rej, err = e.a.Cases.Reject(e.as("director.gulou"), rej.ID, cases.ReasonInput{Version: rej.Version,
		Reason: "双方已约定将争议提交仲裁。", Route: domain.RouteArbitration}); err != nil {
		t.Fatal(err)
	}
	// Acceptance and failure.
	failed := e.printCase(printDispute(e.orgs["gulou"]))
	if failed, err = e.a.Cases.Fail(e.as("mediator1.gulou"), failed.ID, cases.FailInput{Version: failed.Version,
		Reason: "双方分歧较大", Route: domain.RouteLitigation}); err != nil {
		t.Fatal(err)
	}
	// The rows change later (as a correction or a migration might): the
	// notices keep the decisions' dates.
	if err := e.a.DB.Exec("UPDATE cases SET updated_at = ? WHERE id IN ?", later, []int64{rej.ID, failed.ID}).Error; err != nil {
		t.Fatal(err)
	}
	decided := dateZH(*rej.OutcomeAt)
	if decided == dateZH(later) {
		t.Fatal("the test needs the decision and the later change on different days")
	}

	body := e.printed("clerk.gulou", rej.ID, "rejection")
	wantText(t, "the rejection notice", body, []string{"不予受理通知书", "第三条", "《人民调解工作若干规定》",
		"依据仲裁协议向约定的仲裁机构申请仲裁", "双方已约定将争议提交仲裁。", decided},
		[]string{"第十八条", dateZH(later)})

	body = e.printed("clerk.gulou", failed.ID, "termination")
	wantText(t, "the termination notice", body, []string{"调解终止通知书", dateZH(*failed.OutcomeAt)}, []string{dateZH(later)})

	body = e.printed("clerk.gulou", failed.ID, "acceptance")
	wantText(t, "the acceptance notice", body, []string{"受理通知书", dateZH(*failed.AcceptedAt)}, []string{dateZH(later)})
}
