package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/credit"
	"github.com/ipmediate/ipmediate/internal/domain"
)

func init() { moreRows = append(moreRows, creditRows) }

// mxCredit holds the credit objects of the authorization matrix: a record
// against ent-sme1 (own for its applicant) and one against an
// unregistered company (foreign for the applicant), both recorded by the
// market regulator and in their objection period.
type mxCredit struct{ own, foreign int64 }

var mxCreditObjects mxObjects[*mxCredit]

func mxCreditRecords(e *mxEnv) *mxCredit {
	return mxCreditObjects.get(e, func() *mxCredit {
		act, err := e.a.Identity.Actor(context.Background(), e.users["enforcement.fz-amr"])
		if err != nil {
			e.t.Fatal(err)
		}
		ctx := domain.WithActor(context.Background(), act)
		var code string
		e.a.DB.Raw("SELECT credit_code FROM orgs WHERE code = 'ent-sme1'").Scan(&code)
		rec := func(name, cc, doc, method string) int64 {
			r, err := e.a.Credit.Create(ctx, credit.Input{SubjectKind: "organisation", Name: name, CreditCode: cc, Finding: "故意侵权",
				SourceKind: credit.SourceEnforcement, DocumentNumber: doc, DecidedOn: calendar.DateOf(e.a.Clock.Now()).AddDays(-10),
				Final: true, NoticeMethod: method})
			if err != nil {
				e.t.Fatal(err)
			}
			return r.ID
		}
		m := &mxCredit{own: rec("福州某科技有限公司", code, "榕市监处罚〔2026〕901号", ""),
			foreign: rec("厦门某贸易有限公司", "91350200MA2XN5QX2U", "榕市监处罚〔2026〕902号", "post")}
		return m
	})
}

// creditRows: the enforcement bodies and the leadership office read every
// record, a registered enterprise its own; the recording body decides
// (422 here: no version), the subject objects (422), the office takes no
// step (403); nobody else reads any (403 lists, 404 records).
func creditRows() []mxRow {
	readers := map[string]int{"anon": 303, "leader": 200, "enforcement_officer": 200, "applicant": 200, "*": 403}
	apiReaders := map[string]int{"anon": 401, "leader": 200, "enforcement_officer": 200, "applicant": 200, "*": 403}
	rec := func(e *mxEnv, own bool) int64 {
		if own {
			return mxCreditRecords(e).own
		}
		return mxCreditRecords(e).foreign
	}
	// sees: the subject its own record; the body and the office both.
	sees := func(anon, subject, body, office int) (map[string]int, map[string]int) {
		return map[string]int{"anon": anon, "applicant": subject, "enforcement_officer": body, "leader": office, "*": 404},
			map[string]int{"anon": anon, "enforcement_officer": body, "leader": office, "*": 404}
	}
	row := func(route string, req func(e *mxEnv, own bool) mxReq, anon, subject, body, office int) mxRow {
		own, foreign := sees(anon, subject, body, office)
		return mxRow{route: route, objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq { return req(e, own) }, own: own, foreign: foreign}
	}
	get := func(p string) func(*mxEnv, mxActor, bool) mxReq {
		return func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: p} }
	}
	return []mxRow{
		{route: "GET /credit", req: get("/credit"), own: readers},
		{route: "GET /credit/new", req: get("/credit/new"), own: map[string]int{"anon": 303, "enforcement_officer": 200, "*": 404}},
		{route: "POST /credit", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/credit", form: url.Values{"name": {""}, "final": {"on"}}}
		}, own: map[string]int{"anon": 303, "enforcement_officer": 422, "*": 403}},
		{route: "GET /credit/export.csv", req: get("/credit/export.csv"), own: map[string]int{"anon": 303, "leader": 200, "enforcement_officer": 200, "*": 403}},
		row("GET /credit/:id", func(e *mxEnv, own bool) mxReq {
			return mxReq{method: "GET", path: fmt.Sprintf("/credit/%d", rec(e, own))}
		}, 303, 200, 200, 200),
		row("POST /credit/:id/:action", func(e *mxEnv, own bool) mxReq {
			return mxReq{method: "POST", path: fmt.Sprintf("/credit/%d/object", rec(e, own)), form: url.Values{"reason": {""}}}
		}, 303, 422, 422, 403),
		{route: "GET /api/v1/credit/records", req: get("/api/v1/credit/records"), own: apiReaders},
		{route: "POST /api/v1/credit/records", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/api/v1/credit/records", json: map[string]any{"final": true}}
		}, own: map[string]int{"anon": 401, "enforcement_officer": 422, "*": 403}},
		row("GET /api/v1/credit/records/:id", func(e *mxEnv, own bool) mxReq {
			return mxReq{method: "GET", path: fmt.Sprintf("/api/v1/credit/records/%d", rec(e, own))}
		}, 401, 200, 200, 200),
		row("POST /api/v1/credit/records/:id/:action", func(e *mxEnv, own bool) mxReq {
			return mxReq{method: "POST", path: fmt.Sprintf("/api/v1/credit/records/%d/decide_objection", rec(e, own)), json: map[string]any{}}
		}, 401, 403, 409, 403),
		{route: "GET /api/v1/credit/export", req: get("/api/v1/credit/export"), own: map[string]int{"anon": 401, "leader": 200, "enforcement_officer": 200, "*": 403}},
		{route: "POST /api/v1/credit/import", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/api/v1/credit/import", json: map[string]any{}}
		}, own: map[string]int{"anon": 401, "enforcement_officer": 422, "*": 403}},
	}
}

// TestCredit_PagesAndExchange: the market regulator records a decision
// through the form (a bad one names its fields), the enterprise finds
// the record on its credit page and objects there, the regulator
// dismisses the objection, and the export lists the record once in
// effect; the API import is idempotent. The leader's page has the
// export link and no steps; a mediator has no credit page at all.
func TestCredit_PagesAndExchange(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemoCases(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	var code string
	r.App.DB.Raw("SELECT credit_code FROM orgs WHERE code = 'ent-sme1'").Scan(&code)

	// post submits a form of page and follows the redirect of a success.
	post := func(c *http.Client, page, u string, v url.Values) (*http.Response, string) {
		return submitPage(t, c, r.URL, page, u, v)
	}
	versionOf := func(page string) string {
		m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no version in the page:\n%s", page)
		}
		return m[1]
	}
	amr := webLogin(t, r, "enforcement.fz-amr", demoPassword)
	form := url.Values{"subject_kind": {"organisation"}, "name": {"福州某科技有限公司"}, "credit_code": {code},
		"source_kind": {"court"}, "document_number": {"（2026）闽01民初12号"}, "decided_on": {"2099-01-01"},
		"finding": {"故意侵犯发明专利权"}, "severity": {"general"}, "display_months": {"6"}}
	resp, page := post(amr, "/credit/new", "/credit", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "只能依据已经生效的决定登记信用记录") {
		t.Fatalf("a decision not in force (%d)", resp.StatusCode)
	}
	form.Set("final", "on")
	resp, page = post(amr, "/credit/new", "/credit", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "该时间不能晚于当前时间") {
		t.Fatalf("a decision in the future (%d)", resp.StatusCode)
	}
	form.Set("decided_on", calendar.DateOf(r.App.Clock.Now()).AddDays(-3).String())
	resp, page = post(amr, "/credit/new", "/credit", form)
	if resp.StatusCode != 200 || !strings.Contains(page, "异议期内") || !strings.Contains(page, "（2026）闽01民初12号") {
		t.Fatalf("recorded (%d): %s", resp.StatusCode, page)
	}
	var id int64
	r.App.DB.Raw("SELECT id FROM credit_records WHERE document_number = '（2026）闽01民初12号'").Scan(&id)

	sme := webLogin(t, r, "sme1", demoPassword)
	_, work := webGet(t, sme, r.URL+"/work")
	if !strings.Contains(work, `href="/credit"`) {
		t.Error("the enterprise is not shown its credit page")
	}
	_, list := webGet(t, sme, r.URL+"/credit")
	if !strings.Contains(list, fmt.Sprintf(`href="/credit/%d"`, id)) || strings.Contains(list, "晋江市恒步鞋业有限公司") {
		t.Error("the enterprise's credit page is not its own records alone")
	}
	show := fmt.Sprintf("/credit/%d", id)
	_, body := webGet(t, sme, r.URL+show)
	resp, page = post(sme, show, show+"/object", url.Values{"version": {versionOf(body)}, "reason": {"专利已被宣告无效"}})
	if resp.StatusCode != 200 || !strings.Contains(page, "异议待核实") {
		t.Fatalf("object (%d)", resp.StatusCode)
	}
	// The officer who recorded it has the decision among its deadlines,
	// each leading to the record.
	if _, dl := webGet(t, amr, r.URL+"/deadlines"); !strings.Contains(dl, `<a href="`+show+`">`) {
		t.Error("the officer's deadlines do not lead to the record")
	}
	_, body = webGet(t, amr, r.URL+show)
	resp, page = post(amr, show, show+"/decide_objection", url.Values{"version": {versionOf(body)},
		"decision": {"dismissed"}, "reason": {"无效宣告请求尚未审结"}})
	if resp.StatusCode != 200 || !strings.Contains(page, "公示中") {
		t.Fatalf("decide (%d)", resp.StatusCode)
	}

	leader := webLogin(t, r, "leader", demoPassword)
	_, list = webGet(t, leader, r.URL+"/credit")
	if !strings.Contains(list, `id="credit-export"`) || strings.Contains(list, `href="/credit/new"`) {
		t.Error("the leader's credit page lacks the export or offers recording")
	}
	if _, body := webGet(t, leader, r.URL+show); strings.Contains(body, "<form method=\"post\" action=\"/credit/") {
		t.Error("the leader is offered a step")
	}
	resp, body = webGet(t, leader, r.URL+"/credit/export.csv")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if resp.StatusCode != 200 || err != nil || strings.Join(rows[0], ",") != strings.Join(credit.ExchangeColumns, ",") {
		t.Fatalf("export (%d): %v %v", resp.StatusCode, err, rows)
	}
	found := 0
	for _, row := range rows[1:] {
		if row[0] == "（2026）闽01民初12号" && row[1] == "court" && row[4] == code {
			found++
		}
	}
	if found != 1 {
		t.Errorf("the record in effect is exported %d times", found)
	}

	token := mustLogin(t, r, "enforcement.fz-amr")
	imp := map[string]any{"records": []map[string]any{{"document_number": "闽知执〔2025〕7号", "source_kind": "enforcement",
		"subject_kind": "organisation", "name": "厦门某贸易有限公司", "credit_code": "91350200MA2XN5QX2U", "finding": "重复侵犯专利权",
		"decided_on": "2025-06-01", "effective_on": "2025-07-01", "display_until": "2099-07-01", "severity": "serious",
		"recording_body": "福建省知识产权局"}}}
	for i, want := range []string{`"created":1`, `"existing":1`} {
		res := call(t, r, http.MethodPost, "/api/v1/credit/import", token, imp)
		if res.Status != 200 || !strings.Contains(string(res.Body), want) {
			t.Errorf("import %d: %v", i+1, res)
		}
	}
	var exp struct {
		Records []credit.Exchanged `json:"records"`
	}
	res := call(t, r, http.MethodGet, "/api/v1/credit/export", token, nil)
	if err := json.Unmarshal(res.Body, &exp); err != nil || res.Status != 200 || len(exp.Records) < 3 {
		t.Errorf("API export: %v %v", res, err)
	}

	mediator := webLogin(t, r, "mediator1.gulou", demoPassword)
	if resp, _ := webGet(t, mediator, r.URL+"/credit"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a mediator opens /credit: %d", resp.StatusCode)
	}
	if _, work := webGet(t, mediator, r.URL+"/work"); strings.Contains(work, `href="/credit"`) {
		t.Error("a mediator is shown the credit page")
	}
}
