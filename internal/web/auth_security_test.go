package web_test

// Authentication and sessions, as a black-box probe found them wanting
// (docs/security.md, "Authentication and sessions"): open redirects,
// sessions and tokens that outlive a password change, registration as a
// username oracle, and lockout nobody can see or lift. Form posts from
// other sites: csrf_test.go.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/config"
)

func init() {
	moreRows = append(moreRows, func() []mxRow {
		return []mxRow{
			// Only a sysadmin unlocks; everyone else finds no such endpoint.
			{route: "POST /api/v1/users/:id/unlock", objects: true, req: func(e *mxEnv, a mxActor, own bool) mxReq {
				id := e.foreignUser()
				if own {
					id = e.ownUser(a)
				}
				return mxReq{method: "POST", path: "/api/v1/users/" + ids(id) + "/unlock"}
			}, own: map[string]int{"anon": 401, "sysadmin": 204, "*": 404}, foreign: map[string]int{"anon": 401, "sysadmin": 204, "*": 404}},
		}
	})
}

func displayName(t *testing.T, r *apptest.Running, username string) string {
	t.Helper()
	return scalar[string](t, r, "SELECT display_name FROM users WHERE username = ?", username)
}

// --- 1. Open redirects ---------------------------------------------------

func TestOpenRedirect_LoginAndLanguageSwitch(t *testing.T) {
	r := startDemo(t)
	nasty := []string{
		"//evil.example", "/\\evil.example", "/\t/evil.example", "/%09/evil.example", "/%2F/evil.example",
		"/%5C/evil.example", "/%252F/evil.example", "http://evil.example", "https://evil.example/work",
		"javascript:alert(1)", "\t/evil.example", "/ /evil.example", "/\u3000/evil.example",
	}
	for _, next := range nasty {
		t.Run(next, func(t *testing.T) {
			c := apptest.Client()
			resp, _ := webGet(t, c, r.URL+"/lang?to=en&next="+url.QueryEscape(next))
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/" {
				t.Errorf("/lang: %d %q, want 303 to /", resp.StatusCode, loc)
			}
			tok := pageCSRF(t, c, r.URL+"/login?next="+url.QueryEscape(next))
			resp, body := webPost(t, c, r.URL+"/login", url.Values{"_csrf": {tok}, "username": {"clerk.gulou"}, "password": {demoPassword}, "next": {next}})
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/work" {
				t.Errorf("POST /login: %d %q, want 303 to /work\n%s", resp.StatusCode, loc, body)
			}
			// Signed in: the login page sends on to next, if it may.
			resp, _ = webGet(t, c, r.URL+"/login?next="+url.QueryEscape(next))
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/work" {
				t.Errorf("GET /login signed in: %d %q, want 303 to /work", resp.StatusCode, loc)
			}
		})
	}
	t.Run("a path of this site is kept", func(t *testing.T) {
		c := apptest.Client()
		const next = "/cases?status=mediating"
		resp, _ := webGet(t, c, r.URL+"/lang?to=en&next="+url.QueryEscape(next))
		if loc := resp.Header.Get("Location"); loc != next {
			t.Errorf("/lang: Location %q, want %q", loc, next)
		}
		tok := pageCSRF(t, c, r.URL+"/login")
		resp, _ = webPost(t, c, r.URL+"/login", url.Values{"_csrf": {tok}, "username": {"clerk.gulou"}, "password": {demoPassword}, "next": {next}})
		if loc := resp.Header.Get("Location"); loc != next {
			t.Errorf("POST /login: Location %q, want %q", loc, next)
		}
	})
}

// --- 2. A password change or reset ends the other sessions and tokens -------

// apiStatus is the status of GET /api/v1/me with a token.
func apiStatus(t *testing.T, r *apptest.Running, token string) int {
	t.Helper()
	return call(t, r, http.MethodGet, "/api/v1/me", token, nil).Status
}

func TestPasswordChange_EndsOtherSessionsAndTokens(t *testing.T) {
	r := startDemo(t)
	const user = "clerk.gulou"
	uid := userID(t, r, user)
	name := displayName(t, r, user)
	const next = "Green-tea-harvest-2026"
	current := demoPassword

	t.Run("in the browser", func(t *testing.T) {
		here := webLogin(t, r, user, demoPassword)
		other := webLogin(t, r, user, demoPassword)
		tokens := []string{mustLogin(t, r, user), mustLogin(t, r, user)}
		mustBeSignedIn(t, r, other, name)

		tok := pageCSRF(t, here, r.URL+"/me/password")
		resp, body := webPost(t, here, r.URL+"/me/password", url.Values{"_csrf": {tok},
			"current_password": {demoPassword}, "new_password": {next}, "new_password2": {next}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("change: %d\n%s", resp.StatusCode, body)
		}
		mustBeSignedIn(t, r, here, name)
		mustBeSignedOut(t, r, other)
		for i, tk := range tokens {
			if st := apiStatus(t, r, tk); st != http.StatusUnauthorized {
				t.Errorf("API token %d after the change: %d, want 401", i, st)
			}
		}
		// The session that made the change keeps working for forms too.
		current = demoPassword + "-x"
		tok = pageCSRF(t, here, r.URL+"/me/password")
		resp, _ = webPost(t, here, r.URL+"/me/password", url.Values{"_csrf": {tok},
			"current_password": {next}, "new_password": {current}, "new_password2": {current}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("second change from the same session: %d", resp.StatusCode)
		}
		mustBeSignedIn(t, r, here, name)
		var detail map[string]any
		raw := scalar[string](t, r, "SELECT detail::text FROM audit_log WHERE action = 'auth.sessions_revoked' AND object_id = ? ORDER BY id LIMIT 1", itoa(uid))
		if err := json.Unmarshal([]byte(raw), &detail); err != nil {
			t.Fatal(err)
		}
		if detail["reason"] != "password_changed" || detail["tokens_revoked"] != float64(2) || detail["kept"] != "web_session" {
			t.Errorf("audit detail %s", raw)
		}
	})

	t.Run("through the API", func(t *testing.T) {
		browser := webLogin(t, r, user, current)
		mine, other := mustLoginWith(t, r, user, current), mustLoginWith(t, r, user, current)
		res := call(t, r, http.MethodPost, "/api/v1/me/password", mine, map[string]string{"current_password": current, "new_password": next})
		if res.Status != http.StatusNoContent {
			t.Fatalf("change: %s", res)
		}
		if st := apiStatus(t, r, mine); st != http.StatusOK {
			t.Errorf("the token that made the change: %d, want 200", st)
		}
		if st := apiStatus(t, r, other); st != http.StatusUnauthorized {
			t.Errorf("another token: %d, want 401", st)
		}
		mustBeSignedOut(t, r, browser)
		if n := auditCount(t, r, "org:"+itoa(orgID(t, r, "gulou")), "auth.sessions_revoked", uid); n != 3 {
			t.Errorf("want 3 auth.sessions_revoked rows, got %d", n)
		}
	})

	t.Run("a refused change ends nothing", func(t *testing.T) {
		browser := webLogin(t, r, user, next)
		tk := mustLoginWith(t, r, user, next)
		res := call(t, r, http.MethodPost, "/api/v1/me/password", tk, map[string]string{"current_password": "wrong-password-0", "new_password": "Another-one-2026"})
		mustProblem(t, res, http.StatusUnprocessableEntity, "invalid")
		mustBeSignedIn(t, r, browser, name)
		if st := apiStatus(t, r, tk); st != http.StatusOK {
			t.Errorf("token after a refused change: %d", st)
		}
	})
}

func TestPasswordReset_EndsEverySession(t *testing.T) {
	r := startDemo(t)
	const user = "mediator2.gulou"
	uid := userID(t, r, user)
	name := displayName(t, r, user)
	admin := webLogin(t, r, "admin", demoPassword)
	adminToken := mustLogin(t, r, "admin")

	t.Run("in the browser", func(t *testing.T) {
		browsers := []*http.Client{webLogin(t, r, user, demoPassword), webLogin(t, r, user, demoPassword)}
		tk := mustLogin(t, r, user)
		tok := pageCSRF(t, admin, r.URL+"/users/"+itoa(uid))
		resp, body := webPost(t, admin, r.URL+"/users/"+itoa(uid)+"/password", url.Values{"_csrf": {tok}, "password": {"Reset-by-admin-2026"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset: %d\n%s", resp.StatusCode, body)
		}
		// The page that refuses bad input loads the session itself (it runs
		// before the usual actor middleware): a session the reset ended
		// must not show the user's navigation there either.
		resp, body = webPost(t, browsers[0], r.URL+"/cases", url.Values{"summary": {"bad\x00input"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, name) {
			t.Errorf("refused input with an ended session: %d, names the user: %v", resp.StatusCode, strings.Contains(body, name))
		}
		for _, b := range browsers {
			mustBeSignedOut(t, r, b)
		}
		if st := apiStatus(t, r, tk); st != http.StatusUnauthorized {
			t.Errorf("token after the reset: %d, want 401", st)
		}
		mustBeSignedIn(t, r, admin, "系统管理员")
		mustBeSignedIn(t, r, webLogin(t, r, user, "Reset-by-admin-2026"), name)
	})

	t.Run("through the API", func(t *testing.T) {
		browser := webLogin(t, r, user, "Reset-by-admin-2026")
		tk := mustLoginWith(t, r, user, "Reset-by-admin-2026")
		res := call(t, r, http.MethodPost, "/api/v1/users/"+itoa(uid)+"/password", adminToken, map[string]string{"password": "Reset-again-2026"})
		if res.Status != http.StatusNoContent {
			t.Fatalf("reset: %s", res)
		}
		mustBeSignedOut(t, r, browser)
		if st := apiStatus(t, r, tk); st != http.StatusUnauthorized {
			t.Errorf("token after the reset: %d, want 401", st)
		}
		if st := apiStatus(t, r, adminToken); st != http.StatusOK {
			t.Errorf("the admin's own token: %d", st)
		}
		raw := scalar[string](t, r, "SELECT detail::text FROM audit_log WHERE action = 'auth.sessions_revoked' AND object_id = ? ORDER BY id DESC LIMIT 1", itoa(uid))
		if !strings.Contains(raw, `"reason": "password_reset"`) || !strings.Contains(raw, `"tokens_revoked": 1`) || strings.Contains(raw, "kept") {
			t.Errorf("audit detail %s", raw)
		}
	})
}

// --- 3. Registration: throttled, and no username oracle ------------------

func TestRegister_ThrottledPerAddress(t *testing.T) {
	r := startDemo(t, func(c *config.Config) { c.Security.RegisterRatePerHour = 3 })
	// The throttle counts per clock hour; do not start right before one
	// ends (a real boundary: the throttle follows real time).
	if rem := time.Hour - time.Duration(time.Now().UnixNano()%int64(time.Hour)); rem < 10*time.Second {
		time.Sleep(rem + 50*time.Millisecond)
	}
	// Refused registrations count too: they are what an enumeration is.
	for range 3 {
		res := call(t, r, http.MethodPost, "/api/v1/register", "", registration("914403001922038217", "throttle.sz"))
		mustProblem(t, res, http.StatusUnprocessableEntity, "invalid")
	}
	before := counts(t, r)
	// Even a valid registration is refused now, and nothing is created.
	p := mustProblem(t, call(t, r, http.MethodPost, "/api/v1/register", "", registration("914403001922038216", "throttle.sz")), http.StatusTooManyRequests, "too_many_requests")
	if len(p.Errors) != 0 {
		t.Errorf("a throttled registration names fields: %+v", p.Errors)
	}
	c := apptest.Client()
	tok := pageCSRF(t, c, r.URL+"/register")
	resp, body := webPost(t, c, r.URL+"/register", registerForm(tok, "914403001922038216", "throttle.fz", "13912345678", strongPassword))
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "此网络地址的注册尝试过于频繁") {
		t.Errorf("web form: %d\n%s", resp.StatusCode, body)
	}
	if after := counts(t, r); after != before {
		t.Errorf("orgs/users %v -> %v after throttled registrations", before, after)
	}
	if n := scalar[int64](t, r, "SELECT count(*) FROM audit_log WHERE action = 'auth.register_throttled'"); n != 2 {
		t.Errorf("want 2 auth.register_throttled rows, got %d", n)
	}
	// Login has its own budget.
	mustLogin(t, r, "sme1")
}

func TestRegister_UsernameTakenIsNotAnOracle(t *testing.T) {
	r := startDemo(t)
	tests := []struct {
		desc    string
		body    map[string]string
		field   string
		message string
	}{
		// Anything else wrong: the username is not looked at.
		{desc: "bad credit code", body: registration("914403001922038217", "sme1"), field: "credit_code", message: "validation.credit_code"},
		{desc: "credit code registered", body: registration("91350100MA34A1B2CU", "sme1"), field: "credit_code", message: "validation.credit_code_taken"},
		{desc: "bad mobile", body: with(registration("914403001922038216", "sme1"), "phone", "123"), field: "phone", message: "validation.mobile"},
		{desc: "weak password", body: with(registration("914403001922038216", "sme1"), "password", "short"), field: "password", message: "validation.password_short"},
		// All else valid: a neutral answer.
		{desc: "all else valid", body: registration("914403001922038216", "sme1"), field: "username", message: "validation.username_unavailable"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			before := counts(t, r)
			p := mustProblem(t, call(t, r, http.MethodPost, "/api/v1/register", "", tc.body), http.StatusUnprocessableEntity, "invalid")
			if len(p.Errors) != 1 || p.fieldMessage(tc.field) != tc.message {
				t.Errorf("errors %+v, want only %s: %s", p.Errors, tc.field, tc.message)
			}
			if after := counts(t, r); after != before {
				t.Errorf("orgs/users %v -> %v", before, after)
			}
		})
	}
	c := apptest.Client()
	tok := pageCSRF(t, c, r.URL+"/register")
	resp, body := webPost(t, c, r.URL+"/register", registerForm(tok, "914403001922038216", "sme1", "13912345678", strongPassword))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "此用户名不可用，请换一个。") || strings.Contains(body, "已被使用") {
		t.Errorf("web form with a taken username: %d\n%s", resp.StatusCode, body)
	}
}

// --- 4. Lockout: said on the login page, seen and lifted by the admin ------

func TestLockout_NoticeListAndUnlock(t *testing.T) {
	r := startDemo(t, func(c *config.Config) {
		c.Security.LoginMaxFailures = 3
		c.Security.LockoutDuration = 7 * time.Minute
	})
	const user = "clerk.gulou"
	uid := userID(t, r, user)

	_, body := webGet(t, apptest.Client(), r.URL+"/login")
	if !strings.Contains(body, "连续 3 次登录失败后，账户将被锁定 7 分钟") || !strings.Contains(body, "请联系系统管理员") {
		t.Errorf("the login page does not explain lockout:\n%s", body)
	}
	en := apptest.Client()
	webGet(t, en, r.URL+"/lang?to=en&next=/login")
	if _, body := webGet(t, en, r.URL+"/login"); !strings.Contains(body, "After 3 failed sign-in attempts in a row an account is locked for 7 minutes") {
		t.Errorf("the English login page does not explain lockout:\n%s", body)
	}

	for range 3 {
		mustProblem(t, login(t, r, user, "wrong-password-0"), http.StatusUnauthorized, "unauthorized")
	}
	// Locked: the right password gets the same answer as a wrong one.
	locked := login(t, r, user, demoPassword)
	wrong := login(t, r, user, "wrong-password-0")
	mustProblem(t, locked, http.StatusUnauthorized, "unauthorized")
	if a, b := comparableProblem(t, locked.Body), comparableProblem(t, wrong.Body); !equalJSON(a, b) {
		t.Errorf("locked %v and wrong %v answers differ", a, b)
	}

	adminToken := mustLogin(t, r, "admin")
	u := decode[struct {
		Locked      bool       `json:"locked"`
		LockedUntil *time.Time `json:"locked_until"`
	}](t, call(t, r, http.MethodGet, "/api/v1/users/"+itoa(uid), adminToken, nil))
	if !u.Locked || u.LockedUntil == nil || time.Until(*u.LockedUntil) < 6*time.Minute || time.Until(*u.LockedUntil) > 7*time.Minute {
		t.Errorf("user JSON: locked %v until %v, want about 7 minutes from now", u.Locked, u.LockedUntil)
	}
	admin := webLogin(t, r, "admin", demoPassword)
	_, body = webGet(t, admin, r.URL+"/users?q="+user)
	if !strings.Contains(body, `id="locked-`+itoa(uid)+`"`) || !strings.Contains(body, "已锁定至 ") {
		t.Errorf("the users list does not show the lock:\n%s", body)
	}

	// A director sees the lock but may not lift it.
	director := webLogin(t, r, "director.gulou", demoPassword)
	tok := pageCSRF(t, director, r.URL+"/users/"+itoa(uid))
	if resp, _ := webPost(t, director, r.URL+"/users/"+itoa(uid)+"/unlock", url.Values{"_csrf": {tok}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("director unlock (web): %d, want 403", resp.StatusCode)
	}
	if res := call(t, r, http.MethodPost, "/api/v1/users/"+itoa(uid)+"/unlock", mustLogin(t, r, "director.gulou"), nil); res.Status != http.StatusNotFound {
		t.Errorf("director unlock (API): %s, want 404", res)
	}
	if n := scalar[int64](t, r, "SELECT count(*) FROM users WHERE id = ? AND locked_until > now()", uid); n != 1 {
		t.Fatal("the lock was lifted by a director")
	}

	// The sysadmin lifts it on the user's page.
	_, body = webGet(t, admin, r.URL+"/users/"+itoa(uid))
	if !strings.Contains(body, `action="/users/`+itoa(uid)+`/unlock"`) || !strings.Contains(body, `id="user-locked"`) {
		t.Fatalf("the user page offers no unlock:\n%s", body)
	}
	resp, _ := webPost(t, admin, r.URL+"/users/"+itoa(uid)+"/unlock", url.Values{"_csrf": {csrfFrom(t, body)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unlock: %d", resp.StatusCode)
	}
	mustLogin(t, r, user)
	if n := auditCount(t, r, "org:"+itoa(orgID(t, r, "gulou")), "user.unlock", uid); n != 1 {
		t.Errorf("want 1 user.unlock row, got %d", n)
	}

	// And through the API.
	for range 3 {
		login(t, r, user, "wrong-password-0")
	}
	if res := call(t, r, http.MethodPost, "/api/v1/users/"+itoa(uid)+"/unlock", adminToken, nil); res.Status != http.StatusNoContent {
		t.Fatalf("API unlock: %s", res)
	}
	u2 := decode[struct {
		Locked      bool       `json:"locked"`
		LockedUntil *time.Time `json:"locked_until"`
	}](t, call(t, r, http.MethodGet, "/api/v1/users/"+itoa(uid), adminToken, nil))
	if u2.Locked || u2.LockedUntil != nil {
		t.Errorf("after unlocking: locked %v until %v", u2.Locked, u2.LockedUntil)
	}
	mustLogin(t, r, user)
	if n := auditCount(t, r, "org:"+itoa(orgID(t, r, "gulou")), "user.unlock", uid); n != 2 {
		t.Errorf("want 2 user.unlock rows, got %d", n)
	}
}

func equalJSON(a, b map[string]any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
