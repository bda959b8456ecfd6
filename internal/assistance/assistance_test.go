package assistance_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type fixture struct {
	t     *testing.T
	app   *app.App
	svc   *assistance.Service
	clock *clock
}

var beijing = time.FixedZone("CST", 8*3600)

// newFixture starts the app with the demo data and builds an assistance
// service over it whose clock the test sets: Monday 2 March 2026, 10:00.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	a := apptest.New(t, apptest.WithDemo())
	c := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, beijing)}
	svc := a.CapabilitiesAt(c.Now).Assistance
	return &fixture{t: t, app: a, svc: svc, clock: c}
}

func (fx *fixture) as(username string) context.Context {
	fx.t.Helper()
	act, err := fx.app.Identity.Actor(context.Background(), fx.userID(username))
	if err != nil {
		fx.t.Fatalf("actor %s: %v", username, err)
	}
	return domain.WithActor(context.Background(), act)
}

func (fx *fixture) userID(username string) int64 {
	fx.t.Helper()
	var id int64
	if err := fx.app.DB.Raw("SELECT id FROM users WHERE username = ?", username).Scan(&id).Error; err != nil || id == 0 {
		fx.t.Fatalf("user %s: %v", username, err)
	}
	return id
}

func (fx *fixture) org(code string) int64 {
	fx.t.Helper()
	var id int64
	if err := fx.app.DB.Raw("SELECT id FROM orgs WHERE code = ?", code).Scan(&id).Error; err != nil || id == 0 {
		fx.t.Fatalf("org %s: %v", code, err)
	}
	return id
}

func (fx *fixture) count(sql string, args ...any) int64 {
	fx.t.Helper()
	var n int64
	if err := fx.app.DB.Raw(sql, args...).Scan(&n).Error; err != nil {
		fx.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// notices counts the messages of kind queued for username.
func (fx *fixture) notices(username, kind string) int64 {
	fx.t.Helper()
	return fx.count(`SELECT count(*) FROM outbox WHERE topic = 'notify:send' AND payload->>'kind' = ? AND (payload->>'user_id')::bigint = ?`,
		kind, fx.userID(username))
}

func goodApplication() assistance.ApplyInput {
	return assistance.ApplyInput{
		Rights:         []assistance.Right{{Kind: domain.RightTrademark, Number: "12345678", Title: "闽光"}},
		Narrative:      "在5·18海交会上发现某展商展出带有我司“闽光”注册商标的软件产品包装。",
		RespondentName: "福州某贸易有限公司", PlaceKind: assistance.PlaceExhibition, ExhibitionCode: "fair-518",
		Place: "3号馆 A-12 展位", HelpWanted: []assistance.Help{assistance.HelpMediation, assistance.HelpExhibitionResponse},
		ContactName: "林晓峰", ContactPhone: "13800138000",
	}
}

func (fx *fixture) apply(username string, in assistance.ApplyInput) assistance.Application {
	fx.t.Helper()
	app, err := fx.svc.Apply(fx.as(username), in)
	if err != nil {
		fx.t.Fatalf("apply as %s: %v", username, err)
	}
	return app
}

func code(err error) string { return domain.ErrorCode(err) }

func fields(err error) []string { return domain.InvalidFields(err) }

func TestService_ApplyValidation(t *testing.T) {
	fx := newFixture(t)
	tests := []struct {
		desc  string
		edit  func(*assistance.ApplyInput)
		field string
	}{
		{"no rights", func(in *assistance.ApplyInput) { in.Rights = nil }, "rights"},
		{"bad patent number", func(in *assistance.ApplyInput) {
			in.Rights = []assistance.Right{{Kind: domain.RightInvention, Number: "201710601862.4"}}
		}, "rights[0].number"},
		{"unknown right kind", func(in *assistance.ApplyInput) { in.Rights[0].Kind = "recipe" }, "rights[0].kind"},
		{"no narrative", func(in *assistance.ApplyInput) { in.Narrative = "  " }, "narrative"},
		{"no place kind", func(in *assistance.ApplyInput) { in.PlaceKind = "" }, "place_kind"},
		{"abroad without country", func(in *assistance.ApplyInput) {
			in.PlaceKind, in.ExhibitionCode = assistance.PlaceAbroad, ""
		}, "country"},
		{"exhibition without its name", func(in *assistance.ApplyInput) { in.ExhibitionCode = "" }, "exhibition_code"},
		{"unknown exhibition", func(in *assistance.ApplyInput) { in.ExhibitionCode = "canton-fair" }, "exhibition_code"},
		{"exhibition named elsewhere", func(in *assistance.ApplyInput) { in.PlaceKind = assistance.PlaceOnline }, "exhibition_code"},
		{"no help wanted", func(in *assistance.ApplyInput) { in.HelpWanted = nil }, "help_wanted"},
		{"help not on the list", func(in *assistance.ApplyInput) { in.HelpWanted = []assistance.Help{"money"} }, "help_wanted"},
		{"bad phone", func(in *assistance.ApplyInput) { in.ContactPhone = "12345" }, "contact_phone"},
		{"bad respondent code", func(in *assistance.ApplyInput) { in.RespondentCreditCode = "91350100MA34A1B2CX" }, "respondent_credit_code"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			in := goodApplication()
			tc.edit(&in)
			_, err := fx.svc.Apply(fx.as("sme1"), in)
			if code(err) != domain.EINVALID || !slices.Contains(fields(err), tc.field) {
				t.Fatalf("want EINVALID naming %s, got %v (%v)", tc.field, err, fields(err))
			}
		})
	}
	if n := fx.count("SELECT count(*) FROM assistance_applications"); n != 0 {
		t.Fatalf("bad input wrote %d applications", n)
	}
	if _, err := fx.svc.Apply(fx.as("director.gulou"), goodApplication()); code(err) != domain.EFORBIDDEN {
		t.Fatalf("a director applying: %v", err)
	}
	if _, err := fx.svc.Apply(fx.as("sme1"), assistance.ApplyInput{ApplicantOrgID: fx.org("ent-sme2")}); code(err) != domain.ENOTFOUND {
		t.Fatalf("applying for another enterprise: %v", err)
	}
}

func TestService_ApplicationFlowToCase(t *testing.T) {
	fx := newFixture(t)
	sme, officer := fx.as("sme1"), fx.as("assistance.fz")

	app := fx.apply("sme1", goodApplication())
	if app.Status != assistance.StatusSubmitted || app.Version != 1 || !strings.HasSuffix(app.Number, "字第0001号") ||
		app.ApplicantOrgID != fx.org("ent-sme1") || app.ContactPhone != "13800138000" {
		t.Fatalf("applied: %+v", app)
	}
	if fx.notices("sme1", assistance.NoticeSubmitted) != 1 || fx.notices("assistance.fz", assistance.NoticeNew) != 1 {
		t.Fatal("the SME and the centre must be told of a new application")
	}
	var stored string
	if err := fx.app.DB.Raw("SELECT contact_phone_enc FROM assistance_applications WHERE id = ?", app.ID).Scan(&stored).Error; err != nil ||
		strings.Contains(stored, "13800138000") {
		t.Fatalf("the contact phone must be stored encrypted: %q %v", stored, err)
	}

	// Scope: the centre and the SME see it, another SME and a committee do not.
	items, _, err := fx.svc.List(officer, assistance.ListFilter{})
	if err != nil || len(items) != 1 || items[0].ID != app.ID {
		t.Fatalf("officer's queue: %+v %v", items, err)
	}
	if _, err := fx.svc.Get(fx.as("sme2"), app.ID); code(err) != domain.ENOTFOUND {
		t.Fatalf("another SME reading: %v", err)
	}
	if items, _, err := fx.svc.List(fx.as("sme2"), assistance.ListFilter{}); err != nil || len(items) != 0 {
		t.Fatalf("another SME's list: %+v %v", items, err)
	}
	if _, _, err := fx.svc.List(fx.as("director.gulou"), assistance.ListFilter{}); code(err) != domain.EFORBIDDEN {
		t.Fatalf("a director's list: %v", err)
	}
	v, err := fx.svc.Get(sme, app.ID)
	if err != nil || !v.Applicant || v.Officer || len(v.Allowed) != 1 || v.Allowed[0] != assistance.ActionUpload {
		t.Fatalf("the SME's view: %+v %v", v.Allowed, err)
	}

	// Illegal steps and permissions.
	if _, err := fx.svc.Answer(sme, app.ID, assistance.AnswerInput{Version: 1, Answer: "x"}); code(err) != domain.ECONFLICT {
		t.Fatalf("answering with no request: %v", err)
	}
	if _, err := fx.svc.Approve(sme, app.ID, assistance.ApproveInput{Version: 1, Help: []assistance.Help{assistance.HelpMediation}}); code(err) != domain.EFORBIDDEN {
		t.Fatalf("the SME approving: %v", err)
	}
	if _, err := fx.svc.RequestMaterials(officer, app.ID, assistance.RequestMaterialsInput{Version: 1}); code(err) != domain.EINVALID ||
		!slices.Contains(fields(err), "message") {
		t.Fatalf("a request without a message: %v", err)
	}
	if _, err := fx.svc.RequestMaterials(officer, app.ID, assistance.RequestMaterialsInput{Message: "x"}); code(err) != domain.EINVALID ||
		!slices.Contains(fields(err), "version") {
		t.Fatalf("a request without a version: %v", err)
	}
	if _, err := fx.svc.RequestMaterials(officer, app.ID, assistance.RequestMaterialsInput{Version: 7, Message: "x"}); code(err) != domain.ECONFLICT {
		t.Fatalf("a stale version: %v", err)
	}

	// Materials: 10 working days from Monday 2 March: Monday 16 March, 24:00.
	app, err = fx.svc.RequestMaterials(officer, app.ID, assistance.RequestMaterialsInput{Version: 1, Message: "请补充商标注册证复印件。"})
	if err != nil {
		t.Fatal(err)
	}
	wantDue := time.Date(2026, 3, 17, 0, 0, 0, 0, beijing)
	if app.Status != assistance.StatusMaterialsRequested || app.SupplementDueAt == nil || !app.SupplementDueAt.Equal(wantDue) {
		t.Fatalf("after the request: %s due %v, want %v", app.Status, app.SupplementDueAt, wantDue)
	}
	if n := fx.count(`SELECT count(*) FROM deadlines WHERE subject_type = 'application' AND subject_id = ? AND kind = 'supplement'
AND rule_id = 'assistance.supplement' AND status = 'open' AND responsible_user_id = ?`, app.ID, fx.userID("sme1")); n != 1 {
		t.Fatalf("open supplement deadlines: %d", n)
	}
	if fx.notices("sme1", assistance.NoticeMaterialsRequested) != 1 {
		t.Fatal("the SME must be told of the request")
	}
	if _, err := fx.svc.Answer(sme, app.ID, assistance.AnswerInput{Version: app.Version}); !slices.Contains(fields(err), "answer") {
		t.Fatalf("an empty answer: %v", err)
	}
	if _, err := fx.svc.Answer(officer, app.ID, assistance.AnswerInput{Version: app.Version, Answer: "x"}); code(err) != domain.EFORBIDDEN {
		t.Fatalf("the officer answering: %v", err)
	}
	fx.clock.Set(time.Date(2026, 3, 5, 9, 0, 0, 0, beijing))
	app, err = fx.svc.Answer(sme, app.ID, assistance.AnswerInput{Version: app.Version, Answer: "已上传商标注册证。"})
	if err != nil || app.Status != assistance.StatusUnderReview || app.SupplementDueAt != nil {
		t.Fatalf("after the answer: %+v %v", app, err)
	}
	if n := fx.count(`SELECT count(*) FROM deadlines WHERE subject_type = 'application' AND subject_id = ? AND status = 'met'`, app.ID); n != 1 {
		t.Fatalf("the supplement deadline must be met: %d", n)
	}

	// Approve with a plan; the responsible officer must belong to the centre.
	if _, err := fx.svc.Approve(officer, app.ID, assistance.ApproveInput{Version: app.Version, Help: []assistance.Help{assistance.HelpMediation},
		ResponsibleUserID: fx.userID("director.gulou")}); !slices.Contains(fields(err), "responsible_user_id") {
		t.Fatalf("a responsible officer from elsewhere: %v", err)
	}
	if _, err := fx.svc.Approve(officer, app.ID, assistance.ApproveInput{Version: app.Version}); !slices.Contains(fields(err), "plan_help") {
		t.Fatalf("a plan without help: %v", err)
	}
	app, err = fx.svc.Approve(officer, app.ID, assistance.ApproveInput{Version: app.Version,
		Help: []assistance.Help{assistance.HelpMediation, assistance.HelpExhibitionResponse}, Note: "由鼓楼区调委会调解。"})
	if err != nil || app.Status != assistance.StatusApproved || app.ResponsibleUserID == nil || *app.ResponsibleUserID != fx.userID("assistance.fz") {
		t.Fatalf("after approval: %+v %v", app, err)
	}
	if fx.notices("sme1", assistance.NoticeApproved) != 1 {
		t.Fatal("the SME must be told of the approval")
	}

	// Open the case at gulou: the committee and the SME see it.
	opened, err := fx.svc.OpenCase(officer, app.ID, assistance.OpenCaseInput{Version: app.Version, OrgID: 0})
	if !slices.Contains(fields(err), "org_id") {
		t.Fatalf("no committee: %v", err)
	}
	opened, err = fx.svc.OpenCase(officer, app.ID, assistance.OpenCaseInput{Version: app.Version, OrgID: fx.org("gulou")})
	if err != nil {
		t.Fatal(err)
	}
	c := opened.Case
	if c.Source != domain.SourceAssistance || c.OrgID != fx.org("gulou") || c.DisputeType != domain.DisputeTrademark ||
		c.ApplicantOrgID == nil || *c.ApplicantOrgID != fx.org("ent-sme1") || c.ExternalRef != app.Number {
		t.Fatalf("opened case: %+v", c)
	}
	for _, u := range []string{"director.gulou", "sme1", "assistance.fz"} {
		if _, err := fx.app.Cases.Get(fx.as(u), c.ID); err != nil {
			t.Errorf("%s cannot see the case: %v", u, err)
		}
	}
	if _, err := fx.app.Cases.Get(fx.as("director.cangshan"), c.ID); code(err) != domain.ENOTFOUND {
		t.Errorf("another committee sees the case: %v", err)
	}
	v, err = fx.svc.Get(sme, app.ID)
	// A case not yet accepted has only its registration number.
	number := c.Number
	if number == "" {
		number = c.RegistrationNumber
	}
	if err != nil || len(v.Links) != 1 || number == "" || v.Links[0].CaseNumber != number || slices.Contains(v.Allowed, assistance.ActionOpenCase) {
		t.Fatalf("the SME's view after the case: %+v %v", v.Links, err)
	}
	if fx.notices("sme1", assistance.NoticeCaseOpened) != 1 {
		t.Fatal("the SME must be told of the case")
	}
	if _, err := fx.svc.OpenCase(officer, app.ID, assistance.OpenCaseInput{Version: opened.Application.Version, OrgID: fx.org("gulou")}); code(err) != domain.ECONFLICT {
		t.Fatalf("a second case: %v", err)
	}
	var actions []string
	if err := fx.app.DB.Raw(`SELECT action FROM audit_log WHERE object_type = 'assistance_application' AND object_id = ? ORDER BY id`,
		fmt.Sprint(app.ID)).Scan(&actions).Error; err != nil {
		t.Fatal(err)
	}
	want := []string{"assistance.apply", "assistance.request_materials", "assistance.answer", "assistance.approve", "assistance.open_case"}
	if !slices.Equal(actions, want) {
		t.Fatalf("audit: %v, want %v", actions, want)
	}
	v, err = fx.svc.Get(officer, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	var timeline []string
	for _, e := range v.Events {
		timeline = append(timeline, e.Action+":"+string(e.ToStatus))
		if e.At.IsZero() || e.ActorName == "" {
			t.Errorf("timeline entry without time or actor: %+v", e)
		}
	}
	wantTimeline := []string{"apply:submitted", "request_materials:materials_requested", "answer:under_review", "approve:approved", "open_case:approved"}
	if !slices.Equal(timeline, wantTimeline) {
		t.Fatalf("timeline: %v, want %v", timeline, wantTimeline)
	}
}

func TestService_Reject(t *testing.T) {
	fx := newFixture(t)
	officer := fx.as("assistance.fz")
	app := fx.apply("sme1", goodApplication())
	app, err := fx.svc.RequestMaterials(officer, app.ID, assistance.RequestMaterialsInput{Version: app.Version, Message: "请补充证据。"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.Reject(officer, app.ID, assistance.RejectInput{Version: app.Version}); !slices.Contains(fields(err), "reason") {
		t.Fatalf("a rejection without reason: %v", err)
	}
	app, err = fx.svc.Reject(officer, app.ID, assistance.RejectInput{Version: app.Version, Reason: "不属于援助范围。"})
	if err != nil || app.Status != assistance.StatusRejected || app.RejectReason != "不属于援助范围。" {
		t.Fatalf("rejected: %+v %v", app, err)
	}
	if n := fx.count(`SELECT count(*) FROM deadlines WHERE subject_type = 'application' AND subject_id = ? AND status = 'cancelled'`, app.ID); n != 1 {
		t.Fatalf("the supplement deadline must be cancelled: %d", n)
	}
	if fx.notices("sme1", assistance.NoticeRejected) != 1 {
		t.Fatal("the SME must be told of the rejection")
	}
	_, err = fx.svc.Approve(officer, app.ID, assistance.ApproveInput{Version: app.Version, Help: []assistance.Help{assistance.HelpConsultation}})
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.ECONFLICT || len(de.Allowed) != 0 {
		t.Fatalf("approving a rejected application: %v", err)
	}
}

// TestService_Lapse: an application waiting for materials lapses when the
// supplement deadline passes, not a moment before, once, with a notice.
func TestService_Lapse(t *testing.T) {
	fx := newFixture(t)
	officer := fx.as("assistance.fz")
	app := fx.apply("sme1", goodApplication())
	other := fx.apply("sme1", goodApplication())
	app, err := fx.svc.RequestMaterials(officer, app.ID, assistance.RequestMaterialsInput{Version: app.Version, Message: "请补充证据。"})
	if err != nil {
		t.Fatal(err)
	}
	due := *app.SupplementDueAt

	fx.clock.Set(due.Add(-time.Second))
	if n, err := fx.svc.LapseOverdue(context.Background()); err != nil || n != 0 {
		t.Fatalf("before the due time: %d lapsed, %v", n, err)
	}
	fx.clock.Set(due)
	// At the due time the answer comes too late.
	if _, err := fx.svc.Answer(fx.as("sme1"), app.ID, assistance.AnswerInput{Version: app.Version, Answer: "迟到的材料"}); code(err) != domain.ECONFLICT {
		t.Fatalf("a late answer: %v", err)
	}
	if n, err := fx.svc.LapseOverdue(context.Background()); err != nil || n != 1 {
		t.Fatalf("at the due time: %d lapsed, %v", n, err)
	}
	if n, err := fx.svc.LapseOverdue(context.Background()); err != nil || n != 0 {
		t.Fatalf("a second sweep: %d lapsed, %v", n, err)
	}
	v, err := fx.svc.Get(fx.as("sme1"), app.ID)
	if err != nil || v.Status != assistance.StatusLapsed || len(v.Requests) != 1 || v.Requests[0].Status != "lapsed" || len(v.Allowed) != 0 {
		t.Fatalf("after the lapse: %+v %v", v.Application, err)
	}
	if n := fx.count(`SELECT count(*) FROM deadlines WHERE subject_type = 'application' AND subject_id = ? AND status = 'missed'`, app.ID); n != 1 {
		t.Fatalf("the supplement deadline must be missed: %d", n)
	}
	if fx.notices("sme1", assistance.NoticeLapsed) != 1 {
		t.Fatal("the SME must be told of the lapse")
	}
	if n := fx.count(`SELECT count(*) FROM audit_log WHERE action = 'assistance.lapse' AND object_id = ?`, fmt.Sprint(app.ID)); n != 1 {
		t.Fatalf("lapse audit rows: %d", n)
	}
	if o, err := fx.svc.Get(officer, other.ID); err != nil || o.Status != assistance.StatusSubmitted {
		t.Fatalf("an application not waiting for materials must not lapse: %+v %v", o.Application, err)
	}
}

// TestService_LapseConcurrent: sweepers running at once lapse each
// application once.
func TestService_LapseConcurrent(t *testing.T) {
	fx := newFixture(t)
	officer := fx.as("assistance.fz")
	for range 5 {
		app := fx.apply("sme1", goodApplication())
		if _, err := fx.svc.RequestMaterials(officer, app.ID, assistance.RequestMaterialsInput{Version: app.Version, Message: "补正"}); err != nil {
			t.Fatal(err)
		}
	}
	fx.clock.Set(time.Date(2026, 4, 1, 0, 0, 0, 0, beijing))
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := fx.svc.LapseOverdue(context.Background())
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	if total != 5 || fx.count(`SELECT count(*) FROM assistance_events WHERE action = 'lapse'`) != 5 {
		t.Fatalf("lapsed %d (events %d), want 5", total, fx.count(`SELECT count(*) FROM assistance_events WHERE action = 'lapse'`))
	}
}

func TestService_ExhibitionComplaint(t *testing.T) {
	fx := newFixture(t)
	in := assistance.ComplaintInput{ExhibitionCode: "fair-618", Booth: "5号馆 B-08", OrgID: fx.org("gulou"),
		Summary: "展商在6·18项目成果交易会上展示仿冒我司外观设计专利的茶具。", RespondentName: "厦门某茶具有限公司",
		Rights: []assistance.Right{{Kind: domain.RightDesign, Number: "201730123456.X"}}}
	in.Rights[0].Number = validDesignNumber(t)

	if _, err := fx.svc.LodgeComplaint(fx.as("director.gulou"), in); code(err) != domain.EFORBIDDEN {
		t.Fatalf("a director lodging: %v", err)
	}
	bad := in
	bad.ExhibitionCode = "canton-fair"
	if _, err := fx.svc.LodgeComplaint(fx.as("sme1"), bad); !slices.Contains(fields(err), "exhibition_code") {
		t.Fatalf("an unknown exhibition: %v", err)
	}
	bad = in
	bad.RespondentName = ""
	if _, err := fx.svc.LodgeComplaint(fx.as("sme1"), bad); !slices.Contains(fields(err), "respondent_name") {
		t.Fatalf("no respondent: %v", err)
	}
	if n := fx.count("SELECT count(*) FROM cases"); n != 0 {
		t.Fatalf("bad complaints filed %d cases", n)
	}

	got, err := fx.svc.LodgeComplaint(fx.as("sme1"), in)
	if err != nil {
		t.Fatal(err)
	}
	now := fx.clock.Now()
	if got.Case.Source != domain.SourceExhibition || !got.FirstResponseAt.Equal(now.Add(24*time.Hour)) ||
		got.Case.ApplicantOrgID == nil || *got.Case.ApplicantOrgID != fx.org("ent-sme1") || !strings.Contains(got.Case.ExternalRef, "6·18") {
		t.Fatalf("complaint: %+v", got)
	}
	if n := fx.count(`SELECT count(*) FROM deadlines WHERE case_id = ? AND kind = 'first_response' AND rule_id = 'exhibition.first_response'
AND status = 'open' AND due_at = ?`, got.Case.ID, now.Add(24*time.Hour)); n != 1 {
		t.Fatalf("first-response deadlines: %d", n)
	}
	if n := fx.count(`SELECT count(*) FROM exhibition_complaints WHERE case_id = ? AND exhibition_code = 'fair-618'`, got.Case.ID); n != 1 {
		t.Fatalf("complaint rows: %d", n)
	}
	if fx.notices("sme1", assistance.NoticeExhibitionFiled) != 1 || fx.notices("director.gulou", assistance.NoticeExhibitionFiled) != 1 {
		t.Fatal("the complainant and the committee must be told")
	}

	// An officer at the fair's station lodges for a complainant it names.
	in.ComplainantName = ""
	if _, err := fx.svc.LodgeComplaint(fx.as("assistance.fz"), in); !slices.Contains(fields(err), "complainant_name") {
		t.Fatalf("an officer without a complainant: %v", err)
	}
	in.ComplainantName, in.ComplainantCreditCode = "福州榕城茶业有限公司", "91350102MA2YK7Q8DR"
	got, err = fx.svc.LodgeComplaint(fx.as("assistance.fz"), in)
	if err != nil || got.Case.Source != domain.SourceExhibition {
		t.Fatalf("officer's complaint: %+v %v", got, err)
	}
	exh, err := fx.svc.Exhibitions(context.Background())
	if err != nil || len(exh) < 2 || exh[0].Code != "fair-518" || exh[1].Code != "fair-618" {
		t.Fatalf("exhibitions: %+v %v", exh, err)
	}
}

// validDesignNumber returns a design patent application number with a
// correct check character.
func validDesignNumber(t *testing.T) string {
	t.Helper()
	for _, c := range "0123456789X" {
		n := "201730123456." + string(c)
		if domain.ValidPatentApplicationNumber(domain.NormalizePatentNumber(n)) {
			return n
		}
	}
	t.Fatal("no valid check character")
	return ""
}

// TestDemoApplications: the demo seed gives sme1 applications in each
// stage the portal shows, and seeding again adds none.
func TestDemoApplications(t *testing.T) {
	a := apptest.New(t, apptest.WithDemoCases())
	var got []string
	if err := a.DB.Raw(`SELECT a.status FROM assistance_applications a JOIN orgs o ON o.id = a.applicant_org_id
WHERE o.code = 'ent-sme1' ORDER BY a.id`).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"submitted", "materials_requested", "approved"}) {
		t.Fatalf("demo applications: %v", got)
	}
	if _, err := a.SeedWithCases(context.Background()); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := a.DB.Raw(`SELECT count(*) FROM assistance_applications`).Scan(&n).Error; err != nil || n != 3 {
		t.Fatalf("after seeding again: %d applications (%v)", n, err)
	}
}
