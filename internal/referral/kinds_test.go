package referral_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/document"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/referral"
)

// TestArbitration: only with an arbitration agreement on file (a document
// of that kind, or a recorded clause); the clerk records the award or the
// withdrawal.
func TestArbitration(t *testing.T) {
	fx := newFixture(t)
	c := fx.fail("gulou", fx.mediate("gulou", fx.fileCase("gulou")))
	send := func(fields map[string]any) (referral.Referral, error) {
		return fx.svc.Send(fx.as("clerk.gulou"), referral.SendInput{Kind: referral.KindArbitration, ReceiverOrgID: fx.org("fz-arbitration"),
			CaseID: &c.ID, Fields: raw(fields)})
	}
	_, err := send(nil)
	wantField(t, err, "fields.arbitration_clause")
	_, err = fx.svc.Send(fx.as("clerk.gulou"), referral.SendInput{Kind: referral.KindArbitration, ReceiverOrgID: fx.org("gulou-court"),
		CaseID: &c.ID, Fields: raw(map[string]any{"arbitration_clause": "x"})})
	wantField(t, err, "receiver_org_id")

	// With a clause: declined.
	r := fx.ok(send(map[string]any{"arbitration_clause": "双方同意提交福州仲裁委员会仲裁。"}))
	arb := fx.as("arbitration.fz")
	r = fx.ok(fx.svc.Decline(arb, r.ID, referral.DeclineInput{Version: r.Version, Reason: "仲裁条款约定的仲裁机构不明确"}))
	if r.Status != referral.StatusDeclined {
		t.Fatalf("status = %s", r.Status)
	}

	// With an arbitration agreement document: awarded.
	doc, err := fx.app.Docs.Upload(fx.as("clerk.gulou"), document.UploadInput{CaseID: c.ID, Kind: document.KindArbitrationAgreement,
		FileName: "仲裁协议.txt", Body: strings.NewReader("仲裁协议")})
	if err != nil {
		t.Fatal(err)
	}
	r = fx.ok(send(nil))
	if ids, _ := r.Fields["arbitration_agreement_documents"].([]any); len(ids) != 1 || int64(ids[0].(float64)) != doc.ID {
		t.Errorf("fields = %v", r.Fields)
	}
	r = fx.ok(fx.svc.Accept(arb, r.ID, referral.AcceptInput{Version: r.Version}))
	_, err = fx.svc.Complete(arb, r.ID, referral.CompleteInput{Version: r.Version, Result: raw(map[string]any{"outcome": "award"})})
	wantField(t, err, "result.award_number")
	_, err = fx.svc.Complete(fx.as("clerk.gulou"), r.ID, referral.CompleteInput{Version: r.Version, Result: raw(map[string]any{"outcome": "withdrawn"})})
	wantCode(t, err, domain.EFORBIDDEN) // the sender does not report the result
	r = fx.ok(fx.svc.Complete(arb, r.ID, referral.CompleteInput{Version: r.Version, Result: raw(map[string]any{"outcome": "award",
		"award_number": "（2026）榕仲裁字第15号"})}))
	if r.Result["award_number"] != "（2026）榕仲裁字第15号" || r.Status != referral.StatusCompleted {
		t.Fatalf("result = %v", r.Result)
	}
	if len(fx.deadlines("referral", r.ID)) != 0 {
		t.Error("arbitration has no statutory deadline here")
	}
}

// TestEnforcement_CreditRecord: a finding of intentional or repeated
// infringement writes the credit record that intake reads: the next case
// against the same respondent is flagged.
func TestEnforcement_CreditRecord(t *testing.T) {
	fx := newFixture(t)
	c := fx.mediate("gulou", fx.fileCase("gulou"))
	var respondent int64 = fx.scalar("SELECT id FROM case_parties WHERE case_id = ? AND role = 'respondent'", c.ID)
	_, err := fx.svc.Send(fx.as("director.gulou"), referral.SendInput{Kind: referral.KindEnforcement, ReceiverOrgID: fx.org("fz-amr"),
		CaseID: &c.ID, Fields: raw(map[string]any{"grounds": "careless", "facts": "x"})})
	wantField(t, err, "fields.grounds")
	wantField(t, err, "fields.party_id")

	// Declined first (wrong body), then to market regulation.
	r := fx.send("director.gulou", referral.SendInput{Kind: referral.KindEnforcement, ReceiverOrgID: fx.org("fz-culture"),
		CaseID: &c.ID, Fields: raw(map[string]any{"grounds": "repeat_infringement", "facts": "再次销售侵权产品", "party_id": respondent})})
	fx.ok(fx.svc.Decline(fx.as("enforcement.fz-culture"), r.ID, referral.DeclineInput{Version: r.Version, Reason: "不属于本局管辖"}))

	r = fx.send("director.gulou", referral.SendInput{Kind: referral.KindEnforcement, ReceiverOrgID: fx.org("fz-amr"),
		CaseID: &c.ID, Fields: raw(map[string]any{"grounds": "repeat_infringement", "facts": "再次销售侵权产品", "party_id": respondent})})
	amr := fx.as("enforcement.fz-amr")
	r = fx.ok(fx.svc.Accept(amr, r.ID, referral.AcceptInput{Version: r.Version}))
	_, err = fx.svc.Complete(amr, r.ID, referral.CompleteInput{Version: r.Version, Result: raw(map[string]any{"intentional": true})})
	wantField(t, err, "result.decision_number")
	before := fx.scalar("SELECT count(*) FROM credit_records")
	r = fx.ok(fx.svc.Complete(amr, r.ID, referral.CompleteInput{Version: r.Version, Result: raw(map[string]any{
		"decision_number": "榕市监处罚〔2026〕12号", "findings": "两年内第二次销售假冒注册商标的商品", "repeated": true, "penalty": "罚款五万元",
		"final": true})}))
	if fx.scalar("SELECT count(*) FROM credit_records") != before+1 || r.Result["credit_record_id"] == nil {
		t.Fatalf("no credit record: %v", r.Result)
	}
	var rec struct {
		CreditCode, Finding, DocumentNumber, Status string
	}
	fx.app.DB.Raw("SELECT credit_code, finding, document_number, status FROM credit_records ORDER BY id DESC LIMIT 1").Scan(&rec)
	if rec.CreditCode != infringerCC || !strings.Contains(rec.Finding, "重复侵权") || rec.DocumentNumber != "榕市监处罚〔2026〕12号" ||
		rec.Status != "objection" {
		t.Errorf("credit record = %+v", rec)
	}
	// The credit service wrote it, and audited it on the recording body's
	// chain, as the enforcement officer.
	if n := fx.scalar(`SELECT count(*) FROM audit_log WHERE action = 'credit_record.create'
AND object_id = (SELECT max(id)::text FROM credit_records) AND org_id = ? AND actor_name = 'enforcement.fz-amr'`, fx.org("fz-amr")); n != 1 {
		t.Errorf("credit_record.create audit rows = %d, want 1", n)
	}
	// While its subject may still object it flags nothing; once the
	// objection period has run out (the worker's sweep, run here on a
	// clock three weeks on), intake flags the respondent.
	if next := fx.fileCase("cangshan"); next.RepeatInfringer {
		t.Error("a record in its objection period flags the next case")
	}
	later := fx.app.Clock.Now().AddDate(0, 0, 21)
	if n, err := fx.app.CapabilitiesAt(func() time.Time { return later }).Credit.Settle(context.Background()); err != nil || n != 1 {
		t.Fatalf("settle: %d, %v", n, err)
	}
	next := fx.fileCase("cangshan")
	if !next.RepeatInfringer {
		t.Error("the next case against the infringer is not flagged")
	}

	// A finding of neither writes no record; a person named by identity
	// number is kept encrypted and matched by its keyed hash.
	r = fx.send("assistance.fz", referral.SendInput{Kind: referral.KindEnforcement, ReceiverOrgID: fx.org("fz-amr"), ApplicationID: fx.application(),
		Fields: raw(map[string]any{"grounds": "malicious_infringement", "facts": "恶意抢注",
			"infringer": map[string]any{"kind": "person", "name": "陈某", "id_number": respondentID}})})
	if inf, _ := r.Fields["infringer"].(map[string]any); inf["id_number_masked"] == nil || inf["id_number_hash"] != nil || inf["id_number_enc"] != nil {
		t.Errorf("infringer = %v", inf)
	}
	var stored string
	fx.app.DB.Raw("SELECT fields::text FROM referrals WHERE id = ?", r.ID).Scan(&stored)
	if strings.Contains(stored, respondentID) {
		t.Error("identity number stored in the clear")
	}
	r = fx.ok(fx.svc.Accept(amr, r.ID, referral.AcceptInput{Version: r.Version}))
	r = fx.ok(fx.svc.Complete(amr, r.ID, referral.CompleteInput{Version: r.Version, Result: raw(map[string]any{
		"decision_number": "榕市监处罚〔2026〕13号", "findings": "故意侵权", "intentional": true, "final": true})}))
	if fx.scalar("SELECT count(*) FROM credit_records WHERE id_number_hash <> '' AND subject_kind = 'person'") != 1 {
		t.Error("no credit record by identity hash")
	}
	// In effect once its objection period has run out.
	if n, err := fx.app.CapabilitiesAt(func() time.Time { return later }).Credit.Settle(context.Background()); err != nil || n != 1 {
		t.Fatalf("settle: %d, %v", n, err)
	}
	person := fx.fileCase("jinan", func(in *cases.IntakeInput) {
		in.Parties[1] = cases.PartyInput{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "陈某", IDNumber: respondentID}
	})
	if !person.RepeatInfringer {
		t.Error("the person is not flagged at intake")
	}
	// No application: the centre must name a case or an application.
	_, err = fx.svc.Send(fx.as("assistance.fz"), referral.SendInput{Kind: referral.KindEnforcement, ReceiverOrgID: fx.org("fz-amr"),
		Fields: raw(map[string]any{"grounds": "malicious_infringement", "facts": "x", "infringer": map[string]any{"kind": "organisation", "name": "x", "credit_code": infringerCC}})})
	wantField(t, err, "case_id")
	// A committee cannot refer an application.
	_, err = fx.svc.Send(fx.as("director.gulou"), referral.SendInput{Kind: referral.KindEnforcement, ReceiverOrgID: fx.org("fz-amr"), ApplicationID: ptr(int64(5)),
		Fields: raw(map[string]any{"grounds": "malicious_infringement", "facts": "x", "infringer": map[string]any{"kind": "organisation", "name": "x", "credit_code": infringerCC}})})
	wantField(t, err, "application_id")
}

// TestEnforcement_CreditRecordCountsWhenFinal: a finding of repeated
// infringement in a decision that is not yet final (it may still be
// reviewed or sued against) is recorded, but flags no case at intake.
func TestEnforcement_CreditRecordCountsWhenFinal(t *testing.T) {
	fx := newFixture(t)
	c := fx.mediate("gulou", fx.fileCase("gulou"))
	respondent := fx.scalar("SELECT id FROM case_parties WHERE case_id = ? AND role = 'respondent'", c.ID)
	r := fx.send("director.gulou", referral.SendInput{Kind: referral.KindEnforcement, ReceiverOrgID: fx.org("fz-amr"),
		CaseID: &c.ID, Fields: raw(map[string]any{"grounds": "repeat_infringement", "facts": "再次销售侵权产品", "party_id": respondent})})
	amr := fx.as("enforcement.fz-amr")
	r = fx.ok(fx.svc.Accept(amr, r.ID, referral.AcceptInput{Version: r.Version}))
	r = fx.ok(fx.svc.Complete(amr, r.ID, referral.CompleteInput{Version: r.Version, Result: raw(map[string]any{
		"decision_number": "榕市监处罚〔2026〕21号", "findings": "两年内第二次销售假冒注册商标的商品", "repeated": true})}))
	if r.Result["credit_record_id"] == nil || r.Result["final"] != false {
		t.Fatalf("result = %v", r.Result)
	}
	if fx.scalar("SELECT count(*) FROM credit_records WHERE status = 'provisional' AND document_number = '榕市监处罚〔2026〕21号'") != 1 {
		t.Error("the record is not kept as not final")
	}
	if next := fx.fileCase("cangshan"); next.RepeatInfringer {
		t.Error("a decision that is not final flags the next case")
	}
}

// TestCriminal: an enforcement body transfers a suspected offence to the
// police: 24 hours from the approval (met or missed by the send), then 3
// days for the police to decide from receipt.
func TestCriminal(t *testing.T) {
	fx := newFixture(t)
	amr := fx.as("enforcement.fz-amr")
	fields := func(decided time.Time) map[string]any {
		return map[string]any{"offence": "假冒注册商标罪", "items": "假冒“闽光”商标茶叶 1200 盒", "decided_at": decided}
	}
	_, err := fx.svc.Send(amr, referral.SendInput{Kind: referral.KindCriminal, ReceiverOrgID: fx.org("fz-psb"), Fields: raw(map[string]any{"offence": "x"})})
	wantField(t, err, "fields.decided_at")
	wantField(t, err, "fields.items")
	_, err = fx.svc.Send(fx.as("director.gulou"), referral.SendInput{Kind: referral.KindCriminal, ReceiverOrgID: fx.org("fz-psb"), Fields: raw(fields(fx.now()))})
	wantCode(t, err, domain.EFORBIDDEN)

	late := fx.send("enforcement.fz-amr", referral.SendInput{Kind: referral.KindCriminal, ReceiverOrgID: fx.org("fz-psb"),
		Fields: raw(fields(fx.now().Add(-30 * time.Hour)))})
	if d := fx.deadlines("referral", late.ID)["criminal_transfer"]; d.Status != "missed" || d.RuleID != "criminal.transfer" {
		t.Errorf("late transfer = %+v", d)
	}
	decided := fx.now().Add(-2 * time.Hour).Truncate(time.Second)
	r := fx.send("enforcement.fz-amr", referral.SendInput{Kind: referral.KindCriminal, ReceiverOrgID: fx.org("fz-psb"), Fields: raw(fields(decided))})
	tr := fx.deadlines("referral", r.ID)["criminal_transfer"]
	if tr.Status != "met" || !tr.DueAt.Equal(decided.Add(24*time.Hour)) {
		t.Errorf("transfer deadline = %+v, want met at %s", tr, decided.Add(24*time.Hour))
	}
	psb := fx.as("enforcement.fz-psb")
	r = fx.ok(fx.svc.Receive(psb, r.ID, referral.ReceiveInput{Version: r.Version}))
	pd := fx.deadlines("referral", r.ID)["police_decision"]
	if pd.Status != "open" || pd.RuleID != "criminal.police_decision" {
		t.Fatalf("police decision = %+v", pd)
	}
	// 3 calendar days from the day after receipt, to 24:00 (moved to a
	// working day when the last day is a rest day): at least 3 days.
	if pd.DueAt.Sub(*r.ReceivedAt) < 72*time.Hour {
		t.Errorf("police decision due %s, received %s", pd.DueAt, r.ReceivedAt)
	}
	r = fx.ok(fx.svc.Accept(psb, r.ID, referral.AcceptInput{Version: r.Version}))
	_, err = fx.svc.Complete(psb, r.ID, referral.CompleteInput{Version: r.Version, Result: raw(map[string]any{"decision": "not_filed", "decision_number": "榕公不立字〔2026〕3号"})})
	wantField(t, err, "result.reason")
	r = fx.ok(fx.svc.Complete(psb, r.ID, referral.CompleteInput{Version: r.Version, Result: raw(map[string]any{"decision": "filed", "decision_number": "榕公立字〔2026〕8号"})}))
	if fx.deadlines("referral", r.ID)["police_decision"].Status != "met" {
		t.Error("police decision deadline still open")
	}
	// The police decline (return) a transfer.
	fx.ok(fx.svc.Decline(psb, late.ID, referral.DeclineInput{Version: late.Version, Reason: "材料不全，退回补充"}))
	if got := fx.notified("referral_declined", late.ID); strings.Join(got, ",") != "enforcement.fz-amr" {
		t.Errorf("told %v", got)
	}
}

// TestCustoms: detention on the right holder's application (court notice
// within 20 working days) and ex officio (answer 3, investigation 30,
// release 50 working days).
func TestCustoms(t *testing.T) {
	fx := newFixture(t)
	cal, _, err := deadlineDefaults()
	if err != nil {
		t.Fatal(err)
	}
	fields := func(mode string) map[string]any {
		return map[string]any{"mode": mode, "goods": "侵犯“闽光”商标权的茶叶 300 箱", "port": "福州长乐国际机场", "declaration_number": "350120260000123456",
			"recordation_number": "T2019-12345", "guarantee_amount_fen": 10_000_000}
	}
	_, err = fx.svc.Send(fx.as("assistance.fz"), referral.SendInput{Kind: referral.KindCustoms, ReceiverOrgID: fx.org("fz-customs"),
		ApplicationID: fx.application(), Fields: raw(map[string]any{"mode": "x", "guarantee_amount_fen": -1})})
	for _, f := range []string{"fields.mode", "fields.goods", "fields.port", "fields.guarantee_amount_fen"} {
		wantField(t, err, f)
	}
	cust := fx.as("customs.fz")
	app := fx.application()

	// The recordation is picked from the register: a number not in it, a
	// lapsed one or another holder's is refused naming the field, and
	// nothing is sent.
	fx.recordation("T2019-12345", "ent-sme1", "2019-05-10", "2099-05-10")
	fx.recordation("T2010-00001", "ent-sme1", "2010-01-04", "2020-01-04")
	fx.recordation("T2018-77777", "ent-sme2", "2018-03-01", "2099-03-01")
	before := fx.scalar("SELECT count(*) FROM referrals")
	for _, number := range []string{"T2019-99999", "T2010-00001", "T2018-77777"} {
		f := fields("on_application")
		f["recordation_number"] = number
		_, err = fx.svc.Send(fx.as("assistance.fz"), referral.SendInput{Kind: referral.KindCustoms, ReceiverOrgID: fx.org("fz-customs"),
			ApplicationID: app, Fields: raw(f)})
		wantField(t, err, "fields.recordation_number")
	}
	if fx.scalar("SELECT count(*) FROM referrals") != before {
		t.Error("a refused recordation number sent a referral")
	}

	// On application.
	r := fx.send("assistance.fz", referral.SendInput{Kind: referral.KindCustoms, ReceiverOrgID: fx.org("fz-customs"), ApplicationID: app,
		Fields: raw(fields("on_application"))})
	if len(fx.deadlines("referral", r.ID)) != 0 {
		t.Error("deadlines before the detention")
	}
	_, err = fx.svc.Accept(cust, r.ID, referral.AcceptInput{Version: r.Version})
	wantField(t, err, "fields.detained_at")
	detained := time.Date(2026, 3, 2, 10, 0, 0, 0, calendar.Beijing) // a Monday
	r = fx.ok(fx.svc.Accept(cust, r.ID, referral.AcceptInput{Version: r.Version, Fields: raw(map[string]any{"detained_at": detained})}))
	dls := fx.deadlines("referral", r.ID)
	want := workdaysEnd(t, cal, detained, 20)
	if d := dls["customs_court_notice"]; d.RuleID != "customs.application.court_notice" || !d.DueAt.Equal(want) {
		t.Errorf("court notice = %+v, want due %s", d, want)
	}
	r = fx.ok(fx.svc.Complete(cust, r.ID, referral.CompleteInput{Version: r.Version, Result: raw(map[string]any{"outcome": "court_notice",
		"findings": "已收到人民法院协助执行通知"})}))
	wantStatus := "met"
	if !fx.now().Before(want) {
		wantStatus = "missed" // reported after the period ran out
	}
	if got := fx.deadlines("referral", r.ID)["customs_court_notice"]; got.Status != wantStatus {
		t.Errorf("court notice deadline = %+v, want %s", got, wantStatus)
	}

	// Ex officio.
	r = fx.send("director.gulou", referral.SendInput{Kind: referral.KindCustoms, ReceiverOrgID: fx.org("fz-customs"),
		CaseID: ptr(fx.fileCase("gulou").ID), Fields: raw(fields("ex_officio"))})
	_, err = fx.svc.Accept(cust, r.ID, referral.AcceptInput{Version: r.Version, Fields: raw(map[string]any{"detained_at": detained})})
	wantField(t, err, "fields.notified_at")
	notified := detained.Add(-2 * time.Hour) // the notice precedes the detention
	r = fx.ok(fx.svc.Accept(cust, r.ID, referral.AcceptInput{Version: r.Version, Fields: raw(map[string]any{"detained_at": detained, "notified_at": notified})}))
	dls = fx.deadlines("referral", r.ID)
	for kind, n := range map[string]int{"customs_answer": 3, "customs_investigate": 30, "customs_release": 50} {
		from := detained
		if kind == "customs_answer" {
			from = notified
		}
		if d := dls[kind]; d.Status != "open" || !d.DueAt.Equal(workdaysEnd(t, cal, from, n)) {
			t.Errorf("%s = %+v, want %d working days", kind, d, n)
		}
	}
	if _, ok := dls["customs_court_notice"]; ok {
		t.Error("ex officio has no court notice deadline of its own")
	}
	r = fx.ok(fx.svc.Decline(cust, fx.send("director.gulou", referral.SendInput{Kind: referral.KindCustoms, ReceiverOrgID: fx.org("fz-customs"),
		CaseID: ptr(fx.fileCase("gulou").ID), Fields: raw(fields("on_application"))}).ID, referral.DeclineInput{Version: 1, Reason: "未办理知识产权海关保护备案"}))
	if r.Status != referral.StatusDeclined {
		t.Errorf("status = %s", r.Status)
	}
}

// workdaysEnd is 24:00 Beijing time of the n-th working day after from.
func workdaysEnd(t *testing.T, cal *calendar.Calendar, from time.Time, n int) time.Time {
	t.Helper()
	day := calendar.DateOf(from)
	for n > 0 {
		day = day.AddDays(1)
		info, err := cal.Day(day)
		if err != nil {
			t.Fatal(err)
		}
		if info.IsWorkday() {
			n--
		}
	}
	return day.End()
}

// TestAdministrativeAdjudication: patent infringement only; 5 working days
// to accept, 3 months to decide.
func TestAdministrativeAdjudication(t *testing.T) {
	fx := newFixture(t)
	tm := fx.fileCase("gulou", func(in *cases.IntakeInput) {
		in.DisputeType = domain.DisputeTrademark
		in.Rights = []cases.RightInput{{Kind: domain.RightTrademark, Number: "12345678"}}
	})
	_, err := fx.svc.Send(fx.as("clerk.gulou"), referral.SendInput{Kind: referral.KindAdministrative, ReceiverOrgID: fx.org("fz-amr"),
		CaseID: &tm.ID, Fields: raw(map[string]any{"request": "责令停止侵权"})})
	wantField(t, err, "case_id")
	c := fx.fileCase("gulou")
	r := fx.send("clerk.gulou", referral.SendInput{Kind: referral.KindAdministrative, ReceiverOrgID: fx.org("fz-amr"),
		CaseID: &c.ID, Fields: raw(map[string]any{"request": "责令停止侵权"})})
	if d := fx.deadlines("referral", r.ID)["adjudication_accept"]; d.Status != "open" || d.RuleID != "patent_adjudication.accept" {
		t.Fatalf("accept deadline = %+v", d)
	}
	amr := fx.as("enforcement.fz-amr")
	r = fx.ok(fx.svc.Accept(amr, r.ID, referral.AcceptInput{Version: r.Version}))
	dls := fx.deadlines("referral", r.ID)
	if dls["adjudication_accept"].Status != "met" || dls["adjudication_decide"].RuleID != "patent_adjudication.decide" {
		t.Fatalf("deadlines = %+v", dls)
	}
	if months := dls["adjudication_decide"].DueAt.Sub(*r.DecidedAt); months < 89*24*time.Hour || months > 96*24*time.Hour {
		t.Errorf("decide due in %s", months)
	}
	r = fx.ok(fx.svc.Complete(amr, r.ID, referral.CompleteInput{Version: r.Version, Result: raw(map[string]any{
		"decision_number": "榕知执裁〔2026〕2号", "infringement": "established", "findings": "被请求人产品落入专利保护范围"})}))
	if fx.deadlines("referral", r.ID)["adjudication_decide"].Status != "met" {
		t.Error("decide deadline open")
	}
	// Declined by another body.
	r = fx.send("clerk.gulou", referral.SendInput{Kind: referral.KindAdministrative, ReceiverOrgID: fx.org("fz-culture"),
		CaseID: &c.ID, Fields: raw(map[string]any{"request": "责令停止侵权"})})
	fx.ok(fx.svc.Decline(fx.as("enforcement.fz-culture"), r.ID, referral.DeclineInput{Version: r.Version, Reason: "非专利管理部门"}))
	if fx.deadlines("referral", r.ID)["adjudication_accept"].Status != "met" {
		t.Error("accept deadline not closed by the decline")
	}
}

// TestProduceTx: a worker's rights-assistance referral is written once per
// (rule, key), whatever the retries and concurrent workers.
func TestProduceTx(t *testing.T) {
	fx := newFixture(t)
	c := fx.fail("gulou", fx.mediate("gulou", fx.fileCase("gulou")))
	in := referral.Produce{ReceiverOrgID: fx.org("fz-assistance"), CaseID: &c.ID, Rule: "sme_mediation_failed", Key: "case:" + itoa(c.ID),
		Note: "中小企业调解不成"}
	_, _, err := fx.svc.ProduceTx(context.Background(), fx.app.DB, referral.Produce{ReceiverOrgID: fx.org("fz-amr"), Rule: "", Key: ""})
	wantField(t, err, "receiver_org_id")
	wantField(t, err, "rule")

	const workers = 8
	var wg sync.WaitGroup
	created := make(chan int64, workers)
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := fx.app.DB.Transaction(func(tx *gorm.DB) error {
				r, ok, err := fx.svc.ProduceTx(context.Background(), tx, in)
				if ok {
					created <- r.ID
				}
				return err
			})
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(created)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(created) != 1 {
		t.Fatalf("%d workers created it", len(created))
	}
	id := <-created
	if n := fx.scalar("SELECT count(*) FROM referrals WHERE kind = 'rights_assistance'"); n != 1 {
		t.Fatalf("%d referrals", n)
	}
	r, ok, err := fx.svc.ProduceTx(context.Background(), fx.app.DB, in)
	if err != nil || ok || r.ID != id || r.Rule != "sme_mediation_failed" || *r.SenderOrgID != fx.org("gulou") {
		t.Fatalf("rerun = %+v %v %v", r, ok, err)
	}
	if got := fx.notified("referral_sent", id); strings.Join(got, ",") != "assistance.fz" {
		t.Errorf("told %v", got)
	}
	if got := strings.Join(fx.auditActions(id), ","); got != "referral.produce" {
		t.Errorf("audit = %s", got)
	}
	ev := fx.caseEvents(c.ID)
	if ev[len(ev)-1] != "referral_sent" {
		t.Errorf("timeline = %v", ev)
	}
	// The centre works it.
	as := fx.as("assistance.fz")
	r = fx.ok(fx.svc.Accept(as, id, referral.AcceptInput{Version: r.Version}))
	r = fx.ok(fx.svc.Complete(as, id, referral.CompleteInput{Version: r.Version, Result: raw(map[string]any{"outcome": "assisted", "note": "已指派援助律师"})}))
	if r.Status != referral.StatusCompleted {
		t.Errorf("status = %s", r.Status)
	}
	// Without a case, the system sends it.
	sys, ok, err := fx.svc.ProduceTx(context.Background(), fx.app.DB, referral.Produce{ReceiverOrgID: fx.org("fz-assistance"),
		ApplicationID: ptr(int64(3)), Rule: "exhibition_complaint", Key: "complaint:3"})
	if err != nil || !ok || sys.SenderOrgID != nil {
		t.Fatalf("system referral = %+v %v %v", sys, ok, err)
	}
	list, _, err := fx.svc.List(as, referral.ListFilter{ApplicationID: 3})
	if err != nil || len(list) != 1 || list[0].ID != sys.ID {
		t.Errorf("by application = %v %v", list, err)
	}
}

// TestList_ScopeAndPages: inbox/outbox, filters and keyset pages.
func TestList_ScopeAndPages(t *testing.T) {
	fx := newFixture(t)
	for i := range 3 {
		d := dispute()
		fx.send("liaison.gulou-court", referral.SendInput{Kind: referral.KindCourtDelegation, ReceiverOrgID: fx.org("gulou"),
			Case: &d, Fields: raw(map[string]any{"pre_filing_number": "诉前调" + itoa(int64(i))})})
	}
	d := dispute()
	fx.send("liaison.gulou-court", referral.SendInput{Kind: referral.KindCourtDelegation, ReceiverOrgID: fx.org("cangshan"),
		Case: &d, Fields: raw(map[string]any{"pre_filing_number": "仓山"})})
	dir := fx.as("director.gulou")
	page1, next, err := fx.svc.List(dir, referral.ListFilter{Box: "inbox", Limit: 2})
	if err != nil || len(page1) != 2 || next == "" {
		t.Fatalf("page 1 = %d %q %v", len(page1), next, err)
	}
	page2, next, err := fx.svc.List(dir, referral.ListFilter{Box: "inbox", Limit: 2, Cursor: next})
	if err != nil || len(page2) != 1 || next != "" || page2[0].ID >= page1[1].ID {
		t.Fatalf("page 2 = %v %q %v", page2, next, err)
	}
	if out, _, _ := fx.svc.List(dir, referral.ListFilter{Box: "outbox"}); len(out) != 0 {
		t.Errorf("outbox = %d", len(out))
	}
	if all, _, _ := fx.svc.List(fx.as("liaison.gulou-court"), referral.ListFilter{Box: "outbox", Kind: referral.KindCourtDelegation}); len(all) != 4 {
		t.Errorf("court outbox = %d", len(all))
	}
	_, _, err = fx.svc.List(dir, referral.ListFilter{Box: "x", Kind: "y", Cursor: "!"})
	for _, f := range []string{"box", "kind", "cursor"} {
		wantField(t, err, f)
	}
	_, _, err = fx.svc.List(fx.as("mediator1.gulou"), referral.ListFilter{})
	wantCode(t, err, domain.EFORBIDDEN)
	in, err := fx.svc.Inbox(dir)
	if err != nil || len(in.New) != 3 || len(in.Sent) != 0 {
		t.Errorf("inbox = %+v %v", in, err)
	}
	in, _ = fx.svc.Inbox(fx.as("liaison.gulou-court"))
	if len(in.Sent) != 4 || len(in.New) != 0 {
		t.Errorf("court inbox = %+v", in)
	}
}
