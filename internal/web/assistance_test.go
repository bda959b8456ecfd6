package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/assistance"
	"github.com/ipmediate/ipmediate/internal/domain"
)

func init() { moreRows = append(moreRows, assistanceRows) }

// mxAssist holds the assistance objects of the authorization matrix: a
// submitted application of sme1 (own for the applicant) and one of sme2
// (foreign), each with a document. Both belong to the one assistance
// centre, so the officer sees both.
type mxAssist struct {
	ownApp, foreignApp, ownDoc, foreignDoc int64
}

var mxAssistObjects mxObjects[*mxAssist]

func mxAssistance(e *mxEnv) *mxAssist {
	return mxAssistObjects.get(e, func() *mxAssist {
		m := &mxAssist{}
		m.ownApp, m.ownDoc = mxApplication(e, "sme1")
		m.foreignApp, m.foreignDoc = mxApplication(e, "sme2")
		return m
	})
}

func mxApplication(e *mxEnv, username string) (int64, int64) {
	e.t.Helper()
	act, err := e.a.Identity.Actor(context.Background(), e.users[username])
	if err != nil {
		e.t.Fatal(err)
	}
	ctx := domain.WithActor(context.Background(), act)
	app, err := e.a.Assistance.Apply(ctx, apiApplication())
	if err != nil {
		e.t.Fatal(err)
	}
	d, err := e.a.Assistance.Upload(ctx, assistance.UploadInput{ApplicationID: app.ID, Kind: "evidence", FileName: "证据.txt",
		Body: strings.NewReader("展位照片说明")})
	if err != nil {
		e.t.Fatal(err)
	}
	return app.ID, d.ID
}

func apiApplication() assistance.ApplyInput {
	return assistance.ApplyInput{
		Rights:         []assistance.Right{{Kind: domain.RightTrademark, Number: "12345678", Title: "闽光"}},
		Narrative:      "某网店销售假冒我司注册商标的软件光盘。",
		RespondentName: "福州某贸易有限公司", PlaceKind: assistance.PlaceOnline, Place: "某电商平台店铺",
		HelpWanted:  []assistance.Help{assistance.HelpMediation},
		ContactName: "林晓峰", ContactPhone: "13800138000",
	}
}

// assistanceRows: an SME applies and follows its own applications, the
// assistance officer reviews every application of the centre, the
// leadership office reads every application (no step: 403, no document:
// 404); nobody else sees any. Steps on a submitted application: the
// officer's are permitted (422: no version), answer and open-case are not
// allowed in this state (409 for the applicant and the officer).
func assistanceRows() []mxRow {
	app := func(e *mxEnv, own bool) int64 {
		m := mxAssistance(e)
		if own {
			return m.ownApp
		}
		return m.foreignApp
	}
	doc := func(e *mxEnv, own bool) int64 {
		m := mxAssistance(e)
		if own {
			return m.ownDoc
		}
		return m.foreignDoc
	}
	// sees: own side applicant, officer and office; foreign side officer
	// and office.
	sees := func(anon int, applicant, officer, leader, others int) (map[string]int, map[string]int) {
		return map[string]int{"anon": anon, "applicant": applicant, "assistance_officer": officer, "leader": leader, "*": others},
			map[string]int{"anon": anon, "assistance_officer": officer, "leader": leader, "*": others}
	}
	row := func(route string, req func(e *mxEnv, own bool) mxReq, anon, applicant, officer, leader int) mxRow {
		own, foreign := sees(anon, applicant, officer, leader, 404)
		return mxRow{route: route, objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq { return req(e, own) },
			own: own, foreign: foreign}
	}
	get := func(p string) func(*mxEnv, mxActor, bool) mxReq {
		return func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: p} }
	}
	apiStep := func(step string, applicant, officer int) mxRow {
		return row("POST /api/v1/assistance/applications/:id/"+step, func(e *mxEnv, own bool) mxReq {
			return mxReq{method: "POST", path: fmt.Sprintf("/api/v1/assistance/applications/%d/%s", app(e, own), step), json: map[string]any{}}
		}, 401, applicant, officer, 403)
	}
	rows := []mxRow{
		// API.
		{route: "GET /api/v1/assistance/applications", req: get("/api/v1/assistance/applications"),
			own: map[string]int{"anon": 401, "applicant": 200, "assistance_officer": 200, "leader": 200, "association_staff": 200, "*": 403}},
		{route: "POST /api/v1/assistance/applications", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/api/v1/assistance/applications", json: map[string]any{}}
		}, own: map[string]int{"anon": 401, "applicant": 422, "association_staff": 422, "*": 403}},
		row("GET /api/v1/assistance/applications/:id", func(e *mxEnv, own bool) mxReq {
			return mxReq{method: "GET", path: fmt.Sprintf("/api/v1/assistance/applications/%d", app(e, own))}
		}, 401, 200, 200, 200),
		apiStep("request-materials", 403, 422),
		apiStep("answer", 409, 409),
		apiStep("approve", 403, 422),
		apiStep("reject", 403, 422),
		apiStep("open-case", 409, 409),
		apiStep("send-referrals", 409, 409),
		row("POST /api/v1/assistance/applications/:id/documents", func(e *mxEnv, own bool) mxReq {
			return mxReq{method: "POST", path: fmt.Sprintf("/api/v1/assistance/applications/%d/documents", app(e, own)), json: map[string]any{}}
		}, 401, 422, 403, 403),
		row("GET /api/v1/assistance/documents/:id", func(e *mxEnv, own bool) mxReq {
			return mxReq{method: "GET", path: fmt.Sprintf("/api/v1/assistance/documents/%d", doc(e, own))}
		}, 401, 200, 200, 404),
		{route: "GET /api/v1/assistance/exhibitions", req: get("/api/v1/assistance/exhibitions"), own: map[string]int{"anon": 401, "*": 200}},
		{route: "POST /api/v1/assistance/exhibition-complaints", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/api/v1/assistance/exhibition-complaints", json: map[string]any{}}
		}, own: map[string]int{"anon": 401, "applicant": 422, "assistance_officer": 422, "*": 403}},

		// Pages.
		{route: "GET /assistance", req: get("/assistance"),
			own: map[string]int{"anon": 303, "applicant": 200, "assistance_officer": 200, "leader": 200, "association_staff": 200, "*": 403}},
		{route: "GET /assistance/new", req: get("/assistance/new"), own: map[string]int{"anon": 303, "applicant": 200, "association_staff": 200, "*": 404}},
		{route: "POST /assistance", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/assistance", form: url.Values{"narrative": {""}}}
		}, own: map[string]int{"anon": 303, "applicant": 422, "association_staff": 422, "*": 403}},
		row("GET /assistance/:id", func(e *mxEnv, own bool) mxReq {
			return mxReq{method: "GET", path: fmt.Sprintf("/assistance/%d", app(e, own))}
		}, 303, 200, 200, 200),
		row("POST /assistance/:id/:action", func(e *mxEnv, own bool) mxReq {
			return mxReq{method: "POST", path: fmt.Sprintf("/assistance/%d/request-materials", app(e, own)), form: url.Values{"message": {""}}}
		}, 303, 403, 422, 403),
		row("POST /assistance/:id/documents", func(e *mxEnv, own bool) mxReq {
			return mxReq{method: "POST", path: fmt.Sprintf("/assistance/%d/documents", app(e, own)), form: url.Values{"kind": {"evidence"}}}
		}, 303, 422, 403, 403),
		row("GET /assistance/documents/:id", func(e *mxEnv, own bool) mxReq {
			return mxReq{method: "GET", path: fmt.Sprintf("/assistance/documents/%d", doc(e, own))}
		}, 303, 200, 200, 404),
		{route: "GET /assistance/exhibition", req: get("/assistance/exhibition"),
			own: map[string]int{"anon": 303, "applicant": 200, "assistance_officer": 200, "*": 404}},
		{route: "POST /assistance/exhibition", req: func(e *mxEnv, _ mxActor, _ bool) mxReq {
			return mxReq{method: "POST", path: "/assistance/exhibition", form: url.Values{"exhibition_code": {""}}}
		}, own: map[string]int{"anon": 303, "applicant": 422, "assistance_officer": 422, "*": 403}},
	}
	return rows
}

// assistFlow drives the assistance API with response checking.
type assistFlow struct {
	t      *testing.T
	c      *oaChecker
	tokens map[string]string
}

func (f *assistFlow) as(user string) string {
	tok, ok := f.tokens[user]
	if !ok {
		f.t.Fatalf("no token for %s", user)
	}
	return tok
}

// do calls the API as user and checks the status; it returns the body.
func (f *assistFlow) do(user, method, path string, body any, want int) []byte {
	f.t.Helper()
	tok := ""
	if user != "" {
		tok = f.as(user)
	}
	status, out := f.c.call(method, path, tok, body)
	if status != want {
		f.t.Fatalf("%s %s as %s: %d, want %d\n%s", method, path, user, status, want, out)
	}
	return out
}

type appJSON struct {
	ID              int64      `json:"id"`
	Number          string     `json:"number"`
	Status          string     `json:"status"`
	Version         int        `json:"version"`
	ContactPhone    string     `json:"contact_phone"`
	SupplementDueAt *time.Time `json:"supplement_due_at"`
	Links           []struct {
		Kind       string `json:"kind"`
		CaseID     *int64 `json:"case_id"`
		CaseNumber string `json:"case_number"`
	} `json:"links"`
	Documents      []struct{ ID int64 } `json:"documents"`
	AllowedActions []string             `json:"allowed_actions"`
}

func asDecode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

type problemJSON struct {
	Code    string `json:"code"`
	Errors  []struct{ Field string }
	Allowed []string `json:"allowed_actions"`
}

func (p problemJSON) fields() []string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

// TestAssistanceAPI_Flow: an SME applies, the officer asks for materials,
// the SME answers with a file, the officer approves with a plan and opens
// a case at gulou, which the committee and the SME then see; every answer
// is held against the OpenAPI document.
func TestAssistanceAPI_Flow(t *testing.T) {
	r := startDemo(t)
	f := &assistFlow{t: t, c: newOAChecker(t, r.URL), tokens: map[string]string{}}
	for _, u := range []string{"sme1", "sme2", "assistance.fz", "director.gulou", "clerk.gulou"} {
		f.tokens[u] = mustLogin(t, r, u)
	}
	base := "/assistance/applications"

	// Bad input: 422 naming the fields, nothing written.
	bad := asDecode[problemJSON](t, f.do("sme1", "POST", base, map[string]any{"rights": []any{map[string]any{"kind": "invention_patent",
		"number": "201710601862.4"}}, "place_kind": "abroad"}, 422))
	for _, want := range []string{"rights[0].number", "narrative", "country", "help_wanted", "contact_name", "contact_phone"} {
		if !slices.Contains(bad.fields(), want) {
			t.Errorf("the problem does not name %s: %v", want, bad.fields())
		}
	}
	f.do("sme1", "POST", base, map[string]any{"narrative": "x", "surprise": true}, 422)
	f.do("director.gulou", "POST", base, apiApplication(), 403)
	var n int64
	if err := r.App.DB.Raw("SELECT count(*) FROM assistance_applications").Scan(&n).Error; err != nil || n != 0 {
		t.Fatalf("bad input wrote %d applications (%v)", n, err)
	}

	app := asDecode[appJSON](t, f.do("sme1", "POST", base, apiApplication(), 201))
	if app.Status != "submitted" || app.Version != 1 || app.ContactPhone != "13800138000" {
		t.Fatalf("applied: %+v", app)
	}
	path := fmt.Sprintf("%s/%d", base, app.ID)
	list := asDecode[struct {
		Items      []struct{ ID int64 } `json:"items"`
		NextCursor string               `json:"next_cursor"`
	}](t, f.do("assistance.fz", "GET", base+"?status=submitted,under_review&limit=10", nil, 200))
	if len(list.Items) != 1 || list.Items[0].ID != app.ID || list.NextCursor != "" {
		t.Fatalf("officer's list: %+v", list)
	}
	f.do("sme2", "GET", path, nil, 404)
	f.do("assistance.fz", "GET", base+"?status=bogus", nil, 422)

	// Request materials.
	f.do("sme1", "POST", path+"/request-materials", map[string]any{"version": 1, "message": "x"}, 403)
	p := asDecode[problemJSON](t, f.do("assistance.fz", "POST", path+"/request-materials", map[string]any{"version": 1}, 422))
	if !slices.Contains(p.fields(), "message") {
		t.Fatalf("no message: %+v", p)
	}
	f.do("assistance.fz", "POST", path+"/request-materials", map[string]any{"version": 9, "message": "x"}, 409)
	app = asDecode[appJSON](t, f.do("assistance.fz", "POST", path+"/request-materials",
		map[string]any{"version": 1, "message": "请补充商标注册证复印件。"}, 200))
	if app.Status != "materials_requested" || app.SupplementDueAt == nil {
		t.Fatalf("after the request: %+v", app)
	}

	// The SME uploads the file and answers.
	upload := func(user string, id int64, name, content string) (int, []byte) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("kind", "right_certificate")
		fw, _ := w.CreateFormFile("file", name)
		_, _ = io.WriteString(fw, content)
		_ = w.Close()
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/assistance/applications/%d/documents", r.URL, id), &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+f.as(user))
		return f.c.send(req)
	}
	if status, body := upload("sme1", app.ID, "../商标注册证.txt", "第12345678号商标注册证"); status != 201 {
		t.Fatalf("upload: %d %s", status, body)
	}
	if status, _ := upload("assistance.fz", app.ID, "意见.txt", "x"); status != 403 {
		t.Fatalf("the officer uploading: %d", status)
	}
	if status, _ := upload("sme2", app.ID, "x.txt", "x"); status != 404 {
		t.Fatalf("another SME uploading: %d", status)
	}
	app = asDecode[appJSON](t, f.do("sme1", "POST", path+"/answer", map[string]any{"version": app.Version, "answer": "已上传商标注册证。"}, 200))
	if app.Status != "under_review" {
		t.Fatalf("after the answer: %+v", app)
	}
	view := asDecode[appJSON](t, f.do("assistance.fz", "GET", path, nil, 200))
	if len(view.Documents) != 1 || !slices.Contains(view.AllowedActions, "approve") {
		t.Fatalf("the officer's view: %+v", view)
	}
	docPath := fmt.Sprintf("/assistance/documents/%d", view.Documents[0].ID)
	req, _ := http.NewRequest("GET", r.URL+"/api/v1"+docPath, nil)
	req.Header.Set("Authorization", "Bearer "+f.as("assistance.fz"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(got) != "第12345678号商标注册证" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %q %v", resp.StatusCode, got, resp.Header)
	}
	f.do("sme2", "GET", docPath, nil, 404)

	// Approve with a plan and open the case at gulou.
	app = asDecode[appJSON](t, f.do("assistance.fz", "POST", path+"/approve", map[string]any{"version": app.Version,
		"plan_help": []string{"mediation", "infringement_opinion"}, "plan_note": "先行调解。"}, 200))
	if app.Status != "approved" {
		t.Fatalf("after approval: %+v", app)
	}
	p = asDecode[problemJSON](t, f.do("sme1", "POST", path+"/answer", map[string]any{"version": app.Version, "answer": "x"}, 409))
	if p.Code != "conflict" || !slices.Equal(p.Allowed, []string{}) && p.Allowed != nil {
		t.Fatalf("answering an approved application: %+v", p)
	}
	var gulou int64
	if err := r.App.DB.Raw("SELECT id FROM orgs WHERE code = 'gulou'").Scan(&gulou).Error; err != nil {
		t.Fatal(err)
	}
	p = asDecode[problemJSON](t, f.do("assistance.fz", "POST", path+"/open-case", map[string]any{"version": app.Version, "org_id": 999999}, 422))
	if !slices.Contains(p.fields(), "org_id") {
		t.Fatalf("an unknown committee: %+v", p)
	}
	opened := asDecode[struct {
		Application appJSON `json:"application"`
		Case        struct {
			ID     int64  `json:"id"`
			Number string `json:"number"`
			RegNo  string `json:"registration_number"`
			Source string `json:"source"`
			Status string `json:"status"`
		} `json:"case"`
	}](t, f.do("assistance.fz", "POST", path+"/open-case", map[string]any{"version": app.Version, "org_id": gulou}, 201))
	if opened.Case.Source != "assistance_referred" || opened.Case.Status != "submitted" || opened.Case.Number != "" || !strings.Contains(opened.Case.RegNo, "鼓知调登字") {
		t.Fatalf("opened: %+v", opened.Case)
	}
	f.do("director.gulou", "GET", fmt.Sprintf("/cases/%d", opened.Case.ID), nil, 200)
	f.do("sme1", "GET", fmt.Sprintf("/cases/%d", opened.Case.ID), nil, 200)
	view = asDecode[appJSON](t, f.do("sme1", "GET", path, nil, 200))
	if len(view.Links) != 1 || view.Links[0].CaseNumber != opened.Case.RegNo || slices.Contains(view.AllowedActions, "open-case") {
		t.Fatalf("the SME's view of the result: %+v", view)
	}
	f.do("assistance.fz", "POST", path+"/open-case", map[string]any{"version": opened.Application.Version, "org_id": gulou}, 409)

	// The centre's statistics: a second application, waiting; each
	// figure is the list it links to, and the API's equal the table's.
	second := apiApplication()
	second.HelpWanted = []assistance.Help{assistance.HelpMediation, assistance.HelpCustomsSupport}
	f.do("sme2", "POST", base, second, 201)
	year := r.App.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006")
	st := asDecode[struct {
		Assistance *struct {
			Submitted int            `json:"submitted"`
			ByStatus  map[string]int `json:"by_status"`
			ByHelp    []struct {
				Help            string
				Asked, Approved int
			} `json:"by_help"`
		} `json:"assistance"`
	}](t, f.do("assistance.fz", "GET", "/stats?year="+year, nil, 200))
	if a := st.Assistance; a == nil || a.Submitted != 2 || a.ByStatus["approved"] != 1 || a.ByStatus["submitted"] != 1 || len(a.ByHelp) != len(assistance.Helps) ||
		a.ByHelp[3].Help != "mediation" || a.ByHelp[3].Asked != 2 || a.ByHelp[3].Approved != 1 || a.ByHelp[5].Help != "customs_support" || a.ByHelp[5].Asked != 1 {
		t.Errorf("the centre's assistance figures: %+v", st.Assistance)
	}
	officer := webLogin(t, r, "assistance.fz", demoPassword)
	resp, page := webGet(t, officer, r.URL+"/stats?year="+year)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="stats-assistance"`) {
		t.Fatalf("the centre's /stats (%d) has no assistance figures", resp.StatusCode)
	}
	if n, nonzero := checkFigures(t, r, officer, "assistance.fz /stats", page); n < 6+1+2*8 || nonzero < 5 {
		t.Errorf("assistance.fz /stats: %d figures, %d not zero", n, nonzero)
	}
	if _, page := webGet(t, officer, r.URL+"/assistance?help=customs_support"); !strings.Contains(page, `id="assistance-filters"`) ||
		strings.Count(page, `data-application="`) != 1 {
		t.Error("the list filtered by kind of help does not say so or lists other applications")
	}
	for q, field := range map[string]string{"help=money": "help", "submitted_from=2026-13-01": "submitted_from"} {
		if p := asDecode[problemJSON](t, f.do("assistance.fz", "GET", base+"?"+q, nil, 422)); !slices.Equal(p.fields(), []string{field}) {
			t.Errorf("a bad filter %s: %+v", q, p)
		}
	}
	if st := asDecode[struct {
		Assistance *struct{} `json:"assistance"`
	}](t, f.do("director.gulou", "GET", "/stats?year="+year, nil, 200)); st.Assistance != nil {
		t.Error("a committee director is given the centre's assistance figures")
	}
}

// TestAssistanceAPI_Lapse: an application waiting for materials lapses
// when the sweep runs after the supplement deadline (a sweeper with a
// clock 11 working days ahead); the SME then sees it lapsed, can no
// longer answer, and has a notice.
func TestAssistanceAPI_Lapse(t *testing.T) {
	r := startDemo(t)
	f := &assistFlow{t: t, c: newOAChecker(t, r.URL), tokens: map[string]string{}}
	for _, u := range []string{"sme1", "assistance.fz"} {
		f.tokens[u] = mustLogin(t, r, u)
	}
	app := asDecode[appJSON](t, f.do("sme1", "POST", "/assistance/applications", apiApplication(), 201))
	path := fmt.Sprintf("/assistance/applications/%d", app.ID)
	app = asDecode[appJSON](t, f.do("assistance.fz", "POST", path+"/request-materials", map[string]any{"version": 1, "message": "补正"}, 200))

	// The app's own sweeper finds nothing due yet.
	if n, err := r.App.Assistance.LapseOverdue(context.Background()); err != nil || n != 0 {
		t.Fatalf("sweep now: %d %v", n, err)
	}
	later := app.SupplementDueAt.Add(time.Minute)
	a := r.App
	sweeper := a.CapabilitiesAt(func() time.Time { return later }).Assistance
	if n, err := sweeper.LapseOverdue(context.Background()); err != nil || n != 1 {
		t.Fatalf("sweep after the due time: %d %v", n, err)
	}
	view := asDecode[appJSON](t, f.do("sme1", "GET", path, nil, 200))
	if view.Status != "lapsed" || len(view.AllowedActions) != 0 {
		t.Fatalf("after the lapse: %+v", view)
	}
	p := asDecode[problemJSON](t, f.do("sme1", "POST", path+"/answer", map[string]any{"version": view.Version, "answer": "迟到"}, 409))
	if p.Code != "conflict" {
		t.Fatalf("a late answer: %+v", p)
	}
	deliverAll(t, a)
	notes := asDecode[struct {
		Items []struct {
			Kind  string `json:"kind"`
			Title string `json:"title"`
			Link  string `json:"link"`
		} `json:"items"`
	}](t, f.do("sme1", "GET", "/notifications", nil, 200))
	var kinds []string
	for _, n := range notes.Items {
		kinds = append(kinds, n.Kind)
		if strings.HasPrefix(n.Kind, "assistance_") && (strings.HasPrefix(n.Title, "notify.") || n.Link != fmt.Sprintf("/assistance/%d", app.ID)) {
			t.Errorf("notification %s is not rendered or not linked: %+v", n.Kind, n)
		}
	}
	for _, want := range []string{"assistance_submitted", "assistance_materials_requested", "assistance_lapsed"} {
		if !slices.Contains(kinds, want) {
			t.Errorf("the SME was not told %s: %v", want, kinds)
		}
	}
}

// TestAssistanceAPI_ExhibitionComplaint: a complaint at the 6·18 fair
// creates a case with source exhibition whose first response is due 24
// hours later.
func TestAssistanceAPI_ExhibitionComplaint(t *testing.T) {
	r := startDemo(t)
	f := &assistFlow{t: t, c: newOAChecker(t, r.URL), tokens: map[string]string{}}
	for _, u := range []string{"sme1", "director.gulou"} {
		f.tokens[u] = mustLogin(t, r, u)
	}
	exh := asDecode[struct {
		Items []struct {
			Code   string `json:"code"`
			NameZH string `json:"name_zh"`
		} `json:"items"`
	}](t, f.do("sme1", "GET", "/assistance/exhibitions", nil, 200))
	if len(exh.Items) < 2 || !strings.Contains(exh.Items[0].NameZH, "5·18") || !strings.Contains(exh.Items[1].NameZH, "6·18") {
		t.Fatalf("exhibitions: %+v", exh)
	}
	var gulou int64
	if err := r.App.DB.Raw("SELECT id FROM orgs WHERE code = 'gulou'").Scan(&gulou).Error; err != nil {
		t.Fatal(err)
	}
	in := map[string]any{"exhibition_code": "fair-618", "booth": "5号馆 B-08", "org_id": gulou,
		"summary": "展商展示仿冒我司注册商标的茶具。", "respondent_name": "厦门某茶具有限公司",
		"rights": []map[string]string{{"kind": "trademark", "number": "12345678"}}}
	f.do("director.gulou", "POST", "/assistance/exhibition-complaints", in, 403)
	in["exhibition_code"] = "nope"
	p := asDecode[problemJSON](t, f.do("sme1", "POST", "/assistance/exhibition-complaints", in, 422))
	if !slices.Contains(p.fields(), "exhibition_code") {
		t.Fatalf("an unknown exhibition: %+v", p)
	}
	in["exhibition_code"] = "fair-618"
	before := r.App.Clock.Now()
	got := asDecode[struct {
		Case struct {
			ID     int64  `json:"id"`
			Source string `json:"source"`
		} `json:"case"`
		FirstResponseDue time.Time `json:"first_response_due"`
	}](t, f.do("sme1", "POST", "/assistance/exhibition-complaints", in, 201))
	if got.Case.Source != "exhibition" || got.FirstResponseDue.Before(before.Add(24*time.Hour-time.Second)) ||
		got.FirstResponseDue.After(r.App.Clock.Now().Add(24*time.Hour+time.Second)) {
		t.Fatalf("complaint: %+v", got)
	}
	cv := asDecode[struct {
		Deadlines []struct {
			Kind string `json:"kind"`
		} `json:"deadlines"`
	}](t, f.do("director.gulou", "GET", fmt.Sprintf("/cases/%d", got.Case.ID), nil, 200))
	found := false
	for _, d := range cv.Deadlines {
		found = found || d.Kind == "first_response"
	}
	if !found {
		t.Fatalf("the case shows no first-response deadline: %+v", cv)
	}
}

// TestAssistanceAPI_Referrals: an approved plan sends an enforcement and a
// customs referral in one step, which the SME then follows; the rules
// produce a rights_assistance referral for an exhibition complaint, which
// the officer reads with its rule.
func TestAssistanceAPI_Referrals(t *testing.T) {
	r := startDemo(t)
	f := &assistFlow{t: t, c: newOAChecker(t, r.URL), tokens: map[string]string{}}
	for _, u := range []string{"sme1", "assistance.fz", "enforcement.fz-amr"} {
		f.tokens[u] = mustLogin(t, r, u)
	}
	orgs := map[string]int64{}
	var rows []struct {
		ID   int64
		Code string
	}
	if err := r.App.DB.Raw("SELECT id, code FROM orgs").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	for _, o := range rows {
		orgs[o.Code] = o.ID
	}
	in := apiApplication()
	in.RespondentCreditCode = "91350100MA34A1B2CU"
	app := asDecode[appJSON](t, f.do("sme1", "POST", "/assistance/applications", in, 201))
	path := fmt.Sprintf("/assistance/applications/%d", app.ID)
	send := map[string]any{"version": 1, "enforcement": map[string]any{"receiver_org_id": orgs["fz-amr"], "grounds": "repeat_infringement"},
		"customs": map[string]any{"receiver_org_id": orgs["fz-customs"], "mode": "on_application", "goods": "仿冒软件光盘", "port": "马尾港"}}
	f.do("assistance.fz", "POST", path+"/send-referrals", send, 409)
	app = asDecode[appJSON](t, f.do("assistance.fz", "POST", path+"/approve", map[string]any{"version": 1,
		"plan_help": []string{"customs_support", "infringement_opinion"}}, 200))
	send["version"] = app.Version
	f.do("sme1", "POST", path+"/send-referrals", send, 403)
	p := asDecode[problemJSON](t, f.do("assistance.fz", "POST", path+"/send-referrals", map[string]any{"version": app.Version,
		"customs": map[string]any{"receiver_org_id": orgs["fz-customs"], "mode": "smuggle"}}, 422))
	if !slices.Contains(p.fields(), "customs.mode") || !slices.Contains(p.fields(), "customs.goods") {
		t.Fatalf("bad customs referral: %+v", p)
	}
	out := asDecode[struct {
		Referrals []struct {
			ID   int64  `json:"id"`
			Kind string `json:"kind"`
		} `json:"referrals"`
	}](t, f.do("assistance.fz", "POST", path+"/send-referrals", send, 201))
	if len(out.Referrals) != 2 || out.Referrals[0].Kind != "enforcement" || out.Referrals[1].Kind != "customs" {
		t.Fatalf("sent: %+v", out)
	}
	f.do("enforcement.fz-amr", "GET", fmt.Sprintf("/referrals/%d", out.Referrals[0].ID), nil, 200)
	view := asDecode[appJSON](t, f.do("sme1", "GET", path, nil, 200))
	if len(view.Links) != 2 || view.Links[0].Kind != "referral" {
		t.Fatalf("the SME's view of its referrals: %+v", view.Links)
	}

	// A complaint at the fair; the worker's rules produce the referral.
	f.do("sme1", "POST", "/assistance/exhibition-complaints", map[string]any{"exhibition_code": "fair-518", "org_id": orgs["gulou"],
		"summary": "展商展示仿冒我司商标的商品。", "respondent_name": "厦门某公司",
		"rights": []map[string]string{{"kind": "trademark", "number": "12345678"}}}, 201)
	if n, err := r.App.Assistance.RunReferralRules(context.Background()); err != nil || n != 1 {
		t.Fatalf("rules: %d %v", n, err)
	}
	if n, err := r.App.Assistance.RunReferralRules(context.Background()); err != nil || n != 0 {
		t.Fatalf("rules again: %d %v", n, err)
	}
	list := asDecode[struct {
		Items []struct {
			Rule   string `json:"rule"`
			Kind   string `json:"kind"`
			CaseID *int64 `json:"case_id"`
		} `json:"items"`
	}](t, f.do("assistance.fz", "GET", "/referrals?box=inbox&kind=rights_assistance", nil, 200))
	if len(list.Items) != 1 || list.Items[0].Rule != "exhibition_complaint" || list.Items[0].CaseID == nil {
		t.Fatalf("the officer's produced referrals: %+v", list.Items)
	}
}
