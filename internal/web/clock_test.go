package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/config"
)

// TestDemoClock: with time travel the system administrator moves the
// demo clock ahead at /admin/clock; bad input names the field and moves
// nothing; everyone else gets 404, and every page says the clock runs
// ahead. Without time travel the page does not exist.
func TestDemoClock(t *testing.T) {
	r := apptest.Start(t, apptest.WithTimeTravel(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	admin := webLogin(t, r, "admin", "demo-pass-2026")
	director := webLogin(t, r, "director.gulou", "demo-pass-2026")

	if resp, body := webGet(t, director, r.URL+"/admin/clock"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("director on the clock page: %d\n%s", resp.StatusCode, body)
	}
	resp, body := webGet(t, admin, r.URL+"/admin/clock")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "演示时钟") {
		t.Fatalf("admin on the clock page: %d\n%s", resp.StatusCode, body)
	}
	if strings.Contains(body, `id="demo-clock"`) {
		t.Fatal("the banner shows before the clock moved")
	}
	tok := csrfFrom(t, body)

	for _, bad := range []url.Values{{"days": {"-1"}}, {"days": {"abc"}}, {"hours": {"24"}}, {"days": {"0"}, "hours": {"0"}}} {
		bad.Set("_csrf", tok)
		resp, body := webPost(t, admin, r.URL+"/admin/clock", bad)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "field-error") {
			t.Errorf("advance %v: %d, want 422 with a field error", bad, resp.StatusCode)
		}
	}
	if off := r.App.Clock.Offset(); off != 0 {
		t.Fatalf("refused input moved the clock by %v", off)
	}
	resp, _ = webPost(t, director, r.URL+"/admin/clock", url.Values{"_csrf": {tok}, "days": {"3"}})
	if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusForbidden {
		t.Fatalf("director advancing the clock: %d", resp.StatusCode)
	}
	resp, _ = webPost(t, admin, r.URL+"/admin/clock", url.Values{"_csrf": {tok}, "days": {"3"}, "hours": {"2"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("advance: %d, want 303", resp.StatusCode)
	}
	if off := r.App.Clock.Offset(); off != 74*time.Hour {
		t.Fatalf("offset %v, want 74h", off)
	}
	_, body = webGet(t, director, r.URL+"/work")
	want := r.App.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	if !strings.Contains(body, `id="demo-clock"`) || !strings.Contains(body, want) {
		t.Fatalf("the director's page does not say the clock runs ahead to %s", want)
	}

	plain := startDemo(t)
	c := webLogin(t, plain, "admin", "demo-pass-2026")
	if resp, _ := webGet(t, c, plain.URL+"/admin/clock"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("without time travel /admin/clock answers %d, want 404", resp.StatusCode)
	}
}
