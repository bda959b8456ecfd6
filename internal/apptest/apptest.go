// Package apptest starts the real application (internal/app) for
// end-to-end tests: its own database and Redis database, a random local
// port, and a clean stop when the test ends.
package apptest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/cookiejar"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// Running is a started system.
type Running struct {
	App  *app.App
	URL  string // base URL, e.g. http://127.0.0.1:41234
	stop context.CancelFunc
	done chan error
}

// Option changes the configuration or options before start.
type Option func(*config.Config, *app.Options)

// WithDemo seeds the demo organisations and users.
func WithDemo() Option { return func(_ *config.Config, o *app.Options) { o.Demo = true } }

// WithDemoCases seeds the demo organisations and users and the demo
// dispute cases in every state (takes a few seconds more).
func WithDemoCases() Option {
	return func(_ *config.Config, o *app.Options) { o.Demo, o.DemoCases = true, true }
}

// WithTimeTravel gives the app a demo clock that the test can move ahead
// with a.Clock.Advance (implies demo mode).
func WithTimeTravel() Option {
	return func(_ *config.Config, o *app.Options) { o.Demo, o.TimeTravel = true, true }
}

// WithClock starts the app on clk instead of a clock at testenv.Instant
// (a test that probes a date boundary).
func WithClock(clk *clock.Clock) Option {
	return func(_ *config.Config, o *app.Options) { o.Clock = clk }
}

// WithConfig edits the configuration.
func WithConfig(f func(*config.Config)) Option {
	return func(c *config.Config, _ *app.Options) { f(c) }
}

// New builds the app on fresh databases without serving it yet, so a test
// can add routes or inspect the wiring; call Serve to start.
func New(t testing.TB, opts ...Option) *app.App {
	t.Helper()
	cfg := testenv.Config(t)
	o := app.Options{Logger: testenv.Logger(t), Clock: testenv.Clock()}
	for _, f := range opts {
		f(&cfg, &o)
	}
	a, err := app.New(context.Background(), cfg, o)
	if err != nil {
		t.Fatalf("start app: %v", err)
	}
	t.Cleanup(a.Close)
	return a
}

// Serve serves a on a random local port until Stop or the end of the test.
func Serve(t testing.TB, a *app.App) *Running {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Running{App: a, URL: "http://" + ln.Addr().String(), stop: cancel, done: make(chan error, 1)}
	go func() { r.done <- a.ServeHTTP(ctx, ln) }()
	t.Cleanup(func() { _ = r.Stop() })
	return r
}

// Start is New followed by Serve.
func Start(t testing.TB, opts ...Option) *Running {
	t.Helper()
	return Serve(t, New(t, opts...))
}

// Stop asks the server to shut down gracefully and waits for it.
func (r *Running) Stop() error {
	if r.stop == nil {
		return nil
	}
	r.stop()
	r.stop = nil
	select {
	case err := <-r.done:
		return err
	case <-time.After(30 * time.Second):
		return errors.New("server did not stop within 30s")
	}
}

// Client returns an HTTP client with a cookie jar that does not follow
// redirects, so tests see each redirect.
func Client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:     jar,
		Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
