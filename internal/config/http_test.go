package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/pii"
)

// prodKeys are fresh keys, so that production loads.
func prodKeys() map[string]string {
	return map[string]string{
		"IPM_ENV":                     "production",
		"IPM_SECURITY_PII_KEYS":       "p1:" + pii.GenerateKey(),
		"IPM_SECURITY_PII_ACTIVE_KEY": "p1",
		"IPM_SECURITY_PII_HMAC_KEY":   pii.GenerateKey(),
	}
}

func TestLoad_ShutdownDrain(t *testing.T) {
	cfg, err := load("", map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Drain() != 0 {
		t.Errorf("development drain = %v, want 0s: Ctrl+C stops at once", cfg.HTTP.Drain())
	}
	cfg, err = load("", prodKeys())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Drain() != DefaultShutdownDrain {
		t.Errorf("production drain = %v, want %v", cfg.HTTP.Drain(), DefaultShutdownDrain)
	}
	env := prodKeys()
	env["IPM_HTTP_SHUTDOWN_DRAIN"] = "0s"
	if cfg, err = load("", env); err != nil || cfg.HTTP.Drain() != 0 {
		t.Errorf("production may turn the drain off: %v %v", cfg.HTTP.Drain(), err)
	}
	if cfg, err = load("", map[string]string{"IPM_HTTP_SHUTDOWN_DRAIN": "1500ms"}); err != nil || cfg.HTTP.Drain() != 1500*time.Millisecond {
		t.Errorf("IPM_HTTP_SHUTDOWN_DRAIN: %v %v", cfg.HTTP.Drain(), err)
	}
	var se *SettingError
	if _, err = load("", map[string]string{"IPM_HTTP_SHUTDOWN_DRAIN": "-1s"}); !errors.As(err, &se) || !strings.HasPrefix(se.Setting, "http.shutdown_drain") {
		t.Errorf("a negative drain must be refused naming the setting: %v", err)
	}
	if (HTTP{}).Drain() != 0 {
		t.Error("an unset drain is none")
	}
}

func TestLoad_MetricsAddr(t *testing.T) {
	cfg, err := load("", map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("metrics default %q, want 127.0.0.1:9090 (loopback only)", cfg.HTTP.MetricsAddr)
	}
	if cfg, err = load("", map[string]string{"IPM_HTTP_METRICS_ADDR": "10.0.0.5:9100"}); err != nil || cfg.HTTP.MetricsAddr != "10.0.0.5:9100" {
		t.Errorf("IPM_HTTP_METRICS_ADDR: %q %v", cfg.HTTP.MetricsAddr, err)
	}
	if cfg, err = load("", map[string]string{"IPM_HTTP_METRICS_ADDR": "off"}); err != nil || cfg.HTTP.MetricsAddr != "" {
		t.Errorf("IPM_HTTP_METRICS_ADDR=off must turn metrics off: %q %v", cfg.HTTP.MetricsAddr, err)
	}
	for _, bad := range []map[string]string{
		{"IPM_HTTP_METRICS_ADDR": "9090"},
		{"IPM_HTTP_METRICS_ADDR": "0.0.0.0:8080", "IPM_HTTP_ADDR": "0.0.0.0:8080"},
	} {
		var se *SettingError
		if _, err := load("", bad); !errors.As(err, &se) || se.Setting != "http.metrics_addr (IPM_HTTP_METRICS_ADDR)" {
			t.Errorf("%v: want an error naming http.metrics_addr, got %v", bad, err)
		}
	}
}
