package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
)

func init() { moreRows = append(moreRows, notifyRows) }

var mxNotificationSeq atomic.Int64

// mxNotification gives the actor's own notification, or for foreign (and
// for anonymous visitors) one of another user.
func mxNotification(e *mxEnv, a mxActor, own bool) int64 {
	user := e.foreignUser()
	if own && a.username != "" {
		user = e.users[a.username]
	}
	var id int64
	err := e.a.DB.Raw(`INSERT INTO notifications (user_id, kind, params, dedup_key) VALUES (?, 'deadline_set', '{"Title":"调解期限","Due":"2026-03-02 24:00"}', ?) RETURNING id`,
		user, fmt.Sprintf("mx:%d", mxNotificationSeq.Add(1))).Scan(&id).Error
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// notifyRows: everyone signed in has an inbox and reads only their own;
// the queue monitor exists only for sysadmins, and takes state-changing
// requests from a session only with proof that they come from this site.
func notifyRows() []mxRow {
	get := func(p string) func(*mxEnv, mxActor, bool) mxReq {
		return func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: p} }
	}
	queues := map[string]int{"anon": 303, "sysadmin": 200, "*": 404}
	queueWrite := map[string]int{"anon": 303, "sysadmin": 403, "*": 404}
	return []mxRow{
		{route: "GET /inbox", req: get("/inbox"), own: map[string]int{"anon": 303, "*": 200}},
		{route: "POST /inbox/read", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/inbox/read", form: url.Values{}}
		}, own: map[string]int{"*": 303}},
		{route: "POST /inbox/:id/read", objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
			return mxReq{method: "POST", path: fmt.Sprintf("/inbox/%d/read", mxNotification(e, a, own)), form: url.Values{"next": {"/inbox"}}}
		}, own: map[string]int{"*": 303}, foreign: map[string]int{"anon": 303, "*": 404}},
		{route: "GET /api/v1/notifications", req: get("/api/v1/notifications"), own: map[string]int{"anon": 401, "*": 200}},
		{route: "POST /api/v1/notifications/:id/read", objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
			return mxReq{method: "POST", path: fmt.Sprintf("/api/v1/notifications/%d/read", mxNotification(e, a, own))}
		}, own: map[string]int{"anon": 401, "*": 204}, foreign: map[string]int{"anon": 401, "*": 404}},
		{route: "GET /admin/queues", req: get("/admin/queues"), own: queues},
		{route: "GET /admin/queues/*", req: get("/admin/queues/api/queues"), own: queues},
		{route: "POST /admin/queues/*", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/admin/queues/api/queues/default:resume", form: url.Values{}}
		}, own: queueWrite},
		{route: "DELETE /admin/queues/*", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "DELETE", path: "/admin/queues/api/queues/default/archived_tasks/none"}
		}, own: queueWrite},
	}
}

// taskRecorder keeps the tasks the relay enqueues, so that a test can
// run them without a worker.
type taskRecorder struct {
	mu    sync.Mutex
	tasks []recordedTask
}

type recordedTask struct {
	typ string
	ids []int64
}

func (r *taskRecorder) Enqueue(_ context.Context, typ, _ string, payload []byte, _ time.Time) error {
	ids, err := notify.ParsePayload(payload)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tasks = append(r.tasks, recordedTask{typ, ids})
	return nil
}

// deliverAll relays everything due and runs the tasks until nothing is
// left, as a worker would.
func deliverAll(t *testing.T, a *app.App) {
	t.Helper()
	ctx := context.Background()
	for range 10 {
		rec := &taskRecorder{}
		if _, err := a.Notify.RelayReminders(ctx, rec, notify.RelayOptions{Limit: 1000, PerTask: 50}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Notify.RelayOutbox(ctx, rec, 1000); err != nil {
			t.Fatal(err)
		}
		if len(rec.tasks) == 0 {
			return
		}
		for _, task := range rec.tasks {
			var err error
			switch task.typ {
			case notify.TaskRemind, notify.TaskEscalate, notify.TaskAnnual:
				err = a.Notify.DeliverReminders(ctx, task.ids)
			default:
				err = a.Notify.HandleOutbox(ctx, task.typ, task.ids[0], true)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Fatal("deliverAll: still work after 10 rounds")
}

// sendMessage delivers a message to a user through the outbox.
func sendMessage(t *testing.T, a *app.App, m notify.Message) {
	t.Helper()
	if err := a.Notify.SendTx(context.Background(), nil, m); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, a)
}

func notifyUserID(t *testing.T, a *app.App, username string) int64 {
	t.Helper()
	var id int64
	if err := a.DB.Raw("SELECT id FROM users WHERE username = ?", username).Scan(&id).Error; err != nil || id == 0 {
		t.Fatalf("user %s: %v", username, err)
	}
	return id
}

func TestInbox_PageBadgeAndAPI(t *testing.T) {
	a := apptest.New(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	r := apptest.Serve(t, a)
	director := notifyUserID(t, a, "director.gulou")
	sendMessage(t, a, notify.Message{UserID: director, Kind: "deadline_set", Link: "/cases",
		Params: map[string]any{"Title": "委派调解期限", "Due": "2026-03-02 24:00"}})
	sendMessage(t, a, notify.Message{UserID: notifyUserID(t, a, "clerk.gulou"), Kind: "deadline_set",
		Params: map[string]any{"Title": "别人的期限", "Due": "2026-03-02 24:00"}})

	e := &mxEnv{t: t, a: a, base: r.URL}
	browser := e.webLogin("director.gulou")
	body := mustGet(t, browser, r.URL+"/inbox", 200)
	for _, want := range []string{"新的期限：委派调解期限", "2026-03-02 24:00", `id="nav-inbox"`, `<span aria-hidden="true">1</span>`} {
		if !strings.Contains(body, want) {
			t.Errorf("inbox page lacks %q", want)
		}
	}
	if strings.Contains(body, "别人的期限") {
		t.Error("the inbox shows another user's notification")
	}

	// The API, held against the OpenAPI document.
	c := newOAChecker(t, r.URL)
	tok := e.apiLogin("director.gulou")
	_, raw := c.call("GET", "/notifications?lang=en", tok, nil)
	var list struct {
		Items []struct {
			ID     int64
			Title  string
			ReadAt *string `json:"read_at"`
		}
		NextCursor string `json:"next_cursor"`
	}
	if err := json.Unmarshal(raw, &list); err != nil || len(list.Items) != 1 {
		t.Fatalf("notifications: %s", raw)
	}
	if got := list.Items[0].Title; got != "New deadline: 委派调解期限" || list.Items[0].ReadAt != nil {
		t.Errorf("notification = %+v", list.Items[0])
	}
	c.call("GET", "/notifications?unread=true&limit=1", tok, nil)
	c.call("GET", "/notifications?cursor=bad", tok, nil)
	c.call("GET", "/notifications", "", nil)
	clerkTok := e.apiLogin("clerk.gulou")
	if status, _ := c.call("POST", fmt.Sprintf("/notifications/%d/read", list.Items[0].ID), clerkTok, nil); status != 404 {
		t.Errorf("marking another user's notification read: %d, want 404", status)
	}

	// Opening the notification from the page marks it read and leads to
	// its link; the badge is gone.
	resp := postForm(t, e, browser, fmt.Sprintf("/inbox/%d/read", list.Items[0].ID), url.Values{"next": {"/cases"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || loc != "/cases" {
		t.Fatalf("open notification: %d %s", resp.StatusCode, loc)
	}
	if body := mustGet(t, browser, r.URL+"/inbox?unread=1", 200); strings.Contains(body, `<span aria-hidden="true">`) || !strings.Contains(body, "暂无通知") {
		t.Error("after reading it the inbox still shows an unread notification")
	}
	if status, _ := c.call("POST", fmt.Sprintf("/notifications/%d/read", list.Items[0].ID), tok, nil); status != 204 {
		t.Errorf("marking read again: %d, want 204", status)
	}
}

func TestQueueMonitor_SysadminsOnly(t *testing.T) {
	a := apptest.New(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	r := apptest.Serve(t, a)
	e := &mxEnv{t: t, a: a, base: r.URL}
	adminTok, directorTok := e.apiLogin("admin"), e.apiLogin("director.gulou")

	do := func(method, path, token string, header http.Header) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, r.URL+path, nil)
		for k, v := range header {
			req.Header[k] = v
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := apptest.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	tests := []struct {
		desc         string
		method, path string
		token        string
		header       http.Header
		want         int
	}{
		{desc: "anonymous is sent to the login page", method: "GET", path: "/admin/queues", want: 303},
		{desc: "a sysadmin's token opens the UI", method: "GET", path: "/admin/queues", token: adminTok, want: 200},
		{desc: "a sysadmin's token reads the API", method: "GET", path: "/admin/queues/api/queues", token: adminTok, want: 200},
		{desc: "a sysadmin's token may change state", method: "POST", path: "/admin/queues/api/queues/default:pause", token: adminTok, want: 204},
		{desc: "a director does not see it", method: "GET", path: "/admin/queues", token: directorTok, want: 404},
		{desc: "a director cannot call its API", method: "POST", path: "/admin/queues/api/queues/default:pause", token: directorTok, want: 404},
		{desc: "a bad token is refused", method: "GET", path: "/admin/queues", token: "nonsense", want: 401},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			resp, body := do(tt.method, tt.path, tt.token, tt.header)
			if resp.StatusCode != tt.want {
				t.Fatalf("%s %s = %d, want %d\n%s", tt.method, tt.path, resp.StatusCode, tt.want, truncate(body))
			}
			if tt.want == 303 && !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
				t.Errorf("redirect to %q, want the login page", resp.Header.Get("Location"))
			}
		})
	}

	// The UI in a sysadmin's browser session: its inline scripts are
	// allowed by hash, and state changes need a same-origin request.
	admin := e.webLogin("admin")
	req, _ := http.NewRequest("GET", r.URL+"/admin/queues", nil)
	resp, err := admin.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "window.FLAG_ROOT_PATH") {
		t.Fatalf("monitor UI: %d", resp.StatusCode)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); strings.Count(csp, "'sha256-") != 2 || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
		t.Errorf("monitor CSP = %q, want its two inline scripts by hash", csp)
	}
	// The queue was paused above: resume, pause, resume.
	for _, tc := range []struct {
		desc   string
		header map[string]string
		action string
		want   int
	}{
		{"no origin", nil, "resume", 403},
		{"cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}, "resume", 403},
		{"other origin", map[string]string{"Origin": "http://evil.example"}, "resume", 403},
		{"same origin", map[string]string{"Origin": r.URL}, "resume", 204},
		{"fetch metadata", map[string]string{"Sec-Fetch-Site": "same-origin"}, "pause", 204},
	} {
		req, _ := http.NewRequest("POST", r.URL+"/admin/queues/api/queues/default:"+tc.action, nil)
		for k, v := range tc.header {
			req.Header.Set(k, v)
		}
		resp, err := admin.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("session POST, %s: %d, want %d", tc.desc, resp.StatusCode, tc.want)
		}
	}
	director := e.webLogin("director.gulou")
	if body := mustGet(t, director, r.URL+"/work", 200); strings.Contains(body, `href="/admin/queues"`) {
		t.Error("a director's navigation links to the queue monitor")
	}
	if body := mustGet(t, admin, r.URL+"/work", 200); !strings.Contains(body, `href="/admin/queues"`) {
		t.Error("a sysadmin's navigation lacks the queue monitor")
	}
}

func mustGet(t *testing.T, c *http.Client, u string, want int) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s = %d, want %d\n%s", u, resp.StatusCode, want, truncate(string(b)))
	}
	return string(b)
}

func postForm(t *testing.T, e *mxEnv, c *http.Client, path string, form url.Values) *http.Response {
	t.Helper()
	form.Set("_csrf", e.csrf(c))
	resp, err := c.PostForm(e.base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestReminders_FollowCaseDeadlines: the app plans a case's deadline
// reminders in the transaction of the case action that opens the
// deadline, and cancels them when the case is withdrawn.
func TestReminders_FollowCaseDeadlines(t *testing.T) {
	a := apptest.New(t, apptest.WithDemo())
	e := &mxEnv{t: t, a: a, orgs: map[string]int64{}, users: map[string]int64{}}
	var orgRows []struct {
		ID   int64
		Code string
	}
	a.DB.Raw("SELECT id, code FROM orgs").Scan(&orgRows)
	for _, o := range orgRows {
		e.orgs[o.Code] = o.ID
	}
	for _, u := range []string{"clerk.gulou", "director.gulou", "mediator1.gulou"} {
		e.users[u] = notifyUserID(t, a, u)
	}
	caseID, _ := mxCase(t, a, e, "clerk.gulou", "gulou", "mediator1.gulou")

	var rows []struct {
		Stage           string
		RecipientUserID int64
		Status          string
	}
	load := func() {
		t.Helper()
		rows = nil
		if err := a.DB.Raw(`SELECT r.stage, r.recipient_user_id, r.status FROM reminders r JOIN deadlines d ON d.id = r.deadline_id
WHERE d.case_id = ? ORDER BY r.id`, caseID).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
	}
	load()
	// The period opens at acceptance, with the committee's director
	// reminded while nobody is assigned; the assignment hands it to the
	// mediator, which supersedes the director's stage reminders. What is
	// pending now: the mediator's stages and the director's escalation.
	escalations, mediator := 0, 0
	for _, r := range rows {
		if r.Status == "cancelled" && r.RecipientUserID == e.users["director.gulou"] && r.Stage != notify.StageEscalation {
			continue
		}
		if r.Status != "pending" {
			t.Errorf("reminder %+v is not pending", r)
		}
		if r.RecipientUserID == e.users["mediator1.gulou"] {
			mediator++
		}
		if r.Stage == notify.StageEscalation {
			escalations++
			if r.RecipientUserID != e.users["director.gulou"] {
				t.Errorf("escalation to %d, want the committee's director", r.RecipientUserID)
			}
		}
	}
	if len(rows) == 0 || escalations == 0 || mediator == 0 {
		t.Fatalf("the mediation deadline has no reminders: %+v", rows)
	}

	as := func(username string) context.Context {
		act, err := a.Identity.Actor(context.Background(), e.users[username])
		if err != nil {
			t.Fatal(err)
		}
		return domain.WithActor(context.Background(), act)
	}
	var version int
	a.DB.Raw("SELECT version FROM cases WHERE id = ?", caseID).Scan(&version)
	if _, err := a.Cases.Withdraw(as("clerk.gulou"), caseID, cases.ReasonInput{Version: version, Reason: "双方已自行和解"}); err != nil {
		t.Fatal(err)
	}
	load()
	for _, r := range rows {
		if r.Status != "cancelled" {
			t.Errorf("after the withdrawal reminder %+v is still %s", r, r.Status)
		}
	}
}
