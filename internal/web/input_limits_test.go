package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/identity"
)

// The input boundary's limits that are the domain's (docs/security.md,
// "Input boundary"): registration, user and organisation names and
// passwords have a maximum, checked by the services whoever calls them;
// and the cases the security issues named, one by one.
func TestInputLimits(t *testing.T) {
	r := startDemo(t)
	a := r.App

	t.Run("registration", func(t *testing.T) {
		before := counts(t, r)
		for _, tc := range []struct {
			field, value string
			message      string
		}{
			{"enterprise_name", strings.Repeat("企", 201), "validation.too_long"},
			{"contact_name", strings.Repeat("陈", 101), "validation.too_long"},
			{"email", strings.Repeat("a", 250) + "@x.cn", "validation.too_long"},
			{"enterprise_name", " \t　", "validation.required"},
			{"password", strings.Repeat("密", domain.MaxPasswordLength+1), "validation.too_long"},
			{"enterprise_name", "示例\x00科技", "validation.control_char"},
			{"contact_name", "陈\n一鸣", "validation.single_line"},
		} {
			body := with(registration("91350100MA2Y0A0A01", "gamma.sz"), tc.field, tc.value)
			p := mustProblem(t, call(t, r, http.MethodPost, "/api/v1/register", "", body), http.StatusUnprocessableEntity, "invalid")
			if got := p.fieldMessage(tc.field); got != tc.message {
				t.Errorf("%s %q…: %q, want %q (%+v)", tc.field, truncate(tc.value), got, tc.message, p.Errors)
			}
		}
		if after := counts(t, r); after != before {
			t.Errorf("refused registrations wrote orgs/users: %v -> %v", before, after)
		}
	})

	t.Run("services", func(t *testing.T) {
		// Below the HTTP boundary the services keep their own limits.
		ctx := domain.WithRequestMeta(context.Background(), domain.RequestMeta{IP: "192.0.2.7"})
		_, _, err := a.Identity.RegisterSME(ctx, identity.Registration{EnterpriseName: "示例科技有限公司", CreditCode: "91350100MA2Y0A0A01",
			ContactName: "陈一鸣", Phone: "13800138000", Username: "delta.sz", Password: strings.Repeat("长", domain.MaxPasswordLength+1)})
		if got := domain.InvalidFields(err); len(got) != 1 || got[0] != "password" {
			t.Errorf("an over-long password: %v", err)
		}
		var admin int64
		if err := a.DB.Raw("SELECT id FROM users WHERE username = 'admin'").Scan(&admin).Error; err != nil {
			t.Fatal(err)
		}
		act, err := a.Identity.Actor(context.Background(), admin)
		if err != nil {
			t.Fatal(err)
		}
		asAdmin := domain.WithActor(ctx, act)
		_, err = a.Identity.CreateUser(asAdmin, identity.NewUser{Username: "long.name", DisplayName: strings.Repeat("名", 101),
			Password: "a-long-enough-pass-2026"})
		if got := domain.InvalidFields(err); len(got) != 1 || got[0] != "display_name" {
			t.Errorf("an over-long display name: %v", err)
		}
		_, err = a.OrgSvc.Create(asAdmin, domain.Org{Code: "long-org", Type: domain.OrgIndustryAssoc, NameZH: strings.Repeat("会", 201),
			NameEN: strings.Repeat("x", 201)})
		if got := domain.InvalidFields(err); len(got) != 2 || got[0] != "name_en" || got[1] != "name_zh" {
			t.Errorf("over-long organisation names: %v", err)
		}
	})

	t.Run("the issues' examples", func(t *testing.T) {
		tok := mustLogin(t, r, "director.gulou")
		p := mustProblem(t, call(t, r, http.MethodGet, "/api/v1/cases?q=%00", tok, nil), http.StatusUnprocessableEntity, "invalid")
		if p.fieldMessage("q") != "validation.control_char" {
			t.Errorf("q with NUL: %+v", p.Errors)
		}
		p = mustProblem(t, call(t, r, http.MethodPost, "/api/v1/auth/login", "", `{"username":"admin\u0000","password":"x"}`),
			http.StatusUnprocessableEntity, "invalid")
		if p.fieldMessage("username") != "validation.control_char" {
			t.Errorf("login name with NUL: %+v", p.Errors)
		}
		ids := "[" + strings.Repeat("1,", 99999) + "1]"
		p = mustProblem(t, call(t, r, http.MethodPost, "/api/v1/cases/1/assign", tok, `{"version":1,"mediator_ids":`+ids+`}`),
			http.StatusUnprocessableEntity, "invalid")
		if p.fieldMessage("mediator_ids") != "validation.too_many" {
			t.Errorf("100,000 mediator ids: %+v", p.Errors)
		}
		p = mustProblem(t, call(t, r, http.MethodPost, "/api/v1/cases", tok, "{\"summary\":\"\xff\xfe\"}"), http.StatusUnprocessableEntity, "invalid")
		if p.fieldMessage("summary") != "validation.utf8" {
			t.Errorf("invalid UTF-8 in JSON (once silently U+FFFD): %+v", p.Errors)
		}
		p = mustProblem(t, call(t, r, http.MethodPost, "/api/v1/referrals/1/accept", tok, `{"version":1,"fields":"x"}`),
			http.StatusUnprocessableEntity, "invalid")
		if p.fieldMessage("fields") != "validation.object" {
			t.Errorf("fields a string: %+v", p.Errors)
		}
	})

	t.Run("a refused form in the user's language", func(t *testing.T) {
		for lang, want := range map[string]string{"zh-CN": "含有不允许的控制字符", "en": "Contains a control character"} {
			c := apptest.Client()
			u, _ := url.Parse(r.URL)
			c.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: lang}})
			res, err := c.Get(r.URL + "/login")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			var token string
			for _, ck := range c.Jar.Cookies(u) {
				if ck.Name == "ipm_csrf" {
					token = ck.Value
				}
			}
			res, err = c.PostForm(r.URL+"/login", url.Values{"username": {"admin\x00"}, "password": {"x"}, "_csrf": {token}})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), `data-field="username"`) || !strings.Contains(string(b), map[string]string{"zh-CN": "用户名", "en": "Username"}[lang]) ||
				!strings.Contains(string(b), want) {
				t.Errorf("%s: %d\n%s", lang, res.StatusCode, truncate(pageMain(string(b))))
			}
		}
	})

	t.Run("a request id that is not a token", func(t *testing.T) {
		// It ends up in the audit row of the failed login: once a 500.
		res := call(t, r, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "wrong-password-2026"},
			"X-Request-ID", "\xff\xfe"+strings.Repeat("x", 300))
		if res.Status != http.StatusUnauthorized {
			t.Fatalf("login with a bad request id: %s", res)
		}
		id := res.Header.Get("X-Request-ID")
		if len(id) != 32 || scalar[int64](t, r, "SELECT count(*) FROM audit_log WHERE request_id = ?", id) != 1 {
			t.Errorf("request id %q not replaced or not audited", id)
		}
	})
}
