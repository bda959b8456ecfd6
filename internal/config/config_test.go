package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoad_Defaults(t *testing.T) {
	cfg, err := load("", map[string]string{})
	if err != nil {
		t.Fatalf("defaults must validate: %v", err)
	}
	if cfg.HTTP.Addr != "127.0.0.1:8080" || cfg.HTTP.BaseURL != "http://127.0.0.1:8080" {
		t.Errorf("http defaults: %+v", cfg.HTTP)
	}
	if !strings.HasPrefix(cfg.Database.URL, "postgres://postgres@127.0.0.1:5432/ipmediate") {
		t.Errorf("database default: %s", cfg.Database.URL)
	}
}

func TestLoad_EnvironmentOverridesFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(path, []byte("http:\n  addr: 127.0.0.1:9000\n  read_timeout: 3s\nworker:\n  concurrency: 4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := load(path, map[string]string{
		"IPM_HTTP_ADDR":    "0.0.0.0:7000",
		"IPM_DATABASE_URL": "postgres://u@db:5432/x?sslmode=disable",
		"IPM_REDIS_URL":    "redis://cache:6379/2",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.HTTP.TrustedProxies) != 0 {
		t.Errorf("no proxy is trusted by default: %v", cfg.HTTP.TrustedProxies)
	}
	if cfg.HTTP.Addr != "0.0.0.0:7000" {
		t.Errorf("IPM_HTTP_ADDR not applied: %s", cfg.HTTP.Addr)
	}
	if cfg.HTTP.ReadTimeout != 3*time.Second || cfg.Worker.Concurrency != 4 {
		t.Errorf("file settings not applied: %v %d", cfg.HTTP.ReadTimeout, cfg.Worker.Concurrency)
	}
	if cfg.Database.URL != "postgres://u@db:5432/x?sslmode=disable" || cfg.Redis.URL != "redis://cache:6379/2" {
		t.Errorf("env urls not applied: %s %s", cfg.Database.URL, cfg.Redis.URL)
	}
}

func TestLoad_InvalidSettingIsNamed(t *testing.T) {
	tests := []struct {
		desc    string
		env     map[string]string
		file    string
		setting string
	}{
		{desc: "bad http addr", env: map[string]string{"IPM_HTTP_ADDR": "nonsense"}, setting: "http.addr (IPM_HTTP_ADDR)"},
		{desc: "bad database url", env: map[string]string{"IPM_DATABASE_URL": "mysql://x"}, setting: "database.url (IPM_DATABASE_URL)"},
		{desc: "database url without name", env: map[string]string{"IPM_DATABASE_URL": "postgres://u@h:5432/"}, setting: "database.url (IPM_DATABASE_URL)"},
		{desc: "bad redis url", env: map[string]string{"IPM_REDIS_URL": "127.0.0.1:6379"}, setting: "redis.url (IPM_REDIS_URL)"},
		{desc: "bad log level", env: map[string]string{"IPM_LOG_LEVEL": "loud"}, setting: "log.level (IPM_LOG_LEVEL)"},
		{desc: "idle above max", env: map[string]string{"IPM_DATABASE_MAX_OPEN_CONNS": "2", "IPM_DATABASE_MAX_IDLE_CONNS": "5"}, setting: "database.max_idle_conns"},
		{desc: "dev keys in production", env: map[string]string{"IPM_ENV": "production"}, setting: "security.pii_keys"},
		{desc: "bad trusted proxy", env: map[string]string{"IPM_HTTP_TRUSTED_PROXIES": "10.0.0.0/8,nonsense"}, setting: "http.trusted_proxies"},
		{desc: "bad body limit", file: "http:\n  body_limit: lots\n", setting: "http.body_limit"},
		{desc: "zero timeout", file: "http:\n  shutdown_timeout: 0s\n", setting: "http.shutdown_timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = filepath.Join(t.TempDir(), "c.yaml")
				if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			env := tt.env
			if env == nil {
				env = map[string]string{}
			}
			_, err := load(path, env)
			var se *SettingError
			if !errors.As(err, &se) {
				t.Fatalf("want SettingError, got %v", err)
			}
			if !strings.Contains(err.Error(), tt.setting) {
				t.Errorf("error %q does not name %q", err, tt.setting)
			}
		})
	}
}

func TestLoad_UnknownKeyInFileIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte("http:\n  adress: 1.2.3.4:5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := load(path, map[string]string{}); err == nil || !strings.Contains(err.Error(), "adress") {
		t.Fatalf("misspelt key must be reported, got %v", err)
	}
}

func TestLoad_NonNumberInEnvironment(t *testing.T) {
	_, err := load("", map[string]string{"IPM_WORKER_CONCURRENCY": "many"})
	if err == nil || !strings.Contains(err.Error(), "IPM_WORKER_CONCURRENCY") {
		t.Fatalf("want error naming IPM_WORKER_CONCURRENCY, got %v", err)
	}
}

func TestRedacted(t *testing.T) {
	got := Redacted("postgres://u:secret@h:5432/db")
	if strings.Contains(got, "secret") {
		t.Errorf("password leaked: %s", got)
	}
}

// TestExampleFileMatchesDefaults keeps configs/config.example.yaml honest:
// it must load, and every value it shows must be the built-in default.
func TestExampleFileMatchesDefaults(t *testing.T) {
	cfg, err := load(filepath.Join("..", "..", "configs", "config.example.yaml"), map[string]string{})
	if err != nil {
		t.Fatalf("example config does not load: %v", err)
	}
	def, err := load("", map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, def) && !(len(cfg.HTTP.TrustedProxies) == 0 && len(def.HTTP.TrustedProxies) == 0 && equalIgnoringProxies(cfg, def)) {
		t.Errorf("example config differs from the defaults:\nexample  %+v\ndefaults %+v", cfg, def)
	}
}

// equalIgnoringProxies compares two configurations whose proxy lists are
// both empty (nil and [] mean the same).
func equalIgnoringProxies(a, b Config) bool {
	a.HTTP.TrustedProxies, b.HTTP.TrustedProxies = nil, nil
	return reflect.DeepEqual(a, b)
}
