package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestApp_HealthAndReadiness(t *testing.T) {
	r := apptest.Start(t)
	c := apptest.Client()

	resp, body := get(t, c, r.URL+"/healthz")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"ok"`) {
		t.Fatalf("healthz: %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, c, r.URL+"/readyz")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz: %d %s", resp.StatusCode, body)
	}
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	if err := json.Unmarshal([]byte(body), &ready); err != nil {
		t.Fatal(err)
	}
	if ready.Checks["postgres"] != "ok" || ready.Checks["redis"] != "ok" {
		t.Errorf("readyz checks: %+v", ready.Checks)
	}
	if resp.Header.Get(echo.HeaderXRequestID) == "" {
		t.Error("no request id header")
	}
	// Metrics have their own listener (TestMetrics_OnlyOnTheMetricsListener).
	if resp, _ = get(t, c, r.URL+"/metrics"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("public /metrics: %d, want 404", resp.StatusCode)
	}
}

func TestApp_ReadinessNamesRedisWhenDown(t *testing.T) {
	r := apptest.Start(t, apptest.WithConfig(func(c *config.Config) {
		c.Redis.URL = "redis://" + testenv.UnusedAddr(t) + "/0"
	}))
	resp, body := get(t, apptest.Client(), r.URL+"/readyz")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("want 503, got %d %s", resp.StatusCode, body)
	}
	var ready struct {
		Down   []string          `json:"down"`
		Checks map[string]string `json:"checks"`
	}
	if err := json.Unmarshal([]byte(body), &ready); err != nil {
		t.Fatal(err)
	}
	if len(ready.Down) != 1 || ready.Down[0] != "redis" || ready.Checks["postgres"] != "ok" {
		t.Errorf("want only redis down, got %+v", ready)
	}
}

// TestApp_ReadinessDegradedWhenReplicaDown: a read replica that does not
// answer at start neither stops the start nor makes the server unready:
// /readyz answers 200 "degraded" naming it, and lists still work (their
// reads went to the primary).
func TestApp_ReadinessDegradedWhenReplicaDown(t *testing.T) {
	addr := testenv.UnusedAddr(t)
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) {
		c.Database.ReplicaURLs = []string{"postgres://postgres@" + addr + "/ipm?sslmode=disable&connect_timeout=1"}
	}))
	resp, body := get(t, apptest.Client(), r.URL+"/readyz")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("want 200, got %d %s", resp.StatusCode, body)
	}
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	if err := json.Unmarshal([]byte(body), &ready); err != nil {
		t.Fatal(err)
	}
	if ready.Status != "degraded" || ready.Checks["replica "+addr] != "degraded: down" || ready.Checks["postgres"] != "ok" {
		t.Errorf("want degraded naming replica %s, got %+v", addr, ready)
	}
	if _, _, err := r.App.Cases.List(apptest.As(t, r.App, "director.city"), cases.ListFilter{}); err != nil {
		t.Errorf("a list with the replica down: %v", err)
	}
}

func TestApp_HomePageInBothLanguages(t *testing.T) {
	r := apptest.Start(t)
	c := apptest.Client()

	resp, body := get(t, c, r.URL+"/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("home: %d", resp.StatusCode)
	}
	if !strings.Contains(body, `<html lang="zh-CN">`) || !strings.Contains(body, "知识产权纠纷调解与维权援助") {
		t.Fatalf("home is not Chinese by default:\n%s", body)
	}
	// The switch sets a cookie and returns to the page it was used on.
	resp, _ = get(t, c, r.URL+"/lang?to=en&next=/")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("lang switch: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = get(t, c, r.URL+"/")
	if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "IP dispute mediation and rights-protection assistance") {
		t.Fatalf("home is not English after switching:\n%s", body)
	}
	// The switch never redirects off the site.
	resp, _ = get(t, c, r.URL+"/lang?to=zh-CN&next=//evil.example/")
	if loc := resp.Header.Get("Location"); loc != "/" {
		t.Errorf("open redirect: Location %q", loc)
	}
	resp, body = get(t, c, r.URL+"/static/app.css")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "--brand") {
		t.Errorf("stylesheet not served: %d", resp.StatusCode)
	}
}

func TestApp_ErrorPagesAndProblems(t *testing.T) {
	a := apptest.New(t)
	a.Web.Echo.GET("/test/boom", func(echo.Context) error { panic("secret-internal-detail") })
	r := apptest.Serve(t, a)
	c := apptest.Client()

	resp, body := get(t, c, r.URL+"/no/such/page")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "页面不存在") {
		t.Errorf("404 page: %d\n%s", resp.StatusCode, body)
	}
	resp, body = get(t, c, r.URL+"/test/boom")
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "系统出错了") || strings.Contains(body, "secret-internal-detail") {
		t.Errorf("500 page must be generic: %d\n%s", resp.StatusCode, body)
	}
	resp, body = get(t, c, r.URL+"/api/v1/no-such-thing")
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("api 404: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var p struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil || p.Status != 404 || p.Code != "not_found" {
		t.Errorf("problem details: %v %+v", err, p)
	}
}

func TestApp_SecurityHeaders(t *testing.T) {
	r := apptest.Start(t)
	resp, _ := get(t, apptest.Client(), r.URL+"/")
	for h, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("no CSP: %q", resp.Header.Get("Content-Security-Policy"))
	}
}

func TestApp_BodyLimit(t *testing.T) {
	a := apptest.New(t, apptest.WithConfig(func(c *config.Config) { c.HTTP.BodyLimit = "1K" }))
	a.Web.Echo.POST("/api/v1/test/echo", func(c echo.Context) error {
		b, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err
		}
		return c.String(http.StatusOK, string(b))
	})
	r := apptest.Serve(t, a)
	resp, err := apptest.Client().Post(r.URL+"/api/v1/test/echo", "text/plain", strings.NewReader(strings.Repeat("x", 4096)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("want 413, got %d", resp.StatusCode)
	}
}

// TestApp_GracefulShutdown starts a slow request, stops the server while it
// runs, and checks the request still completes while new connections are
// refused.
func TestApp_GracefulShutdown(t *testing.T) {
	a := apptest.New(t)
	started := make(chan struct{})
	a.Web.Echo.GET("/test/slow", func(c echo.Context) error {
		close(started)
		time.Sleep(700 * time.Millisecond)
		return c.String(http.StatusOK, "finished")
	})
	r := apptest.Serve(t, a)

	var wg sync.WaitGroup
	var status int
	var body string
	wg.Add(1)
	go func() {
		defer wg.Done()
		resp, err := http.Get(r.URL + "/test/slow")
		if err != nil {
			t.Errorf("in-flight request failed: %v", err)
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		status, body = resp.StatusCode, string(b)
	}()
	<-started
	stopped := make(chan error, 1)
	go func() { stopped <- r.Stop() }()
	time.Sleep(100 * time.Millisecond)
	if _, err := (&http.Client{Timeout: 2 * time.Second}).Get(r.URL + "/healthz"); err == nil {
		t.Error("new requests must be refused while shutting down")
	}
	wg.Wait()
	if status != http.StatusOK || body != "finished" {
		t.Errorf("in-flight request: %d %q", status, body)
	}
	if err := <-stopped; err != nil {
		t.Errorf("stop: %v", err)
	}
}

func TestApp_DemoSeedIsIdempotent(t *testing.T) {
	a := apptest.New(t, apptest.WithDemo())
	ctx := context.Background()
	var before, after []string
	if err := a.DB.Raw("SELECT code || '|' || name_zh || '|' || coalesce(parent_id::text,'') || '|' || short_code FROM orgs ORDER BY code").Scan(&before).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := a.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.DB.Raw("SELECT code || '|' || name_zh || '|' || coalesce(parent_id::text,'') || '|' || short_code FROM orgs ORDER BY code").Scan(&after).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Errorf("second seed changed orgs:\nbefore %v\nafter  %v", before, after)
	}
	want := []string{"city", "gulou", "cangshan", "jinan", "mawei", "changle", "fuqing", "minhou",
		"gulou-court", "mawei-court", "fz-court", "fz-arbitration", "fz-customs", "fz-amr", "fz-psb",
		"fz-assistance", "fz-software", "leadership"}
	for _, code := range want {
		o, err := a.Orgs.ByCode(ctx, code)
		if err != nil {
			t.Errorf("demo org %s: %v", code, err)
			continue
		}
		if o.NameZH == "" {
			t.Errorf("demo org %s has no Chinese name", code)
		}
	}
	rep, err := a.Audit.Verify(ctx, nil)
	if err != nil || !rep.OK() || rep.Rows == 0 {
		t.Errorf("audit chain of a fresh demo database must verify: %+v %v", rep, err)
	}
	var users int64
	if err := a.DB.Raw("SELECT count(*) FROM users").Scan(&users).Error; err != nil || users < 40 {
		t.Errorf("demo users: %d %v", users, err)
	}
	gulou, _ := a.Orgs.ByCode(ctx, "gulou")
	city, _ := a.Orgs.ByCode(ctx, "city")
	if gulou.ParentID == nil || *gulou.ParentID != city.ID || gulou.Level != "county" || city.Level != "city" {
		t.Errorf("gulou must be a county committee under the city committee: %+v", gulou)
	}
}
