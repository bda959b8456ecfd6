package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// status GETs u on a fresh connection and returns the status, or 0 when
// the connection is refused.
func status(t *testing.T, u string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(u)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServe_MetricsListenerAndSIGTERM runs serve as the binary does and
// stops it with a real SIGTERM: metrics are served on http.metrics_addr
// and not on the public address, /readyz answers 503 during the drain,
// and serve returns cleanly.
func TestServe_MetricsListenerAndSIGTERM(t *testing.T) {
	cfg := testenv.Config(t)
	cfg.HTTP.Addr = testenv.UnusedAddr(t)
	cfg.HTTP.BaseURL = "http://" + cfg.HTTP.Addr
	cfg.HTTP.MetricsAddr = testenv.UnusedAddr(t)
	drain := 400 * time.Millisecond
	cfg.HTTP.ShutdownDrain = &drain
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}

	// What main does: SIGTERM cancels the command's context.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, cfg, false, true, false) }()

	public, metrics := "http://"+cfg.HTTP.Addr, "http://"+cfg.HTTP.MetricsAddr
	deadline := time.Now().Add(60 * time.Second)
	for {
		if code, _ := status(t, public+"/readyz"); code == http.StatusOK {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped at start: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not become ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, _ := status(t, public+"/metrics"); code != http.StatusNotFound {
		t.Errorf("public /metrics: %d, want 404", code)
	}
	if code, body := status(t, metrics+"/metrics"); code != http.StatusOK || !strings.Contains(body, "ipmediate_http_requests_total") {
		t.Errorf("metrics listener: %d\n%.300s", code, body)
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	sawDraining := false
	for {
		code, body := status(t, public+"/readyz")
		if code == 0 {
			break
		}
		if code == http.StatusServiceUnavailable && strings.Contains(body, "draining") {
			sawDraining = true
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !sawDraining {
		t.Error("/readyz never answered 503 draining after SIGTERM")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after SIGTERM")
	}
	if code, _ := status(t, metrics+"/metrics"); code != 0 {
		t.Errorf("the metrics listener outlived serve: %d", code)
	}
}

// TestServe_MetricsAddrInUse: a metrics address that cannot be bound
// stops start-up naming the setting, rather than running without metrics
// or exposing them elsewhere.
func TestServe_MetricsAddrInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cfg := testenv.Config(t)
	cfg.HTTP.Addr = testenv.UnusedAddr(t)
	cfg.HTTP.MetricsAddr = taken.Addr().String()
	err = runServe(context.Background(), cfg, false, false, false)
	var se *config.SettingError
	if !errors.As(err, &se) || se.Setting != "http.metrics_addr (IPM_HTTP_METRICS_ADDR)" {
		t.Fatalf("want an error naming http.metrics_addr, got %v", err)
	}
	if code, _ := status(t, "http://"+cfg.HTTP.Addr+"/healthz"); code != 0 {
		t.Errorf("serve kept its public listener open after failing: %d", code)
	}
}
