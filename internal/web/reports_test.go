package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/pdf/pdftest"
)

func init() { moreRows = append(moreRows, reportRows) }

// reportWriters are the roles that write their organisation's annual
// report in the matrix's organisations (all of an owing type).
var reportWriters = []string{"director", "court_liaison", "customs_officer", "enforcement_officer", "assistance_officer", "association_staff"}

// reportRows: the office reads every report and decides on it; a unit
// writes its own; nobody else finds a report.
func reportRows() []mxRow {
	year := func(e *mxEnv) string { return e.a.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006") }
	// own: the actor's organisation when it owes a report, else gulou;
	// foreign: cangshan, whose report only the office reads.
	org := func(e *mxEnv, a mxActor, own bool) string {
		if !own {
			return ids(e.orgs["cangshan"])
		}
		for _, w := range reportWriters {
			if a.role == w {
				return ids(e.ownOrg(a))
			}
		}
		return ids(e.orgs["gulou"])
	}
	by := func(anon, leader, writers, others int) map[string]int {
		m := map[string]int{"anon": anon, "leader": leader, "*": others}
		for _, w := range reportWriters {
			m[w] = writers
		}
		return m
	}
	object := func(route, method string, body func() (url.Values, any), anon, leader, writers, others int) mxRow {
		return mxRow{route: route, objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
			r := mxReq{method: method, path: "/" + strings.TrimPrefix(strings.Split(route, " /")[1], "/")}
			r.path = strings.NewReplacer(":year", year(e), ":org", org(e, a, own)).Replace(r.path)
			if body != nil {
				r.form, r.json = body()
			}
			return r
		}, own: by(anon, leader, writers, others), foreign: by(anon, leader, others, others)}
	}
	get := func(route string, anon, leader, writers, others int) mxRow {
		return mxRow{route: route, req: func(e *mxEnv, _ mxActor, _ bool) mxReq {
			return mxReq{method: "GET", path: strings.ReplaceAll(strings.TrimPrefix(route, "GET "), ":year", year(e))}
		}, own: by(anon, leader, writers, others)}
	}
	form := func(v url.Values) func() (url.Values, any) { return func() (url.Values, any) { return v, nil } }
	js := func(v any) func() (url.Values, any) { return func() (url.Values, any) { return nil, v } }
	return []mxRow{
		{route: "GET /reports/annual", req: func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: "/reports/annual"} },
			own: by(303, 200, 200, 403)},
		get("GET /reports/annual/:year", 303, 200, 200, 403),
		get("GET /reports/annual/:year/summary", 303, 200, 403, 403),
		get("GET /reports/annual/:year/summary.docx", 303, 200, 403, 403),
		get("GET /reports/annual/:year/summary.pdf", 303, 200, 403, 403),
		object("GET /reports/annual/:year/:org", "GET", nil, 303, 200, 200, 404),
		object("GET /reports/annual/:year/:org/report.docx", "GET", nil, 303, 200, 200, 404),
		object("GET /reports/annual/:year/:org/report.pdf", "GET", nil, 303, 200, 200, 404),
		// An incomplete submission: refused after the writer was let in.
		object("POST /reports/annual/:year/:org", "POST", form(url.Values{"version": {"0"}, "action": {"submit"}}), 303, 403, 422, 404),
		// A return without a comment.
		object("POST /reports/annual/:year/:org/review", "POST", form(url.Values{"version": {"1"}, "action": {"return"}}), 303, 422, 403, 404),
		get("GET /api/v1/reports/annual/:year", 401, 200, 200, 403),
		object("GET /api/v1/reports/annual/:year/:org", "GET", nil, 401, 200, 200, 404),
		object("PUT /api/v1/reports/annual/:year/:org", "PUT", js(map[string]any{"version": -1}), 401, 403, 422, 404),
		object("POST /api/v1/reports/annual/:year/:org/submit", "POST", js(map[string]any{"version": 0}), 401, 403, 422, 404),
		object("POST /api/v1/reports/annual/:year/:org/return", "POST", js(map[string]any{"version": 1}), 401, 422, 403, 404),
		// No report exists yet: the office finds nothing submitted to accept.
		object("POST /api/v1/reports/annual/:year/:org/accept", "POST", js(map[string]any{"version": 1}), 401, 409, 403, 404),
	}
}

var cst = time.FixedZone("CST", 8*3600)

// TestAnnualReport_FromDraftToTheCitysSummary walks a committee's report
// of the year from draft to acceptance, with the office's board, a return
// for revision, a late submission, the downloads, the notifications, the
// history and audit rows, and the reminders that stop once a report is in.
func TestAnnualReport_FromDraftToTheCitysSummary(t *testing.T) {
	clk := clock.At(time.Date(2026, 12, 10, 10, 0, 0, 0, cst))
	r := apptest.Start(t, apptest.WithDemoCases(), apptest.WithClock(clk),
		apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	var gulou, cangshan int64
	r.App.DB.Raw("SELECT id FROM orgs WHERE code = 'gulou'").Scan(&gulou)
	r.App.DB.Raw("SELECT id FROM orgs WHERE code = 'cangshan'").Scan(&cangshan)
	page := fmt.Sprintf("%s/reports/annual/2026/%d", r.URL, gulou)
	count := func(q string, args ...any) int64 { return scalar[int64](t, r, q, args...) }
	status := func() string {
		return scalar[string](t, r, "SELECT coalesce((SELECT status FROM annual_reports WHERE org_id = ? AND year = 2026), 'none')", gulou)
	}
	version := func() string {
		return fmt.Sprint(scalar[int64](t, r, "SELECT version FROM annual_reports WHERE org_id = ? AND year = 2026", gulou))
	}
	post := func(c *http.Client, u string, v url.Values) (*http.Response, string) {
		v.Set("_csrf", pageCSRF(t, c, page))
		return webPost(t, c, u, v)
	}
	text := url.Values{"work": {"全年受理知识产权纠纷案件，开展诉调对接。"}, "results": {"调解成功率提高。\n\n建立专家库。"},
		"problems": {"调解员专业力量不足。"}, "plans": {"加强培训，推进在线调解。"}}
	with := func(base url.Values, kv ...string) url.Values {
		v := url.Values{}
		for k, x := range base {
			v[k] = x
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}

	director := webLogin(t, r, "director.gulou", demoPassword)
	// The committee writes one report: its year page (and the navigation
	// link) is that report, with no list to go back to.
	for _, p := range []string{"/reports/annual", "/reports/annual/2026"} {
		resp, body := webGet(t, director, r.URL+p)
		if resp.StatusCode != 200 || !strings.Contains(body, fmt.Sprintf(`action="/reports/annual/2026/%d"`, gulou)) ||
			strings.Contains(body, `href="/reports/annual/2026"`) {
			t.Fatalf("the director's %s: %d, want the committee's report without a link back to a list:\n%s", p, resp.StatusCode, body)
		}
	}
	resp, body := webGet(t, director, page)
	if resp.StatusCode != 200 || !strings.Contains(body, `id="report-form"`) || !strings.Contains(body, "未报送") ||
		!strings.Contains(body, "2026-12-21 00:00") || !strings.Contains(body, `href="/reports/annual"`) {
		t.Fatalf("the director's report page (%d) lacks the form, the status, the due time or the navigation link:\n%s", resp.StatusCode, body)
	}
	// The figures are the committee's year, each a link to its list.
	// Nine counts (filed, SME, open, the four outcomes, deadlines met and
	// missed) and the referral figures; the amounts link too, but are not
	// counts of rows.
	if n, nonzero := checkFigures(t, r, director, "gulou's report", body); n < 9 || nonzero < 4 {
		t.Errorf("gulou's report: %d linked figures, %d not zero; want the 9 case and deadline counts and its referrals", n, nonzero)
	}

	// An incomplete submission names the missing sections and keeps nothing.
	resp, body = post(director, page, url.Values{"version": {"0"}, "action": {"submit"}, "work": {"只写了一段。"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || strings.Count(body, `class="field-error"`) != 3 || !strings.Contains(body, "只写了一段。") {
		t.Fatalf("incomplete submission: %d, want 422 with three field errors and the text kept:\n%s", resp.StatusCode, body)
	}
	if status() != "none" {
		t.Fatal("an incomplete submission stored a report")
	}
	// A draft may be partial.
	if resp, _ = post(director, page, url.Values{"version": {"0"}, "action": {"save"}, "work": {"草稿第一段。"}}); resp.StatusCode != http.StatusSeeOther || status() != "draft" {
		t.Fatalf("save draft: %d, status %s", resp.StatusCode, status())
	}
	if resp, _ = post(director, page, with(text, "version", version(), "action", "submit")); resp.StatusCode != http.StatusSeeOther || status() != "submitted" {
		t.Fatalf("submit: %d, status %s", resp.StatusCode, status())
	}
	if count("SELECT count(*) FROM annual_reports WHERE org_id = ? AND late = false AND figures IS NOT NULL AND submitted_at IS NOT NULL", gulou) != 1 {
		t.Error("the submission did not freeze the figures or came out late")
	}
	// Once submitted, the unit cannot change it.
	if resp, _ = post(director, page, with(text, "version", version(), "action", "save")); resp.StatusCode != http.StatusConflict {
		t.Errorf("saving a submitted report: %d, want 409", resp.StatusCode)
	}
	if count(`SELECT count(*) FROM outbox o JOIN users u ON u.id = (o.payload->>'user_id')::bigint WHERE o.topic = 'notify:send'
AND u.username = 'leader' AND o.payload->>'kind' = 'annual_report_submitted' AND o.payload->>'link' = ?`, fmt.Sprintf("/reports/annual/2026/%d", gulou)) != 1 {
		t.Error("the office was not told of the submission, with its link")
	}

	// The office's board.
	leader := webLogin(t, r, "leader", demoPassword)
	resp, body = webGet(t, leader, r.URL+"/reports/annual/2026")
	if resp.StatusCode != 200 || !strings.Contains(body, `data-status="submitted"`) || !strings.Contains(body, "按时报送 1 家") ||
		strings.Count(body, `data-status="missing"`) < 10 {
		t.Fatalf("the board (%d) does not show one report on time and the others missing:\n%s", resp.StatusCode, body)
	}
	// Returning needs a comment; the unit is told the comment.
	resp, body = post(leader, page+"/review", url.Values{"version": {version()}, "action": {"return"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `class="field-error"`) || status() != "submitted" {
		t.Fatalf("return without a comment: %d, status %s", resp.StatusCode, status())
	}
	if resp, _ = post(leader, page+"/review", url.Values{"version": {version()}, "action": {"return"}, "comment": {"请补充诉调对接数据。"}}); resp.StatusCode != http.StatusSeeOther || status() != "returned" {
		t.Fatalf("return: %d, status %s", resp.StatusCode, status())
	}
	if count(`SELECT count(*) FROM outbox o JOIN users u ON u.id = (o.payload->>'user_id')::bigint WHERE o.topic = 'notify:send'
AND u.username = 'director.gulou' AND o.payload->>'kind' = 'annual_report_returned' AND o.payload->'params'->>'Comment' = '请补充诉调对接数据。'`) != 1 {
		t.Error("the director was not told of the return with the comment")
	}
	_, body = webGet(t, director, page)
	if !strings.Contains(body, "请补充诉调对接数据。") || !strings.Contains(body, `id="report-form"`) || !strings.Contains(body, "全年受理知识产权纠纷案件") {
		t.Error("the returned report does not show the comment and the form with the text")
	}
	if resp, _ = post(director, page, with(text, "version", version(), "action", "submit", "work", "全年受理知识产权纠纷案件，诉调对接案件另列。")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resubmit: %d", resp.StatusCode)
	}
	if resp, _ = post(leader, page+"/review", url.Values{"version": {version()}, "action": {"accept"}}); resp.StatusCode != http.StatusSeeOther || status() != "accepted" {
		t.Fatalf("accept: %d, status %s", resp.StatusCode, status())
	}
	// Final: no form for the unit, no decision for the office.
	_, body = webGet(t, director, page)
	if strings.Contains(body, `id="report-form"`) || !strings.Contains(body, "审核通过") {
		t.Error("an accepted report still offers its form")
	}
	if !strings.Contains(body, fmt.Sprintf(`href="/reports/annual/2026/%d/report.pdf"`, gulou)) || !strings.Contains(body, "下载 PDF 版式文件") {
		t.Error("the report's page does not offer the PDF")
	}
	_, body = webGet(t, leader, page)
	if strings.Contains(body, `id="report-review"`) || strings.Count(body, "<li><time>") != 5 {
		t.Errorf("the accepted report's page: a review form, or not its five steps of history (save, submit, return, submit, accept):\n%s", body)
	}
	for action, n := range map[string]int64{"annual_report.save": 1, "annual_report.submit": 2, "annual_report.return": 1, "annual_report.accept": 1} {
		if got := count("SELECT count(*) FROM audit_log WHERE action = ? AND object_type = 'annual_report'", action); got != n {
			t.Errorf("audit %s: %d rows, want %d", action, got, n)
		}
	}

	// The downloads.
	resp, doc := webGet(t, director, page+"/report.docx")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "wordprocessingml") {
		t.Fatalf("docx: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if xml := docxText(t, doc); !strings.Contains(xml, "诉调对接案件另列") || !strings.Contains(xml, "主要成效和经验") || !strings.Contains(xml, "建立专家库") {
		t.Errorf("the report's document lacks its text:\n%s", xml)
	}
	// The same document as PDF, its text drawn in the embedded fonts.
	resp, doc = webGet(t, director, page+"/report.pdf")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(doc, "%PDF-") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), `filename="annual-report-2026-gulou.pdf"`) {
		t.Fatalf("pdf: %d %s %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), doc[:min(len(doc), 8)])
	}
	if text := pdfText(t, doc); !strings.Contains(text, "鼓楼区知识产权纠纷调解委员会") || !strings.Contains(text, "诉调对接案件另列") ||
		!strings.Contains(text, "主要成效和经验") || !strings.Contains(text, "建立专家库") {
		t.Errorf("the report's PDF lacks its text:\n%s", text)
	}
	if !strings.Contains(doc, "/FontFile2") {
		t.Error("the report's PDF does not embed its fonts")
	}
	resp, body = webGet(t, leader, r.URL+"/reports/annual/2026/summary")
	if resp.StatusCode != 200 || !strings.Contains(body, "已审核通过的报告（1 份）") || !strings.Contains(body, "鼓楼区知识产权纠纷调解委员会") ||
		!strings.Contains(body, "全市各调解委员会全年收案") {
		t.Fatalf("summary (%d):\n%s", resp.StatusCode, body)
	}
	resp, doc = webGet(t, leader, r.URL+"/reports/annual/2026/summary.docx")
	if xml := docxText(t, doc); resp.StatusCode != 200 || !strings.Contains(xml, "诉调对接案件另列") || !strings.Contains(xml, "全市各调解委员会全年收案") {
		t.Errorf("the compilation's document (%d) lacks the overview or the accepted report", resp.StatusCode)
	}
	if !strings.Contains(body, `href="/reports/annual/2026/summary.pdf"`) {
		t.Error("the compilation's page does not offer the PDF")
	}
	resp, doc = webGet(t, leader, r.URL+"/reports/annual/2026/summary.pdf")
	if text := pdfText(t, doc); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(text, "诉调对接案件另列") || !strings.Contains(text, "全市各调解委员会全年收案") {
		t.Errorf("the compilation's PDF (%d %s) lacks the overview or the accepted report:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), text)
	}

	// Nobody else reads it.
	for _, u := range []string{"clerk.gulou", "director.cangshan", "sme1"} {
		if resp, _ := webGet(t, webLogin(t, r, u, demoPassword), page); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s reads gulou's report: %d", u, resp.StatusCode)
		}
	}

	// Reminders: planned for every owing organisation's writers; the one
	// whose report is in is not reminded, another is, with its link.
	ctx := context.Background()
	if _, err := r.App.Notify.PlanAnnualReports(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT count(*) FROM reminders m JOIN orgs o ON o.id = m.org_id WHERE m.topic = 'report:annual' AND o.type IN ('leadership_office', 'arbitration_commission', 'enterprise')`); n != 0 {
		t.Errorf("%d annual reminders for organisations that owe no report", n)
	}
	var due []int64
	r.App.DB.Raw(`SELECT id FROM reminders WHERE topic = 'report:annual' AND stage = 'annual_open' AND org_id IN (?, ?)`, gulou, cangshan).Scan(&due)
	if len(due) != 2 {
		t.Fatalf("%d announcements for gulou and cangshan, want one each", len(due))
	}
	if err := r.App.Notify.DeliverReminders(ctx, due); err != nil {
		t.Fatal(err)
	}
	if got := scalar[string](t, r, `SELECT status || '/' || cancel_reason FROM reminders WHERE id IN ? AND org_id = ?`, due, gulou); got != "cancelled/report_submitted" {
		t.Errorf("gulou's reminder after its report was accepted: %s", got)
	}
	if n := count(`SELECT count(*) FROM notifications WHERE kind = 'annual_report_open' AND link = ?`, fmt.Sprintf("/reports/annual/2026/%d", cangshan)); n != 1 {
		t.Errorf("cangshan's director got %d announcements linking to its report, want 1", n)
	}

	// After the due day, a submission is late, on the board too.
	if _, err := clk.Advance(11 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	token := mustLogin(t, r, "director.cangshan")
	api := call(t, r, http.MethodPut, fmt.Sprintf("/api/v1/reports/annual/2026/%d", cangshan), token, map[string]any{"version": 0, "work": "仓山区的工作。"})
	var got struct {
		Status  string
		Version int
		Actions []string
	}
	if err := json.Unmarshal(api.Body, &got); err != nil || api.Status != 200 || got.Status != "draft" || got.Version != 1 || len(got.Actions) != 2 {
		t.Fatalf("API save: %v %+v", api, got)
	}
	api = call(t, r, http.MethodPost, fmt.Sprintf("/api/v1/reports/annual/2026/%d/submit", cangshan), token, map[string]any{"version": 1, "work": "仓山区的工作。"})
	if p := mustProblem(t, api, 422, "invalid"); len(p.Errors) != 3 || p.fieldMessage("plans") == "" {
		t.Errorf("API incomplete submission names %+v, want the three missing sections", p.Errors)
	}
	api = call(t, r, http.MethodPost, fmt.Sprintf("/api/v1/reports/annual/2026/%d/submit", cangshan), token,
		map[string]any{"version": 1, "work": "仓山区的工作。", "results": "成效。", "problems": "问题。", "plans": "计划。"})
	if api.Status != 200 || count("SELECT count(*) FROM annual_reports WHERE org_id = ? AND status = 'submitted' AND late", cangshan) != 1 {
		t.Fatalf("API late submission: %v", api)
	}
	_, body = webGet(t, leader, r.URL+"/reports/annual/2026")
	if !strings.Contains(body, "逾期报送 1 家") {
		t.Error("the board does not count the late submission")
	}
	// A year to come is a field error, not a 500.
	if resp, _ := webGet(t, leader, r.URL+"/reports/annual/2031"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a future year: %d, want 422", resp.StatusCode)
	}
}

// pdfText is the text a PDF file's pages show, with the line and page
// breaks taken out.
func pdfText(t *testing.T, file string) string {
	t.Helper()
	text, err := pdftest.Text([]byte(file))
	if err != nil {
		t.Fatalf("not a PDF of ours: %v", err)
	}
	return pdftest.Joined(text)
}

// docxText is the document part of a .docx file.
func docxText(t *testing.T, file string) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader([]byte(file)), int64(len(file)))
	if err != nil {
		t.Fatalf("not a docx: %v", err)
	}
	for _, f := range z.File {
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, _ := io.ReadAll(rc)
			return string(b)
		}
	}
	t.Fatal("the docx has no word/document.xml")
	return ""
}

// TestAnnualReport_NavigationOnlyForThoseWhoOweOne: where the city has not
// made committees owe a report, a committee's director (who holds
// report:submit) is not shown 年度报告, and the page refuses them; the
// court's liaison, whose court owes one, keeps both.
func TestAnnualReport_NavigationOnlyForThoseWhoOweOne(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) {
		c.Security.LoginRatePerMinute = 1000
		c.Reminders.AnnualReportOrgTypes = []string{string(domain.OrgCourt)}
	}))
	for user, owes := range map[string]bool{"director.gulou": false, "liaison.gulou-court": true} {
		c := webLogin(t, r, user, demoPassword)
		_, home := webGet(t, c, r.URL+"/work")
		if got := strings.Contains(home, `href="/reports/annual"`); got != owes {
			t.Errorf("%s: navigation link to the annual report %v, want %v", user, got, owes)
		}
		resp, _ := webGet(t, c, r.URL+"/reports/annual")
		if want := map[bool]int{true: 200, false: 403}[owes]; resp.StatusCode != want {
			t.Errorf("%s: /reports/annual %d, want %d", user, resp.StatusCode, want)
		}
	}
}
