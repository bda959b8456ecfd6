package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/config"
)

// demoPassword is every demo user's password (internal/seed).
const demoPassword = "demo-pass-2026"

// startDemo starts the real app with the demo data. Every login and
// registration of a test comes from 127.0.0.1, so the per-address
// throttles are raised out of the way unless a test sets them itself (the
// options run in order).
func startDemo(t *testing.T, edit ...func(*config.Config)) *apptest.Running {
	t.Helper()
	return apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) {
		c.Security.LoginRatePerMinute = 1000
		c.Security.RegisterRatePerHour = 1000
		for _, f := range edit {
			f(c)
		}
	}))
}

// apiResp is an API answer read whole.
type apiResp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (a apiResp) String() string { return http.StatusText(a.Status) + " " + string(a.Body) }

// call sends an API request. body is sent as is when it is a string, else
// as its JSON encoding; nil sends no body. headers are name, value pairs.
func call(t *testing.T, r *apptest.Running, method, path, token string, body any, headers ...string) apiResp {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, r.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := apptest.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return apiResp{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func login(t *testing.T, r *apptest.Running, username, password string, headers ...string) apiResp {
	t.Helper()
	return call(t, r, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}, headers...)
}

// mustLogin logs a demo user in through the API and returns the bearer
// token.
func mustLogin(t *testing.T, r *apptest.Running, user string) string {
	t.Helper()
	return mustLoginWith(t, r, user, demoPassword)
}

func mustLoginWith(t *testing.T, r *apptest.Running, user, password string) string {
	t.Helper()
	res := login(t, r, user, password)
	if res.Status != http.StatusOK {
		t.Fatalf("login %s: %s", user, res)
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(res.Body, &tok); err != nil || tok.Token == "" {
		t.Fatalf("login %s: no token in %s (%v)", user, res.Body, err)
	}
	return tok.Token
}

type fieldErr struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

type problem struct {
	Type      string     `json:"type"`
	Title     string     `json:"title"`
	Status    int        `json:"status"`
	Detail    string     `json:"detail"`
	Code      string     `json:"code"`
	Instance  string     `json:"instance"`
	RequestID string     `json:"request_id"`
	Errors    []fieldErr `json:"errors"`
}

// mustProblem checks the status, the problem+json content type and the
// code of an error answer and returns the problem.
func mustProblem(t *testing.T, res apiResp, status int, code string) problem {
	t.Helper()
	if res.Status != status {
		t.Fatalf("want %d, got %s", status, res)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("content type %q, want application/problem+json", ct)
	}
	var p problem
	if err := json.Unmarshal(res.Body, &p); err != nil {
		t.Fatalf("not a problem document: %v: %s", err, res.Body)
	}
	if p.Status != status || p.Code != code {
		t.Errorf("problem status/code = %d/%q, want %d/%q: %s", p.Status, p.Code, status, code, res.Body)
	}
	return p
}

// fieldMessage returns the message of the named field error, "" if none.
func (p problem) fieldMessage(field string) string {
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

type meRole struct {
	Role    string `json:"role"`
	OrgID   int64  `json:"org_id"`
	OrgCode string `json:"org_code"`
}

type me struct {
	ID          int64    `json:"id"`
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Sysadmin    bool     `json:"sysadmin"`
	Roles       []meRole `json:"roles"`
}

func mustMe(t *testing.T, r *apptest.Running, token string) me {
	t.Helper()
	res := call(t, r, http.MethodGet, "/api/v1/me", token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("/me: %s", res)
	}
	var m me
	if err := json.Unmarshal(res.Body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// scalar runs a query returning one value through the app's database.
func scalar[T any](t *testing.T, r *apptest.Running, query string, args ...any) T {
	t.Helper()
	var v T
	if err := r.App.DB.Raw(query, args...).Row().Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

func exec(t *testing.T, r *apptest.Running, query string, args ...any) int64 {
	t.Helper()
	res := r.App.DB.Exec(query, args...)
	if res.Error != nil {
		t.Fatalf("%s: %v", query, res.Error)
	}
	return res.RowsAffected
}

func userID(t *testing.T, r *apptest.Running, username string) int64 {
	t.Helper()
	return scalar[int64](t, r, "SELECT id FROM users WHERE username = ?", username)
}

func orgID(t *testing.T, r *apptest.Running, code string) int64 {
	t.Helper()
	o, err := r.App.Orgs.ByCode(context.Background(), code)
	if err != nil {
		t.Fatalf("org %s: %v", code, err)
	}
	return o.ID
}

// auditCount counts audit rows of an action about a user on a chain.
func auditCount(t *testing.T, r *apptest.Running, chain, action string, userID int64) int64 {
	t.Helper()
	return scalar[int64](t, r, "SELECT count(*) FROM audit_log WHERE chain = ? AND action = ? AND object_id = ?",
		chain, action, itoa(userID))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// --- web helpers ---------------------------------------------------------

func webGet(t testing.TB, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func webPost(t testing.TB, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

var csrfField = regexp.MustCompile(`<input type="hidden" name="_csrf" value="([^"]+)">`)

// csrfFrom returns the _csrf hidden field of a page's form.
func csrfFrom(t testing.TB, body string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no _csrf field in the page:\n%s", body)
	}
	return m[1]
}

// pageCSRF loads a page and returns its form's CSRF token.
func pageCSRF(t testing.TB, c *http.Client, u string) string {
	t.Helper()
	resp, body := webGet(t, c, u)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	return csrfFrom(t, body)
}

func cookieNamed(cs []*http.Cookie, name string) *http.Cookie {
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// jarCookie returns the value the client's jar would send for name.
func jarCookie(t *testing.T, c *http.Client, base, name string) string {
	t.Helper()
	u, err := url.Parse(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	if ck := cookieNamed(c.Jar.Cookies(u), name); ck != nil {
		return ck.Value
	}
	return ""
}

// webLogin signs a user in through the login form and returns the client.
func webLogin(t testing.TB, r *apptest.Running, user, password string) *http.Client {
	t.Helper()
	c := apptest.Client()
	tok := pageCSRF(t, c, r.URL+"/login")
	resp, body := webPost(t, c, r.URL+"/login", url.Values{"_csrf": {tok}, "username": {user}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/work" {
		t.Fatalf("web login %s: %d %s\n%s", user, resp.StatusCode, resp.Header.Get("Location"), body)
	}
	return c
}

// mustBeSignedOut checks /work sends the client to the login page.
func mustBeSignedOut(t *testing.T, r *apptest.Running, c *http.Client) {
	t.Helper()
	resp, _ := webGet(t, c, r.URL+"/work")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fwork" {
		t.Fatalf("want 303 to /login?next=%%2Fwork, got %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func mustBeSignedIn(t *testing.T, r *apptest.Running, c *http.Client, displayName string) {
	t.Helper()
	resp, body := webGet(t, c, r.URL+"/work")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, displayName) {
		t.Fatalf("/work: want 200 showing %q, got %d\n%s", displayName, resp.StatusCode, body)
	}
}

// --- 1. API login and /me ------------------------------------------------

func TestAPILogin_TokenAndMe(t *testing.T) {
	r := startDemo(t)

	res := login(t, r, "director.gulou", demoPassword)
	if res.Status != http.StatusOK {
		t.Fatalf("login: %s", res)
	}
	var tok struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if err := json.Unmarshal(res.Body, &tok); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.Token, "ipm_") || len(tok.Token) < 40 {
		t.Errorf("token %q does not look like a random ipm_ token", tok.Token)
	}
	if d := time.Until(tok.ExpiresAt); d < 23*time.Hour || d > 25*time.Hour {
		t.Errorf("expires_at %s is not about the 24h token TTL from now", tok.ExpiresAt)
	}

	m := mustMe(t, r, tok.Token)
	gulou := orgID(t, r, "gulou")
	want := []meRole{{Role: "director", OrgID: gulou, OrgCode: "gulou"}}
	if m.Username != "director.gulou" || m.DisplayName != "王海峰" || m.Sysadmin || !reflect.DeepEqual(m.Roles, want) {
		t.Errorf("/me = %+v, want director.gulou 王海峰 with roles %+v", m, want)
	}
	if m.ID != userID(t, r, "director.gulou") {
		t.Errorf("/me id %d is not director.gulou's", m.ID)
	}

	admin := mustMe(t, r, mustLogin(t, r, "admin"))
	if !admin.Sysadmin || len(admin.Roles) != 1 || admin.Roles[0].Role != "sysadmin" || admin.Roles[0].OrgCode != "system" {
		t.Errorf("admin /me = %+v, want sysadmin in system", admin)
	}

	t.Run("without a token", func(t *testing.T) {
		res := call(t, r, http.MethodGet, "/api/v1/me", "", nil)
		p := mustProblem(t, res, http.StatusUnauthorized, "unauthorized")
		if p.Instance != "/api/v1/me" || p.Detail == "" {
			t.Errorf("problem %+v", p)
		}
		if !strings.Contains(string(res.Body), `"code":"unauthorized"`) {
			t.Errorf("body lacks the unauthorized code: %s", res.Body)
		}
		if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("WWW-Authenticate = %q", res.Header.Get("WWW-Authenticate"))
		}
	})
	t.Run("the session cookie is not an API credential", func(t *testing.T) {
		c := webLogin(t, r, "director.gulou", demoPassword)
		res, err := c.Get(r.URL + "/api/v1/me")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("/api/v1/me with only a session cookie: %d, want 401", res.StatusCode)
		}
	})
}

func TestAPILogin_RequestValidation(t *testing.T) {
	r := startDemo(t)
	tests := []struct {
		desc    string
		body    string
		field   string
		message string
		notAlso string // a field that must not be named
	}{
		{desc: "malformed JSON", body: `{"username":"director.gulou",`, field: "body", message: "validation.json"},
		{desc: "not an object", body: `["director.gulou"]`, field: "body", message: "validation.json_type"},
		{desc: "unknown field", body: `{"username":"director.gulou","password":"demo-pass-2026","remember":true}`, field: "remember", message: "validation.json_unknown"},
		{desc: "trailing data", body: `{"username":"director.gulou","password":"demo-pass-2026"} {}`, field: "body", message: "validation.json"},
		{desc: "empty body", body: ``, field: "body", message: "validation.json_empty"},
		{desc: "missing username", body: `{"password":"demo-pass-2026"}`, field: "username", message: "validation.required", notAlso: "password"},
		{desc: "missing password", body: `{"username":"director.gulou"}`, field: "password", message: "validation.required", notAlso: "username"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			before := scalar[int64](t, r, "SELECT count(*) FROM api_tokens")
			res := call(t, r, http.MethodPost, "/api/v1/auth/login", "", tc.body)
			p := mustProblem(t, res, http.StatusUnprocessableEntity, "invalid")
			if got := p.fieldMessage(tc.field); got != tc.message {
				t.Errorf("field %q message %q, want %q: %s", tc.field, got, tc.message, res.Body)
			}
			if tc.notAlso != "" && p.fieldMessage(tc.notAlso) != "" {
				t.Errorf("field %q named although given: %s", tc.notAlso, res.Body)
			}
			if after := scalar[int64](t, r, "SELECT count(*) FROM api_tokens"); after != before {
				t.Errorf("a rejected request issued a token (%d -> %d)", before, after)
			}
		})
	}
}

// --- 2. No user enumeration ---------------------------------------------

// comparableProblem strips what legitimately differs between two answers.
func comparableProblem(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	delete(m, "request_id")
	delete(m, "instance")
	return m
}

func TestAPILogin_NoUserEnumeration(t *testing.T) {
	r := startDemo(t, func(c *config.Config) { c.Security.LoginMaxFailures = 3 })
	admin := mustLogin(t, r, "admin")

	// mediator2.gulou is disabled, clerk.gulou locked by failed logins.
	if res := call(t, r, http.MethodPost, "/api/v1/users/"+itoa(userID(t, r, "mediator2.gulou"))+"/disable", admin, nil); res.Status != http.StatusNoContent {
		t.Fatalf("disable: %s", res)
	}
	for i := 0; i < 3; i++ {
		if res := login(t, r, "clerk.gulou", "wrong-password-1"); res.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %s", i+1, res)
		}
	}
	if n := scalar[int64](t, r, "SELECT count(*) FROM users WHERE username = 'clerk.gulou' AND locked_until > now()"); n != 1 {
		t.Fatal("clerk.gulou is not locked")
	}

	cases := []struct {
		desc, username, password string
	}{
		{desc: "unknown username", username: "nobody.here", password: demoPassword},
		{desc: "wrong password", username: "director.gulou", password: "not-the-password"},
		{desc: "disabled account, right password", username: "mediator2.gulou", password: demoPassword},
		{desc: "locked account, right password", username: "clerk.gulou", password: demoPassword},
	}
	var first map[string]any
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			res := login(t, r, tc.username, tc.password)
			p := mustProblem(t, res, http.StatusUnauthorized, "unauthorized")
			if p.Detail == "" {
				t.Errorf("no detail: %s", res.Body)
			}
			got := comparableProblem(t, res.Body)
			if first == nil {
				first = got
				return
			}
			if !reflect.DeepEqual(got, first) {
				t.Errorf("answer differs from the unknown-username answer:\n got  %v\n want %v", got, first)
			}
		})
	}

	t.Run("web form", func(t *testing.T) {
		for _, tc := range cases {
			c := apptest.Client()
			tok := pageCSRF(t, c, r.URL+"/login")
			resp, body := webPost(t, c, r.URL+"/login", url.Values{"_csrf": {tok}, "username": {tc.username}, "password": {tc.password}})
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "用户名或密码错误，或账户已被暂时锁定。") {
				t.Errorf("%s: %d, want 401 with the one generic message\n%s", tc.desc, resp.StatusCode, body)
			}
			if jarCookie(t, c, r.URL, "ipm_session") != "" {
				t.Errorf("%s: a failed login got a session cookie", tc.desc)
			}
		}
	})
}

// --- 3. Lockout ----------------------------------------------------------

func TestAPILogin_LockoutAfterRepeatedFailures(t *testing.T) {
	r := startDemo(t, func(c *config.Config) {
		c.Security.LoginMaxFailures = 3
		c.Security.LockoutDuration = time.Second
	})
	const user = "mediator1.gulou"
	uid := userID(t, r, user)
	chain := "org:" + itoa(orgID(t, r, "gulou"))

	for i := 1; i <= 3; i++ {
		if res := login(t, r, user, "wrong-password-"+itoa(int64(i))); res.Status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %s", i, res)
		}
		wantLocked := i == 3
		locked := scalar[bool](t, r, "SELECT locked_until IS NOT NULL AND locked_until > now() FROM users WHERE id = ?", uid)
		if locked != wantLocked {
			t.Fatalf("after %d failures locked=%v, want %v", i, locked, wantLocked)
		}
	}
	res := login(t, r, user, demoPassword)
	mustProblem(t, res, http.StatusUnauthorized, "unauthorized")
	if n := auditCount(t, r, chain, "auth.lockout", uid); n != 1 {
		t.Errorf("want 1 auth.lockout row on %s, got %d", chain, n)
	}
	if n := auditCount(t, r, chain, "auth.login_failed", uid); n != 4 {
		t.Errorf("want 4 auth.login_failed rows (3 bad passwords, 1 while locked), got %d", n)
	}
	if n := auditCount(t, r, chain, "auth.login", uid); n != 0 {
		t.Errorf("a login while locked was recorded as a success (%d)", n)
	}

	// Wait for the lockout to pass (a real 1 s timeout).
	until := scalar[time.Time](t, r, "SELECT locked_until FROM users WHERE id = ?", uid)
	wait := time.Until(until) + 100*time.Millisecond
	if wait > 2*time.Second {
		t.Fatalf("lockout until %s is longer than configured", until)
	}
	time.Sleep(wait)

	tok := mustLoginWith(t, r, user, demoPassword)
	if m := mustMe(t, r, tok); m.Username != user {
		t.Errorf("/me after the lockout: %+v", m)
	}
	if n := scalar[int64](t, r, "SELECT count(*) FROM users WHERE id = ? AND failed_logins = 0 AND locked_until IS NULL", uid); n != 1 {
		t.Error("a successful login did not reset the failure count and lock")
	}
	if ok, err := r.App.Audit.Verify(context.Background(), nil); err != nil || !ok.OK() {
		t.Errorf("audit verify: %v %+v", err, ok.Broken)
	}
}

// --- 4. Throttling -------------------------------------------------------

func TestAPILogin_ThrottledPerClientAddress(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) {
		c.Security.LoginRatePerMinute = 3
	}))
	// The throttle counts per calendar minute; do not start right before
	// one ends (a real boundary, at most 2 s away).
	if rem := time.Minute - time.Duration(time.Now().UnixNano()%int64(time.Minute)); rem < 2*time.Second {
		time.Sleep(rem + 50*time.Millisecond)
	}

	// Three attempts of any outcome use up the minute.
	if res := login(t, r, "director.gulou", demoPassword); res.Status != http.StatusOK {
		t.Fatalf("attempt 1: %s", res)
	}
	if res := login(t, r, "director.gulou", "wrong-password"); res.Status != http.StatusUnauthorized {
		t.Fatalf("attempt 2: %s", res)
	}
	if res := login(t, r, "nobody.here", demoPassword); res.Status != http.StatusUnauthorized {
		t.Fatalf("attempt 3: %s", res)
	}
	tokens := scalar[int64](t, r, "SELECT count(*) FROM api_tokens")

	attempts := []struct {
		desc    string
		user    string
		headers []string
	}{
		{desc: "correct credentials", user: "director.gulou"},
		{desc: "another account", user: "clerk.gulou"},
		{desc: "a forged X-Forwarded-For", user: "director.gulou", headers: []string{"X-Forwarded-For", "203.0.113.7"}},
		{desc: "a forged X-Real-IP", user: "director.gulou", headers: []string{"X-Real-IP", "203.0.113.8"}},
	}
	for _, tc := range attempts {
		t.Run(tc.desc, func(t *testing.T) {
			res := login(t, r, tc.user, demoPassword, tc.headers...)
			p := mustProblem(t, res, http.StatusTooManyRequests, "too_many_requests")
			if p.Detail == "" {
				t.Errorf("no detail: %s", res.Body)
			}
		})
	}
	t.Run("web form", func(t *testing.T) {
		c := apptest.Client()
		tok := pageCSRF(t, c, r.URL+"/login")
		resp, body := webPost(t, c, r.URL+"/login", url.Values{"_csrf": {tok}, "username": {"director.gulou"}, "password": {demoPassword}})
		if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "登录尝试过于频繁") {
			t.Errorf("web login: %d, want 429 with the throttle message\n%s", resp.StatusCode, body)
		}
		if jarCookie(t, c, r.URL, "ipm_session") != "" {
			t.Error("a throttled login got a session")
		}
	})

	if n := scalar[int64](t, r, "SELECT count(*) FROM api_tokens"); n != tokens {
		t.Errorf("throttled logins issued tokens (%d -> %d)", tokens, n)
	}
	if n := scalar[int64](t, r, `SELECT count(*) FROM audit_log WHERE action = 'auth.login_throttled' AND ip = '127.0.0.1'`); n != int64(len(attempts)+1) {
		t.Errorf("want %d auth.login_throttled rows from 127.0.0.1, got %d", len(attempts)+1, n)
	}
	if n := scalar[int64](t, r, `SELECT count(*) FROM audit_log WHERE action = 'auth.login_throttled' AND detail->>'username' = 'clerk.gulou'`); n != 1 {
		t.Errorf("the throttled attempt does not name its username (%d rows)", n)
	}
	if n := scalar[int64](t, r, `SELECT count(*) FROM audit_log WHERE action = 'auth.login' AND object_id = ?`, itoa(userID(t, r, "clerk.gulou"))); n != 0 {
		t.Error("a throttled attempt logged in")
	}
}

// --- 5. Tokens -----------------------------------------------------------

func TestAPITokens(t *testing.T) {
	r := startDemo(t)

	t.Run("logout revokes the token", func(t *testing.T) {
		tok := mustLogin(t, r, "clerk.gulou")
		other := mustLogin(t, r, "clerk.gulou")
		mustMe(t, r, tok)
		if res := call(t, r, http.MethodPost, "/api/v1/auth/logout", tok, nil); res.Status != http.StatusNoContent {
			t.Fatalf("logout: %s", res)
		}
		mustProblem(t, call(t, r, http.MethodGet, "/api/v1/me", tok, nil), http.StatusUnauthorized, "unauthorized")
		mustProblem(t, call(t, r, http.MethodPost, "/api/v1/auth/logout", tok, nil), http.StatusUnauthorized, "unauthorized")
		if n := scalar[int64](t, r, "SELECT count(*) FROM api_tokens WHERE token_hash = ? AND revoked_at IS NOT NULL", sha256Hex(tok)); n != 1 {
			t.Error("the token is not marked revoked")
		}
		// Only that token: the user's other session goes on.
		mustMe(t, r, other)
		if n := auditCount(t, r, "org:"+itoa(orgID(t, r, "gulou")), "auth.token_revoked", userID(t, r, "clerk.gulou")); n != 1 {
			t.Errorf("want 1 auth.token_revoked row, got %d", n)
		}
	})

	t.Run("an expired token is refused", func(t *testing.T) {
		tok := mustLogin(t, r, "mediator1.gulou")
		other := mustLogin(t, r, "mediator1.gulou")
		mustMe(t, r, tok)
		if n := exec(t, r, "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = ?", sha256Hex(tok)); n != 1 {
			t.Fatalf("expired %d tokens, want 1", n)
		}
		p := mustProblem(t, call(t, r, http.MethodGet, "/api/v1/me", tok, nil), http.StatusUnauthorized, "unauthorized")
		if p.Detail == "" {
			t.Error("no detail")
		}
		mustMe(t, r, other)
	})

	t.Run("only the SHA-256 is stored", func(t *testing.T) {
		tok := mustLogin(t, r, "director.gulou")
		if n := scalar[int64](t, r, "SELECT count(*) FROM api_tokens WHERE token_hash = ?", sha256Hex(tok)); n != 1 {
			t.Errorf("want one row keyed by the token's SHA-256, got %d", n)
		}
		secret := strings.TrimPrefix(tok, "ipm_")
		if n := scalar[int64](t, r, "SELECT count(*) FROM api_tokens t WHERE strpos(t::text, ?) > 0", secret); n != 0 {
			t.Errorf("the raw token appears in %d api_tokens rows", n)
		}
		if n := scalar[int64](t, r, "SELECT count(*) FROM audit_log a WHERE strpos(a::text, ?) > 0", secret); n != 0 {
			t.Errorf("the raw token appears in %d audit rows", n)
		}
	})

	t.Run("malformed credentials", func(t *testing.T) {
		tok := mustLogin(t, r, "director.gulou")
		for _, h := range []string{"Bearer ipm_not-a-real-token", "Basic " + tok, "Bearer ", "bearer " + tok, tok} {
			req, _ := http.NewRequest(http.MethodGet, r.URL+"/api/v1/me", nil)
			req.Header.Set("Authorization", h)
			resp, err := apptest.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			mustProblem(t, apiResp{Status: resp.StatusCode, Header: resp.Header, Body: b}, http.StatusUnauthorized, "unauthorized")
		}
	})
}

// --- 6. Web session and CSRF ---------------------------------------------

func TestWebLogin_CSRFAndSessionCookie(t *testing.T) {
	r := startDemo(t)
	c := apptest.Client()
	sessions := func() int64 { return scalar[int64](t, r, "SELECT count(*) FROM sessions WHERE expiry > now()") }

	resp, body := webGet(t, c, r.URL+"/login")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /login: %d", resp.StatusCode)
	}
	ck := cookieNamed(resp.Cookies(), "ipm_csrf")
	if ck == nil || ck.Value == "" || !ck.HttpOnly {
		t.Fatalf("GET /login must set an HttpOnly ipm_csrf cookie, got %+v", ck)
	}
	token := csrfFrom(t, body)
	if !strings.Contains(body, `<form method="post" action="/login">`) {
		t.Fatal("no login form")
	}
	creds := url.Values{"username": {"director.gulou"}, "password": {demoPassword}}

	for _, tc := range []struct {
		desc  string
		token string
	}{
		{desc: "without _csrf"},
		{desc: "with a wrong _csrf", token: "forged-token-value-0000000000000"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			form := url.Values{"username": creds["username"], "password": creds["password"]}
			if tc.token != "" {
				form.Set("_csrf", tc.token)
			}
			resp, body := webPost(t, c, r.URL+"/login", form)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("want 403, got %d\n%s", resp.StatusCode, body)
			}
			if cookieNamed(resp.Cookies(), "ipm_session") != nil || jarCookie(t, c, r.URL, "ipm_session") != "" {
				t.Error("a refused login set a session cookie")
			}
			if n := sessions(); n != 0 {
				t.Errorf("%d sessions stored after a refused login", n)
			}
			if n := scalar[int64](t, r, "SELECT count(*) FROM audit_log WHERE action = 'auth.login'"); n != 0 {
				t.Error("the password was checked although the form had no valid CSRF token")
			}
			mustBeSignedOut(t, r, c)
		})
	}

	form := url.Values{"_csrf": {token}, "username": creds["username"], "password": creds["password"]}
	resp, body = webPost(t, c, r.URL+"/login", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/work" {
		t.Fatalf("login: %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	sc := cookieNamed(resp.Cookies(), "ipm_session")
	if sc == nil || sc.Value == "" {
		t.Fatalf("no ipm_session cookie: %v", resp.Header.Values("Set-Cookie"))
	}
	if !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Path != "/" {
		t.Errorf("ipm_session must be HttpOnly, SameSite=Lax, Path=/: %q", sc.Raw)
	}
	if sc.MaxAge != 0 || sc.RawExpires != "" || strings.Contains(strings.ToLower(sc.Raw), "expires") || strings.Contains(strings.ToLower(sc.Raw), "max-age") {
		t.Errorf("ipm_session must end with the browser (no Expires/Max-Age): %q", sc.Raw)
	}
	if n := scalar[int64](t, r, "SELECT count(*) FROM sessions WHERE token = ?", sc.Value); n != 1 {
		t.Error("the session is not stored server-side under its cookie token")
	}
	mustBeSignedIn(t, r, c, "王海峰")
	_, body = webGet(t, c, r.URL+"/work")
	if !strings.Contains(body, "您好，王海峰。") {
		t.Errorf("/work does not greet the user:\n%s", body)
	}

	// Logging out needs the form's token too.
	resp, _ = webPost(t, c, r.URL+"/logout", url.Values{})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("logout without _csrf: %d, want 403", resp.StatusCode)
	}
	mustBeSignedIn(t, r, c, "王海峰")

	resp, _ = webPost(t, c, r.URL+"/logout", url.Values{"_csrf": {csrfFrom(t, body)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := scalar[int64](t, r, "SELECT count(*) FROM sessions WHERE token = ?", sc.Value); n != 0 {
		t.Error("logout left the session in the store")
	}
	mustBeSignedOut(t, r, c)

	// Replaying the old cookie from another client gets nowhere.
	replay := apptest.Client()
	u, _ := url.Parse(r.URL + "/")
	replay.Jar.SetCookies(u, []*http.Cookie{{Name: "ipm_session", Value: sc.Value, Path: "/"}})
	mustBeSignedOut(t, r, replay)
}

func TestWebLogin_SessionFixation(t *testing.T) {
	r := startDemo(t)
	// A session that exists before login, as one planted by an attacker
	// would: stored server-side and sent by the victim's browser.
	sm := r.App.Sessions
	ctx, err := sm.Load(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	sm.Put(ctx, "planted", true)
	planted, _, err := sm.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := apptest.Client()
	u, _ := url.Parse(r.URL + "/")
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "ipm_session", Value: planted, Path: "/"}})

	tok := pageCSRF(t, c, r.URL+"/login")
	if got := jarCookie(t, c, r.URL, "ipm_session"); got != planted {
		t.Fatalf("the pre-login session was not kept before login (%q)", got)
	}
	resp, _ := webPost(t, c, r.URL+"/login", url.Values{"_csrf": {tok}, "username": {"director.gulou"}, "password": {demoPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	after := jarCookie(t, c, r.URL, "ipm_session")
	if after == "" || after == planted {
		t.Fatalf("the session token did not change at login: before %q after %q", planted, after)
	}
	if n := scalar[int64](t, r, "SELECT count(*) FROM sessions WHERE token = ?", planted); n != 0 {
		t.Error("the pre-login session token is still stored")
	}
	mustBeSignedIn(t, r, c, "王海峰")

	// The attacker holding the planted token is not signed in.
	attacker := apptest.Client()
	attacker.Jar.SetCookies(u, []*http.Cookie{{Name: "ipm_session", Value: planted, Path: "/"}})
	mustBeSignedOut(t, r, attacker)

	// Signing in again as someone else renews the token once more.
	tok = pageCSRF(t, c, r.URL+"/register")
	resp, _ = webPost(t, c, r.URL+"/login", url.Values{"_csrf": {tok}, "username": {"clerk.gulou"}, "password": {demoPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second login: %d", resp.StatusCode)
	}
	if again := jarCookie(t, c, r.URL, "ipm_session"); again == after || again == "" {
		t.Error("the session token did not change at the second login")
	}
	mustBeSignedIn(t, r, c, "李静")
}

func TestWebSession_Expiry(t *testing.T) {
	// Each timeout gets its own server, so a slow machine cannot make the
	// other one fire first.
	idle := startDemo(t, func(c *config.Config) {
		c.Security.SessionIdleTimeout = time.Second
		c.Security.SessionLifetime = time.Hour
	})
	life := startDemo(t, func(c *config.Config) {
		c.Security.SessionIdleTimeout = time.Minute
		c.Security.SessionLifetime = 2 * time.Second
	})

	t.Run("idle timeout", func(t *testing.T) {
		r := idle
		c := webLogin(t, r, "director.gulou", demoPassword)
		mustBeSignedIn(t, r, c, "王海峰")
		time.Sleep(1200 * time.Millisecond) // the real idle timeout
		mustBeSignedOut(t, r, c)
	})

	t.Run("absolute lifetime despite activity", func(t *testing.T) {
		r := life
		c := webLogin(t, r, "director.gulou", demoPassword)
		// The session was created during the login, so its deadline is
		// at most two seconds from now.
		start := time.Now()
		for i := 0; i < 3; i++ {
			time.Sleep(400 * time.Millisecond) // active: well inside the idle timeout
			if time.Since(start) > 1500*time.Millisecond {
				break // a slow machine: too close to the deadline to assert
			}
			mustBeSignedIn(t, r, c, "王海峰")
		}
		time.Sleep(time.Until(start.Add(2*time.Second + 150*time.Millisecond)))
		mustBeSignedOut(t, r, c)
	})

	r2 := startDemo(t)
	tests := []struct {
		desc  string
		query string
	}{
		{desc: "row deleted", query: "DELETE FROM sessions WHERE token = ?"},
		{desc: "row expired", query: "UPDATE sessions SET expiry = now() - interval '1 second' WHERE token = ?"},
	}
	for _, tc := range tests {
		t.Run("server side: "+tc.desc, func(t *testing.T) {
			c := webLogin(t, r2, "clerk.gulou", demoPassword)
			mustBeSignedIn(t, r2, c, "李静")
			if n := exec(t, r2, tc.query, jarCookie(t, c, r2.URL, "ipm_session")); n != 1 {
				t.Fatalf("changed %d session rows, want 1", n)
			}
			mustBeSignedOut(t, r2, c)
		})
	}
}

// submitPage posts form v to u with the CSRF token of page, as a browser
// submits a form it was shown, and follows a redirect to the page it
// leads to; it answers the final response and body.
func submitPage(t *testing.T, c *http.Client, base, page, u string, v url.Values) (*http.Response, string) {
	t.Helper()
	v.Set("_csrf", pageCSRF(t, c, base+page))
	resp, body := webPost(t, c, base+u, v)
	if resp.StatusCode == http.StatusSeeOther {
		return webGet(t, c, base+resp.Header.Get("Location"))
	}
	return resp, body
}
