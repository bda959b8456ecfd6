package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/config"
)

// caseFlow drives cases through the API only, every response checked
// against the OpenAPI document.
type caseFlow struct {
	t      *testing.T
	c      *oaChecker
	tokens map[string]string
	orgs   map[string]int64
	users  map[string]int64
	clk    *clock.Clock // the app's clock: every time sent is on it
}

func (f *caseFlow) as(user string) string {
	if tok, ok := f.tokens[user]; ok {
		return tok
	}
	status, body := f.c.call("POST", "/auth/login", "", map[string]string{"username": user, "password": "demo-pass-2026"})
	if status != 200 {
		f.t.Fatalf("login %s: %d %s", user, status, body)
	}
	var tok struct{ Token string }
	_ = json.Unmarshal(body, &tok)
	f.tokens[user] = tok.Token
	return tok.Token
}

type caseJSON struct {
	ID             int64  `json:"id"`
	OrgID          int64  `json:"org_id"`
	Number         string `json:"number"`
	RegistrationNo string `json:"registration_number"`
	Status         string `json:"status"`
	Version        int    `json:"version"`
	RepeatInfr     bool   `json:"repeat_infringer"`
	AllowedActions []string
	Parties        []struct {
		ID       int64  `json:"id"`
		Name     string `json:"name"`
		IDNumber string `json:"id_number"`
		Phone    string `json:"phone"`
	} `json:"parties"`
	Agreement *struct {
		AmountFen   int64      `json:"amount_fen"`
		EffectiveAt *time.Time `json:"effective_at"`
		Signoffs    []struct {
			SignerKind string `json:"signer_kind"`
		}
	} `json:"agreement"`
	Sessions []struct{ Minutes string } `json:"sessions"`
	Events   []struct{ Action string }  `json:"events"`
	Allowed  []string                   `json:"allowed_actions"`
}

// do runs an action and decodes the case (or fails the test on an
// unexpected status).
func (f *caseFlow) do(user, method, path string, body any, want int) caseJSON {
	f.t.Helper()
	status, out := f.c.call(method, path, f.as(user), body)
	if status != want {
		f.t.Fatalf("%s %s %s: %d, want %d\n%s", user, method, path, status, want, out)
	}
	var c caseJSON
	_ = json.Unmarshal(out, &c)
	return c
}

func (f *caseFlow) problem(user, method, path string, body any, want int) map[string]any {
	f.t.Helper()
	status, out := f.c.call(method, path, f.as(user), body)
	if status != want {
		f.t.Fatalf("%s %s %s: %d, want %d\n%s", user, method, path, status, want, out)
	}
	var p map[string]any
	_ = json.Unmarshal(out, &p)
	return p
}

func newCaseFlow(t *testing.T) *caseFlow {
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
	return f
}

func (f *caseFlow) intake(overrides map[string]any) map[string]any {
	in := map[string]any{
		"org_id": f.orgs["gulou"], "source": "direct", "dispute_type": "patent_infringement",
		"summary": "被申请人未经许可制造、销售落入申请人发明专利保护范围的茶叶烘焙设备。",
		"claims":  "停止侵权，赔偿经济损失。", "claim_amount_fen": 20000000,
		"parties": []map[string]any{
			{"role": "applicant", "kind": "organisation", "name": "福州闽光软件科技有限公司", "credit_code": "91350100MA34A1B2CU", "is_sme": true},
			{"role": "respondent", "kind": "person", "name": "陈某某", "id_number": "11010519491231002X", "phone": "13912345678"},
		},
		"rights": []map[string]any{{"kind": "invention_patent", "number": "201710601862.3", "title": "一种茶叶烘焙装置"}},
	}
	for k, v := range overrides {
		in[k] = v
	}
	return in
}

// nowStr is the app's now moved by d, as the API takes it.
func (f *caseFlow) nowStr(d time.Duration) string {
	return f.clk.Now().Add(d).UTC().Format(time.RFC3339)
}

// TestCasesAPI_FullFlow: a clerk registers a case, the director accepts
// and assigns it, the mediator declares, logs a session, settles, and
// every signature and the seal make the agreement effective; the director
// closes it. Nobody outside 鼓楼 (or the city committee above it) sees it.
func TestCasesAPI_FullFlow(t *testing.T) {
	f := newCaseFlow(t)
	c := f.do("clerk.gulou", "POST", "/cases", f.intake(nil), 201)
	// Registered: a registration number, the case number only at acceptance.
	if c.Number != "" || !strings.HasPrefix(c.RegistrationNo, "（") || !strings.Contains(c.RegistrationNo, "鼓知调登字第0001号") || c.Status != "submitted" {
		t.Fatalf("intake: %+v", c)
	}
	id := fmt.Sprintf("/cases/%d", c.ID)

	// Scope: another committee does not see it; the city committee does.
	f.problem("director.cangshan", "GET", id, nil, 404)
	f.do("director.city", "GET", id, nil, 200)
	// Personal data: whole for the committee, masked for the leader.
	if v := f.do("director.gulou", "GET", id, nil, 200); v.Parties[1].IDNumber != "11010519491231002X" {
		t.Errorf("director should see the id number whole: %q", v.Parties[1].IDNumber)
	}
	if v := f.do("leader", "GET", id, nil, 200); v.Parties[1].IDNumber == "11010519491231002X" || !strings.Contains(v.Parties[1].IDNumber, "*") {
		t.Errorf("leader must see a masked id number: %q", v.Parties[1].IDNumber)
	}

	// Illegal action: 409 naming what is allowed now.
	p := f.problem("director.gulou", "POST", id+"/assign", map[string]any{"version": c.Version, "mediator_ids": []int64{f.users["mediator1.gulou"]}}, 409)
	if fmt.Sprint(p["allowed_actions"]) != "[accept reject withdraw reassign]" {
		t.Errorf("allowed actions for a submitted case: %v", p["allowed_actions"])
	}
	c = f.do("director.gulou", "POST", id+"/accept", map[string]any{"version": c.Version, "consent_at": f.nowStr(-time.Hour), "consent_note": "电话确认"}, 200)
	// Stale version: 409 and nothing changes.
	f.problem("director.gulou", "POST", id+"/assign", map[string]any{"version": c.Version - 1, "mediator_ids": []int64{f.users["mediator1.gulou"]}}, 409)
	if v := f.do("director.gulou", "GET", id, nil, 200); v.Status != "accepted" || v.Version != c.Version {
		t.Fatalf("stale update changed the case: %+v", v)
	}
	c = f.do("director.gulou", "POST", id+"/assign", map[string]any{"version": c.Version, "mediator_ids": []int64{f.users["mediator1.gulou"]}}, 200)
	if c.Status != "mediating" {
		t.Fatalf("after assign: %s", c.Status)
	}
	// Not the assigned mediator: forbidden; the assigned one must declare first.
	f.problem("mediator2.gulou", "POST", id+"/sessions", map[string]any{"version": c.Version}, 404)
	c = f.do("mediator1.gulou", "POST", id+"/declare", map[string]any{"version": c.Version, "no_conflict": true, "statement": "与双方当事人均无利害关系"}, 200)
	c = f.do("mediator1.gulou", "POST", id+"/sessions", map[string]any{"version": c.Version, "held_at": f.nowStr(-2 * time.Hour),
		"mode": "in_person", "place": "鼓楼区调委会调解室", "attendees": "双方当事人及代理人", "minutes": "双方就赔偿金额进行协商，初步达成一致。", "next_steps": "起草调解协议"}, 200)
	c = f.do("mediator1.gulou", "POST", id+"/settle", map[string]any{"version": c.Version, "facts": "被申请人制造销售涉案设备。",
		"disputed_matters": "是否侵权及赔偿数额。", "responsibilities": "被申请人承担侵权责任。", "terms": "被申请人赔偿申请人人民币十万元并停止制造销售。",
		"performance_method": "银行转账", "performance_due": f.clk.Now().In(calendar.Beijing).AddDate(0, 1, 0).Format("2006-01-02"),
		"amount_fen": 10_000_000}, 200)
	if c.Status != "agreement_draft" {
		t.Fatalf("after settle: %s, want the draft awaiting signatures", c.Status)
	}
	v := f.do("mediator1.gulou", "GET", id, nil, 200)
	for _, party := range v.Parties {
		c = f.do("mediator1.gulou", "POST", id+"/signoff", map[string]any{"version": c.Version, "signer_kind": "party", "party_id": party.ID,
			"method": "handwritten", "signed_at": f.nowStr(-30 * time.Minute)}, 200)
	}
	c = f.do("mediator1.gulou", "POST", id+"/signoff", map[string]any{"version": c.Version, "signer_kind": "mediator", "user_id": f.users["mediator1.gulou"],
		"method": "handwritten", "signed_at": f.nowStr(-20 * time.Minute)}, 200)
	if v := f.do("clerk.gulou", "GET", id, nil, 200); v.Agreement == nil || v.Agreement.EffectiveAt != nil {
		t.Fatalf("the agreement must not be effective before the seal: %+v", v.Agreement)
	}
	c = f.do("clerk.gulou", "POST", id+"/signoff", map[string]any{"version": c.Version, "signer_kind": "seal", "method": "seal", "signed_at": f.nowStr(-10 * time.Minute)}, 200)
	if c.Status != "settled" {
		t.Fatalf("after the seal: %s", c.Status)
	}
	v = f.do("director.gulou", "GET", id, nil, 200)
	if v.Agreement == nil || v.Agreement.EffectiveAt == nil || len(v.Agreement.Signoffs) != 4 || v.Agreement.AmountFen != 10_000_000 {
		t.Fatalf("the agreement must be effective with 4 sign-offs: %+v", v.Agreement)
	}
	// A follow-up of the agreement's performance: a partial one needs a
	// note (422 naming it, nothing written), then it is recorded and the
	// case page shows it.
	today := f.clk.Now().In(calendar.Beijing).Format("2006-01-02")
	p = f.problem("mediator1.gulou", "POST", id+"/performance", map[string]any{"version": c.Version, "result": "partly", "performed_on": today}, 422)
	if errs, _ := p["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "note" {
		t.Errorf("a partial performance without a note: %v", p["errors"])
	}
	c = f.do("mediator1.gulou", "POST", id+"/performance", map[string]any{"version": c.Version, "result": "partly", "performed_on": today,
		"note": "被申请人已支付五万元，余款约定下月付清。"}, 200)
	if c.Status != "settled" {
		t.Fatalf("after a performance record: %s", c.Status)
	}
	pstatus, pbody := f.c.call("GET", id, f.as("director.gulou"), nil)
	if pstatus != 200 || !strings.Contains(string(pbody), `"performance":[{"result":"partly","performed_on":"`+today+`"`) {
		t.Errorf("the case does not show the performance record: %d %s", pstatus, pbody)
	}
	c = f.do("director.gulou", "POST", id+"/close", map[string]any{"version": c.Version, "note": "被申请人已按期支付赔偿款"}, 200)
	if c.Status != "closed" {
		t.Fatalf("after close: %s", c.Status)
	}
	v = f.do("director.gulou", "GET", id, nil, 200)
	var actions []string
	for _, e := range v.Events {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"submit", "accept", "assign", "declare", "sessions", "settle", "signoff", "agreement_effective", "performance", "close"} {
		if !strings.Contains(strings.Join(actions, ","), want) {
			t.Errorf("timeline lacks %s: %v", want, actions)
		}
	}
	// A closed case whose agreement is in effect is still followed up.
	if fmt.Sprint(v.Allowed) != "[performance]" {
		t.Errorf("a closed settled case allows only follow-ups, got %v", v.Allowed)
	}
	// Lists: the committee's queue and the mediator's own list find it.
	for _, q := range []string{c.Number, "鼓知调字第0001号", "0001"} {
		status, body := f.c.call("GET", "/cases?q="+url.QueryEscape(q), f.as("director.gulou"), nil)
		if status != 200 || !strings.Contains(string(body), c.Number) {
			t.Errorf("search by number %q: %d %s", q, status, body)
		}
	}
	status, body := f.c.call("GET", "/cases?q=陈某某", f.as("director.gulou"), nil)
	if status != 200 || !strings.Contains(string(body), c.Number) {
		t.Errorf("search by party name: %d %s", status, body)
	}
	status, body = f.c.call("GET", "/cases?q=201710601862.3", f.as("director.gulou"), nil)
	if status != 200 || !strings.Contains(string(body), c.Number) {
		t.Errorf("search by patent number: %d %s", status, body)
	}
	status, body = f.c.call("GET", "/cases?mine=1", f.as("mediator1.gulou"), nil)
	if status != 200 || !strings.Contains(string(body), c.Number) {
		t.Errorf("mediator's own cases: %d %s", status, body)
	}
	status, body = f.c.call("GET", "/cases", f.as("director.cangshan"), nil)
	if status != 200 || strings.Contains(string(body), c.Number) {
		t.Errorf("another committee's list must not show the case: %d %s", status, body)
	}
}

// TestCasesAPI_BadInput: each bad intake is a field error naming the field,
// and nothing is created.
func TestCasesAPI_BadInput(t *testing.T) {
	f := newCaseFlow(t)
	tests := []struct {
		desc  string
		over  map[string]any
		field string
	}{
		{desc: "patent check character", over: map[string]any{"rights": []map[string]any{{"kind": "invention_patent", "number": "201710601862.4"}}}, field: "rights[0].number"},
		{desc: "no parties", over: map[string]any{"parties": []map[string]any{}}, field: "parties"},
		{desc: "negative amount", over: map[string]any{"claim_amount_fen": -1}, field: "claim_amount_fen"},
		{desc: "bad identity number", over: map[string]any{"parties": []map[string]any{
			{"role": "applicant", "kind": "organisation", "name": "甲公司"},
			{"role": "respondent", "kind": "person", "name": "乙", "id_number": "110105194912310021"}}}, field: "parties[1].id_number"},
		{desc: "bad credit code", over: map[string]any{"parties": []map[string]any{
			{"role": "applicant", "kind": "organisation", "name": "甲公司", "credit_code": "914403001922038217"},
			{"role": "respondent", "kind": "person", "name": "乙"}}}, field: "parties[0].credit_code"},
		{desc: "empty summary", over: map[string]any{"summary": ""}, field: "summary"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			p := f.problem("clerk.gulou", "POST", "/cases", f.intake(tt.over), 422)
			found := false
			for _, e := range p["errors"].([]any) {
				found = found || e.(map[string]any)["field"] == tt.field
			}
			if !found {
				t.Errorf("errors do not name %s: %v", tt.field, p["errors"])
			}
		})
	}
	status, body := f.c.call("GET", "/cases", f.as("clerk.gulou"), nil)
	if status != 200 || strings.Contains(string(body), "鼓知调字") {
		t.Errorf("bad intakes created cases: %s", body)
	}
}

// TestCasesAPI_Documents: upload through the API, download by someone who
// handles the case, a confidential file withheld from the leader, and
// disallowed or oversized uploads refused.
func TestCasesAPI_Documents(t *testing.T) {
	f := newCaseFlow(t)
	c := f.do("clerk.gulou", "POST", "/cases", f.intake(nil), 201)
	upload := func(user, name, content string, confidential bool) (int, []byte) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("kind", "evidence")
		if confidential {
			_ = w.WriteField("confidential", "true")
		}
		fw, _ := w.CreateFormFile("file", name)
		_, _ = io.WriteString(fw, content)
		_ = w.Close()
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/cases/%d/documents", f.c.base, c.ID), &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+f.as(user))
		return f.c.send(req)
	}
	status, body := upload("clerk.gulou", "../../证据清单.txt", "网店销售页面截图说明", false)
	if status != 201 {
		t.Fatalf("upload: %d %s", status, body)
	}
	var d struct {
		ID       int64  `json:"id"`
		FileName string `json:"file_name"`
		SHA256   string `json:"sha256"`
	}
	_ = json.Unmarshal(body, &d)
	if d.FileName != "证据清单.txt" || len(d.SHA256) != 64 {
		t.Errorf("stored document: %+v", d)
	}
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/documents/%d", f.c.base, d.ID), nil)
	req.Header.Set("Authorization", "Bearer "+f.as("director.gulou"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(got) != "网店销售页面截图说明" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("download: %d %q %v", resp.StatusCode, got, resp.Header)
	}
	status, body = upload("clerk.gulou", "笔录.txt", "保密笔录", true)
	if status != 201 {
		t.Fatalf("confidential upload: %d %s", status, body)
	}
	_ = json.Unmarshal(body, &d)
	req, _ = http.NewRequest("GET", fmt.Sprintf("%s/api/v1/documents/%d", f.c.base, d.ID), nil)
	req.Header.Set("Authorization", "Bearer "+f.as("leader"))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("the leader must not read a confidential document: %d", resp.StatusCode)
	}
	if status, body := upload("clerk.gulou", "page.html", "<html><script>alert(1)</script></html>", false); status != 422 || !strings.Contains(string(body), "validation.file_type") {
		t.Errorf("html upload: %d %s", status, body)
	}
	if status, _ := upload("director.cangshan", "x.txt", "x", false); status != 404 {
		t.Errorf("another committee's upload: %d", status)
	}
}
