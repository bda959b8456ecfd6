package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/config"
)

// --- 7. Registration -----------------------------------------------------

const strongPassword = "Tea-garden-2026!"

func registration(code, username string) map[string]string {
	return map[string]string{
		"enterprise_name": "深圳前海示例科技有限公司", "credit_code": code, "contact_name": "陈一鸣",
		"phone": "138 0013 8000", "email": "chen@example.com", "username": username, "password": strongPassword,
	}
}

type orgOut struct {
	ID         int64   `json:"id"`
	Code       string  `json:"code"`
	Type       string  `json:"type"`
	CreditCode *string `json:"credit_code"`
}

type roleGrant struct {
	OrgID   int64  `json:"org_id"`
	OrgCode string `json:"org_code"`
	Role    string `json:"role"`
}

type userOut struct {
	ID          int64       `json:"id"`
	Username    string      `json:"username"`
	DisplayName string      `json:"display_name"`
	Phone       string      `json:"phone"`
	Active      bool        `json:"active"`
	Locked      bool        `json:"locked"`
	Roles       []roleGrant `json:"roles"`
}

func decode[T any](t *testing.T, res apiResp) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(res.Body, &v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, res.Body)
	}
	return v
}

// counts returns how many organisations and users exist.
func counts(t *testing.T, r *apptest.Running) [2]int64 {
	t.Helper()
	return [2]int64{scalar[int64](t, r, "SELECT count(*) FROM orgs"), scalar[int64](t, r, "SELECT count(*) FROM users")}
}

func TestRegister_API(t *testing.T) {
	r := startDemo(t)

	valid := []struct {
		desc, code, sent, username string
	}{
		{desc: "numeric check character", code: "914403001922038216", sent: "914403001922038216", username: "acme.sz"},
		{desc: "letter check character typed in lower case", code: "9144030071526726XG", sent: "9144030071526726xg", username: "beta.sz"},
	}
	for _, tc := range valid {
		t.Run(tc.desc, func(t *testing.T) {
			before := counts(t, r)
			res := call(t, r, http.MethodPost, "/api/v1/register", "", registration(tc.sent, tc.username))
			if res.Status != http.StatusCreated {
				t.Fatalf("register: %s", res)
			}
			out := decode[struct {
				User userOut `json:"user"`
				Org  orgOut  `json:"org"`
			}](t, res)
			wantCode := "ent-" + strings.ToLower(tc.code)
			if out.User.Username != tc.username || out.User.DisplayName != "陈一鸣" || out.Org.Type != "enterprise" ||
				out.Org.Code != wantCode || out.Org.CreditCode == nil || *out.Org.CreditCode != tc.code {
				t.Errorf("register answer: %s", res.Body)
			}
			if strings.Contains(string(res.Body), "13800138000") {
				t.Errorf("the answer shows the full mobile number: %s", res.Body)
			}
			if after := counts(t, r); after != [2]int64{before[0] + 1, before[1] + 1} {
				t.Errorf("orgs/users %v -> %v, want one more of each", before, after)
			}
			if typ := scalar[string](t, r, "SELECT type FROM orgs WHERE id = ? AND credit_code = ?", out.Org.ID, tc.code); typ != "enterprise" {
				t.Errorf("stored org type %q", typ)
			}

			m := mustMe(t, r, mustLoginWith(t, r, tc.username, strongPassword))
			want := []meRole{{Role: "applicant", OrgID: out.Org.ID, OrgCode: wantCode}}
			if m.Sysadmin || !reflect.DeepEqual(m.Roles, want) {
				t.Errorf("/me roles %+v, want %+v", m.Roles, want)
			}
			chain := "org:" + itoa(out.Org.ID)
			if n := auditCount(t, r, chain, "role.grant", out.User.ID); n != 1 {
				t.Errorf("want 1 role.grant on %s, got %d", chain, n)
			}
			if n := scalar[int64](t, r, "SELECT count(*) FROM audit_log WHERE chain = ? AND action = 'enterprise.register'", chain); n != 1 {
				t.Errorf("want 1 enterprise.register on %s, got %d", chain, n)
			}
		})
	}

	invalid := []struct {
		desc    string
		body    map[string]string
		field   string
		message string
	}{
		{desc: "wrong check character", body: registration("914403001922038217", "gamma.sz"), field: "credit_code", message: "validation.credit_code"},
		{desc: "too short a code", body: registration("91440300192203821", "gamma.sz"), field: "credit_code", message: "validation.credit_code"},
		{desc: "the same code again", body: registration("914403001922038216", "gamma.sz"), field: "credit_code", message: "validation.credit_code_taken"},
		{desc: "a demo enterprise's code", body: registration("91350100MA34A1B2CU", "gamma.sz"), field: "credit_code", message: "validation.credit_code_taken"},
		{desc: "password under 10 characters", body: with(registration("91350100MA2Y0A0A01", "gamma.sz"), "password", "Sh0rt-pw!"), field: "password", message: "validation.password_short"},
		{desc: "password containing the username", body: with(registration("91350100MA2Y0A0A01", "gamma.sz"), "password", "my-GAMMA.SZ-2026"), field: "password", message: "validation.password_username"},
		{desc: "bad mobile", body: with(registration("91350100MA2Y0A0A01", "gamma.sz"), "phone", "1234567"), field: "phone", message: "validation.mobile"},
		{desc: "landline instead of mobile", body: with(registration("91350100MA2Y0A0A01", "gamma.sz"), "phone", "0591-87654321"), field: "phone", message: "validation.mobile"},
		{desc: "username taken", body: registration("91350100MA2Y0A0A01", "sme1"), field: "username", message: "validation.username_unavailable"},
	}
	for _, tc := range invalid {
		t.Run(tc.desc, func(t *testing.T) {
			before := counts(t, r)
			res := call(t, r, http.MethodPost, "/api/v1/register", "", tc.body)
			p := mustProblem(t, res, http.StatusUnprocessableEntity, "invalid")
			if got := p.fieldMessage(tc.field); got != tc.message {
				t.Errorf("field %s: message %q, want %q: %s", tc.field, got, tc.message, res.Body)
			}
			if len(p.Errors) != 1 {
				t.Errorf("want exactly one field error, got %+v", p.Errors)
			}
			if after := counts(t, r); after != before {
				t.Errorf("a refused registration created something: orgs/users %v -> %v", before, after)
			}
			if n := scalar[int64](t, r, "SELECT count(*) FROM users WHERE username = 'gamma.sz'"); n != 0 {
				t.Error("the user was created")
			}
		})
	}

	t.Run("unknown field", func(t *testing.T) {
		body := registration("91350100MA2Y0A0A01", "gamma.sz")
		body["role"] = "sysadmin"
		p := mustProblem(t, call(t, r, http.MethodPost, "/api/v1/register", "", body), http.StatusUnprocessableEntity, "invalid")
		if p.fieldMessage("role") != "validation.json_unknown" {
			t.Errorf("want the unknown field named: %+v", p.Errors)
		}
	})
}

// with returns m with key set to v.
func with(m map[string]string, key, v string) map[string]string {
	m[key] = v
	return m
}

func registerForm(tok, code, username, phone, password string) url.Values {
	return url.Values{
		"_csrf": {tok}, "enterprise_name": {"福州示例茶业有限公司"}, "credit_code": {code}, "contact_name": {"郑小梅"},
		"phone": {phone}, "email": {""}, "username": {username}, "password": {password}, "password2": {password},
	}
}

func TestRegister_WebForm(t *testing.T) {
	r := startDemo(t)

	invalid := []struct {
		desc    string
		form    func(tok string) url.Values
		pattern string // the message where it belongs
	}{
		{
			desc: "wrong check character",
			form: func(tok string) url.Values {
				return registerForm(tok, "914403001922038217", "zheng.fz", "13912345678", strongPassword)
			},
			pattern: `<div id="credit_code-err"><p class="field-error" role="alert">统一社会信用代码无效（请检查位数和校验码）。</p></div>`,
		},
		{
			desc: "bad mobile",
			form: func(tok string) url.Values {
				return registerForm(tok, "914403001922038216", "zheng.fz", "12345", strongPassword)
			},
			pattern: `<input id="phone" name="phone" type="tel" required value="12345">\s*<p class="field-error" role="alert">请输入有效的 11 位手机号码。</p>`,
		},
		{
			desc: "short password",
			form: func(tok string) url.Values {
				return registerForm(tok, "914403001922038216", "zheng.fz", "13912345678", "short-pw")
			},
			pattern: `id="pw-help">[^<]*</p>\s*<p class="field-error" role="alert">密码至少需要 10 个字符。</p>`,
		},
		{
			desc: "passwords differ",
			form: func(tok string) url.Values {
				f := registerForm(tok, "914403001922038216", "zheng.fz", "13912345678", strongPassword)
				f.Set("password2", strongPassword+"x")
				return f
			},
			pattern: `<input id="password2"[^>]*>\s*<p class="field-error" role="alert">两次输入的密码不一致。</p>`,
		},
	}
	for _, tc := range invalid {
		t.Run(tc.desc, func(t *testing.T) {
			c := apptest.Client()
			tok := pageCSRF(t, c, r.URL+"/register")
			before := counts(t, r)
			form := tc.form(tok)
			resp, body := webPost(t, c, r.URL+"/register", form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("want 422, got %d\n%s", resp.StatusCode, body)
			}
			if !regexp.MustCompile(tc.pattern).MatchString(body) {
				t.Errorf("the message is not shown by its field (%s):\n%s", tc.pattern, body)
			}
			// What was typed is kept, except the passwords.
			if !strings.Contains(body, `value="`+form.Get("credit_code")+`"`) || !strings.Contains(body, `value="福州示例茶业有限公司"`) {
				t.Error("the form does not keep the typed values")
			}
			if strings.Contains(body, form.Get("password")) {
				t.Error("the password is echoed back")
			}
			if after := counts(t, r); after != before {
				t.Errorf("orgs/users %v -> %v after a refused registration", before, after)
			}
			if jarCookie(t, c, r.URL, "ipm_session") != "" {
				t.Error("a refused registration signed someone in")
			}
		})
	}

	t.Run("without the CSRF token", func(t *testing.T) {
		c := apptest.Client()
		pageCSRF(t, c, r.URL+"/register")
		before := counts(t, r)
		form := registerForm("", "914403001922038216", "zheng.fz", "13912345678", strongPassword)
		form.Del("_csrf")
		resp, _ := webPost(t, c, r.URL+"/register", form)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("want 403, got %d", resp.StatusCode)
		}
		if after := counts(t, r); after != before {
			t.Errorf("orgs/users %v -> %v", before, after)
		}
	})

	t.Run("valid", func(t *testing.T) {
		c := apptest.Client()
		tok := pageCSRF(t, c, r.URL+"/register")
		resp, body := webPost(t, c, r.URL+"/register", registerForm(tok, "914403001922038216", "zheng.fz", "13912345678", strongPassword))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/work" {
			t.Fatalf("register: %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		resp, body = webGet(t, c, r.URL+"/work")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "您好，郑小梅。") || !strings.Contains(body, "注册成功，欢迎使用。") {
			t.Fatalf("/work after registering: %d\n%s", resp.StatusCode, body)
		}
		ent := orgID(t, r, "ent-914403001922038216")
		if !strings.Contains(body, `id="work-applicant-`+itoa(ent)+`"`) {
			t.Errorf("/work has no applicant section for the new enterprise %d", ent)
		}
		m := mustMe(t, r, mustLoginWith(t, r, "zheng.fz", strongPassword))
		if want := []meRole{{Role: "applicant", OrgID: ent, OrgCode: "ent-914403001922038216"}}; !reflect.DeepEqual(m.Roles, want) {
			t.Errorf("/me roles %+v, want %+v", m.Roles, want)
		}

		// The same code a second time through the form.
		c2 := apptest.Client()
		tok = pageCSRF(t, c2, r.URL+"/register")
		resp, body = webPost(t, c2, r.URL+"/register", registerForm(tok, "914403001922038216", "other.fz", "13912345679", strongPassword))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<div id="credit_code-err"><p class="field-error" role="alert">该统一社会信用代码已注册。</p></div>`) {
			t.Errorf("duplicate code: %d\n%s", resp.StatusCode, body)
		}
	})
}

// --- 8. User management --------------------------------------------------

func createUser(t *testing.T, r *apptest.Running, token string, in map[string]any) apiResp {
	t.Helper()
	return call(t, r, http.MethodPost, "/api/v1/users", token, in)
}

func newStaff(username string, orgID int64, role string) map[string]any {
	return map[string]any{"username": username, "display_name": "新同事 " + username, "password": strongPassword,
		"phone": "13700000001", "org_id": orgID, "role": role}
}

func listUsers(t *testing.T, r *apptest.Running, token, query string) []userOut {
	t.Helper()
	res := call(t, r, http.MethodGet, "/api/v1/users"+query, token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("list users%s: %s", query, res)
	}
	return decode[struct {
		Items []userOut `json:"items"`
	}](t, res).Items
}

func usernames(us []userOut) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Username
	}
	sort.Strings(out)
	return out
}

func meRoles(t *testing.T, r *apptest.Running, token string) []string {
	t.Helper()
	var out []string
	for _, ro := range mustMe(t, r, token).Roles {
		out = append(out, ro.Role+"@"+ro.OrgCode)
	}
	sort.Strings(out)
	return out
}

func TestUserManagement(t *testing.T) {
	r := startDemo(t, func(c *config.Config) { c.Security.LoginMaxFailures = 3 })
	ctx := context.Background()
	admin := mustLogin(t, r, "admin")
	director := mustLogin(t, r, "director.gulou")
	cityDirector := mustLogin(t, r, "director.city")
	gulou, cangshan, court := orgID(t, r, "gulou"), orgID(t, r, "cangshan"), orgID(t, r, "gulou-court")
	gulouChain := "org:" + itoa(gulou)

	t.Run("admin creates users in any organisation", func(t *testing.T) {
		for _, tc := range []struct {
			username, role string
			org            int64
			orgCode        string
		}{
			{username: "mediator9.cangshan", role: "mediator", org: cangshan, orgCode: "cangshan"},
			{username: "liaison2.gulou-court", role: "court_liaison", org: court, orgCode: "gulou-court"},
		} {
			res := createUser(t, r, admin, newStaff(tc.username, tc.org, tc.role))
			if res.Status != http.StatusCreated {
				t.Fatalf("create %s: %s", tc.username, res)
			}
			u := decode[userOut](t, res)
			if want := []roleGrant{{OrgID: tc.org, OrgCode: tc.orgCode, Role: tc.role}}; u.Username != tc.username || !u.Active ||
				len(u.Roles) != 1 || u.Roles[0].OrgID != want[0].OrgID || u.Roles[0].Role != want[0].Role || u.Roles[0].OrgCode != want[0].OrgCode {
				t.Errorf("created %s", res.Body)
			}
			if u.Phone == "13700000001" {
				t.Error("the list/create answer shows the full mobile number")
			}
			if n := auditCount(t, r, "org:"+itoa(tc.org), "user.create", u.ID); n != 1 {
				t.Errorf("want user.create on org:%d, got %d", tc.org, n)
			}
			mustLoginWith(t, r, tc.username, strongPassword)
		}
	})

	var staffID int64
	t.Run("director creates a mediator in their committee", func(t *testing.T) {
		res := createUser(t, r, director, newStaff("mediator9.gulou", gulou, "mediator"))
		if res.Status != http.StatusCreated {
			t.Fatalf("create: %s", res)
		}
		u := decode[userOut](t, res)
		staffID = u.ID
		if len(u.Roles) != 1 || u.Roles[0].Role != "mediator" || u.Roles[0].OrgID != gulou {
			t.Errorf("created %s", res.Body)
		}
		for _, action := range []string{"user.create", "role.grant"} {
			if n := scalar[int64](t, r, "SELECT count(*) FROM audit_log WHERE chain = ? AND action = ? AND object_id = ? AND actor_name = 'director.gulou'",
				gulouChain, action, itoa(u.ID)); n != 1 {
				t.Errorf("want one %s by director.gulou on %s, got %d", action, gulouChain, n)
			}
		}
	})
	if staffID == 0 {
		t.Fatal("no staff user to manage")
	}

	t.Run("director is refused outside their authority", func(t *testing.T) {
		tests := []struct {
			desc   string
			in     map[string]any
			status int
			code   string
		}{
			{desc: "mediator in another committee", in: newStaff("intruder1", cangshan, "mediator"), status: http.StatusNotFound, code: "not_found"},
			{desc: "a director in their own committee", in: newStaff("intruder2", gulou, "director"), status: http.StatusForbidden, code: "forbidden"},
			{desc: "a user without an organisation", in: newStaff("intruder3", 0, ""), status: http.StatusForbidden, code: "forbidden"},
		}
		for _, tc := range tests {
			t.Run(tc.desc, func(t *testing.T) {
				before := counts(t, r)
				mustProblem(t, createUser(t, r, director, tc.in), tc.status, tc.code)
				if after := counts(t, r); after != before {
					t.Errorf("users %v -> %v", before, after)
				}
			})
		}
	})

	t.Run("director sees only their committee", func(t *testing.T) {
		for _, u := range []string{"director.cangshan", "mediator9.cangshan", "liaison.gulou-court", "sme1", "admin"} {
			mustProblem(t, call(t, r, http.MethodGet, "/api/v1/users/"+itoa(userID(t, r, u)), director, nil), http.StatusNotFound, "not_found")
		}
		res := call(t, r, http.MethodGet, "/api/v1/users/"+itoa(userID(t, r, "mediator1.gulou")), director, nil)
		if res.Status != http.StatusOK || decode[userOut](t, res).Username != "mediator1.gulou" {
			t.Errorf("own committee's mediator: %s", res)
		}
		got := usernames(listUsers(t, r, director, ""))
		want := []string{"clerk.gulou", "director.gulou", "mediator1.gulou", "mediator2.gulou", "mediator9.gulou"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("director.gulou lists %v, want %v", got, want)
		}
		if got := listUsers(t, r, director, "?org_id="+itoa(cangshan)); len(got) != 0 {
			t.Errorf("filtering on another committee lists %v", usernames(got))
		}
	})

	t.Run("city director supervises county committees", func(t *testing.T) {
		res := call(t, r, http.MethodGet, "/api/v1/users/"+itoa(userID(t, r, "mediator1.gulou")), cityDirector, nil)
		if res.Status != http.StatusOK || decode[userOut](t, res).Username != "mediator1.gulou" {
			t.Errorf("city director reading a gulou mediator: %s", res)
		}
		got := usernames(listUsers(t, r, cityDirector, "?org_id="+itoa(gulou)))
		want := []string{"clerk.gulou", "director.gulou", "mediator1.gulou", "mediator2.gulou", "mediator9.gulou"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("director.city lists gulou as %v, want %v", got, want)
		}
		// Supervision is reading, not managing, and does not reach courts.
		mustProblem(t, call(t, r, http.MethodGet, "/api/v1/users/"+itoa(userID(t, r, "liaison.gulou-court")), cityDirector, nil), http.StatusNotFound, "not_found")
		res = call(t, r, http.MethodPost, "/api/v1/users/"+itoa(userID(t, r, "mediator1.gulou"))+"/disable", cityDirector, nil)
		if res.Status != http.StatusForbidden && res.Status != http.StatusNotFound {
			t.Errorf("city director disabling a county mediator: %s", res)
		}
		if !scalar[bool](t, r, "SELECT active FROM users WHERE username = 'mediator1.gulou'") {
			t.Error("the county mediator was disabled by the city director")
		}
	})

	staffToken := mustLoginWith(t, r, "mediator9.gulou", strongPassword)
	t.Run("grant and revoke change /me at once", func(t *testing.T) {
		if got := meRoles(t, r, staffToken); !reflect.DeepEqual(got, []string{"mediator@gulou"}) {
			t.Fatalf("roles before: %v", got)
		}
		roles := "/api/v1/users/" + itoa(staffID) + "/roles"
		if res := call(t, r, http.MethodPost, roles, director, map[string]any{"org_id": gulou, "role": "clerk"}); res.Status != http.StatusNoContent {
			t.Fatalf("grant: %s", res)
		}
		if got := meRoles(t, r, staffToken); !reflect.DeepEqual(got, []string{"clerk@gulou", "mediator@gulou"}) {
			t.Errorf("roles after grant: %v", got)
		}
		mustProblem(t, call(t, r, http.MethodPost, roles, director, map[string]any{"org_id": gulou, "role": "director"}), http.StatusForbidden, "forbidden")
		mustProblem(t, call(t, r, http.MethodPost, roles, director, map[string]any{"org_id": cangshan, "role": "clerk"}), http.StatusNotFound, "not_found")
		p := mustProblem(t, call(t, r, http.MethodPost, roles, admin, map[string]any{"org_id": gulou, "role": "sysadmin"}), http.StatusUnprocessableEntity, "invalid")
		if p.fieldMessage("role") != "validation.role" {
			t.Errorf("granting sysadmin in an org: %+v", p.Errors)
		}
		if res := call(t, r, http.MethodPost, roles+"/revoke", director, map[string]any{"org_id": gulou, "role": "clerk"}); res.Status != http.StatusNoContent {
			t.Fatalf("revoke: %s", res)
		}
		if got := meRoles(t, r, staffToken); !reflect.DeepEqual(got, []string{"mediator@gulou"}) {
			t.Errorf("roles after revoke: %v", got)
		}
		if n := auditCount(t, r, gulouChain, "role.grant", staffID); n != 2 {
			t.Errorf("want 2 role.grant rows on %s (create, grant), got %d", gulouChain, n)
		}
		if n := auditCount(t, r, gulouChain, "role.revoke", staffID); n != 1 {
			t.Errorf("want 1 role.revoke row on %s, got %d", gulouChain, n)
		}
	})

	t.Run("password reset clears a lockout", func(t *testing.T) {
		for i := 0; i < 3; i++ {
			login(t, r, "mediator9.gulou", "wrong-password-x")
		}
		mustProblem(t, login(t, r, "mediator9.gulou", strongPassword), http.StatusUnauthorized, "unauthorized")
		res := call(t, r, http.MethodGet, "/api/v1/users/"+itoa(staffID), director, nil)
		if u := decode[userOut](t, res); !u.Locked {
			t.Errorf("the user list does not show the lock: %s", res.Body)
		}
		reset := "/api/v1/users/" + itoa(staffID) + "/password"
		p := mustProblem(t, call(t, r, http.MethodPost, reset, director, map[string]string{"password": "short"}), http.StatusUnprocessableEntity, "invalid")
		if p.fieldMessage("password") != "validation.password_short" {
			t.Errorf("weak reset password: %+v", p.Errors)
		}
		if res := call(t, r, http.MethodPost, reset, director, map[string]string{"password": "Reset-by-director-1"}); res.Status != http.StatusNoContent {
			t.Fatalf("reset: %s", res)
		}
		mustLoginWith(t, r, "mediator9.gulou", "Reset-by-director-1")
		mustProblem(t, login(t, r, "mediator9.gulou", strongPassword), http.StatusUnauthorized, "unauthorized")
		if n := auditCount(t, r, gulouChain, "user.password_reset", staffID); n != 1 {
			t.Errorf("want 1 user.password_reset row on %s, got %d", gulouChain, n)
		}
	})

	t.Run("disabling revokes tokens and logins", func(t *testing.T) {
		staffToken = mustLoginWith(t, r, "mediator9.gulou", "Reset-by-director-1")
		mustMe(t, r, staffToken)
		web := webLogin(t, r, "mediator9.gulou", "Reset-by-director-1")
		if res := call(t, r, http.MethodPost, "/api/v1/users/"+itoa(staffID)+"/disable", director, nil); res.Status != http.StatusNoContent {
			t.Fatalf("disable: %s", res)
		}
		mustProblem(t, call(t, r, http.MethodGet, "/api/v1/me", staffToken, nil), http.StatusUnauthorized, "unauthorized")
		mustProblem(t, login(t, r, "mediator9.gulou", "Reset-by-director-1"), http.StatusUnauthorized, "unauthorized")
		mustBeSignedOut(t, r, web)
		if n := scalar[int64](t, r, "SELECT count(*) FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL", staffID); n != 0 {
			t.Errorf("%d tokens left unrevoked", n)
		}
		if n := auditCount(t, r, gulouChain, "user.disable", staffID); n != 1 {
			t.Errorf("want 1 user.disable row on %s, got %d", gulouChain, n)
		}
		// Nobody disables themself: a director may not manage a director
		// at all, a sysadmin is told why.
		mustProblem(t, call(t, r, http.MethodPost, "/api/v1/users/"+itoa(userID(t, r, "director.gulou"))+"/disable", director, nil), http.StatusForbidden, "forbidden")
		p := mustProblem(t, call(t, r, http.MethodPost, "/api/v1/users/"+itoa(userID(t, r, "admin"))+"/disable", admin, nil), http.StatusUnprocessableEntity, "invalid")
		if p.fieldMessage("active") != "validation.disable_self" {
			t.Errorf("disabling oneself: %+v", p.Errors)
		}
		mustMe(t, r, director)
		mustMe(t, r, admin)

		// A sysadmin's disabling lands in the user's organisation's chain.
		other := userID(t, r, "mediator9.cangshan")
		if res := call(t, r, http.MethodPost, "/api/v1/users/"+itoa(other)+"/disable", admin, nil); res.Status != http.StatusNoContent {
			t.Fatalf("admin disable: %s", res)
		}
		if n := auditCount(t, r, "org:"+itoa(cangshan), "user.disable", other); n != 1 {
			t.Errorf("want 1 user.disable row on org:%d, got %d", cangshan, n)
		}
	})

	t.Run("audit trail", func(t *testing.T) {
		var actions []string
		if err := r.App.DB.Raw(`SELECT action FROM audit_log WHERE chain = ? AND object_id = ?
			AND action IN ('user.create','role.grant','role.revoke','user.password_reset','user.disable') ORDER BY seq`,
			gulouChain, itoa(staffID)).Scan(&actions).Error; err != nil {
			t.Fatal(err)
		}
		want := []string{"user.create", "role.grant", "role.grant", "role.revoke", "user.password_reset", "user.disable"}
		if !reflect.DeepEqual(actions, want) {
			t.Errorf("management actions on %s: %v, want %v", gulouChain, actions, want)
		}
		rep, err := r.App.Audit.Verify(ctx, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("audit verify: %v %+v", err, rep.Broken)
		}
		if rep.Rows == 0 || rep.Chains < 3 {
			t.Errorf("verify checked only %d rows on %d chains", rep.Rows, rep.Chains)
		}
	})
}

// --- 9. Password change --------------------------------------------------

func TestAPIChangePassword(t *testing.T) {
	r := startDemo(t)
	tok := mustLogin(t, r, "sme1")
	uid := userID(t, r, "sme1")
	const next = "Fresh-leaf-tea-2026"
	path := "/api/v1/me/password"

	mustProblem(t, call(t, r, http.MethodPost, path, "", map[string]string{"current_password": demoPassword, "new_password": next}), http.StatusUnauthorized, "unauthorized")

	tests := []struct {
		desc    string
		body    any
		field   string
		message string
	}{
		{desc: "wrong current password", body: map[string]string{"current_password": "not-my-password", "new_password": next}, field: "current_password", message: "validation.password_wrong"},
		{desc: "weak new password", body: map[string]string{"current_password": demoPassword, "new_password": "short"}, field: "new_password", message: "validation.password_short"},
		{desc: "new password contains the username", body: map[string]string{"current_password": demoPassword, "new_password": "sme1-is-my-name"}, field: "new_password", message: "validation.password_username"},
		{desc: "unchanged", body: map[string]string{"current_password": demoPassword, "new_password": demoPassword}, field: "new_password", message: "validation.password_same"},
		{desc: "unknown field", body: map[string]string{"old_password": demoPassword, "new_password": next}, field: "old_password", message: "validation.json_unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			hash := scalar[string](t, r, "SELECT password_hash FROM users WHERE id = ?", uid)
			p := mustProblem(t, call(t, r, http.MethodPost, path, tok, tc.body), http.StatusUnprocessableEntity, "invalid")
			if got := p.fieldMessage(tc.field); got != tc.message {
				t.Errorf("field %s: %q, want %q (%+v)", tc.field, got, tc.message, p.Errors)
			}
			if after := scalar[string](t, r, "SELECT password_hash FROM users WHERE id = ?", uid); after != hash {
				t.Error("the password changed")
			}
		})
	}
	mustLogin(t, r, "sme1")

	if res := call(t, r, http.MethodPost, path, tok, map[string]string{"current_password": demoPassword, "new_password": next}); res.Status != http.StatusNoContent {
		t.Fatalf("change: %s", res)
	}
	mustProblem(t, login(t, r, "sme1", demoPassword), http.StatusUnauthorized, "unauthorized")
	if m := mustMe(t, r, mustLoginWith(t, r, "sme1", next)); m.Username != "sme1" {
		t.Errorf("/me with the new password: %+v", m)
	}
	ent := orgID(t, r, "ent-sme1")
	if n := auditCount(t, r, "org:"+itoa(ent), "user.password_changed", uid); n != 1 {
		t.Errorf("want 1 user.password_changed on the enterprise's chain, got %d", n)
	}
	if changed := scalar[time.Time](t, r, "SELECT password_changed_at FROM users WHERE id = ?", uid); time.Since(changed) > time.Minute {
		t.Errorf("password_changed_at %s not updated", changed)
	}
}
