package referral_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/referral"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// fixture is the whole app with the demo organisations and users.
type fixture struct {
	t   testing.TB
	app *app.App
	svc *referral.Service
	cs  *cases.Service

	mu     sync.Mutex
	actors map[string]*domain.Actor
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	a := apptest.New(t, apptest.WithDemo())
	return &fixture{t: t, app: a, svc: a.Referrals, cs: a.Cases, actors: map[string]*domain.Actor{}}
}

// now is the reading of the clock the app runs on: every time the test
// hands to the system, or compares the system's times with, comes from it.
func (fx *fixture) now() time.Time { return fx.app.Clock.Now() }

func (fx *fixture) as(username string) context.Context {
	fx.t.Helper()
	fx.mu.Lock()
	defer fx.mu.Unlock()
	a, ok := fx.actors[username]
	if !ok {
		var err error
		if a, err = fx.app.Identity.Actor(context.Background(), fx.user(username)); err != nil {
			fx.t.Fatalf("actor %s: %v", username, err)
		}
		fx.actors[username] = a
	}
	return domain.WithActor(context.Background(), a)
}

func (fx *fixture) user(username string) int64 {
	fx.t.Helper()
	return fx.scalar("SELECT id FROM users WHERE username = ?", username)
}

func (fx *fixture) org(code string) int64 {
	fx.t.Helper()
	return fx.scalar("SELECT id FROM orgs WHERE code = ?", code)
}

func (fx *fixture) scalar(sql string, args ...any) int64 {
	fx.t.Helper()
	var n int64
	if err := fx.app.DB.Raw(sql, args...).Scan(&n).Error; err != nil {
		fx.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func (fx *fixture) exec(sql string, args ...any) {
	fx.t.Helper()
	if err := fx.app.DB.Exec(sql, args...).Error; err != nil {
		fx.t.Fatalf("%s: %v", sql, err)
	}
}

// recordation puts a customs recordation of the enterprise org in the
// register, valid from from to until (Beijing days).
func (fx *fixture) recordation(number, org, from, until string) {
	fx.t.Helper()
	fx.exec(`INSERT INTO customs_recordations (holder_org_id, number, right_kind, right_name, valid_from, valid_until)
VALUES (?, ?, 'trademark', '“闽光”注册商标', ?, ?)`, fx.org(org), number, from, until)
}

func raw(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func ptr[T any](v T) *T { return &v }

const (
	sme1Credit   = "91350100MA34A1B2CU"
	respondentID = "11010519491231002X"
	infringerCC  = "91350102MA2YK7Q8DR"
)

// dispute is a valid case as a court sends it (no committee, no source).
func dispute() cases.IntakeInput {
	return cases.IntakeInput{
		DisputeType: domain.DisputePatent,
		Summary:     "被告未经许可制造、销售落入涉案发明专利保护范围的产品。",
		Claims:      "停止侵权，赔偿经济损失人民币五万元。", ClaimAmountFen: 5_000_000,
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: sme1Credit, IsSME: true,
				Phone: "13812345678"},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "陈某", IDNumber: respondentID, Phone: "13900002222",
				Address: "福建省福州市仓山区金山大道8号"},
		},
		Rights: []cases.RightInput{{Kind: domain.RightInvention, Number: "201710601862.3", Title: "一种数据同步方法"}},
	}
}

// fileCase files a direct case with committee as its clerk.
func (fx *fixture) fileCase(committee string, mutate ...func(*cases.IntakeInput)) domain.Case {
	fx.t.Helper()
	in := dispute()
	in.OrgID, in.Source = fx.org(committee), domain.SourceDirect
	in.Parties[1] = cases.PartyInput{Role: domain.PartyRespondent, Kind: domain.PartyOrganisation, Name: "福州榕城茶业有限公司",
		CreditCode: infringerCC}
	for _, m := range mutate {
		m(&in)
	}
	c, err := fx.cs.Submit(fx.as("clerk."+committee), in)
	if err != nil {
		fx.t.Fatalf("file case: %v", err)
	}
	return c
}

// mediate takes a submitted case to mediating with mediator1 declared.
func (fx *fixture) mediate(committee string, c domain.Case) domain.Case {
	fx.t.Helper()
	dir, med := fx.as("director."+committee), fx.as("mediator1."+committee)
	var err error
	if c, err = fx.cs.Accept(dir, c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: fx.now().Add(-time.Hour)}); err != nil {
		fx.t.Fatalf("accept case: %v", err)
	}
	if c, err = fx.cs.Assign(dir, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{fx.user("mediator1." + committee)}}); err != nil {
		fx.t.Fatalf("assign case: %v", err)
	}
	if c, err = fx.cs.Declare(med, c.ID, cases.DeclareInput{Version: c.Version, NoConflict: true, Statement: "无利害关系"}); err != nil {
		fx.t.Fatalf("declare: %v", err)
	}
	return c
}

// settle settles a mediating case and signs and seals the agreement, so
// that it takes effect.
func (fx *fixture) settle(committee string, c domain.Case) domain.Case {
	fx.t.Helper()
	med := fx.as("mediator1." + committee)
	var err error
	if c, err = fx.cs.Settle(med, c.ID, cases.AgreementInput{Version: c.Version, Facts: "事实", DisputedMatters: "争议",
		Responsibilities: "责任", Terms: "被申请人赔偿三万元", PerformanceMethod: "银行转账",
		PerformanceDue: fx.now().In(calendar.Beijing).AddDate(1, 0, 0).Format("2006-01-02")}); err != nil {
		fx.t.Fatalf("settle: %v", err)
	}
	var parties []int64
	if err := fx.app.DB.Raw("SELECT id FROM case_parties WHERE case_id = ? ORDER BY position", c.ID).Scan(&parties).Error; err != nil {
		fx.t.Fatal(err)
	}
	at := fx.now().Add(-time.Minute)
	for _, p := range parties {
		if c, err = fx.cs.Signoff(med, c.ID, cases.SignoffInput{Version: c.Version, SignerKind: "party", PartyID: p, Method: "handwritten", SignedAt: at}); err != nil {
			fx.t.Fatalf("party signoff: %v", err)
		}
	}
	if c, err = fx.cs.Signoff(med, c.ID, cases.SignoffInput{Version: c.Version, SignerKind: "mediator", UserID: fx.user("mediator1." + committee),
		Method: "handwritten", SignedAt: at}); err != nil {
		fx.t.Fatalf("mediator signoff: %v", err)
	}
	if c, err = fx.cs.Signoff(fx.as("clerk."+committee), c.ID, cases.SignoffInput{Version: c.Version, SignerKind: "seal", Method: "seal", SignedAt: at}); err != nil {
		fx.t.Fatalf("seal: %v", err)
	}
	return c
}

func (fx *fixture) fail(committee string, c domain.Case) domain.Case {
	fx.t.Helper()
	c, err := fx.cs.Fail(fx.as("mediator1."+committee), c.ID, cases.FailInput{Version: c.Version, Reason: "双方分歧过大",
		Route: domain.RouteLitigation})
	if err != nil {
		fx.t.Fatalf("fail: %v", err)
	}
	return c
}

func (fx *fixture) send(username string, in referral.SendInput) referral.Referral {
	fx.t.Helper()
	r, err := fx.svc.Send(fx.as(username), in)
	if err != nil {
		fx.t.Fatalf("send %s as %s: %v", in.Kind, username, err)
	}
	return r
}

func (fx *fixture) get(username string, id int64) referral.View {
	fx.t.Helper()
	v, err := fx.svc.Get(fx.as(username), id)
	if err != nil {
		fx.t.Fatalf("get referral %d as %s: %v", id, username, err)
	}
	return v
}

// ok fails the test on err.
func (fx *fixture) ok(r referral.Referral, err error) referral.Referral {
	fx.t.Helper()
	if err != nil {
		fx.t.Fatal(err)
	}
	return r
}

func wantCode(t testing.TB, err error, want string) *domain.Error {
	t.Helper()
	return testenv.WantCode(t, err, want)
}

func fieldNames(err error) []string { return domain.InvalidFields(err) }

func wantField(t testing.TB, err error, field string) {
	t.Helper()
	wantCode(t, err, domain.EINVALID)
	if !slices.Contains(fieldNames(err), field) {
		t.Fatalf("field errors %v do not name %s", fieldNames(err), field)
	}
}

// dl is one deadline of a referral as the tests check it.
type dl struct {
	Kind, RuleID, Status string
	DueAt                time.Time
	EventAt              *time.Time
}

func (fx *fixture) deadlines(subjectType string, id int64) map[string]dl {
	fx.t.Helper()
	var rows []dl
	if err := fx.app.DB.Raw("SELECT kind, rule_id, status, due_at, event_at FROM deadlines WHERE subject_type = ? AND subject_id = ? ORDER BY id",
		subjectType, id).Scan(&rows).Error; err != nil {
		fx.t.Fatal(err)
	}
	out := map[string]dl{}
	for _, r := range rows {
		out[r.Kind] = r
	}
	return out
}

func (fx *fixture) caseEvents(caseID int64) []string {
	fx.t.Helper()
	var out []string
	if err := fx.app.DB.Raw("SELECT action FROM case_events WHERE case_id = ? ORDER BY id", caseID).Scan(&out).Error; err != nil {
		fx.t.Fatal(err)
	}
	return out
}

func (fx *fixture) auditActions(id int64) []string {
	fx.t.Helper()
	var out []string
	if err := fx.app.DB.Raw("SELECT action FROM audit_log WHERE object_type = 'referral' AND object_id = ? ORDER BY id",
		itoa(id)).Scan(&out).Error; err != nil {
		fx.t.Fatal(err)
	}
	return out
}

// notified lists the usernames a referral message of kind went to.
func (fx *fixture) notified(kind string, referralID int64) []string {
	fx.t.Helper()
	var out []string
	if err := fx.app.DB.Raw(`SELECT u.username FROM outbox o JOIN users u ON u.id = (o.payload->>'user_id')::bigint
WHERE o.topic = 'notify:send' AND o.payload->>'kind' = ? AND o.payload->>'link' = ? ORDER BY u.username`,
		kind, "/referrals/"+itoa(referralID)).Scan(&out).Error; err != nil {
		fx.t.Fatal(err)
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func deadlineDefaults() (*calendar.Calendar, calendar.Rules, error) { return deadline.Defaults() }

// application files an assistance application as sme1 (the centre may
// refer it) and returns its id.
func (fx *fixture) application() *int64 {
	fx.t.Helper()
	app, err := fx.app.Assistance.Apply(fx.as("sme1"), assistance.ApplyInput{
		Rights:    []assistance.Right{{Kind: domain.RightTrademark, Number: "12345678", Title: "闽光"}},
		Narrative: "某网店销售假冒我司注册商标的茶叶。", RespondentName: "福州某贸易有限公司", PlaceKind: assistance.PlaceOnline,
		Place: "某电商平台店铺", HelpWanted: []assistance.Help{assistance.HelpMediation}, ContactName: "林晓峰", ContactPhone: "13800138000"})
	if err != nil {
		fx.t.Fatalf("apply: %v", err)
	}
	return &app.ID
}
