package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/warning"
)

func init() { moreRows = append(moreRows, warningRows) }

// mxWarning holds the warnings of the authorization matrix, both the
// assistance centre's: one published to the software industry, which
// ent-sme1 chose (own), and a draft (foreign).
type mxWarning struct{ published, draft int64 }

var mxWarningObjects mxObjects[*mxWarning]

func mxWarnings(e *mxEnv) *mxWarning {
	return mxWarningObjects.get(e, func() *mxWarning {
		as := func(user string) context.Context {
			act, err := e.a.Identity.Actor(context.Background(), e.users[user])
			if err != nil {
				e.t.Fatal(err)
			}
			return domain.WithActor(context.Background(), act)
		}
		if _, err := e.a.Warnings.SetOwnIndustries(as("sme1"), e.orgs["ent-sme1"], []string{"software"}); err != nil {
			e.t.Fatal(err)
		}
		centre := as("assistance.fz")
		in := warning.Input{Title: "海外商标抢注风险提示", Situation: "东南亚出现批量抢注。", Industries: []string{"software"}}
		pub, err := e.a.Warnings.Create(centre, in)
		if err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.a.Warnings.Publish(centre, pub.ID, pub.Version); err != nil {
			e.t.Fatal(err)
		}
		draft, err := e.a.Warnings.Create(centre, in)
		if err != nil {
			e.t.Fatal(err)
		}
		m := &mxWarning{published: pub.ID, draft: draft.ID}
		return m
	})
}

// warningRows: the issuing bodies (centre, IP office, association) and
// the enterprises and the office read warnings; only the centre's own
// users change its warnings (409 once published, 422 on a draft sent
// without its version); the office and the enterprise that the warning
// reached read it and change nothing (403); nobody else sees it (404).
// An enterprise and an association set their industries.
func warningRows() []mxRow {
	get := func(p string) func(*mxEnv, mxActor, bool) mxReq {
		return func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: p} }
	}
	obj := func(suffix, method string) func(*mxEnv, mxActor, bool) mxReq {
		return func(e *mxEnv, _ mxActor, own bool) mxReq {
			id := mxWarnings(e).draft
			if own {
				id = mxWarnings(e).published
			}
			return mxReq{method: method, path: "/warnings/" + ids(id) + suffix, form: url.Values{"title": {""}}}
		}
	}
	readers := map[string]int{"anon": 303, "leader": 200, "assistance_officer": 200, "enforcement_officer": 200,
		"association_staff": 200, "applicant": 200, "*": 403}
	issuers := func(ok, others int) map[string]int {
		return map[string]int{"anon": 303, "assistance_officer": ok, "enforcement_officer": ok, "association_staff": ok, "*": others}
	}
	step := func(suffix string) mxRow {
		return mxRow{route: "POST /warnings/:id" + suffix, objects: true, req: obj(suffix, "POST"),
			own:     map[string]int{"anon": 303, "assistance_officer": 409, "leader": 403, "applicant": 403, "*": 404},
			foreign: map[string]int{"anon": 303, "assistance_officer": 422, "leader": 403, "*": 404}}
	}
	profile := func(ok, others int) map[string]int {
		return map[string]int{"anon": 303, "applicant": ok, "association_staff": ok, "*": others}
	}
	return []mxRow{
		{route: "GET /warnings", req: get("/warnings"), own: readers},
		{route: "GET /warnings/new", req: get("/warnings/new"), own: issuers(200, 404)},
		{route: "POST /warnings", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/warnings", form: url.Values{"title": {""}}}
		}, own: issuers(422, 403)},
		{route: "GET /warnings/:id", objects: true, req: obj("", "GET"),
			own:     map[string]int{"anon": 303, "assistance_officer": 200, "leader": 200, "applicant": 200, "*": 404},
			foreign: map[string]int{"anon": 303, "assistance_officer": 200, "leader": 200, "*": 404}},
		step(""), step("/publish"), step("/discard"),
		{route: "GET /me/industries", req: get("/me/industries"), own: profile(200, 404)},
		{route: "POST /me/industries", req: func(e *mxEnv, a mxActor, _ bool) mxReq {
			return mxReq{method: "POST", path: "/me/industries", form: url.Values{"org_id": {ids(e.ownOrg(a))}, "industries": {"steel"}}}
		}, own: profile(422, 403)},
	}
}

// TestWarnings_Pages: an enterprise chooses its industries on its
// profile; the centre drafts a warning through the form (a bad link is
// named), publishes it, and sees the enterprise unread and then read;
// the enterprise is told, finds it in its list and opens it; another
// enterprise of another industry is never shown it.
func TestWarnings_Pages(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	post := func(c *http.Client, page, u string, v url.Values) (*http.Response, string) {
		return submitPage(t, c, r.URL, page, u, v)
	}
	var sme1Org, sme2Org string
	r.App.DB.Raw("SELECT id::text FROM orgs WHERE code = 'ent-sme1'").Scan(&sme1Org)
	r.App.DB.Raw("SELECT id::text FROM orgs WHERE code = 'ent-sme2'").Scan(&sme2Org)

	sme1 := webLogin(t, r, "sme1", demoPassword)
	if _, work := webGet(t, sme1, r.URL+"/work"); !strings.Contains(work, `href="/warnings"`) {
		t.Error("the enterprise is not shown the warnings")
	}
	resp, page := post(sme1, "/me/industries", "/me/industries", url.Values{"org_id": {sme1Org}, "industries": {"software", "tea"}})
	if resp.StatusCode != 200 || !strings.Contains(page, `value="software" checked`) || !strings.Contains(page, `value="tea" checked`) {
		t.Fatalf("industries saved (%d)", resp.StatusCode)
	}
	sme2 := webLogin(t, r, "sme2", demoPassword)
	if resp, _ := post(sme2, "/me/industries", "/me/industries", url.Values{"org_id": {sme2Org}, "industries": {"biomedicine"}}); resp.StatusCode != 200 {
		t.Fatalf("sme2's industries (%d)", resp.StatusCode)
	}

	centre := webLogin(t, r, "assistance.fz", demoPassword)
	if _, list := webGet(t, centre, r.URL+"/warnings"); strings.Contains(list, `href="/me/industries"`) {
		t.Error("the centre, which chooses no industries, is shown the industries page")
	}
	form := url.Values{"title": {"海外商标抢注风险提示"}, "situation": {"近期东南亚出现针对我市软件企业的批量商标抢注。"},
		"advice": {"尽快在目标市场申请商标注册。"}, "links": {"ftp://example.org/x"}, "industries": {"software"}}
	if resp, page := post(centre, "/warnings/new", "/warnings", form); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "不是以 http:// 或 https:// 开头的网址") || !strings.Contains(page, `value="software" checked`) {
		t.Fatalf("a bad link (%d)", resp.StatusCode)
	}
	form.Set("links", "https://www.cnipa.gov.cn/\nhttps://www.wipo.int/")
	resp, page = post(centre, "/warnings/new", "/warnings", form)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="warning-publish"`) || !strings.Contains(page, "草稿") {
		t.Fatalf("drafted (%d)", resp.StatusCode)
	}
	var id string
	r.App.DB.Raw("SELECT id::text FROM risk_warnings WHERE title = '海外商标抢注风险提示'").Scan(&id)
	if id == "" {
		t.Fatal("no warning written")
	}
	if resp, _ := webGet(t, sme1, r.URL+"/warnings/"+id); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the enterprise opens a draft (%d)", resp.StatusCode)
	}
	resp, page = post(centre, "/warnings/"+id, "/warnings/"+id+"/publish", url.Values{"version": {"1"}})
	if resp.StatusCode != 200 || !strings.Contains(page, "送达 1 家企业，已读 0 家") || !strings.Contains(page, "未读") {
		t.Fatalf("published (%d)", resp.StatusCode)
	}
	_, list := webGet(t, sme1, r.URL+"/warnings")
	if !strings.Contains(list, `data-warning="`+id+`"`) || !strings.Contains(list, "未读") {
		t.Fatalf("the enterprise's list lacks the warning: %s", list)
	}
	deliverAll(t, r.App)
	_, inbox := webGet(t, sme1, r.URL+"/inbox")
	if !strings.Contains(inbox, "风险预警：海外商标抢注风险提示") {
		t.Error("the enterprise was not told")
	}
	resp, page = webGet(t, sme1, r.URL+"/warnings/"+id)
	if resp.StatusCode != 200 || !strings.Contains(page, "https://www.wipo.int/") || strings.Contains(page, `id="warning-recipients"`) {
		t.Fatalf("the enterprise reads it (%d)", resp.StatusCode)
	}
	if _, page := webGet(t, centre, r.URL+"/warnings/"+id); !strings.Contains(page, "送达 1 家企业，已读 1 家") {
		t.Error("the centre does not see the reading")
	}
	if resp, _ := webGet(t, sme2, r.URL+"/warnings/"+id); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another industry's enterprise opens it (%d)", resp.StatusCode)
	}
	if _, list := webGet(t, sme2, r.URL+"/warnings"); strings.Contains(list, `data-warning="`+id+`"`) {
		t.Error("another industry's enterprise lists it")
	}

	// An association's first page shows the warnings it published with
	// their reach (sme1 chose software above).
	assoc := webLogin(t, r, "association.fz-software", demoPassword)
	var assocOrg string
	r.App.DB.Raw("SELECT id::text FROM orgs WHERE code = 'fz-software'").Scan(&assocOrg)
	if resp, _ := post(assoc, "/me/industries", "/me/industries", url.Values{"org_id": {assocOrg}, "industries": {"software"}}); resp.StatusCode != 200 {
		t.Fatalf("the association's industries (%d)", resp.StatusCode)
	}
	form = url.Values{"title": {"软件著作权批量诉讼风险提示"}, "situation": {"有权利人向多家企业发出律师函。"}, "industries": {"software"}}
	if resp, _ := post(assoc, "/warnings/new", "/warnings", form); resp.StatusCode != 200 {
		t.Fatalf("the association drafts (%d)", resp.StatusCode)
	}
	var assocWarning string
	r.App.DB.Raw("SELECT id::text FROM risk_warnings WHERE title = '软件著作权批量诉讼风险提示'").Scan(&assocWarning)
	if _, home := webGet(t, assoc, r.URL+"/association"); !strings.Contains(home, "1 份草稿待审核") {
		t.Error("the association's first page does not count its draft")
	}
	if resp, _ := post(assoc, "/warnings/"+assocWarning, "/warnings/"+assocWarning+"/publish", url.Values{"version": {"1"}}); resp.StatusCode != 200 {
		t.Fatalf("the association publishes (%d)", resp.StatusCode)
	}
	if _, home := webGet(t, assoc, r.URL+"/association"); !strings.Contains(home, `data-warning="`+assocWarning+`"`) ||
		!strings.Contains(home, "送达 1 家企业，已读 0 家") {
		t.Error("the association's first page lacks its warning and reach")
	}

	// An enterprise chooses its industries when it registers; an unknown
	// one is named and registers nothing.
	reg := map[string]any{}
	for k, v := range registration("914403001922038216", "industries.sz") {
		reg[k] = v
	}
	reg["industries"] = []string{"steel"}
	if p := mustProblem(t, call(t, r, http.MethodPost, "/api/v1/register", "", reg), http.StatusUnprocessableEntity, "invalid"); len(p.Errors) != 1 ||
		p.Errors[0].Field != "industries" {
		t.Fatalf("an unknown industry: %+v", p.Errors)
	}
	reg["industries"] = []string{"tea", "software", "tea"}
	if res := call(t, r, http.MethodPost, "/api/v1/register", "", reg); res.Status != http.StatusCreated {
		t.Fatalf("register: %s", res)
	}
	var chosen []string
	r.App.DB.Raw(`SELECT oi.industry FROM org_industries oi JOIN orgs o ON o.id = oi.org_id
WHERE o.credit_code = '914403001922038216' ORDER BY oi.industry`).Scan(&chosen)
	if strings.Join(chosen, ",") != "software,tea" {
		t.Fatalf("registered industries %v", chosen)
	}
}
