package web_test

// Cross-site requests: a state-changing page request needs this site's
// origin as well as the CSRF token (docs/security.md, "Authentication and
// sessions").

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/apptest"
)

// webPostWith posts a form with extra request headers (name, value pairs).
func webPostWith(t *testing.T, c *http.Client, u string, form url.Values, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
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

func TestCSRF_OriginAndFetchMetadata(t *testing.T) {
	r := startDemo(t)
	loginForm := func(c *http.Client) url.Values {
		return url.Values{"_csrf": {pageCSRF(t, c, r.URL+"/login")}, "username": {"director.gulou"}, "password": {demoPassword}}
	}
	logins := func() int64 { return scalar[int64](t, r, "SELECT count(*) FROM audit_log WHERE action = 'auth.login'") }

	refused := []struct {
		desc    string
		headers []string
		noToken bool
	}{
		{desc: "foreign Origin with a valid token", headers: []string{"Origin", "http://evil.example"}},
		{desc: "our host on another port", headers: []string{"Origin", "http://127.0.0.1:1"}},
		{desc: "our host under https", headers: []string{"Origin", strings.Replace(r.URL, "http://", "https://", 1)}},
		{desc: "Origin null", headers: []string{"Origin", "null"}},
		{desc: "Sec-Fetch-Site cross-site", headers: []string{"Sec-Fetch-Site", "cross-site"}},
		{desc: "Sec-Fetch-Site same-site", headers: []string{"Sec-Fetch-Site", "same-site"}},
		{desc: "cross-site despite a same Origin", headers: []string{"Sec-Fetch-Site", "cross-site", "Origin", r.URL}},
		{desc: "missing token", noToken: true},
		{desc: "missing token, same-origin fetch metadata", noToken: true, headers: []string{"Sec-Fetch-Site", "same-origin", "Origin", r.URL}},
	}
	for _, tc := range refused {
		t.Run(tc.desc, func(t *testing.T) {
			c := apptest.Client()
			form := loginForm(c)
			if tc.noToken {
				form.Del("_csrf")
			}
			before := logins()
			resp, body := webPostWith(t, c, r.URL+"/login", form, tc.headers...)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("want 403, got %d\n%s", resp.StatusCode, body)
			}
			if !strings.Contains(body, "此操作未被执行：表单已过期，或请求并非从本站页面发出。") {
				t.Errorf("the 403 page does not say why in Chinese:\n%s", body)
			}
			if logins() != before || jarCookie(t, c, r.URL, "ipm_session") != "" {
				t.Error("the refused login signed in")
			}
		})
	}

	t.Run("in English", func(t *testing.T) {
		c := apptest.Client()
		webGet(t, c, r.URL+"/lang?to=en&next=/login")
		resp, body := webPostWith(t, c, r.URL+"/login", loginForm(c), "Origin", "http://evil.example")
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Nothing was done: the form has expired or the request was not sent from a page of this site.") {
			t.Errorf("want an English 403 page, got %d\n%s", resp.StatusCode, body)
		}
	})

	t.Run("a signed-in user's form from another site", func(t *testing.T) {
		c := webLogin(t, r, "director.gulou", demoPassword)
		tok := pageCSRF(t, c, r.URL+"/me/password")
		hash := scalar[string](t, r, "SELECT password_hash FROM users WHERE username = 'director.gulou'")
		resp, _ := webPostWith(t, c, r.URL+"/me/password", url.Values{"_csrf": {tok}, "current_password": {demoPassword},
			"new_password": {"Chosen-by-evil-2026"}, "new_password2": {"Chosen-by-evil-2026"}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("want 403, got %d", resp.StatusCode)
		}
		if after := scalar[string](t, r, "SELECT password_hash FROM users WHERE username = 'director.gulou'"); after != hash {
			t.Error("the password changed")
		}
		mustBeSignedIn(t, r, c, "王海峰")
	})

	accepted := []struct {
		desc    string
		headers []string
	}{
		{desc: "same origin, as a browser sends it", headers: []string{"Origin", r.URL, "Sec-Fetch-Site", "same-origin"}},
		{desc: "the origin of http.base_url", headers: []string{"Origin", r.App.Config.HTTP.BaseURL}},
		{desc: "typed by the user", headers: []string{"Sec-Fetch-Site", "none"}},
		{desc: "no Origin or fetch metadata (an old browser)"},
	}
	for _, tc := range accepted {
		t.Run(tc.desc, func(t *testing.T) {
			c := apptest.Client()
			resp, body := webPostWith(t, c, r.URL+"/login", loginForm(c), tc.headers...)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/work" {
				t.Fatalf("want 303 to /work, got %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
			}
			mustBeSignedIn(t, r, c, "王海峰")
		})
	}
}
