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

func TestLoad_RedisSentinel(t *testing.T) {
	cfg, err := load("", map[string]string{
		"IPM_REDIS_SENTINEL_MASTER_NAME": "mymaster",
		"IPM_REDIS_SENTINEL_ADDRS":       "10.0.0.1:26379,10.0.0.2:26379,sentinel-3:26379",
		"IPM_REDIS_SENTINEL_PASSWORD":    "s3cret",
	})
	if err != nil {
		t.Fatal(err)
	}
	st := cfg.Redis.Sentinel
	if st.MasterName != "mymaster" || st.Password != "s3cret" ||
		!reflect.DeepEqual(st.Addrs, []string{"10.0.0.1:26379", "10.0.0.2:26379", "sentinel-3:26379"}) {
		t.Errorf("sentinel settings not applied: %+v", st)
	}
	def, err := load("", map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if def.Redis.Sentinel.MasterName != "" || len(def.Redis.Sentinel.Addrs) != 0 {
		t.Errorf("no Sentinel by default: %+v", def.Redis.Sentinel)
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
		{desc: "sentinel master without sentinels", env: map[string]string{"IPM_REDIS_SENTINEL_MASTER_NAME": "mymaster"}, setting: "redis.sentinel.addrs (IPM_REDIS_SENTINEL_ADDRS)"},
		{desc: "sentinels without master", env: map[string]string{"IPM_REDIS_SENTINEL_ADDRS": "10.0.0.1:26379"}, setting: "redis.sentinel.master_name (IPM_REDIS_SENTINEL_MASTER_NAME)"},
		{desc: "sentinel without port", env: map[string]string{"IPM_REDIS_SENTINEL_MASTER_NAME": "m", "IPM_REDIS_SENTINEL_ADDRS": "10.0.0.1:26379,10.0.0.2"}, setting: "redis.sentinel.addrs[1] (IPM_REDIS_SENTINEL_ADDRS)"},
		{desc: "sentinel without host", file: "redis:\n  sentinel:\n    master_name: m\n    addrs: [\":26379\"]\n", setting: "redis.sentinel.addrs[0]"},
		{desc: "bad log level", env: map[string]string{"IPM_LOG_LEVEL": "loud"}, setting: "log.level (IPM_LOG_LEVEL)"},
		{desc: "idle above max", env: map[string]string{"IPM_DATABASE_MAX_OPEN_CONNS": "2", "IPM_DATABASE_MAX_IDLE_CONNS": "5"}, setting: "database.max_idle_conns"},
		{desc: "dev keys in production", env: map[string]string{"IPM_ENV": "production"}, setting: "security.pii_keys"},
		{desc: "bad trusted proxy", env: map[string]string{"IPM_HTTP_TRUSTED_PROXIES": "10.0.0.0/8,nonsense"}, setting: "http.trusted_proxies"},
		{desc: "bad body limit", file: "http:\n  body_limit: lots\n", setting: "http.body_limit"},
		{desc: "zero timeout", file: "http:\n  shutdown_timeout: 0s\n", setting: "http.shutdown_timeout"},
		{desc: "unknown reminder stage", env: map[string]string{"IPM_REMINDERS_STAGES": "before_3wd,tomorrow"}, setting: "reminders.stages (IPM_REMINDERS_STAGES)"},
		{desc: "reminder stage twice", file: "reminders:\n  stages: [due_day, due_day]\n", setting: "reminders.stages"},
		{desc: "zero working days", env: map[string]string{"IPM_REMINDERS_STAGES": "before_0wd"}, setting: "reminders.stages"},
		{desc: "bad send time", env: map[string]string{"IPM_REMINDERS_SEND_TIME": "9am"}, setting: "reminders.send_time (IPM_REMINDERS_SEND_TIME)"},
		{desc: "negative escalation delay", env: map[string]string{"IPM_REMINDERS_ESCALATE_AFTER": "-1h"}, setting: "reminders.escalate_after"},
		{desc: "annual reminders after the due day", env: map[string]string{"IPM_REMINDERS_ANNUAL_REPORT_FROM": "12-21"}, setting: "reminders.annual_report_from"},
		{desc: "annual reminders not a date", env: map[string]string{"IPM_REMINDERS_ANNUAL_REPORT_FROM": "11-31"}, setting: "reminders.annual_report_from"},
		{desc: "zero relay interval", file: "reminders:\n  relay_interval: 0s\n", setting: "reminders.relay_interval (IPM_REMINDERS_RELAY_INTERVAL)"},
		{desc: "huge relay batch", env: map[string]string{"IPM_REMINDERS_RELAY_BATCH": "100000"}, setting: "reminders.relay_batch"},
		{desc: "task batch above relay batch", env: map[string]string{"IPM_REMINDERS_RELAY_BATCH": "10", "IPM_REMINDERS_TASK_BATCH": "20"}, setting: "reminders.task_batch (IPM_REMINDERS_TASK_BATCH)"},
		{desc: "lookahead beyond the stale limit", env: map[string]string{"IPM_REMINDERS_LOOKAHEAD": "5m"}, setting: "reminders.lookahead (IPM_REMINDERS_LOOKAHEAD)"},
		{desc: "stale after too short", env: map[string]string{"IPM_REMINDERS_STALE_AFTER": "1s"}, setting: "reminders.stale_after"},
		{desc: "backoff cap below backoff", env: map[string]string{"IPM_REMINDERS_RETRY_BACKOFF_MAX": "1s"}, setting: "reminders.retry_backoff_max"},
		{desc: "smtp host with port", env: map[string]string{"IPM_SMTP_HOST": "mail.example.com:25", "IPM_SMTP_FROM": "a@example.com"}, setting: "smtp.host (IPM_SMTP_HOST)"},
		{desc: "smtp without sender", env: map[string]string{"IPM_SMTP_HOST": "mail.example.com"}, setting: "smtp.from (IPM_SMTP_FROM)"},
		{desc: "smtp bad tls", env: map[string]string{"IPM_SMTP_HOST": "mail.example.com", "IPM_SMTP_FROM": "a@example.com", "IPM_SMTP_TLS": "maybe"}, setting: "smtp.tls"},
		{desc: "smtp bad port", file: "smtp:\n  host: mail.example.com\n  from: a@example.com\n  port: 0\n", setting: "smtp.port"},
		{desc: "sms gateway not a URL", env: map[string]string{"IPM_SMS_GATEWAY_URL": "sms.example.com/send"}, setting: "sms.gateway_url (IPM_SMS_GATEWAY_URL)"},
		{desc: "sms bad token header", env: map[string]string{"IPM_SMS_GATEWAY_URL": "https://sms.example.com/send", "IPM_SMS_TOKEN": "t", "IPM_SMS_TOKEN_HEADER": "X Token"}, setting: "sms.token_header"},
		{desc: "sms zero timeout", env: map[string]string{"IPM_SMS_GATEWAY_URL": "https://sms.example.com/send", "IPM_SMS_TIMEOUT": "0s"}, setting: "sms.timeout"},
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

func TestLoad_RemindersAndChannels(t *testing.T) {
	cfg, err := load("", map[string]string{
		"IPM_REMINDERS_STAGES":    "before_5wd,before_2d,due_day",
		"IPM_SMTP_HOST":           "mail.example.com",
		"IPM_SMTP_FROM":           "ipmediate <noreply@example.gov.cn>",
		"IPM_SMS_GATEWAY_URL":     "https://sms.example.com/send",
		"IPM_SMS_TOKEN":           "secret",
		"IPM_REMINDERS_MAX_RETRY": "3",
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"before_5wd", "before_2d", "due_day"}; !reflect.DeepEqual(cfg.Reminders.Stages, want) {
		t.Errorf("stages = %v, want %v", cfg.Reminders.Stages, want)
	}
	if cfg.SMTP.Port != 587 || cfg.SMTP.TLS != "starttls" || cfg.SMS.TokenHeader != "X-Api-Token" || cfg.Reminders.MaxRetry != 3 {
		t.Errorf("channel settings: %+v %+v %d", cfg.SMTP, cfg.SMS, cfg.Reminders.MaxRetry)
	}
	def := Default()
	if def.SMTP.Host != "" || def.SMS.GatewayURL != "" {
		t.Errorf("e-mail and SMS must be off by default: %+v %+v", def.SMTP, def.SMS)
	}
	// An empty stage list leaves only the escalation, which is allowed.
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte("reminders:\n  stages: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if cfg, err := load(path, map[string]string{}); err != nil || len(cfg.Reminders.Stages) != 0 {
		t.Errorf("no stages: %v %v", cfg.Reminders.Stages, err)
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
