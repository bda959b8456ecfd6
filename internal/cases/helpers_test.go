package cases_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// fixture is the whole app with the demo data and a case service built
// over it (the app does not construct one yet).
type fixture struct {
	t testing.TB // whom the helpers report failures to
	*shared
}

type shared struct {
	app *app.App
	db  *gorm.DB
	svc *cases.Service

	mu     sync.Mutex
	actors map[string]*domain.Actor
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	a := apptest.New(t, apptest.WithDemo(), apptest.WithClock(caseClock))
	return &fixture{t: t, shared: &shared{app: a, db: a.DB, svc: a.CapabilitiesAt(caseClock.Now).Cases,
		actors: map[string]*domain.Actor{}}}
}

// with returns the fixture reporting to t, for use inside a subtest.
func (fx *fixture) with(t testing.TB) *fixture { return &fixture{t: t, shared: fx.shared} }

// as returns a context acting as the demo user username.
func (fx *fixture) as(username string) context.Context {
	fx.t.Helper()
	fx.mu.Lock()
	defer fx.mu.Unlock()
	a, ok := fx.actors[username]
	if !ok {
		var err error
		if a, err = fx.app.Identity.Actor(context.Background(), fx.userID(username)); err != nil {
			fx.t.Fatalf("actor %s: %v", username, err)
		}
		fx.actors[username] = a
	}
	return domain.WithActor(context.Background(), a)
}

func (fx *fixture) userID(username string) int64 {
	fx.t.Helper()
	var id int64
	if err := fx.db.Raw("SELECT id FROM users WHERE username = ?", username).Scan(&id).Error; err != nil || id == 0 {
		fx.t.Fatalf("user %s: %v", username, err)
	}
	return id
}

func (fx *fixture) org(code string) int64 {
	fx.t.Helper()
	var id int64
	if err := fx.db.Raw("SELECT id FROM orgs WHERE code = ?", code).Scan(&id).Error; err != nil || id == 0 {
		fx.t.Fatalf("org %s: %v", code, err)
	}
	return id
}

// exec runs SQL for a test's setup.
func (fx *fixture) exec(sql string, args ...any) {
	fx.t.Helper()
	if err := fx.db.Exec(sql, args...).Error; err != nil {
		fx.t.Fatalf("%s: %v", sql, err)
	}
}

func (fx *fixture) count(sql string, args ...any) int64 {
	fx.t.Helper()
	var n int64
	if err := fx.db.Raw(sql, args...).Scan(&n).Error; err != nil {
		fx.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// submit files in as username and fails the test on error.
func (fx *fixture) submit(username string, in cases.IntakeInput) domain.Case {
	fx.t.Helper()
	c, err := fx.svc.Submit(fx.as(username), in)
	if err != nil {
		fx.t.Fatalf("submit as %s: %v", username, err)
	}
	return c
}

// partyIDs returns the case's party ids in input order.
func (fx *fixture) partyIDs(caseID int64) []int64 {
	fx.t.Helper()
	var ids []int64
	if err := fx.db.Raw("SELECT id FROM case_parties WHERE case_id = ? ORDER BY position", caseID).Scan(&ids).Error; err != nil {
		fx.t.Fatal(err)
	}
	return ids
}

func (fx *fixture) version(caseID int64) int {
	fx.t.Helper()
	return int(fx.count("SELECT version FROM cases WHERE id = ?", caseID))
}

// residentID completes a 17-digit body with its GB 11643 check character.
func residentID(body string) string {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * w[i]
	}
	return body + string("10X98765432"[sum%11])
}

// creditCode completes a 17-character body with its GB 32100 check
// character.
func creditCode(body string) string {
	const cs = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	w := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(cs, body[i]) * w[i]
	}
	return body + string(cs[(31-sum%31)%31])
}

// sme1Credit is the demo enterprise ent-sme1's credit code.
const sme1Credit = "91350100MA34A1B2CU"

var (
	respondentID     = residentID("35010219900101123")
	respondentCredit = creditCode("91350102MA2Y00001")
)

// intake returns a valid case for committee orgID: an SME applicant
// (ent-sme1) against a natural person, about an invention patent.
func intake(orgID int64) cases.IntakeInput {
	return cases.IntakeInput{
		OrgID: orgID, Source: domain.SourceDirect, DisputeType: domain.DisputePatent,
		Summary:        "被申请人未经许可制造、销售落入涉案发明专利保护范围的产品。",
		Claims:         "停止侵权，赔偿经济损失人民币五万元。",
		ClaimAmountFen: 5_000_000,
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: sme1Credit,
				Phone: "13812345678", Address: "福建省福州市鼓楼区五四路1号", IsSME: true,
				AgentName: "郑律师", AgentPhone: "13700001111", AgentLicense: "13501201810000001"},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "张小三", IDNumber: respondentID,
				Phone: "13900002222", Address: "福建省福州市仓山区金山大道8号"},
		},
		Rights: []cases.RightInput{{Kind: domain.RightInvention, Number: "201710601862.3", Title: "一种数据同步方法",
			Holder: "福州闽光软件科技有限公司", ValidFrom: "2017-07-20", ValidTo: "2037-07-19"}},
	}
}

// code returns the domain error code of err.
func code(err error) string { return domain.ErrorCode(err) }

func wantCode(t testing.TB, err error, want string) *domain.Error {
	t.Helper()
	return testenv.WantCode(t, err, want)
}

// fieldNames lists the fields of an EINVALID error, sorted.
func fieldNames(err error) []string { return domain.InvalidFields(err) }

// fieldMessage returns the message id of field in an EINVALID error.
func fieldMessage(err error, field string) string {
	var de *domain.Error
	if errors.As(err, &de) {
		for _, f := range de.Fields {
			if f.Field == field {
				return f.Message
			}
		}
	}
	return ""
}

// eventActions lists a case's timeline actions in order.
func (fx *fixture) eventActions(caseID int64) []string {
	fx.t.Helper()
	var out []string
	if err := fx.db.Raw("SELECT action FROM case_events WHERE case_id = ? ORDER BY id", caseID).Scan(&out).Error; err != nil {
		fx.t.Fatal(err)
	}
	return out
}

// auditActions lists the audit actions recorded for a case, in order.
func (fx *fixture) auditActions(caseID int64) []string {
	fx.t.Helper()
	var out []string
	if err := fx.db.Raw("SELECT action FROM audit_log WHERE object_type = 'case' AND object_id = ? ORDER BY id",
		strconv.FormatInt(caseID, 10)).Scan(&out).Error; err != nil {
		fx.t.Fatal(err)
	}
	return out
}

// caseClock is the clock of every app and case service in these tests:
// it starts at testenv.Instant, whatever the date.
var caseClock = testenv.Clock()

var hourAgo = func() time.Time { return caseClock.Now().Add(-time.Hour) }
