// Package config loads ipmediate's typed configuration: built-in defaults,
// then an optional YAML file, then IPM_* environment variables. Load
// validates the result and names the first setting that is wrong, so a bad
// deployment stops at start-up instead of failing later.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"gopkg.in/yaml.v3"
)

// Config is the whole configuration. Every field is documented in
// configs/config.example.yaml together with its default and its
// environment variable.
type Config struct {
	// Env is "development" or "production". Production refuses demo mode
	// and the built-in development keys.
	Env      string   `yaml:"env" env:"ENV"`
	HTTP     HTTP     `yaml:"http" envPrefix:"HTTP_"`
	Database Database `yaml:"database" envPrefix:"DATABASE_"`
	Redis    Redis    `yaml:"redis" envPrefix:"REDIS_"`
	Log      Log      `yaml:"log" envPrefix:"LOG_"`
	Security Security `yaml:"security" envPrefix:"SECURITY_"`
	Storage  Storage  `yaml:"storage" envPrefix:"STORAGE_"`
	Worker   Worker   `yaml:"worker" envPrefix:"WORKER_"`
}

// HTTP configures the web server.
type HTTP struct {
	// Addr is the listen address, host:port. Default 127.0.0.1:8080.
	Addr string `yaml:"addr" env:"ADDR"`
	// BaseURL is the externally visible URL, used in e-mails and printed
	// at start. Default http://<Addr>.
	BaseURL string `yaml:"base_url" env:"BASE_URL"`
	// ReadTimeout bounds reading a whole request. Default 15s.
	ReadTimeout time.Duration `yaml:"read_timeout" env:"READ_TIMEOUT"`
	// WriteTimeout bounds writing a response. Default 30s.
	WriteTimeout time.Duration `yaml:"write_timeout" env:"WRITE_TIMEOUT"`
	// IdleTimeout bounds keep-alive idleness. Default 120s.
	IdleTimeout time.Duration `yaml:"idle_timeout" env:"IDLE_TIMEOUT"`
	// RequestTimeout bounds the handling of one request. Default 20s.
	RequestTimeout time.Duration `yaml:"request_timeout" env:"REQUEST_TIMEOUT"`
	// ShutdownTimeout is how long SIGTERM waits for in-flight requests.
	// Default 20s.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout" env:"SHUTDOWN_TIMEOUT"`
	// BodyLimit is the largest request body accepted, e.g. "2M". Uploads
	// have their own limit in Storage. Default 2M.
	BodyLimit string `yaml:"body_limit" env:"BODY_LIMIT"`
	// TrustedProxies lists the CIDR ranges of reverse proxies whose
	// X-Forwarded-For header is believed. Empty (the default) means the
	// TCP peer is the client: login throttling and the audit log then
	// cannot be fooled by a forged header.
	TrustedProxies []string `yaml:"trusted_proxies" env:"TRUSTED_PROXIES" envSeparator:","`
}

// Database configures PostgreSQL.
type Database struct {
	// URL is a postgres:// URL. Default
	// postgres://postgres@127.0.0.1:5432/ipmediate?sslmode=disable.
	URL string `yaml:"url" env:"URL"`
	// MaxOpenConns caps the pool. Default 20.
	MaxOpenConns int `yaml:"max_open_conns" env:"MAX_OPEN_CONNS"`
	// MaxIdleConns caps idle connections. Default 10.
	MaxIdleConns int `yaml:"max_idle_conns" env:"MAX_IDLE_CONNS"`
	// ConnMaxLifetime recycles connections. Default 30m.
	ConnMaxLifetime time.Duration `yaml:"conn_max_lifetime" env:"CONN_MAX_LIFETIME"`
	// AutoMigrate creates the database when missing and applies pending
	// migrations when serve or worker starts. Turn it off in production
	// and run `ipmediate migrate up` instead. Default true.
	AutoMigrate bool `yaml:"auto_migrate" env:"AUTO_MIGRATE"`
	// SlowQuery logs queries slower than this. Default 200ms.
	SlowQuery time.Duration `yaml:"slow_query" env:"SLOW_QUERY"`
}

// Redis configures the Redis server used for background jobs.
type Redis struct {
	// URL is redis://[:password@]host:port/db. Default redis://127.0.0.1:6379/0.
	URL string `yaml:"url" env:"URL"`
}

// Log configures structured logging.
type Log struct {
	// Level is debug, info, warn or error. Default info.
	Level string `yaml:"level" env:"LEVEL"`
	// Format is json or text. Default json.
	Format string `yaml:"format" env:"FORMAT"`
}

// Security configures secrets and session policy.
type Security struct {
	// PIIKeys lists AES-256 keys for personal information at rest as
	// "id:base64,id:base64"; PIIActiveKey names the one used to encrypt.
	// Development has a built-in key; production must set its own.
	PIIKeys      string `yaml:"pii_keys" env:"PII_KEYS"`
	PIIActiveKey string `yaml:"pii_active_key" env:"PII_ACTIVE_KEY"`
	// PIIHMACKey (base64, 32 bytes) keys the blind index used for exact
	// lookups of identity numbers.
	PIIHMACKey string `yaml:"pii_hmac_key" env:"PII_HMAC_KEY"`
	// SessionIdleTimeout ends a web session after inactivity. Default 30m.
	SessionIdleTimeout time.Duration `yaml:"session_idle_timeout" env:"SESSION_IDLE_TIMEOUT"`
	// SessionLifetime ends a web session regardless of activity. Default 12h.
	SessionLifetime time.Duration `yaml:"session_lifetime" env:"SESSION_LIFETIME"`
	// TokenTTL is the lifetime of an API bearer token. Default 24h.
	TokenTTL time.Duration `yaml:"token_ttl" env:"TOKEN_TTL"`
	// LoginMaxFailures locks an account after this many consecutive
	// failed logins. Default 5.
	LoginMaxFailures int `yaml:"login_max_failures" env:"LOGIN_MAX_FAILURES"`
	// LockoutDuration is how long a locked account stays locked. Default 15m.
	LockoutDuration time.Duration `yaml:"lockout_duration" env:"LOCKOUT_DURATION"`
	// LoginRatePerMinute throttles login attempts per client address.
	// Default 20.
	LoginRatePerMinute int `yaml:"login_rate_per_minute" env:"LOGIN_RATE_PER_MINUTE"`
}

// Storage configures where uploaded documents live.
type Storage struct {
	// Dir is a directory outside the database for document blobs.
	// Default ./data/files.
	Dir string `yaml:"dir" env:"DIR"`
	// MaxUploadBytes caps one upload. Default 20 MiB.
	MaxUploadBytes int64 `yaml:"max_upload_bytes" env:"MAX_UPLOAD_BYTES"`
}

// Worker configures background processing.
type Worker struct {
	// Concurrency is the number of tasks one worker runs at once. Default 10.
	Concurrency int `yaml:"concurrency" env:"CONCURRENCY"`
}

// DevPIIKeys and DevPIIHMACKey are development-only keys so that a fresh
// checkout runs without setup. Validate refuses them in production.
const (
	DevPIIKeys    = "dev1:ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZDE="
	DevPIIHMACKey = "ZGV2LW9ubHktaG1hYy1kby1ub3QtdXNlLWluLXByb2Q="
)

// Default returns the built-in defaults; they work on a machine where
// PostgreSQL and Redis run on localhost with their default ports.
func Default() Config {
	return Config{
		Env: "development",
		HTTP: HTTP{
			Addr:            "127.0.0.1:8080",
			ReadTimeout:     15 * time.Second,
			WriteTimeout:    30 * time.Second,
			IdleTimeout:     120 * time.Second,
			RequestTimeout:  20 * time.Second,
			ShutdownTimeout: 20 * time.Second,
			BodyLimit:       "2M",
		},
		Database: Database{
			URL:             "postgres://postgres@127.0.0.1:5432/ipmediate?sslmode=disable",
			MaxOpenConns:    20,
			MaxIdleConns:    10,
			ConnMaxLifetime: 30 * time.Minute,
			AutoMigrate:     true,
			SlowQuery:       200 * time.Millisecond,
		},
		Redis: Redis{URL: "redis://127.0.0.1:6379/0"},
		Log:   Log{Level: "info", Format: "json"},
		Security: Security{
			PIIKeys:            DevPIIKeys,
			PIIActiveKey:       "dev1",
			PIIHMACKey:         DevPIIHMACKey,
			SessionIdleTimeout: 30 * time.Minute,
			SessionLifetime:    12 * time.Hour,
			TokenTTL:           24 * time.Hour,
			LoginMaxFailures:   5,
			LockoutDuration:    15 * time.Minute,
			LoginRatePerMinute: 20,
		},
		Storage: Storage{Dir: "data/files", MaxUploadBytes: 20 << 20},
		Worker:  Worker{Concurrency: 10},
	}
}

// Load builds the configuration from the defaults, the YAML file at path
// (skipped when path is empty) and the IPM_* environment, then validates it.
func Load(path string) (Config, error) {
	return load(path, nil)
}

// load is Load with an explicit environment, for tests.
func load(path string, environ map[string]string) (Config, error) {
	cfg := Default()
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config file: %w", err)
		}
		if strings.TrimSpace(string(raw)) != "" {
			dec := yaml.NewDecoder(bytes.NewReader(raw))
			dec.KnownFields(true) // a misspelt key is an error, not a silent default
			if err := dec.Decode(&cfg); err != nil {
				return cfg, fmt.Errorf("config file %s: %w", path, err)
			}
		}
	}
	opts := env.Options{Prefix: "IPM_"}
	if environ != nil {
		opts.Environment = environ
	}
	if err := env.ParseWithOptions(&cfg, opts); err != nil {
		return cfg, namedEnvError(err, environ)
	}
	if cfg.HTTP.BaseURL == "" {
		cfg.HTTP.BaseURL = "http://" + cfg.HTTP.Addr
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// namedEnvError finds which IPM_* variable made parsing fail, because the
// library's error names only the Go field. Each set variable is parsed alone
// and the first that fails is reported.
func namedEnvError(err error, environ map[string]string) error {
	if environ == nil {
		environ = env.ToMap(os.Environ())
	}
	keys := make([]string, 0, len(environ))
	for k := range environ {
		if strings.HasPrefix(k, "IPM_") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		probe := Default()
		if perr := env.ParseWithOptions(&probe, env.Options{Prefix: "IPM_", Environment: map[string]string{k: environ[k]}}); perr != nil {
			return &SettingError{Setting: k, Problem: fmt.Sprintf("cannot use %q: %v", environ[k], errors.Unwrap(perr))}
		}
	}
	return fmt.Errorf("environment: %w", err)
}

// SettingError names the setting that is wrong and why.
type SettingError struct {
	Setting string // e.g. "database.url (IPM_DATABASE_URL)"
	Problem string
}

func (e *SettingError) Error() string {
	return fmt.Sprintf("invalid setting %s: %s", e.Setting, e.Problem)
}

func bad(setting, env, format string, args ...any) error {
	return &SettingError{Setting: fmt.Sprintf("%s (IPM_%s)", setting, env), Problem: fmt.Sprintf(format, args...)}
}

// Validate checks every setting and returns a *SettingError naming the
// first that is wrong.
func (c Config) Validate() error {
	if c.Env != "development" && c.Env != "production" {
		return bad("env", "ENV", "must be development or production, got %q", c.Env)
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Addr); err != nil {
		return bad("http.addr", "HTTP_ADDR", "must be host:port, got %q", c.HTTP.Addr)
	}
	if u, err := url.Parse(c.HTTP.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("http.base_url", "HTTP_BASE_URL", "must be an http(s) URL, got %q", c.HTTP.BaseURL)
	}
	for name, d := range map[string]time.Duration{
		"http.read_timeout": c.HTTP.ReadTimeout, "http.write_timeout": c.HTTP.WriteTimeout,
		"http.idle_timeout": c.HTTP.IdleTimeout, "http.request_timeout": c.HTTP.RequestTimeout,
		"http.shutdown_timeout": c.HTTP.ShutdownTimeout,
	} {
		if d <= 0 {
			return bad(name, strings.ToUpper(strings.ReplaceAll(name, ".", "_")), "must be a positive duration")
		}
	}
	for _, p := range c.HTTP.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil {
			return bad("http.trusted_proxies", "HTTP_TRUSTED_PROXIES", "must be CIDR ranges like 10.0.0.0/8, got %q", p)
		}
	}
	if !validSize(c.HTTP.BodyLimit) {
		return bad("http.body_limit", "HTTP_BODY_LIMIT", "must be a size like 512K, 2M or 1G, got %q", c.HTTP.BodyLimit)
	}
	if u, err := url.Parse(c.Database.URL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return bad("database.url", "DATABASE_URL", "must be postgres://user@host:port/dbname, got %q", redact(c.Database.URL))
	}
	if c.Database.MaxOpenConns < 1 {
		return bad("database.max_open_conns", "DATABASE_MAX_OPEN_CONNS", "must be at least 1")
	}
	if c.Database.MaxIdleConns < 0 || c.Database.MaxIdleConns > c.Database.MaxOpenConns {
		return bad("database.max_idle_conns", "DATABASE_MAX_IDLE_CONNS", "must be between 0 and max_open_conns")
	}
	if u, err := url.Parse(c.Redis.URL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return bad("redis.url", "REDIS_URL", "must be redis://host:port/db, got %q", redact(c.Redis.URL))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return bad("log.level", "LOG_LEVEL", "must be debug, info, warn or error, got %q", c.Log.Level)
	}
	if c.Log.Format != "json" && c.Log.Format != "text" {
		return bad("log.format", "LOG_FORMAT", "must be json or text, got %q", c.Log.Format)
	}
	s := c.Security
	if s.PIIKeys == "" || s.PIIActiveKey == "" || s.PIIHMACKey == "" {
		return bad("security.pii_keys", "SECURITY_PII_KEYS", "pii_keys, pii_active_key and pii_hmac_key are required")
	}
	if c.Env == "production" && (s.PIIKeys == DevPIIKeys || s.PIIHMACKey == DevPIIHMACKey) {
		return bad("security.pii_keys", "SECURITY_PII_KEYS", "the built-in development keys cannot be used in production; generate keys with `ipmediate keygen`")
	}
	if s.SessionIdleTimeout <= 0 || s.SessionLifetime < s.SessionIdleTimeout {
		return bad("security.session_lifetime", "SECURITY_SESSION_LIFETIME", "must be positive and at least session_idle_timeout")
	}
	if s.TokenTTL <= 0 {
		return bad("security.token_ttl", "SECURITY_TOKEN_TTL", "must be a positive duration")
	}
	if s.LoginMaxFailures < 1 {
		return bad("security.login_max_failures", "SECURITY_LOGIN_MAX_FAILURES", "must be at least 1")
	}
	if s.LockoutDuration <= 0 {
		return bad("security.lockout_duration", "SECURITY_LOCKOUT_DURATION", "must be a positive duration")
	}
	if s.LoginRatePerMinute < 1 {
		return bad("security.login_rate_per_minute", "SECURITY_LOGIN_RATE_PER_MINUTE", "must be at least 1")
	}
	if c.Storage.Dir == "" {
		return bad("storage.dir", "STORAGE_DIR", "must not be empty")
	}
	if c.Storage.MaxUploadBytes < 1 {
		return bad("storage.max_upload_bytes", "STORAGE_MAX_UPLOAD_BYTES", "must be positive")
	}
	if c.Worker.Concurrency < 1 {
		return bad("worker.concurrency", "WORKER_CONCURRENCY", "must be at least 1")
	}
	return nil
}

func validSize(s string) bool {
	if len(s) < 2 {
		return false
	}
	for _, r := range s[:len(s)-1] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return strings.ContainsRune("KMGkmg", rune(s[len(s)-1]))
}

// redact hides a password inside a URL so it never reaches a log.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Redacted returns the URL with its password hidden, for logs.
func Redacted(raw string) string { return redact(raw) }
