package web_test

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// startRedisDown starts the demo with Redis pointed at an address where
// nothing listens.
func startRedisDown(t *testing.T) (*apptest.Running, string) {
	t.Helper()
	addr := testenv.UnusedAddr(t)
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) {
		c.Redis.URL = "redis://" + addr + "/0"
		c.Security.LoginRatePerMinute = 1000
	}))
	return r, addr
}

// TestQueueMonitor_RedisDown: while Redis is down the queue monitor
// answers a clear 503 in the sysadmin's language, as a page for the UI and
// as problem details for its JSON API, and never the raw Redis error.
func TestQueueMonitor_RedisDown(t *testing.T) {
	r, addr := startRedisDown(t)
	_, port, _ := net.SplitHostPort(addr)
	leaks := []string{port, "dial", "refused", "redis:"}

	admin := webLogin(t, r, "admin", demoPassword)
	resp, body := webGet(t, admin, r.URL+"/admin/queues")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "任务队列暂时无法查看") || !strings.Contains(body, `<html lang="zh-CN">`) {
		t.Fatalf("queue monitor with Redis down: %d\n%s", resp.StatusCode, body)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || resp.Header.Get("Retry-After") == "" {
		t.Errorf("503 page headers: %v", resp.Header)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("the error page keeps the site's policy: %q", csp)
	}
	for _, leak := range leaks {
		if strings.Contains(body, leak) {
			t.Errorf("the page shows %q:\n%s", leak, body)
		}
	}

	webGet(t, admin, r.URL+"/lang?to=en&next=/work")
	resp, body = webGet(t, admin, r.URL+"/admin/queues")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "The job queue cannot be shown right now") {
		t.Errorf("queue monitor in English: %d\n%s", resp.StatusCode, body)
	}

	// The monitor's own API, as its UI calls it.
	resp, body = webGet(t, admin, r.URL+"/admin/queues/api/queues")
	var p struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
		Title  string `json:"title"`
	}
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("monitor API with Redis down: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil || p.Code != "unavailable" || p.Status != 503 || p.Title != "The job queue cannot be shown right now" {
		t.Errorf("problem details: %v %+v", err, p)
	}
	for _, leak := range leaks {
		if strings.Contains(body, leak) {
			t.Errorf("the API answer shows %q: %s", leak, body)
		}
	}

	// Others still get what they got before: nothing to see here.
	director := webLogin(t, r, "director.gulou", demoPassword)
	if resp, _ := webGet(t, director, r.URL+"/admin/queues"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a director sees the monitor's state: %d", resp.StatusCode)
	}
}

// TestLogin_RedisDownDoesNotStall: the login throttle counts in Redis;
// while Redis is down each login used to wait for it for seconds. The
// throttle's wait is bounded and it fails open, so logins answer quickly
// and the per-account lockout (in PostgreSQL) still counts.
func TestLogin_RedisDownDoesNotStall(t *testing.T) {
	r, _ := startRedisDown(t)
	login := func(password string) (int, time.Duration) {
		start := time.Now()
		res := call(t, r, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "clerk.gulou", "password": password})
		return res.Status, time.Since(start)
	}
	// The first call may pay for warming up (templates, the pool).
	login(demoPassword)
	var slowest time.Duration
	for range 3 {
		st, d := login(demoPassword)
		if st != http.StatusOK {
			t.Fatalf("login with Redis down: %d (the throttle fails open)", st)
		}
		slowest = max(slowest, d)
		if st, d = login("wrong-password-1"); st != http.StatusUnauthorized {
			t.Fatalf("wrong password with Redis down: %d", st)
		}
		slowest = max(slowest, d)
	}
	// Unbounded, each login took 2-3 s; bounded, the throttle costs at
	// most 200 ms on top of the password hash (allow for a loaded machine).
	if slowest > 1500*time.Millisecond {
		t.Errorf("slowest login with Redis down took %v", slowest)
	}
	t.Logf("slowest login with Redis down: %v", slowest)
}
