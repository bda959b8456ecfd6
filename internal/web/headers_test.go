package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/config"
)

var (
	scriptTag     = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	inlineHandler = regexp.MustCompile(`(?is)<[a-z][^>]*\son[a-z]+\s*=`)
	jsURL         = regexp.MustCompile(`(?i)(href|src|action|formaction)\s*=\s*["']?\s*javascript:`)
)

// cspDirectives splits a Content-Security-Policy into its directives.
func cspDirectives(csp string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[strings.ToLower(f[0])] = f[1:]
		}
	}
	return out
}

// checkHTMLSecurity checks the security headers of one HTML answer and,
// unless the page's own scripts are admitted by hash (hashedScripts), that
// the page has no inline script a strict policy would block.
func checkHTMLSecurity(t *testing.T, what string, resp *http.Response, body string, hashedScripts bool) {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("%s: Content-Type %q, want an HTML page", what, ct)
		return
	}
	csp := resp.Header.Get("Content-Security-Policy")
	d := cspDirectives(csp)
	scripts, ok := d["script-src"]
	if !ok {
		scripts, ok = d["default-src"]
	}
	if !ok {
		t.Errorf("%s: no script-src or default-src in %q", what, csp)
	}
	for _, src := range scripts {
		switch strings.ToLower(src) {
		case "'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:":
			t.Errorf("%s: script-src allows %s: %q", what, src, csp)
		}
	}
	if fa := d["frame-ancestors"]; len(fa) != 1 || fa[0] != "'none'" {
		t.Errorf("%s: frame-ancestors %v, want 'none': %q", what, fa, csp)
	}
	if ob := d["object-src"]; len(ob) != 1 || ob[0] != "'none'" {
		t.Errorf("%s: object-src %v, want 'none'", what, ob)
	}
	if v := resp.Header.Get("X-Content-Type-Options"); v != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q, want nosniff", what, v)
	}
	switch v := resp.Header.Get("Referrer-Policy"); v {
	case "same-origin", "strict-origin-when-cross-origin", "no-referrer", "strict-origin":
	default:
		t.Errorf("%s: Referrer-Policy %q", what, v)
	}
	if hashedScripts {
		return
	}
	for _, m := range scriptTag.FindAllStringSubmatch(body, -1) {
		if !strings.Contains(strings.ToLower(m[1]), "src=") || strings.TrimSpace(m[2]) != "" {
			t.Errorf("%s: inline script, which the policy blocks: %.200s", what, m[0])
		}
	}
	if m := inlineHandler.FindString(body); m != "" {
		t.Errorf("%s: inline event handler, which the policy blocks: %.200s", what, m)
	}
	if m := jsURL.FindString(body); m != "" {
		t.Errorf("%s: javascript: URL: %s", what, m)
	}
}

// TestSecurityHeaders_EveryHTMLPage walks pages of every kind: public,
// signed in, a case and its printable document, error pages (404, 403,
// 500) and the queue monitor, and checks each HTML answer.
func TestSecurityHeaders_EveryHTMLPage(t *testing.T) {
	a := apptest.New(t, apptest.WithDemoCases(), apptest.WithConfig(func(c *config.Config) {
		c.Security.LoginRatePerMinute = 1000
	}))
	a.Web.Echo.GET("/test/boom", func(echo.Context) error { panic("boom") })
	r := apptest.Serve(t, a)
	var caseID int64
	if err := a.DB.Raw(`SELECT c.id FROM cases c JOIN orgs o ON o.id = c.org_id WHERE o.code = 'gulou' AND c.status = 'mediating' ORDER BY c.id LIMIT 1`).Scan(&caseID).Error; err != nil || caseID == 0 {
		t.Fatalf("a demo case of gulou: %d %v", caseID, err)
	}

	type page struct {
		path   string
		status int
	}
	visit := func(c *http.Client, who string, pages []page) {
		for _, p := range pages {
			resp, body := webGet(t, c, r.URL+p.path)
			if resp.StatusCode != p.status {
				t.Errorf("%s GET %s: %d, want %d", who, p.path, resp.StatusCode, p.status)
			}
			checkHTMLSecurity(t, who+" GET "+p.path, resp, body, false)
		}
	}
	anon := apptest.Client()
	visit(anon, "anonymous", []page{
		{"/", 200}, {"/login", 200}, {"/register", 200}, {"/no/such/page", 404}, {"/test/boom", 500},
	})
	// A form posted without its token: the 403 page.
	resp, body := webPost(t, anon, r.URL+"/login", url.Values{"username": {"x"}, "password": {"y"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without a CSRF token: %d", resp.StatusCode)
	}
	checkHTMLSecurity(t, "anonymous POST /login without token", resp, body, false)

	director := webLogin(t, r, "director.gulou", demoPassword)
	visit(director, "director.gulou", []page{
		{"/work", 200}, {"/cases", 200}, {fmt.Sprintf("/cases/%d", caseID), 200},
		{fmt.Sprintf("/cases/%d/print/acceptance", caseID), 200},
		{"/cases/99999999", 404}, {"/deadlines", 200}, {"/me/password", 200}, {"/orgs", 404},
	})
	// The same in English.
	webGet(t, director, r.URL+"/lang?to=en&next=/work")
	visit(director, "director.gulou (en)", []page{{fmt.Sprintf("/cases/%d", caseID), 200}, {"/no/such/page", 404}})

	// The queue monitor's page has inline bootstrap scripts, admitted by
	// their hashes only.
	admin := webLogin(t, r, "admin", demoPassword)
	resp, body = webGet(t, admin, r.URL+"/admin/queues")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("queue monitor: %d", resp.StatusCode)
	}
	checkHTMLSecurity(t, "admin GET /admin/queues", resp, body, true)
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "'sha256-") {
		t.Errorf("the monitor's scripts must be admitted by hash: %q", resp.Header.Get("Content-Security-Policy"))
	}
}
