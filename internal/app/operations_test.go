package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/seed"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// TestMetrics_OnlyOnTheMetricsListener: the public listener does not
// serve /metrics; the metrics listener serves it, counting the public
// listener's requests.
func TestMetrics_OnlyOnTheMetricsListener(t *testing.T) {
	a := apptest.New(t)
	r := apptest.Serve(t, a)
	c := apptest.Client()
	if resp, _ := get(t, c, r.URL+"/healthz"); resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	if resp, body := get(t, c, r.URL+"/metrics"); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "go_goroutines") {
		t.Fatalf("public /metrics: %d, want 404\n%s", resp.StatusCode, body)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.ServeMetrics(ctx, ln) }()
	murl := "http://" + ln.Addr().String()
	resp, body := get(t, c, murl+"/metrics")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "ipmediate_http_requests_total") || !strings.Contains(body, "go_goroutines") {
		t.Errorf("metrics listener: %d\n%.500s", resp.StatusCode, body)
	}
	if resp, _ := get(t, c, murl+"/healthz"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the metrics listener serves only /metrics, got %d for /healthz", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("metrics server stop: %v", err)
	}
}

// TestShutdown_DrainsThenFinishesInFlight stops a server under load: a
// login (a real write: a token row) in a loop from several clients, and
// slow writes held open across the close of the listener. /readyz must
// answer 503 while requests are still served, every request the server
// took must complete with 2xx, and every write a client was told about
// must be in the database.
func TestShutdown_DrainsThenFinishesInFlight(t *testing.T) {
	const drain = 800 * time.Millisecond
	a := apptest.New(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) {
		d := drain
		c.HTTP.ShutdownDrain = &d
		c.Security.LoginRatePerMinute = 100000
	}))
	if err := a.DB.Exec("CREATE TABLE shutdown_probe (id text PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var slowStarted sync.WaitGroup
	a.Web.Echo.POST("/api/v1/test/slow-write", func(c echo.Context) error {
		slowStarted.Done()
		<-release
		id := c.QueryParam("id")
		if err := a.DB.WithContext(c.Request().Context()).Exec("INSERT INTO shutdown_probe (id) VALUES (?)", id).Error; err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, map[string]string{"id": id})
	})
	r := apptest.Serve(t, a)
	// Every request on a connection of its own, so that a refused
	// connection (listener closed) is the only way a request can fail
	// before the server reads it.
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

	if resp, _ := get(t, client, r.URL+"/readyz"); resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz before the stop: %d", resp.StatusCode)
	}

	type outcome struct {
		status int
		token  string
		err    error
		at     time.Time
	}
	var (
		mu       sync.Mutex
		outcomes []outcome
		stopping atomic.Bool
		load     sync.WaitGroup
	)
	login := func() outcome {
		resp, err := client.Post(r.URL+"/api/v1/auth/login", "application/json",
			strings.NewReader(`{"username":"clerk.gulou","password":"`+seed.DemoPassword+`"}`))
		if err != nil {
			return outcome{err: err, at: time.Now()}
		}
		defer resp.Body.Close()
		var body struct {
			Token string `json:"token"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return outcome{status: resp.StatusCode, token: body.Token, at: time.Now()}
	}
	for range 4 {
		load.Add(1)
		go func() {
			defer load.Done()
			for {
				o := login()
				mu.Lock()
				outcomes = append(outcomes, o)
				mu.Unlock()
				if o.err != nil && stopping.Load() {
					return // the listener is closed
				}
				if o.err != nil {
					t.Errorf("login before the stop: %v", o.err)
					return
				}
			}
		}()
	}

	// Slow writes, in flight when the listener closes.
	const slow = 3
	slowStarted.Add(slow)
	slowDone := make(chan outcome, slow)
	for i := range slow {
		go func() {
			resp, err := client.Post(r.URL+"/api/v1/test/slow-write?id=slow"+string(rune('0'+i)), "application/json", nil)
			if err != nil {
				slowDone <- outcome{err: err}
				return
			}
			resp.Body.Close()
			slowDone <- outcome{status: resp.StatusCode}
		}()
	}
	slowStarted.Wait()
	time.Sleep(100 * time.Millisecond) // some logins before the stop

	// The stop (what SIGTERM does to serve): watch /readyz until the
	// listener refuses.
	stopAt := time.Now()
	stopping.Store(true)
	stopped := make(chan error, 1)
	go func() { stopped <- r.Stop() }()
	var ready []int
	var refusedAt time.Time
	for {
		resp, err := client.Get(r.URL + "/readyz")
		if err != nil {
			refusedAt = time.Now()
			break
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		ready = append(ready, resp.StatusCode)
		time.Sleep(20 * time.Millisecond)
		if time.Since(stopAt) > 10*time.Second {
			t.Fatal("the listener never closed")
		}
	}
	// Stop runs on its own goroutine: a probe sent before it has begun may
	// still be answered 200. Once /readyz has said 503 it must never say
	// anything else, and it must have said 503 before the listener closed.
	draining := false
	for _, s := range ready {
		switch {
		case s == http.StatusServiceUnavailable:
			draining = true
		case draining || s != http.StatusOK:
			t.Fatalf("/readyz during the drain answered %v, want 200s (before the stop began) then only 503", ready)
		}
	}
	if !draining {
		t.Fatalf("/readyz never answered 503 before the listener closed (%v): no drain", ready)
	}
	if d := refusedAt.Sub(stopAt); d < drain-50*time.Millisecond {
		t.Errorf("the listener closed %v after the stop, before the drain of %v", d, drain)
	}
	// The listener is closed; the slow writes are still in flight.
	close(release)
	for range slow {
		if o := <-slowDone; o.err != nil || o.status != http.StatusCreated {
			t.Errorf("in-flight write: %d %v", o.status, o.err)
		}
	}
	load.Wait()
	if err := <-stopped; err != nil {
		t.Fatalf("stop: %v", err)
	}

	var probes int64
	if err := a.DB.Raw("SELECT count(*) FROM shutdown_probe").Scan(&probes).Error; err != nil || probes != slow {
		t.Errorf("slow writes in the database: %d %v, want %d", probes, err, slow)
	}
	served, duringDrain := 0, 0
	for _, o := range outcomes {
		if o.err != nil {
			continue
		}
		if o.status != http.StatusOK || o.token == "" {
			t.Errorf("login answered %d", o.status)
			continue
		}
		served++
		if o.at.After(stopAt) {
			duringDrain++
		}
		sum := sha256.Sum256([]byte(o.token))
		var n int64
		if err := a.DB.Raw("SELECT count(*) FROM api_tokens WHERE token_hash = ?", hex.EncodeToString(sum[:])).Scan(&n).Error; err != nil || n != 1 {
			t.Errorf("a token the client was given is not in the database: %d %v", n, err)
		}
	}
	if duringDrain == 0 {
		t.Errorf("no login was served during the drain (%d served in all)", served)
	}
	t.Logf("%d logins served, %d of them during the drain; /readyz answered %d times during the drain", served, duringDrain, len(ready))
}

// TestReadyz_NamesButDoesNotExplain: anyone may ask /readyz, so it names
// what is down but the error itself (addresses, driver messages) goes to
// the log only.
func TestReadyz_NamesButDoesNotExplain(t *testing.T) {
	redisAddr := testenv.UnusedAddr(t)
	var logs syncBuffer
	r := apptest.Start(t, apptest.WithConfig(func(c *config.Config) {
		c.Redis.URL = "redis://" + redisAddr + "/0"
	}), func(_ *config.Config, o *app.Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	resp, body := get(t, apptest.Client(), r.URL+"/readyz")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz: %d %s", resp.StatusCode, body)
	}
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
		Down   []string          `json:"down"`
	}
	if err := json.Unmarshal([]byte(body), &ready); err != nil {
		t.Fatal(err)
	}
	if ready.Checks["redis"] != "down" || ready.Checks["postgres"] != "ok" || len(ready.Down) != 1 || ready.Down[0] != "redis" {
		t.Errorf("readyz must name redis as down: %s", body)
	}
	_, port, _ := net.SplitHostPort(redisAddr)
	for _, leak := range []string{port, "dial", "refused", "127.0.0.1"} {
		if strings.Contains(body, leak) {
			t.Errorf("readyz tells anonymous callers %q: %s", leak, body)
		}
	}
	if l := logs.String(); !strings.Contains(l, "readiness check failed") || !strings.Contains(l, port) {
		t.Errorf("the reason must be logged:\n%s", l)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
