package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/register"
)

func init() { moreRows = append(moreRows, registerRows) }

// mxComplaint holds the complaints of the authorization matrix: one
// about a mediator of gulou (own for its staff), one of cangshan.
type mxComplaint struct{ own, foreign int64 }

var mxComplaintObjects mxObjects[*mxComplaint]

func mxComplaints(e *mxEnv) *mxComplaint {
	return mxComplaintObjects.get(e, func() *mxComplaint {
		act, err := e.a.Identity.Actor(context.Background(), e.users["sme1"])
		if err != nil {
			e.t.Fatal(err)
		}
		ctx := domain.WithActor(context.Background(), act)
		file := func(org, mediator string) int64 {
			cs, err := e.a.Cases.Submit(ctx, cases.IntakeInput{OrgID: e.orgs[org], Source: domain.SourceDirect,
				DisputeType: domain.DisputeTrademark, Summary: "被申请人在同类商品上使用近似商标。",
				Parties: []cases.PartyInput{
					{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: "91350100MA34A1B2CU", IsSME: true},
					{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "张小三"}},
				Rights: []cases.RightInput{{Kind: domain.RightTrademark, Number: "12345678", Title: "闽光", Holder: "福州闽光软件科技有限公司"}}})
			if err != nil {
				e.t.Fatal(err)
			}
			var m int64
			if err := e.a.DB.Raw("SELECT id FROM users WHERE username = ?", mediator).Scan(&m).Error; err != nil {
				e.t.Fatal(err)
			}
			if err := e.a.DB.Exec("INSERT INTO case_mediators (case_id, user_id) VALUES (?, ?)", cs.ID, m).Error; err != nil {
				e.t.Fatal(err)
			}
			cp, err := e.a.Register.FileComplaint(ctx, cs.ID, m, "调解员多次迟到。")
			if err != nil {
				e.t.Fatal(err)
			}
			return cp.ID
		}
		return &mxComplaint{own: file("gulou", "mediator1.gulou"), foreign: file("cangshan", "mediator1.cangshan")}
	})
}

// cpRow is a row of a complaint route.
func cpRow(route, method, suffix string, own, foreign map[string]int) mxRow {
	return mxRow{route: route, objects: true, req: func(e *mxEnv, _ mxActor, isOwn bool) mxReq {
		id := mxComplaints(e).foreign
		if isOwn {
			id = mxComplaints(e).own
		}
		r := mxReq{method: method, path: fmt.Sprintf("/mediators/complaints/%d%s", id, suffix)}
		if method == "POST" {
			r.form = url.Values{"answer": {""}}
		}
		return r
	}, own: own, foreign: foreign}
}

// registerRows: a committee's director, clerk and mediators and the
// leadership office read a register; nobody else (403).
func registerRows() []mxRow {
	return []mxRow{
		{route: "GET /mediators", req: func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: "/mediators"} },
			own: map[string]int{"anon": 303, "leader": 200, "director": 200, "clerk": 200, "mediator": 200, "*": 403}},
		cpRow("GET /mediators/complaints/:id", "GET", "",
			map[string]int{"anon": 303, "leader": 200, "director": 200, "clerk": 200, "mediator": 200, "*": 404},
			map[string]int{"anon": 303, "leader": 200, "*": 404}),
		cpRow("POST /mediators/complaints/:id/answer", "POST", "/answer",
			map[string]int{"anon": 303, "leader": 403, "director": 422, "clerk": 403, "mediator": 403, "*": 404},
			map[string]int{"anon": 303, "leader": 403, "*": 404}),
	}
}

// TestRegisterPage_InWords: the register page shows the committee's
// mediators and their specialties in words, to its clerk; the leadership
// office picks a committee; an enterprise has no register.
func TestRegisterPage_InWords(t *testing.T) {
	t.Parallel()
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	a := r.App
	gulou := apptest.Scalar[int64](t, a, "SELECT id FROM orgs WHERE code = 'gulou'")
	m1 := apptest.Scalar[int64](t, a, "SELECT id FROM users WHERE username = 'mediator1.gulou'")
	if err := a.DB.Exec(`INSERT INTO mediator_profiles (org_id, user_id, specialties, updated_at) VALUES (?, ?, '{patent,trade_secret}', now())`,
		gulou, m1).Error; err != nil {
		t.Fatal(err)
	}
	clerk := webLogin(t, r, "clerk.gulou", demoPassword)
	_, page := webGet(t, clerk, r.URL+"/mediators")
	for _, want := range []string{"调解员名册", "专利、商业秘密", `data-mediator="`} {
		if !strings.Contains(page, want) {
			t.Errorf("clerk's register lacks %q", want)
		}
	}
	if strings.Contains(page, "trade_secret") {
		t.Error("the register shows a code")
	}
	_, work := webGet(t, clerk, r.URL+"/work")
	if !strings.Contains(work, `href="/mediators"`) {
		t.Error("no navigation link to the register")
	}
	leader := webLogin(t, r, "leader", demoPassword)
	_, lp := webGet(t, leader, r.URL+"/mediators")
	if !strings.Contains(lp, `name="org"`) {
		t.Error("the leadership office cannot pick a committee")
	}
}

// TestComplaintPage_DirectorAnswers: the director opens the complaint the
// inbox leads to and answers it (an empty answer is refused naming the
// field); the clerk reads it without the form; another committee's
// director finds nothing.
func TestComplaintPage_DirectorAnswers(t *testing.T) {
	t.Parallel()
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	a := r.App
	gulou := apptest.Scalar[int64](t, a, "SELECT id FROM orgs WHERE code = 'gulou'")
	m1 := apptest.Scalar[int64](t, a, "SELECT id FROM users WHERE username = 'mediator1.gulou'")
	cs, err := a.Cases.Submit(apptest.As(t, a, "sme1"), cases.IntakeInput{OrgID: gulou, Source: domain.SourceDirect,
		DisputeType: domain.DisputeTrademark, Summary: "被申请人在同类商品上使用近似商标。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: "91350100MA34A1B2CU", IsSME: true},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "张小三"}},
		Rights: []cases.RightInput{{Kind: domain.RightTrademark, Number: "12345678", Title: "闽光", Holder: "福州闽光软件科技有限公司"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.DB.Exec("INSERT INTO case_mediators (case_id, user_id) VALUES (?, ?)", cs.ID, m1).Error; err != nil {
		t.Fatal(err)
	}
	cp, err := a.Register.FileComplaint(apptest.As(t, a, "sme1"), cs.ID, m1, "调解员多次迟到。")
	if err != nil {
		t.Fatal(err)
	}
	link := register.ComplaintLink(cp.ID)

	clerk := webLogin(t, r, "clerk.gulou", demoPassword)
	if _, page := webGet(t, clerk, r.URL+link); !strings.Contains(page, "调解员多次迟到") || strings.Contains(page, `name="answer"`) {
		t.Errorf("clerk's complaint page:\n%s", page)
	}
	other := webLogin(t, r, "director.cangshan", demoPassword)
	if resp, _ := webGet(t, other, r.URL+link); resp.StatusCode != 404 {
		t.Errorf("another committee's director: %d", resp.StatusCode)
	}
	dir := webLogin(t, r, "director.gulou", demoPassword)
	resp, page := submitPage(t, dir, r.URL, link, link+"/answer", url.Values{"answer": {" "}})
	if resp.StatusCode != 422 || !strings.Contains(page, `name="answer"`) {
		t.Fatalf("empty answer: %d", resp.StatusCode)
	}
	resp, page = submitPage(t, dir, r.URL, link, link+"/answer", url.Values{"answer": {"已约谈调解员并责令改正。"}})
	if resp.StatusCode != 200 || !strings.Contains(page, "已约谈调解员并责令改正") || !strings.Contains(page, "已答复") {
		t.Fatalf("answer: %d\n%s", resp.StatusCode, page)
	}
	if n := apptest.Scalar[int64](t, a, fmt.Sprintf("SELECT count(*) FROM deadlines WHERE subject_type = 'mediator_complaint' AND subject_id = %d AND status = 'met'", cp.ID)); n != 1 {
		t.Errorf("deadline not met")
	}
}
