package web_test

import (
	"context"
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
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/recordation"
)

func init() { moreRows = append(moreRows, recordationRows) }

// mxRecordation holds the recordations of the authorization matrix: one
// of ent-sme1 (own for its applicant) and one of ent-sme2 (foreign),
// both recorded by the assistance centre.
type mxRecordation struct{ own, foreign int64 }

var mxRecordationObjects mxObjects[*mxRecordation]

func mxRecordations(e *mxEnv) *mxRecordation {
	return mxRecordationObjects.get(e, func() *mxRecordation {
		act, err := e.a.Identity.Actor(context.Background(), e.users["assistance.fz"])
		if err != nil {
			e.t.Fatal(err)
		}
		ctx := domain.WithActor(context.Background(), act)
		from := calendar.DateOf(e.a.Clock.Now()).AddMonths(-12)
		rec := func(org, serial string) int64 {
			r, err := e.a.Recordations.Create(ctx, recordation.Input{HolderOrgID: e.orgs[org], Number: fmt.Sprintf("T%d-%s", from.Year, serial),
				RightKind: domain.RightTrademark, RightName: "矩阵商标", ValidFrom: from.String()})
			if err != nil {
				e.t.Fatal(err)
			}
			return r.ID
		}
		m := &mxRecordation{own: rec("ent-sme1", "90001"), foreign: rec("ent-sme2", "90002")}
		return m
	})
}

// recordationRows: the assistance centre, customs and the leadership
// office read every recordation, an enterprise its own; the centre and
// the enterprise change them (422 here: no version), customs and the
// office change nothing (403); nobody else reads any (403 lists, 404
// recordations).
func recordationRows() []mxRow {
	readers := map[string]int{"anon": 303, "leader": 200, "assistance_officer": 200, "customs_officer": 200, "applicant": 200, "*": 403}
	apiReaders := map[string]int{"anon": 401, "leader": 200, "assistance_officer": 200, "customs_officer": 200, "applicant": 200, "*": 403}
	rec := func(e *mxEnv, own bool) int64 {
		if own {
			return mxRecordations(e).own
		}
		return mxRecordations(e).foreign
	}
	row := func(route string, req func(e *mxEnv, own bool) mxReq, anon, holder, centre, reader int) mxRow {
		own := map[string]int{"anon": anon, "applicant": holder, "assistance_officer": centre, "customs_officer": reader, "leader": reader, "*": 404}
		foreign := map[string]int{"anon": anon, "assistance_officer": centre, "customs_officer": reader, "leader": reader, "*": 404}
		return mxRow{route: route, objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq { return req(e, own) }, own: own, foreign: foreign}
	}
	get := func(p string) func(*mxEnv, mxActor, bool) mxReq {
		return func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: p} }
	}
	return []mxRow{
		{route: "GET /recordations", req: get("/recordations"), own: readers},
		{route: "GET /recordations/new", req: get("/recordations/new"), own: map[string]int{"anon": 303, "applicant": 200, "assistance_officer": 200, "*": 404}},
		{route: "POST /recordations", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/recordations", form: url.Values{"number": {""}}}
		}, own: map[string]int{"anon": 303, "applicant": 422, "assistance_officer": 422, "*": 403}},
		row("GET /recordations/:id", func(e *mxEnv, own bool) mxReq {
			return mxReq{method: "GET", path: fmt.Sprintf("/recordations/%d", rec(e, own))}
		}, 303, 200, 200, 200),
		row("POST /recordations/:id/:action", func(e *mxEnv, own bool) mxReq {
			return mxReq{method: "POST", path: fmt.Sprintf("/recordations/%d/withdraw", rec(e, own)), form: url.Values{"reason": {""}}}
		}, 303, 422, 422, 403),
		{route: "GET /api/v1/recordations", req: get("/api/v1/recordations"), own: apiReaders},
		{route: "POST /api/v1/recordations", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/api/v1/recordations", json: map[string]any{}}
		}, own: map[string]int{"anon": 401, "applicant": 422, "assistance_officer": 422, "*": 403}},
		row("GET /api/v1/recordations/:id", func(e *mxEnv, own bool) mxReq {
			return mxReq{method: "GET", path: fmt.Sprintf("/api/v1/recordations/%d", rec(e, own))}
		}, 401, 200, 200, 200),
		row("PATCH /api/v1/recordations/:id", func(e *mxEnv, own bool) mxReq {
			return mxReq{method: "PATCH", path: fmt.Sprintf("/api/v1/recordations/%d", rec(e, own)), json: map[string]any{"action": "withdraw"}}
		}, 401, 422, 422, 403),
	}
}

// TestRecordations_PagesAPIAndReferral: the demo's enterprises find their
// recordations (one in its renewal window); sme1 records one through the
// form (a bad number is refused naming it), is reminded of its validity
// among its deadlines, which lead to it, and records a renewal through
// the API (a stale version is refused); customs reads every recordation
// and is offered no change; the assistance centre's customs referral
// offers the applicant's recordations and refuses a number not in the
// register, naming the field; a committee has no recordation page.
func TestRecordations_PagesAPIAndReferral(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemoCases(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	post := func(c *http.Client, page, u string, v url.Values) (*http.Response, string) {
		return submitPage(t, c, r.URL, page, u, v)
	}

	// The demo: sme2's tea trademark ends within months and is renewable.
	sme2 := webLogin(t, r, "sme2", demoPassword)
	_, list := webGet(t, sme2, r.URL+"/recordations")
	if !strings.Contains(list, "“榕城”注册商标") || !strings.Contains(list, "可续展") || strings.Contains(list, "C2021-00318") {
		t.Errorf("sme2's recordations:\n%s", list)
	}

	sme1 := webLogin(t, r, "sme1", demoPassword)
	if _, work := webGet(t, sme1, r.URL+"/work"); !strings.Contains(work, `href="/recordations"`) {
		t.Error("the enterprise is not shown its recordations")
	}
	from := calendar.DateOf(r.App.Clock.Now()).AddMonths(-3)
	number := fmt.Sprintf("P%d-00456", from.Year)
	form := url.Values{"number": {"备案123"}, "right_kind": {"invention_patent"}, "right_number": {"ZL202110123456.7"},
		"right_name": {"一种茶叶烘焙装置"}, "valid_from": {from.String()}}
	resp, page := post(sme1, "/recordations/new", "/recordations", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "备案号格式应为字母加核准年份和序号") {
		t.Fatalf("a malformed number (%d)", resp.StatusCode)
	}
	var n int64
	r.App.DB.Raw("SELECT count(*) FROM customs_recordations WHERE right_name = '一种茶叶烘焙装置'").Scan(&n)
	if n != 0 {
		t.Fatal("a refused form recorded")
	}
	form.Set("number", number)
	resp, page = post(sme1, "/recordations/new", "/recordations", form)
	if resp.StatusCode != 200 || !strings.Contains(page, number) || !strings.Contains(page, from.AddMonths(120).String()) {
		t.Fatalf("recorded (%d): %s", resp.StatusCode, page)
	}
	var id int64
	r.App.DB.Raw("SELECT id FROM customs_recordations WHERE number = ?", number).Scan(&id)
	show := fmt.Sprintf("/recordations/%d", id)
	if _, dl := webGet(t, sme1, r.URL+"/deadlines"); !strings.Contains(dl, `<a href="`+show+`">`) {
		t.Error("the enterprise's deadlines do not lead to its recordation")
	}

	// The API: a renewal outside the window and a stale one are refused.
	token := mustLogin(t, r, "sme1")
	res := call(t, r, http.MethodPatch, "/api/v1/recordations/"+fmt.Sprint(id), token, map[string]any{"action": "renew", "version": 1,
		"renewed_on": calendar.DateOf(r.App.Clock.Now()).String()})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "renewed_on") {
		t.Errorf("renewal outside the window: %v", res)
	}
	res = call(t, r, http.MethodPatch, "/api/v1/recordations/"+fmt.Sprint(id), token, map[string]any{"action": "update", "version": 9})
	if res.Status != http.StatusConflict {
		t.Errorf("stale update: %v", res)
	}
	res = call(t, r, http.MethodPatch, "/api/v1/recordations/"+fmt.Sprint(id), token, map[string]any{"action": "update", "version": 1,
		"note": "已授权福州海关"})
	var got recordation.Recordation
	if err := json.Unmarshal(res.Body, &got); err != nil || res.Status != 200 || got.Note != "已授权福州海关" || got.Version != 2 ||
		got.RightName != "一种茶叶烘焙装置" {
		t.Errorf("update: %v %v", res, err)
	}
	res = call(t, r, http.MethodGet, "/api/v1/recordations?status=valid", token, nil)
	if res.Status != 200 || !strings.Contains(string(res.Body), number) || strings.Contains(string(res.Body), "榕城") {
		t.Errorf("sme1's API list: %v", res)
	}
	if res := call(t, r, http.MethodGet, "/api/v1/recordations?status=bogus", token, nil); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("a bad status filter: %v", res)
	}

	customs := webLogin(t, r, "customs.fz", demoPassword)
	_, list = webGet(t, customs, r.URL+"/recordations")
	if !strings.Contains(list, number) || !strings.Contains(list, "“榕城”注册商标") || strings.Contains(list, `href="/recordations/new"`) {
		t.Error("customs does not read every recordation, or is offered to record")
	}
	if _, body := webGet(t, customs, r.URL+show); strings.Contains(body, `<form method="post" action="/recordations/`) {
		t.Error("customs is offered a change")
	}

	// The assistance centre's customs referral picks from the register.
	centre := mustLogin(t, r, "assistance.fz")
	var sme1ID int64
	r.App.DB.Raw("SELECT id FROM users WHERE username = 'sme1'").Scan(&sme1ID)
	act, err := r.App.Identity.Actor(context.Background(), sme1ID)
	if err != nil {
		t.Fatal(err)
	}
	application, err := r.App.Assistance.Apply(domain.WithActor(context.Background(), act), apiApplication())
	if err != nil {
		t.Fatal(err)
	}
	app := application.ID
	var customsOrg int64
	r.App.DB.Raw("SELECT id FROM orgs WHERE code = 'fz-customs'").Scan(&customsOrg)
	var before int64
	r.App.DB.Raw("SELECT count(*) FROM referrals").Scan(&before)
	res = call(t, r, http.MethodPost, "/api/v1/referrals/customs", centre, map[string]any{"receiver_org_id": customsOrg, "application_id": app,
		"fields": map[string]any{"mode": "on_application", "goods": "假冒茶叶", "port": "福州港", "recordation_number": "T2019-99999"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "fields.recordation_number") {
		t.Errorf("an unknown recordation: %v", res)
	}
	var after int64
	r.App.DB.Raw("SELECT count(*) FROM referrals").Scan(&after)
	if after != before {
		t.Error("a refused referral was sent")
	}
	res = call(t, r, http.MethodPost, "/api/v1/referrals/customs", centre, map[string]any{"receiver_org_id": customsOrg, "application_id": app,
		"fields": map[string]any{"mode": "on_application", "goods": "假冒茶叶", "port": "福州港", "recordation_number": strings.ToLower(number)}})
	if res.Status != http.StatusCreated || !strings.Contains(string(res.Body), number) {
		t.Errorf("a recordation in the register: %v", res)
	}
	browser := webLogin(t, r, "assistance.fz", demoPassword)
	_, page = webGet(t, browser, r.URL+"/referrals/new?kind=customs")
	opt := regexp.MustCompile(`<option value="` + regexp.QuoteMeta(number) + `"`)
	if !opt.MatchString(page) || !strings.Contains(page, `name="fields.recordation_number"`) || strings.Contains(page, `<input id="f-rec"`) {
		t.Error("the customs form does not offer the register's recordations")
	}

	mediator := webLogin(t, r, "mediator1.gulou", demoPassword)
	if resp, _ := webGet(t, mediator, r.URL+"/recordations"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a mediator opens /recordations: %d", resp.StatusCode)
	}
	if _, work := webGet(t, mediator, r.URL+"/work"); strings.Contains(work, `href="/recordations"`) {
		t.Error("a mediator is shown the recordations")
	}
}
