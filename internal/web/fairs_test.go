package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/config"
)

func init() { moreRows = append(moreRows, fairRows) }

// fairRows: the assistance centre and the IP office (an enforcement body)
// manage the named fairs; nobody else opens their pages.
func fairRows() []mxRow {
	get := func(p string) func(*mxEnv, mxActor, bool) mxReq {
		return func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: p} }
	}
	post := func(p string) func(*mxEnv, mxActor, bool) mxReq {
		return func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: p, form: url.Values{"name_zh": {""}}}
		}
	}
	managers := func(ok int) map[string]int {
		return map[string]int{"anon": 303, "assistance_officer": ok, "enforcement_officer": ok, "*": 403}
	}
	return []mxRow{
		{route: "GET /exhibitions", req: get("/exhibitions"), own: managers(200)},
		{route: "POST /exhibitions", req: post("/exhibitions"), own: managers(422)},
		{route: "GET /exhibitions/:code", req: get("/exhibitions/fair-518"), own: managers(200)},
		{route: "POST /exhibitions/:code", req: post("/exhibitions/fair-518"), own: managers(422)},
	}
}

// TestFairs_Pages: the assistance centre adds a fair through the form (a
// bad code is named), the IP office changes its dates and makes it
// inactive, and the exhibition complaint form then no longer offers it.
func TestFairs_Pages(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	post := func(c *http.Client, page, u string, v url.Values) (*http.Response, string) {
		return submitPage(t, c, r.URL, page, u, v)
	}
	centre := webLogin(t, r, "assistance.fz", demoPassword)
	if _, work := webGet(t, centre, r.URL+"/work"); !strings.Contains(work, `href="/exhibitions"`) {
		t.Error("the centre is not shown the fairs")
	}
	form := url.Values{"code": {"Fz Ceramics"}, "name_zh": {"福州陶瓷博览会"}, "organiser": {"福州市贸促会"}, "venue": {"海峡国际会展中心"},
		"starts_on": {"2027-04-08"}, "ends_on": {"2027-04-11"}, "active": {"on"}}
	if resp, page := post(centre, "/exhibitions", "/exhibitions", form); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "展会代码只能由小写字母、数字和连字符组成") {
		t.Fatalf("a bad code (%d)", resp.StatusCode)
	}
	form.Set("code", "fz-ceramics")
	resp, page := post(centre, "/exhibitions", "/exhibitions", form)
	if resp.StatusCode != 200 || !strings.Contains(page, `data-fair="fz-ceramics"`) || !strings.Contains(page, "2027-04-08 – 2027-04-11") {
		t.Fatalf("added (%d)", resp.StatusCode)
	}
	office := webLogin(t, r, "enforcement.fz-amr", demoPassword)
	_, edit := webGet(t, office, r.URL+"/exhibitions/fz-ceramics")
	if !strings.Contains(edit, `name="version" value="1"`) || !strings.Contains(edit, `value="海峡国际会展中心"`) {
		t.Fatal("the edit form is not filled in")
	}
	resp, page = post(office, "/exhibitions/fz-ceramics", "/exhibitions/fz-ceramics", url.Values{"version": {"1"},
		"name_zh": {"福州国际陶瓷博览会"}, "starts_on": {"2027-04-09"}, "ends_on": {"2027-04-12"}})
	if resp.StatusCode != 200 || !strings.Contains(page, "福州国际陶瓷博览会") || !strings.Contains(page, "停办") {
		t.Fatalf("changed (%d)", resp.StatusCode)
	}
	sme := webLogin(t, r, "sme1", demoPassword)
	if _, complaint := webGet(t, sme, r.URL+"/assistance/exhibition"); strings.Contains(complaint, "fz-ceramics") ||
		!strings.Contains(complaint, "丝绸之路国际电影节") {
		t.Error("the complaint form offers an inactive fair, or not the work plan's")
	}
	if resp, _ := webGet(t, sme, r.URL+"/exhibitions"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an enterprise opens the fairs: %d", resp.StatusCode)
	}
}
