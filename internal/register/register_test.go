package register_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/register"
)

type fixture struct {
	t   *testing.T
	app *app.App
	svc *register.Service
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	a := apptest.New(t, apptest.WithDemo())
	return &fixture{t: t, app: a, svc: a.Register}
}

func (fx *fixture) as(username string) context.Context { return apptest.As(fx.t, fx.app, username) }

func (fx *fixture) scalar(q string, args ...any) int64 {
	return apptest.Scalar[int64](fx.t, fx.app, q, args...)
}

func (fx *fixture) org(code string) int64 {
	return fx.scalar("SELECT id FROM orgs WHERE code = ?", code)
}

func (fx *fixture) user(name string) int64 {
	return fx.scalar("SELECT id FROM users WHERE username = ?", name)
}

func (fx *fixture) exec(q string, args ...any) {
	fx.t.Helper()
	if err := fx.app.DB.Exec(q, args...).Error; err != nil {
		fx.t.Fatalf("%s: %v", q, err)
	}
}

// fileCase files a case at committee gulou as sme1 (ent-sme1 against a
// natural person) about a right of kind, and returns its id.
func (fx *fixture) fileCase(kind domain.RightKind) int64 {
	fx.t.Helper()
	in := cases.IntakeInput{
		OrgID: fx.org("gulou"), Source: domain.SourceDirect, DisputeType: domain.DisputePatent,
		Summary: "被申请人未经许可制造、销售落入涉案专利保护范围的产品。", Claims: "停止侵权。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司",
				CreditCode: "91350100MA34A1B2CU", Phone: "13812345678", IsSME: true},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "张小三", Phone: "13900002222"},
		},
		Rights: []cases.RightInput{{Kind: kind, Number: "201710601862.3", Title: "一种数据同步方法", Holder: "福州闽光软件科技有限公司"}},
	}
	if kind == domain.RightTrademark {
		in.DisputeType, in.Rights[0].Number = domain.DisputeTrademark, "12345678"
	}
	c, err := fx.app.Cases.Submit(fx.as("sme1"), in)
	if err != nil {
		fx.t.Fatalf("submit: %v", err)
	}
	return c.ID
}

// assign puts the case in status st with mediator username assigned
// (setup: the case workflow has its own tests).
func (fx *fixture) assign(caseID int64, username string, st domain.CaseStatus) {
	fx.exec("UPDATE cases SET status = ? WHERE id = ?", string(st), caseID)
	fx.exec("INSERT INTO case_mediators (case_id, user_id, declared_at) VALUES (?, ?, now()) ON CONFLICT DO NOTHING", caseID, fx.user(username))
}

func (fx *fixture) party(caseID int64, role domain.PartyRole) int64 {
	return fx.scalar("SELECT id FROM case_parties WHERE case_id = ? AND role = ?", caseID, string(role))
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

// TestRegister_EditAuthorizationAndValidation: the committee's director
// keeps its register; its clerk and mediators and the leadership office
// read it; another committee and an enterprise see nothing; bad input
// names its fields and writes nothing; a stale version is refused.
func TestRegister_EditAuthorizationAndValidation(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou, m1 := fx.org("gulou"), fx.user("mediator1.gulou")

	bad := register.ProfileInput{Specialties: []string{"patent", "astrology"}, CourtInvited: true, InvitedTo: "2026-01-01"}
	_, err := fx.svc.SaveProfile(fx.as("director.gulou"), gulou, m1, bad)
	if got := domain.InvalidFields(err); !slices.Equal(got, []string{"court_name", "invited_from", "specialties"}) {
		t.Fatalf("bad input: fields %v (%v)", got, err)
	}
	bad = register.ProfileInput{CourtInvited: true, CourtName: "鼓楼区人民法院", InvitedFrom: "2026-03-01", InvitedTo: "2026-01-01"}
	_, err = fx.svc.SaveProfile(fx.as("director.gulou"), gulou, m1, bad)
	if got := domain.InvalidFields(err); !slices.Equal(got, []string{"invited_to"}) {
		t.Fatalf("period: fields %v (%v)", got, err)
	}
	if n := fx.scalar("SELECT count(*) FROM mediator_profiles"); n != 0 {
		t.Fatalf("bad input wrote %d profiles", n)
	}

	good := register.ProfileInput{Specialties: []string{"patent", "copyright"}, TechnicalField: "通信与软件",
		Qualifications: []string{"patent_attorney"}, CourtInvited: true, CourtName: "鼓楼区人民法院", InvitedFrom: "2025-01-01",
		InvitedTo: "2027-12-31"}
	for _, who := range []string{"clerk.gulou", "mediator1.gulou", "leader"} {
		_, err := fx.svc.SaveProfile(fx.as(who), gulou, m1, good)
		wantCode(t, err, domain.EFORBIDDEN)
	}
	for _, who := range []string{"director.cangshan", "sme1", "assistance.fz"} {
		_, err := fx.svc.SaveProfile(fx.as(who), gulou, m1, good)
		wantCode(t, err, domain.ENOTFOUND)
		_, err = fx.svc.Register(fx.as(who), gulou)
		wantCode(t, err, domain.ENOTFOUND)
	}
	p, err := fx.svc.SaveProfile(fx.as("director.gulou"), gulou, m1, good)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Specialties, []string{"patent", "copyright"}) || p.CourtName != "鼓楼区人民法院" || p.Version != 1 {
		t.Fatalf("saved profile %+v", p)
	}
	_, err = fx.svc.SaveProfile(fx.as("director.gulou"), gulou, m1, good) // version 0 again: stale
	wantCode(t, err, domain.ECONFLICT)
	_, err = fx.svc.SaveProfile(fx.as("director.gulou"), gulou, fx.user("clerk.gulou"), good) // not a mediator
	wantCode(t, err, domain.ENOTFOUND)

	_, err = fx.svc.AddTraining(fx.as("director.gulou"), gulou, m1, register.TrainingInput{Hours: "-2"})
	if got := domain.InvalidFields(err); !slices.Equal(got, []string{"hours", "title", "trained_on"}) {
		t.Fatalf("training: fields %v (%v)", got, err)
	}
	if _, err := fx.svc.AddTraining(fx.as("director.gulou"), gulou, m1, register.TrainingInput{Title: "知识产权纠纷调解实务",
		Hours: "16", Certificate: "调解员培训合格证", CertificateNo: "FZ-2026-017", TrainedOn: "2026-05-20"}); err != nil {
		t.Fatal(err)
	}

	for _, who := range []string{"clerk.gulou", "mediator2.gulou", "leader", "director.gulou"} {
		reg, err := fx.svc.Register(fx.as(who), gulou)
		if err != nil {
			t.Fatalf("%s reads: %v", who, err)
		}
		if len(reg) != 2 {
			t.Fatalf("%s: %d mediators, want 2", who, len(reg))
		}
	}
	got, err := fx.svc.Profile(fx.as("mediator2.gulou"), gulou, m1)
	if err != nil || len(got.Trainings) != 1 || got.Trainings[0].Hours != 16 {
		t.Fatalf("profile %+v, %v", got, err)
	}
	if n := fx.scalar("SELECT count(*) FROM audit_log WHERE action IN ('register.profile', 'register.training')"); n != 2 {
		t.Fatalf("%d audit rows, want 2", n)
	}
}

// TestSuggest_RanksBySpecialtyThenWorkload: the mediator whose
// specialties the case's rights concern comes first; between equals, the
// one with fewer open cases.
func TestSuggest_RanksBySpecialtyThenWorkload(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou := fx.org("gulou")
	dir := fx.as("director.gulou")
	save := func(user string, spec ...string) {
		t.Helper()
		p, err := fx.svc.Profile(dir, gulou, fx.user(user))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fx.svc.SaveProfile(dir, gulou, fx.user(user), register.ProfileInput{Specialties: spec, Version: p.Version}); err != nil {
			t.Fatal(err)
		}
	}
	save("mediator1.gulou", "copyright")
	save("mediator2.gulou", "patent", "trademark")
	c := fx.fileCase(domain.RightInvention)
	order := func() []register.Suggestion {
		t.Helper()
		s, err := fx.svc.Suggest(fx.as("clerk.gulou"), c)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := order()
	if len(s) != 2 || s[0].UserID != fx.user("mediator2.gulou") || !slices.Equal(s[0].Matches, []string{"patent"}) || len(s[1].Matches) != 0 {
		t.Fatalf("by specialty: %+v", s)
	}

	// Both patent; mediator2 has an open case: mediator1 first.
	save("mediator1.gulou", "patent")
	busy := fx.fileCase(domain.RightTrademark)
	fx.assign(busy, "mediator2.gulou", domain.StatusMediating)
	s = order()
	if s[0].UserID != fx.user("mediator1.gulou") || s[0].OpenCases != 0 || s[1].OpenCases != 1 {
		t.Fatalf("by workload: %+v", s)
	}

	_, err := fx.svc.Suggest(fx.as("director.cangshan"), c)
	wantCode(t, err, domain.ENOTFOUND)
	_, err = fx.svc.Suggest(fx.as("sme1"), c)
	wantCode(t, err, domain.EFORBIDDEN)
}

// TestFeedback_OncePerPartyOfAnEndedCase: only a party rates, only once
// the case has ended, and only once; through an account or the access
// link; the results feed the register.
func TestFeedback_OncePerPartyOfAnEndedCase(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	c := fx.fileCase(domain.RightInvention)
	fx.assign(c, "mediator1.gulou", domain.StatusMediating)
	in := register.FeedbackInput{Service: 5, Fairness: 4, Timeliness: 3, Comment: "调解员耐心细致。"}

	_, err := fx.svc.SubmitFeedback(fx.as("sme1"), c, in)
	wantCode(t, err, domain.ECONFLICT) // not ended
	_, err = fx.svc.SubmitFeedback(fx.as("sme2"), c, in)
	wantCode(t, err, domain.ENOTFOUND) // not a party
	_, err = fx.svc.SubmitFeedback(fx.as("mediator1.gulou"), c, in)
	wantCode(t, err, domain.ENOTFOUND)

	fx.exec("UPDATE cases SET status = 'failed' WHERE id = ?", c)
	_, err = fx.svc.SubmitFeedback(fx.as("sme1"), c, register.FeedbackInput{Service: 9, Complaint: "态度差"})
	if got := domain.InvalidFields(err); !slices.Equal(got, []string{"fairness", "mediator_id", "service", "timeliness"}) {
		t.Fatalf("bad input: fields %v (%v)", got, err)
	}
	if _, err := fx.svc.SubmitFeedback(fx.as("sme1"), c, in); err != nil {
		t.Fatal(err)
	}
	_, err = fx.svc.SubmitFeedback(fx.as("sme1"), c, in)
	wantCode(t, err, domain.ECONFLICT) // once

	// The respondent, through its access link.
	resp := fx.party(c, domain.PartyRespondent)
	other := fx.fileCase(domain.RightInvention)
	wrong := domain.WithParty(context.Background(), &domain.PartyActor{AccessID: 7, CaseID: other, PartyID: resp, Name: "张小三"})
	_, err = fx.svc.SubmitFeedback(wrong, c, in)
	wantCode(t, err, domain.ENOTFOUND)
	mismatched := domain.WithParty(context.Background(), &domain.PartyActor{AccessID: 7, CaseID: other, PartyID: resp, Name: "张小三"})
	_, err = fx.svc.SubmitFeedback(mismatched, other, in) // its party id is not of that case
	wantCode(t, err, domain.ENOTFOUND)
	link := domain.WithParty(context.Background(), &domain.PartyActor{AccessID: 7, CaseID: c, PartyID: resp, Name: "张小三"})
	if _, err := fx.svc.SubmitFeedback(link, c, register.FeedbackInput{Service: 1, Fairness: 2, Timeliness: 1}); err != nil {
		t.Fatal(err)
	}
	_, err = fx.svc.SubmitFeedback(link, c, in)
	wantCode(t, err, domain.ECONFLICT)
	if n := fx.scalar(`SELECT count(*) FROM audit_log WHERE action = 'case.feedback' AND actor_id IS NULL AND actor_name = ?
AND detail->>'access_id' = '7' AND detail->>'case_id' = ?`, "party:"+itoa(resp), itoa(c)); n != 1 {
		t.Fatalf("%d party audit rows, want 1", n)
	}
	if n := fx.scalar("SELECT count(*) FROM case_events WHERE case_id = ? AND action = 'feedback'", c); n != 2 {
		t.Fatalf("%d timeline entries, want 2", n)
	}

	reg, err := fx.svc.Register(fx.as("director.gulou"), fx.org("gulou"))
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(reg, func(p register.Profile) bool { return p.UserID == fx.user("mediator1.gulou") })
	if p := reg[i]; p.FeedbackCount != 2 || p.AvgService != 3 || p.AvgFairness != 3 || p.AvgTimeliness != 2 || p.EndedCases != 1 ||
		p.SuccessRate() != 0 {
		t.Fatalf("register figures %+v", p)
	}
	byOrg, err := fx.svc.FeedbackByCommittee(fx.as("leader"))
	if err != nil {
		t.Fatal(err)
	}
	j := slices.IndexFunc(byOrg, func(f register.CommitteeFeedback) bool { return f.OrgID == fx.org("gulou") })
	if j < 0 || byOrg[j].Count != 2 || byOrg[j].AvgService != 3 {
		t.Fatalf("per committee %+v", byOrg)
	}
	if mine, err := fx.svc.FeedbackByCommittee(fx.as("director.cangshan")); err != nil || slices.ContainsFunc(mine,
		func(f register.CommitteeFeedback) bool { return f.OrgID == fx.org("gulou") }) {
		t.Fatalf("another committee sees gulou's figure: %+v %v", mine, err)
	}

	// The invitation: the users of the party enterprise, naming the case.
	if err := fx.svc.CaseOutcome(context.Background(), fx.app.DB, cases.Outcome{CaseID: c, Number: "X", Result: domain.StatusFailed}); err != nil {
		t.Fatal(err)
	}
	if n := apptest.Told(t, fx.app, "sme1", register.NoticeFeedbackInvite, register.FeedbackLink(c)); n != 1 {
		t.Fatalf("sme1 told %d times", n)
	}
	if n := apptest.Told(t, fx.app, "sme2", register.NoticeFeedbackInvite, register.FeedbackLink(c)); n != 0 {
		t.Fatalf("sme2 told %d times", n)
	}
}

// TestComplaint_DeadlineAndAnswer: a complaint opens the director's
// deadline and tells the director; only the director answers, once; the
// answer completes the deadline.
func TestComplaint_DeadlineAndAnswer(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	c := fx.fileCase(domain.RightInvention)
	fx.assign(c, "mediator1.gulou", domain.StatusMediating)
	m1 := fx.user("mediator1.gulou")

	_, err := fx.svc.FileComplaint(fx.as("sme1"), c, fx.user("mediator2.gulou"), "调解员偏向对方。")
	if got := domain.InvalidFields(err); !slices.Equal(got, []string{"mediator_id"}) {
		t.Fatalf("not the case's mediator: fields %v (%v)", got, err)
	}
	_, err = fx.svc.FileComplaint(fx.as("sme2"), c, m1, "调解员偏向对方。")
	wantCode(t, err, domain.ENOTFOUND)
	if n := fx.scalar("SELECT count(*) FROM mediator_complaints"); n != 0 {
		t.Fatalf("refused complaints wrote %d rows", n)
	}

	cp, err := fx.svc.FileComplaint(fx.as("sme1"), c, m1, "调解员偏向对方。")
	if err != nil {
		t.Fatal(err)
	}
	if cp.DueAt == nil || cp.Status != "open" {
		t.Fatalf("complaint %+v", cp)
	}
	if n := fx.scalar(`SELECT count(*) FROM deadlines WHERE subject_type = 'mediator_complaint' AND subject_id = ? AND status = 'open'
AND rule_id = ? AND kind = ?`, cp.ID, register.RuleComplaintAnswer, register.KindComplaintAnswer); n != 1 {
		t.Fatalf("%d open deadlines", n)
	}
	if n := apptest.Told(t, fx.app, "director.gulou", register.NoticeComplaint, register.ComplaintLink(cp.ID)); n != 1 {
		t.Fatalf("director told %d times", n)
	}

	_, err = fx.svc.AnswerComplaint(fx.as("clerk.gulou"), cp.ID, "已核实。")
	wantCode(t, err, domain.EFORBIDDEN)
	_, err = fx.svc.AnswerComplaint(fx.as("director.cangshan"), cp.ID, "已核实。")
	wantCode(t, err, domain.ENOTFOUND)
	_, err = fx.svc.AnswerComplaint(fx.as("director.gulou"), cp.ID, "  ")
	if got := domain.InvalidFields(err); !slices.Equal(got, []string{"answer"}) {
		t.Fatalf("empty answer: fields %v (%v)", got, err)
	}
	got, err := fx.svc.AnswerComplaint(fx.as("director.gulou"), cp.ID, "已约谈调解员，责令改正，并更换调解员。")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "answered" || got.AnsweredAt == nil {
		t.Fatalf("answered %+v", got)
	}
	if n := fx.scalar(`SELECT count(*) FROM deadlines WHERE subject_type = 'mediator_complaint' AND subject_id = ? AND status = 'met'`, cp.ID); n != 1 {
		t.Fatalf("deadline not met")
	}
	_, err = fx.svc.AnswerComplaint(fx.as("director.gulou"), cp.ID, "再次答复。")
	wantCode(t, err, domain.ECONFLICT)
	if n := fx.scalar(`SELECT count(*) FROM case_events WHERE case_id = ? AND action IN ('mediator_complaint', 'mediator_complaint_answered')`, c); n != 2 {
		t.Fatalf("%d timeline entries, want 2", n)
	}
	if n := fx.scalar(`SELECT count(*) FROM audit_log WHERE action IN ('mediator_complaint.file', 'mediator_complaint.answer')`); n != 2 {
		t.Fatalf("%d audit rows, want 2", n)
	}
	list, err := fx.svc.Complaints(fx.as("clerk.gulou"), fx.org("gulou"))
	if err != nil || len(list) != 1 {
		t.Fatalf("complaints %+v %v", list, err)
	}
}

// TestExperts_InviteWithConsent: the director adds an expert (phone
// encrypted, masked for the clerk); who works the case invites it with
// the parties' consent, once; removal ends it.
func TestExperts_InviteWithConsent(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou := fx.org("gulou")
	_, err := fx.svc.AddExpert(fx.as("clerk.gulou"), gulou, register.ExpertInput{Name: "陈工", Field: "通信"})
	wantCode(t, err, domain.EFORBIDDEN)
	_, err = fx.svc.AddExpert(fx.as("director.gulou"), gulou, register.ExpertInput{Phone: "123"})
	if got := domain.InvalidFields(err); !slices.Equal(got, []string{"field", "name", "phone"}) {
		t.Fatalf("fields %v (%v)", got, err)
	}
	e, err := fx.svc.AddExpert(fx.as("director.gulou"), gulou, register.ExpertInput{Name: "陈工", Field: "通信协议", Employer: "福州大学",
		Phone: "13812345678"})
	if err != nil {
		t.Fatal(err)
	}
	if n := fx.scalar("SELECT count(*) FROM technical_experts WHERE phone_enc LIKE '%13812345678%'"); n != 0 {
		t.Fatal("phone stored in the clear")
	}
	list, err := fx.svc.Experts(fx.as("clerk.gulou"), gulou)
	if err != nil || len(list) != 1 || list[0].Phone == "13812345678" {
		t.Fatalf("clerk's list %+v %v", list, err)
	}

	c := fx.fileCase(domain.RightInvention)
	fx.assign(c, "mediator1.gulou", domain.StatusMediating)
	err = fx.svc.InviteExpert(fx.as("mediator1.gulou"), c, e.ID, false)
	if got := domain.InvalidFields(err); !slices.Equal(got, []string{"consent"}) {
		t.Fatalf("no consent: %v", err)
	}
	wantCode(t, fx.svc.InviteExpert(fx.as("sme1"), c, e.ID, true), domain.EFORBIDDEN)
	if err := fx.svc.InviteExpert(fx.as("mediator1.gulou"), c, e.ID, true); err != nil {
		t.Fatal(err)
	}
	wantCode(t, fx.svc.InviteExpert(fx.as("clerk.gulou"), c, e.ID, true), domain.ECONFLICT)
	on, err := fx.svc.CaseExperts(fx.as("sme1"), c)
	if err != nil || len(on) != 1 || on[0].Name != "陈工" {
		t.Fatalf("case experts %+v %v", on, err)
	}
	if err := fx.svc.RemoveExpert(fx.as("clerk.gulou"), c, e.ID); err != nil {
		t.Fatal(err)
	}
	if n := fx.scalar("SELECT count(*) FROM case_events WHERE case_id = ? AND action IN ('expert_invited', 'expert_removed')", c); n != 2 {
		t.Fatalf("%d timeline entries, want 2", n)
	}
}

// TestFollowUps_ForThePartyOnly: a party acting through its link reads
// its case's follow-ups; without a party the method finds nothing.
func TestFollowUps_ForThePartyOnly(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	c := fx.fileCase(domain.RightInvention)
	_, err := fx.svc.FollowUps(fx.as("sme1"))
	wantCode(t, err, domain.ENOTFOUND)
	fx.exec(`INSERT INTO case_agreements (case_id, facts, disputed_matters, responsibilities, terms, performance_method, effective_at) VALUES (?, '事实', '争议', '责任', '停止侵权', '一次付清', now())`, c)
	fx.exec(`INSERT INTO case_performance (case_id, agreement_id, result, performed_on, recorded_at)
SELECT ?, id, 'performed', '2026-06-01', now() FROM case_agreements WHERE case_id = ?`, c, c)
	link := domain.WithParty(context.Background(), &domain.PartyActor{AccessID: 3, CaseID: c, PartyID: fx.party(c, domain.PartyRespondent)})
	got, err := fx.svc.FollowUps(link)
	if err != nil || len(got) != 1 || got[0].Result != "performed" {
		t.Fatalf("follow-ups %+v %v", got, err)
	}
	other := domain.WithParty(context.Background(), &domain.PartyActor{AccessID: 3, CaseID: c, PartyID: fx.party(fx.fileCase(domain.RightInvention), domain.PartyRespondent)})
	if got, err := fx.svc.FollowUps(other); err != nil || len(got) != 0 {
		t.Fatalf("another case's party reads %+v %v", got, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
