package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/config"
)

// The deadline routes' rows of the authorization matrix. "My deadlines"
// is for the roles casbin grants deadline:read (every staff role, and an
// enterprise for what binds it); the system administrator may not list
// deadlines. The page and the calculator are for every signed-in user:
// the page then shows the calculator only.
func init() {
	moreRows = append(moreRows, func() []mxRow {
		get := func(p string) func(*mxEnv, mxActor, bool) mxReq {
			return func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: p} }
		}
		return []mxRow{
			{route: "GET /deadlines", req: get("/deadlines?rule=mediation.direct&from=2026-09-28T10:00"), own: map[string]int{"anon": 303, "*": 200}},
			{route: "GET /api/v1/deadlines", req: get("/api/v1/deadlines"),
				own: map[string]int{"anon": 401, "sysadmin": 403, "*": 200}},
			{route: "GET /api/v1/deadlines/calculate", req: get("/api/v1/deadlines/calculate?rule=mediation.direct&from=2026-09-28T10:00"),
				own: map[string]int{"anon": 401, "*": 200}},
		}
	})
}

type calcJSON struct {
	RuleID           string `json:"rule_id"`
	DueAt            string `json:"due_at"`
	LastDay          string `json:"last_day"`
	NominalLastDay   string `json:"nominal_last_day"`
	Extended         bool   `json:"extended"`
	Provisional      bool   `json:"provisional"`
	ProvisionalYears []int  `json:"provisional_years"`
	Basis            string `json:"basis"`
	Explanation      string `json:"explanation"`
}

// TestDeadlinesAPI_Calculate: the calculator answers as the law counts
// (dates counted by hand on the 2026 notice: 国庆节 1–7 October off), every
// answer held against the OpenAPI document; bad input names the parameter.
func TestDeadlinesAPI_Calculate(t *testing.T) {
	r := startDemo(t)
	c := newOAChecker(t, r.URL)
	tok := mustLoginWith(t, r, "sme1", "demo-pass-2026")
	calc := func(query string) calcJSON {
		t.Helper()
		status, body := c.call("GET", "/deadlines/calculate?"+query, tok, nil)
		if status != 200 {
			t.Fatalf("%s: %d %s", query, status, body)
		}
		var out calcJSON
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	// Monday 28 September + 30 days: Wednesday 28 October, a working day.
	got := calc("rule=mediation.court_delegated&from=" + url.QueryEscape("2026-09-28T10:00:00+08:00"))
	if got.DueAt != "2026-10-29T00:00:00+08:00" || got.LastDay != "2026-10-28" || got.Extended || got.Provisional ||
		!strings.Contains(got.Basis, "法释〔2016〕14号") || got.Explanation == "" || len(got.ProvisionalYears) != 0 {
		t.Errorf("court-delegated: %+v", got)
	}
	// + 7 days: Monday 5 October, inside National Day: Thursday 8 October.
	// The "+" of the offset left unescaped in the URL still works.
	got = calc("rule=mediation.court_entrusted_simplified&from=2026-09-28T10:00:00+08:00")
	if got.DueAt != "2026-10-09T00:00:00+08:00" || got.LastDay != "2026-10-08" || got.NominalLastDay != "2026-10-05" || !got.Extended {
		t.Errorf("simplified: %+v", got)
	}
	// A Beijing local time, in a year without an official arrangement.
	// One month (mediation.direct): the corresponding day, Saturday 1
	// April, is a rest day, so the period runs to Monday 3 April.
	got = calc("rule=mediation.direct&from=2028-03-01T10:00")
	if got.DueAt != "2028-04-04T00:00:00+08:00" || !got.Provisional || fmt.Sprint(got.ProvisionalYears) != "[2028]" {
		t.Errorf("2028: %+v", got)
	}

	for _, tc := range []struct {
		query string
		want  map[string]string
	}{
		{"", map[string]string{"rule": "validation.required", "from": "validation.required"}},
		{"rule=mediation.nowhere&from=2026-09-28", map[string]string{"rule": "validation.deadline_rule"}},
		{"rule=mediation.direct&from=yesterday", map[string]string{"from": "validation.datetime"}},
		{"rule=&from=yesterday", map[string]string{"rule": "validation.required", "from": "validation.datetime"}},
		{"rule=mediation.direct&from=1999-01-01", map[string]string{"from": "validation.calendar_range"}},
	} {
		status, body := c.call("GET", "/deadlines/calculate?"+tc.query, tok, nil)
		var p problem
		_ = json.Unmarshal(body, &p)
		got := map[string]string{}
		for _, e := range p.Errors {
			got[e.Field] = e.Message
		}
		if status != 422 || p.Code != "invalid" || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%q: %d %v, want 422 %v", tc.query, status, got, tc.want)
		}
	}
	if status, _ := c.call("GET", "/deadlines/calculate?rule=mediation.direct&from=2026-09-28", "", nil); status != 401 {
		t.Errorf("anonymous: %d", status)
	}
}

type deadlineJSON struct {
	ID          int64  `json:"id"`
	CaseID      *int64 `json:"case_id"`
	CaseNumber  string `json:"case_number"`
	Kind        string `json:"kind"`
	RuleID      string `json:"rule_id"`
	DueAt       string `json:"due_at"`
	LastDay     string `json:"last_day"`
	Status      string `json:"status"`
	Provisional bool   `json:"provisional"`
	Overdue     bool   `json:"overdue"`
}

// deadlineFlow is caseFlow with the app, for the tests that look into the
// database.
func deadlineFlow(t *testing.T) (*caseFlow, *app.App, *apptest.Running) {
	a := apptest.New(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	r := apptest.Serve(t, a)
	f := &caseFlow{t: t, c: newOAChecker(t, r.URL), tokens: map[string]string{}, orgs: map[string]int64{}, users: map[string]int64{}, clk: a.Clock}
	var rows []struct {
		ID   int64
		Code string
	}
	a.DB.Raw("SELECT id, code FROM orgs").Scan(&rows)
	for _, o := range rows {
		f.orgs[o.Code] = o.ID
	}
	var urows []struct {
		ID       int64
		Username string
	}
	a.DB.Raw("SELECT id, username FROM users").Scan(&urows)
	for _, u := range urows {
		f.users[u.Username] = u.ID
	}
	return f, a, r
}

// mediatingCase files a gulou case as its clerk, accepts it and assigns
// mediator1.gulou.
func (f *caseFlow) mediatingCase(overrides map[string]any) caseJSON {
	f.t.Helper()
	c := f.do("clerk.gulou", "POST", "/cases", f.intake(overrides), 201)
	id := fmt.Sprintf("/cases/%d", c.ID)
	c = f.do("director.gulou", "POST", id+"/accept", map[string]any{"version": c.Version, "consent_at": f.nowStr(-time.Hour)}, 200)
	return f.do("director.gulou", "POST", id+"/assign", map[string]any{"version": c.Version, "mediator_ids": []int64{f.users["mediator1.gulou"]}}, 200)
}

func (f *caseFlow) deadlines(user, query string, want int) ([]deadlineJSON, string) {
	f.t.Helper()
	status, body := f.c.call("GET", "/deadlines"+query, f.as(user), nil)
	if status != want {
		f.t.Fatalf("%s GET /deadlines%s: %d, want %d\n%s", user, query, status, want, body)
	}
	var out struct {
		Items      []deadlineJSON `json:"items"`
		NextCursor string         `json:"next_cursor"`
	}
	_ = json.Unmarshal(body, &out)
	return out.Items, out.NextCursor
}

// TestDeadlinesAPI_MineAndCase: assignment opens the mediation deadline;
// the case shows it, the mediator and the committee list it, nobody else
// does; a court-entrusted case needs its procedure.
func TestDeadlinesAPI_MineAndCase(t *testing.T) {
	f, _, _ := deadlineFlow(t)
	c := f.mediatingCase(nil)
	status, body := f.c.call("GET", fmt.Sprintf("/cases/%d", c.ID), f.as("director.gulou"), nil)
	var view struct {
		MediationDueAt time.Time      `json:"mediation_due_at"`
		Deadlines      []deadlineJSON `json:"deadlines"`
	}
	if err := json.Unmarshal(body, &view); status != 200 || err != nil || len(view.Deadlines) != 1 {
		t.Fatalf("case view: %d %v %s", status, err, body)
	}
	d := view.Deadlines[0]
	due, _ := time.Parse(time.RFC3339, d.DueAt)
	if d.Kind != "mediation" || d.RuleID != "mediation.direct" || d.Status != "open" || d.Overdue || !due.Equal(view.MediationDueAt) ||
		!strings.HasSuffix(d.DueAt, "T00:00:00+08:00") || d.LastDay != due.AddDate(0, 0, -1).Format("2006-01-02") {
		t.Errorf("case deadline = %+v (case due %v)", d, view.MediationDueAt)
	}
	for user, want := range map[string]int{"mediator1.gulou": 1, "director.gulou": 1, "clerk.gulou": 1, "director.city": 1,
		"mediator2.gulou": 0, "mediator1.cangshan": 0, "director.cangshan": 0, "leader": 1, "sme1": 0} {
		items, _ := f.deadlines(user, "", 200)
		if len(items) != want || (want == 1 && (items[0].ID != d.ID || items[0].CaseNumber != c.Number || *items[0].CaseID != c.ID)) {
			t.Errorf("%s: %+v, want %d", user, items, want)
		}
	}
	f.problem("admin", "GET", "/deadlines", nil, 403)
	for q, field := range map[string]string{"?limit=x": "limit", "?status=late": "status", "?cursor=zzz": "cursor"} {
		p := f.problem("director.gulou", "GET", "/deadlines"+q, nil, 422)
		if errs, _ := p["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != field {
			t.Errorf("%s: %v", q, p)
		}
	}

	// Pages of one.
	c2 := f.mediatingCase(nil)
	page, next := f.deadlines("director.gulou", "?limit=1", 200)
	if len(page) != 1 || next == "" || page[0].CaseID == nil || *page[0].CaseID != c.ID {
		t.Fatalf("page 1: %+v %q", page, next)
	}
	page, next = f.deadlines("director.gulou", "?limit=1&cursor="+url.QueryEscape(next), 200)
	if len(page) != 1 || next != "" || *page[0].CaseID != c2.ID {
		t.Errorf("page 2: %+v %q", page, next)
	}
	if page, _ = f.deadlines("director.gulou", "?status=met", 200); len(page) != 0 {
		t.Errorf("met: %+v", page)
	}

	// A court-entrusted case needs its court procedure, which decides
	// the period (simplified: 7 days).
	p := f.problem("clerk.gulou", "POST", "/cases", f.intake(map[string]any{"source": "court_entrusted", "external_ref": "（2026）闽0102民初9号"}), 422)
	if errs, _ := p["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "court_procedure" {
		t.Errorf("no procedure: %v", p)
	}
	status, body = f.c.call("POST", "/cases", f.as("clerk.gulou"), f.intake(map[string]any{"source": "court_entrusted",
		"court_procedure": "simplified", "external_ref": "（2026）闽0102民初9号"}))
	if status != 201 || !strings.Contains(string(body), `"court_procedure":"simplified"`) {
		t.Errorf("simplified intake: %d %s", status, body)
	}
}

// TestDeadlinesPages: "my deadlines" lists the case with its countdown and
// the provisional badge, the calculator works as a plain GET form, the case
// page has its deadlines section, in both languages.
func TestDeadlinesPages(t *testing.T) {
	f, a, r := deadlineFlow(t)
	c := f.mediatingCase(nil)
	// As if the period ran into a year without an official arrangement.
	if err := a.DB.Exec("UPDATE deadlines SET provisional = true WHERE case_id = ?", c.ID).Error; err != nil {
		t.Fatal(err)
	}
	director := webLogin(t, r, "director.gulou", "demo-pass-2026")
	resp, body := webGet(t, director, r.URL+"/deadlines")
	for _, want := range []string{"我的期限", c.Number, fmt.Sprintf(`href="/cases/%d#deadlines"`, c.ID), "暂定", "人民调解委员会直接受理纠纷的调解期限",
		"个工作日", "《人民调解工作若干规定》", `id="calculator"`} {
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("my deadlines: %d, lacks %q", resp.StatusCode, want)
		}
	}
	if !strings.Contains(body, `href="/deadlines"`) {
		t.Error("no navigation link to the deadlines")
	}

	// The calculator, without JavaScript: a GET form.
	resp, body = webGet(t, director, r.URL+"/deadlines?rule=mediation.court_entrusted_simplified&from=2026-09-28T10%3A00")
	for _, want := range []string{`id="calc-result"`, "2026-10-08 24:00", "2026-10-05", "国庆节", `value="2026-09-28T10:00"`} {
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("calculator: %d, lacks %q", resp.StatusCode, want)
		}
	}
	resp, body = webGet(t, director, r.URL+"/deadlines?rule=&from=soon")
	if resp.StatusCode != 422 || !strings.Contains(body, "此项必填") || !strings.Contains(body, "时间格式不正确") || strings.Contains(body, `id="calc-result"`) {
		t.Errorf("calculator errors: %d", resp.StatusCode)
	}

	// The case page's section.
	resp, body = webGet(t, director, fmt.Sprintf("%s/cases/%d", r.URL, c.ID))
	for _, want := range []string{`id="deadlines"`, "法定期限", "暂定", "进行中", "24:00"} {
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("case page: %d, lacks %q", resp.StatusCode, want)
		}
	}
	// Chinese text takes full-width brackets (the timeline's status change).
	if !regexp.MustCompile(`（[^（）()]+ → [^（）()]+）`).MatchString(body) {
		t.Error("the timeline's status changes are not in full-width brackets")
	}

	// English.
	webGet(t, director, r.URL+"/lang?to=en&next=/deadlines")
	_, body = webGet(t, director, r.URL+"/deadlines")
	for _, want := range []string{"My deadlines", "Provisional", "Mediation period", "Deadline calculator"} {
		if !strings.Contains(body, want) {
			t.Errorf("English page lacks %q", want)
		}
	}

	// An enterprise gets its own list (what binds it) and the calculator.
	sme := webLogin(t, r, "sme1", "demo-pass-2026")
	resp, body = webGet(t, sme, r.URL+"/deadlines")
	if resp.StatusCode != 200 || !strings.Contains(body, `id="my-deadlines"`) || !strings.Contains(body, `id="calculator"`) {
		t.Errorf("enterprise page: %d", resp.StatusCode)
	}
	// Its calculator offers the periods that bind an enterprise (customs,
	// judicial confirmation, assistance), not the committee's own.
	offered := func(body string, id string) bool { return strings.Contains(body, `<option value="`+id+`"`) }
	for id, want := range map[string]bool{"customs.application.court_notice": true, "judicial_confirmation.apply": true,
		"assistance.supplement": true, "mediation.direct": false, "criminal.transfer": false} {
		if offered(body, id) != want {
			t.Errorf("enterprise calculator offers %s: %v, want %v", id, !want, want)
		}
	}
	// A committee's is the other way round; the leadership office gets every rule.
	_, body = webGet(t, director, r.URL+"/deadlines")
	if !offered(body, "mediation.direct") || offered(body, "customs.ex_officio.answer") {
		t.Error("the director's calculator is not a committee's")
	}
	leader := webLogin(t, r, "leader", "demo-pass-2026")
	_, body = webGet(t, leader, r.URL+"/deadlines")
	for _, id := range []string{"mediation.direct", "customs.ex_officio.answer", "criminal.transfer", "annual_report"} {
		if !offered(body, id) {
			t.Errorf("the leadership office's calculator lacks %s", id)
		}
	}
}
