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
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"gopkg.in/yaml.v3"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Config is the whole configuration. Every field is documented in
// configs/config.example.yaml together with its default and its
// environment variable.
type Config struct {
	// Env is "development" or "production". Production refuses demo mode
	// and the built-in development keys.
	Env string `yaml:"env" env:"ENV"`
	// MemoryLimitMB is the soft memory limit of a serve or worker
	// process in MiB (Go's runtime/debug.SetMemoryLimit): near it the
	// garbage collector runs more often instead of letting the heap grow.
	// Default 100, which keeps a serve under 150 MB resident under 200
	// concurrent page requests (docs/benchmarks.md); 0 turns it off. The
	// GOMEMLIMIT environment variable, when set, wins.
	MemoryLimitMB int      `yaml:"memory_limit_mb" env:"MEMORY_LIMIT_MB"`
	HTTP          HTTP     `yaml:"http" envPrefix:"HTTP_"`
	Database      Database `yaml:"database" envPrefix:"DATABASE_"`
	Redis         Redis    `yaml:"redis" envPrefix:"REDIS_"`
	Log           Log      `yaml:"log" envPrefix:"LOG_"`
	Security      Security `yaml:"security" envPrefix:"SECURITY_"`
	Storage       Storage  `yaml:"storage" envPrefix:"STORAGE_"`
	Worker        Worker   `yaml:"worker" envPrefix:"WORKER_"`
	// Reminders, SMTP and SMS configure deadline reminders and their
	// delivery (internal/notify).
	Reminders Reminders `yaml:"reminders" envPrefix:"REMINDERS_"`
	// Legal points at files that replace or extend the legal data built
	// into the binary: holiday arrangements, deadline rules, the role
	// policy.
	Legal Legal `yaml:"legal" envPrefix:"LEGAL_"`
	SMTP  SMTP  `yaml:"smtp" envPrefix:"SMTP_"`
	SMS   SMS   `yaml:"sms" envPrefix:"SMS_"`
	// Warnings configures the rule that drafts industry risk warnings
	// (internal/warning).
	Warnings Warnings `yaml:"warnings" envPrefix:"WARNINGS_"`
	// Service configures the service of documents on the parties
	// (internal/service).
	Service Service `yaml:"service" envPrefix:"SERVICE_"`
	// Party configures the parties' personal access links and their
	// one-time codes (internal/party).
	Party Party `yaml:"party" envPrefix:"PARTY_"`
}

// Service configures the service of documents (送达).
type Service struct {
	// OpenWithin is how long a party has to open a notice served
	// electronically before the clerk is asked to serve it by other
	// means (post, in person). Default 72h (three days); from 1h to 30
	// days.
	OpenWithin time.Duration `yaml:"open_within" env:"OPEN_WITHIN"`
}

// Party configures how parties without an account reach their case: the
// personal access link, the one-time codes sent to the party's phone and
// the party session.
type Party struct {
	// LinkTTL is how long an issued access link works. Default 720h (30 days).
	LinkTTL time.Duration `yaml:"link_ttl" env:"LINK_TTL"`
	// CodeTTL is how long a one-time code may be entered. Default 5m.
	CodeTTL time.Duration `yaml:"code_ttl" env:"CODE_TTL"`
	// CodeAttempts is how many wrong entries end a code. Default 5.
	CodeAttempts int `yaml:"code_attempts" env:"CODE_ATTEMPTS"`
	// CodesPerHour caps the codes sent for one link in an hour. Default 5.
	CodesPerHour int `yaml:"codes_per_hour" env:"CODES_PER_HOUR"`
	// SessionIdle ends a party session after inactivity. Default 15m.
	SessionIdle time.Duration `yaml:"session_idle" env:"SESSION_IDLE"`
}

// Warnings are the drafting rule's thresholds: a draft when the same
// respondent appears in RespondentMatters cases or applications within
// RespondentDays, or IndustryCases cases of one dispute type come from
// one industry within IndustryDays. Defaults 3 in 90 days and 5 in 30.
type Warnings struct {
	RespondentMatters int `yaml:"respondent_matters" env:"RESPONDENT_MATTERS"`
	RespondentDays    int `yaml:"respondent_days" env:"RESPONDENT_DAYS"`
	IndustryCases     int `yaml:"industry_cases" env:"INDUSTRY_CASES"`
	IndustryDays      int `yaml:"industry_days" env:"INDUSTRY_DAYS"`
	// DraftOrg is the code of the organisation that reviews the drafts
	// (an assistance centre, an enforcement body or an association);
	// "" is the first active assistance centre.
	DraftOrg string `yaml:"draft_org" env:"DRAFT_ORG"`
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
	// ShutdownTimeout is how long SIGTERM waits for in-flight requests,
	// after the drain. Default 20s.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout" env:"SHUTDOWN_TIMEOUT"`
	// ShutdownDrain is how long SIGTERM keeps serving, with /readyz
	// answering 503, before the listener closes, so that a load balancer
	// stops sending new requests first. Unset (nil) means 5s when env is
	// production and 0s in development; Load fills it in. Read it with
	// Drain.
	ShutdownDrain *time.Duration `yaml:"shutdown_drain" env:"SHUTDOWN_DRAIN"`
	// MetricsAddr is the separate listen address, host:port, of the
	// Prometheus /metrics endpoint, which is never served on Addr. Empty,
	// or "off" (an empty environment variable counts as unset), turns
	// metrics off. Default 127.0.0.1:9090.
	MetricsAddr string `yaml:"metrics_addr" env:"METRICS_ADDR"`
	// BodyLimit is the largest request body accepted, e.g. "2M". Uploads
	// have their own limit in Storage. Default 2M.
	BodyLimit string `yaml:"body_limit" env:"BODY_LIMIT"`
	// TrustedProxies lists the CIDR ranges of reverse proxies whose
	// X-Forwarded-For header is believed. Empty (the default) means the
	// TCP peer is the client: login throttling and the audit log then
	// cannot be fooled by a forged header.
	TrustedProxies []string `yaml:"trusted_proxies" env:"TRUSTED_PROXIES" envSeparator:","`
}

// MetricsOff as http.metrics_addr turns metrics off where an empty value
// cannot be written (IPM_HTTP_METRICS_ADDR, since the environment treats
// an empty variable as unset).
const MetricsOff = "off"

// DefaultShutdownDrain is the drain of a production server whose
// http.shutdown_drain is not set.
const DefaultShutdownDrain = 5 * time.Second

// Drain returns the shutdown drain: ShutdownDrain, or 0 when it is unset.
func (h HTTP) Drain() time.Duration {
	if h.ShutdownDrain == nil {
		return 0
	}
	return *h.ShutdownDrain
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
	// ReplicaURLs are streaming replicas of URL that serve the reads
	// which may lag by a moment: lists, statistics and exports
	// (internal/database.Reads). Empty: every read goes to the primary.
	ReplicaURLs []string `yaml:"replica_urls" env:"REPLICA_URLS" envSeparator:","`
	// ReplicaMaxLag is how far a replica may be behind before its reads
	// move to the primary. Default 5s.
	ReplicaMaxLag time.Duration `yaml:"replica_max_lag" env:"REPLICA_MAX_LAG"`
	// ReplicaCheckInterval is how often each replica's health and lag
	// are measured. Default 2s.
	ReplicaCheckInterval time.Duration `yaml:"replica_check_interval" env:"REPLICA_CHECK_INTERVAL"`
	// ReadYourWrites is how long after a signed-in user's change their
	// reads go to the primary, so they see what they just did. Default 10s.
	ReadYourWrites time.Duration `yaml:"read_your_writes" env:"READ_YOUR_WRITES"`
}

// Redis configures the Redis server used for background jobs.
type Redis struct {
	// URL is redis://[:password@]host:port/db. Default redis://127.0.0.1:6379/0.
	URL string `yaml:"url" env:"URL"`
	// Sentinel, when its master name is set, finds the Redis master
	// through Redis Sentinel instead of URL's host, and follows it across
	// failovers. URL still gives the username, password and database.
	Sentinel Sentinel `yaml:"sentinel" envPrefix:"SENTINEL_"`
}

// Sentinel names a master monitored by Redis Sentinels. Both MasterName
// and Addrs are set, or neither.
type Sentinel struct {
	// MasterName is the name the sentinels monitor the master under.
	// Empty: no Sentinel, Redis is reached at redis.url.
	MasterName string `yaml:"master_name" env:"MASTER_NAME"`
	// Addrs are the sentinels, host:port each.
	Addrs []string `yaml:"addrs" env:"ADDRS" envSeparator:","`
	// Password authenticates to the sentinels (requirepass of the
	// sentinels, not of the master). Never logged.
	Password string `yaml:"password" env:"PASSWORD"`
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
	// RegisterRatePerHour throttles SME self-registration attempts per
	// client address and hour, refused ones included. Default 10.
	RegisterRatePerHour int `yaml:"register_rate_per_hour" env:"REGISTER_RATE_PER_HOUR"`
}

// Storage configures where uploaded documents live.
type Storage struct {
	// Dir is a directory outside the database for document blobs.
	// Default ./data/files.
	Dir string `yaml:"dir" env:"DIR"`
	// MaxUploadBytes caps one upload. Default 20 MiB.
	MaxUploadBytes int64 `yaml:"max_upload_bytes" env:"MAX_UPLOAD_BYTES"`
}

// Legal names files outside the binary that take precedence over the
// embedded configs/ files, so that a new State Council holiday notice, a
// changed time limit or a changed role policy is a file to deploy rather
// than a release. Empty: the embedded file alone.
type Legal struct {
	// HolidaysDir holds <year>.yaml holiday files (configs/holidays
	// format); a year's file here replaces the embedded one of that year,
	// and years not embedded are added.
	HolidaysDir string `yaml:"holidays_dir" env:"HOLIDAYS_DIR"`
	// RulesFile replaces configs/deadlines.yaml. It must define every rule
	// the code uses, or the start stops naming the missing ones.
	RulesFile string `yaml:"rules_file" env:"RULES_FILE"`
	// PolicyFile replaces configs/policy.csv, the role permissions.
	PolicyFile string `yaml:"policy_file" env:"POLICY_FILE"`
}

// Worker configures background processing.
type Worker struct {
	// Concurrency is the number of tasks one worker runs at once. Default 10.
	Concurrency int `yaml:"concurrency" env:"CONCURRENCY"`
}

// Reminders configures deadline reminders: when they go out, and how the
// scheduler moves them to the queue and recovers lost ones.
type Reminders struct {
	// Stages lists when the responsible people are reminded before a
	// deadline runs out: before_<N>wd (N working days before its last
	// day), before_<N>d (N calendar days before) or due_day (on the last
	// day). The overdue escalation to the organisation's directors always
	// follows. Default before_3wd, before_1wd, due_day.
	Stages []string `yaml:"stages" env:"STAGES" envSeparator:","`
	// SendTime is the Beijing time of day, HH:MM, at which day-based
	// reminders go out. Default 09:00.
	SendTime string `yaml:"send_time" env:"SEND_TIME"`
	// EscalateAfter is how long after the due time an open deadline is
	// escalated to the directors. Default 0s (at once).
	EscalateAfter time.Duration `yaml:"escalate_after" env:"ESCALATE_AFTER"`
	// AnnualReportFrom, MM-DD, is the day from which every organisation
	// that owes the annual work report is reminded. Default 12-01.
	AnnualReportFrom string `yaml:"annual_report_from" env:"ANNUAL_REPORT_FROM"`
	// AnnualReportOrgTypes are the types of organisation that owe the
	// annual work report (internal/report). Default mediation_committee,
	// court, customs, enforcement, assistance_center, industry_association.
	AnnualReportOrgTypes []string `yaml:"annual_report_org_types" env:"ANNUAL_REPORT_ORG_TYPES" envSeparator:","`
	// RelayInterval is how often the scheduler queues due reminders and
	// outbox rows. Default 1s.
	RelayInterval time.Duration `yaml:"relay_interval" env:"RELAY_INTERVAL"`
	// RelayBatch is how many rows one relay transaction queues. Default 1000.
	RelayBatch int `yaml:"relay_batch" env:"RELAY_BATCH"`
	// TaskBatch is how many reminders one queued task delivers, in one
	// transaction; 1 queues a task per reminder. A task costs the queue
	// the same whatever it carries, so batches keep the lag low when many
	// deadlines fall due at once. Default 100.
	TaskBatch int `yaml:"task_batch" env:"TASK_BATCH"`
	// Lookahead queues reminders this long before they are due, to run at
	// their send time, so that a spike known in advance (every deadline
	// of the day at 09:00) is queued before it comes. Below stale_after.
	// Default 30s.
	Lookahead time.Duration `yaml:"lookahead" env:"LOOKAHEAD"`
	// SweepInterval is how often the scheduler looks for queued rows that
	// were never done (Redis lost them). Default 30s.
	SweepInterval time.Duration `yaml:"sweep_interval" env:"SWEEP_INTERVAL"`
	// StaleAfter is how long a queued row may stay undone before the
	// sweeper queues it again. Default 2m.
	StaleAfter time.Duration `yaml:"stale_after" env:"STALE_AFTER"`
	// MaxRetry is how often a failed delivery (e-mail, SMS) is retried.
	// Default 8.
	MaxRetry int `yaml:"max_retry" env:"MAX_RETRY"`
	// RetryBackoff is the delay before the first retry; it doubles with
	// each retry up to RetryBackoffMax. Defaults 30s and 1h.
	RetryBackoff    time.Duration `yaml:"retry_backoff" env:"RETRY_BACKOFF"`
	RetryBackoffMax time.Duration `yaml:"retry_backoff_max" env:"RETRY_BACKOFF_MAX"`
}

// SMTP configures e-mail delivery. An empty Host turns e-mail off.
type SMTP struct {
	// Host is the mail server. Default "" (no e-mail).
	Host string `yaml:"host" env:"HOST"`
	// Port is the server's port. Default 587.
	Port int `yaml:"port" env:"PORT"`
	// Username and Password authenticate; an empty Username sends without
	// authentication.
	Username string `yaml:"username" env:"USERNAME"`
	Password string `yaml:"password" env:"PASSWORD"`
	// From is the sender address, e.g. "ipmediate <noreply@example.gov.cn>".
	From string `yaml:"from" env:"FROM"`
	// TLS is starttls (required STARTTLS), tls (implicit TLS, usually port
	// 465) or none (a trusted relay on the intranet). Default starttls.
	TLS string `yaml:"tls" env:"TLS"`
	// Timeout bounds one delivery. Default 15s.
	Timeout time.Duration `yaml:"timeout" env:"TIMEOUT"`
}

// SMS configures the SMS gateway: one JSON POST {"id","to","text"} per
// message. An empty GatewayURL turns SMS off.
type SMS struct {
	// GatewayURL is the gateway's http(s) endpoint. Default "" (no SMS).
	GatewayURL string `yaml:"gateway_url" env:"GATEWAY_URL"`
	// Token is sent in the header TokenHeader with every request.
	Token       string `yaml:"token" env:"TOKEN"`
	TokenHeader string `yaml:"token_header" env:"TOKEN_HEADER"`
	// Timeout bounds one request. Default 10s.
	Timeout time.Duration `yaml:"timeout" env:"TIMEOUT"`
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
		Env:           "development",
		MemoryLimitMB: 100,
		HTTP: HTTP{
			Addr:            "127.0.0.1:8080",
			ReadTimeout:     15 * time.Second,
			WriteTimeout:    30 * time.Second,
			IdleTimeout:     120 * time.Second,
			RequestTimeout:  20 * time.Second,
			ShutdownTimeout: 20 * time.Second,
			BodyLimit:       "2M",
			MetricsAddr:     "127.0.0.1:9090",
		},
		Database: Database{
			URL:                  "postgres://postgres@127.0.0.1:5432/ipmediate?sslmode=disable",
			MaxOpenConns:         20,
			MaxIdleConns:         10,
			ConnMaxLifetime:      30 * time.Minute,
			AutoMigrate:          true,
			SlowQuery:            200 * time.Millisecond,
			ReplicaURLs:          []string{},
			ReplicaMaxLag:        5 * time.Second,
			ReplicaCheckInterval: 2 * time.Second,
			ReadYourWrites:       10 * time.Second,
		},
		Redis: Redis{URL: "redis://127.0.0.1:6379/0", Sentinel: Sentinel{Addrs: []string{}}},
		Log:   Log{Level: "info", Format: "json"},
		Security: Security{
			PIIKeys:             DevPIIKeys,
			PIIActiveKey:        "dev1",
			PIIHMACKey:          DevPIIHMACKey,
			SessionIdleTimeout:  30 * time.Minute,
			SessionLifetime:     12 * time.Hour,
			TokenTTL:            24 * time.Hour,
			LoginMaxFailures:    5,
			LockoutDuration:     15 * time.Minute,
			LoginRatePerMinute:  20,
			RegisterRatePerHour: 10,
		},
		Storage:  Storage{Dir: "data/files", MaxUploadBytes: 20 << 20},
		Worker:   Worker{Concurrency: 10},
		Warnings: Warnings{RespondentMatters: 3, RespondentDays: 90, IndustryCases: 5, IndustryDays: 30},
		Service:  Service{OpenWithin: 72 * time.Hour},
		Party:    Party{LinkTTL: 720 * time.Hour, CodeTTL: 5 * time.Minute, CodeAttempts: 5, CodesPerHour: 5, SessionIdle: 15 * time.Minute},
		Reminders: Reminders{
			Stages:           []string{"before_3wd", "before_1wd", "due_day"},
			SendTime:         "09:00",
			AnnualReportFrom: "12-01",
			AnnualReportOrgTypes: []string{"mediation_committee", "court", "customs", "enforcement", "assistance_center",
				"industry_association"},
			RelayInterval:   time.Second,
			RelayBatch:      1000,
			TaskBatch:       100,
			Lookahead:       30 * time.Second,
			SweepInterval:   30 * time.Second,
			StaleAfter:      2 * time.Minute,
			MaxRetry:        8,
			RetryBackoff:    30 * time.Second,
			RetryBackoffMax: time.Hour,
		},
		SMTP: SMTP{Port: 587, TLS: "starttls", Timeout: 15 * time.Second},
		SMS:  SMS{TokenHeader: "X-Api-Token", Timeout: 10 * time.Second},
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
	if cfg.HTTP.MetricsAddr == MetricsOff {
		cfg.HTTP.MetricsAddr = ""
	}
	if cfg.HTTP.ShutdownDrain == nil {
		var d time.Duration
		if cfg.Env == "production" {
			d = DefaultShutdownDrain
		}
		cfg.HTTP.ShutdownDrain = &d
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
	if d := c.HTTP.ShutdownDrain; d != nil && *d < 0 {
		return bad("http.shutdown_drain", "HTTP_SHUTDOWN_DRAIN", "must not be negative")
	}
	if a := c.HTTP.MetricsAddr; a != "" {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return bad("http.metrics_addr", "HTTP_METRICS_ADDR", "must be host:port or empty (no metrics), got %q", a)
		}
		if _, port, _ := net.SplitHostPort(a); a == c.HTTP.Addr && port != "0" {
			return bad("http.metrics_addr", "HTTP_METRICS_ADDR", "must differ from http.addr: metrics are not served to the public")
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
	if c.MemoryLimitMB < 0 || c.MemoryLimitMB > 1<<20 {
		return bad("memory_limit_mb", "MEMORY_LIMIT_MB", "must be between 0 (off) and 1048576")
	}
	if c.Database.MaxOpenConns < 1 {
		return bad("database.max_open_conns", "DATABASE_MAX_OPEN_CONNS", "must be at least 1")
	}
	if c.Database.MaxIdleConns < 0 || c.Database.MaxIdleConns > c.Database.MaxOpenConns {
		return bad("database.max_idle_conns", "DATABASE_MAX_IDLE_CONNS", "must be between 0 and max_open_conns")
	}
	for i, raw := range c.Database.ReplicaURLs {
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" || strings.Trim(u.Path, "/") == "" {
			return bad(fmt.Sprintf("database.replica_urls[%d]", i), "DATABASE_REPLICA_URLS", "must be postgres://user@host:port/dbname, got %q", redact(raw))
		}
	}
	for name, d := range map[string]time.Duration{
		"database.replica_max_lag": c.Database.ReplicaMaxLag, "database.replica_check_interval": c.Database.ReplicaCheckInterval,
		"database.read_your_writes": c.Database.ReadYourWrites,
	} {
		if d <= 0 {
			return bad(name, strings.ToUpper(strings.ReplaceAll(name, ".", "_")), "must be a positive duration")
		}
	}
	if u, err := url.Parse(c.Redis.URL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return bad("redis.url", "REDIS_URL", "must be redis://host:port/db, got %q", redact(c.Redis.URL))
	}
	if st := c.Redis.Sentinel; st.MasterName == "" && len(st.Addrs) > 0 {
		return bad("redis.sentinel.master_name", "REDIS_SENTINEL_MASTER_NAME", "must be set when redis.sentinel.addrs is")
	} else if st.MasterName != "" && len(st.Addrs) == 0 {
		return bad("redis.sentinel.addrs", "REDIS_SENTINEL_ADDRS", "must list the sentinels as host:port when redis.sentinel.master_name is set")
	}
	for i, a := range c.Redis.Sentinel.Addrs {
		if host, port, err := net.SplitHostPort(a); err != nil || host == "" || port == "" {
			return bad(fmt.Sprintf("redis.sentinel.addrs[%d]", i), "REDIS_SENTINEL_ADDRS", "must be host:port, got %q", a)
		}
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
	if err := s.CheckKeys(c.Env); err != nil {
		return err
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
	if s.RegisterRatePerHour < 1 {
		return bad("security.register_rate_per_hour", "SECURITY_REGISTER_RATE_PER_HOUR", "must be at least 1")
	}
	if c.Storage.Dir == "" {
		return bad("storage.dir", "STORAGE_DIR", "must not be empty")
	}
	for _, w := range []struct {
		v        int
		key, env string
	}{{c.Warnings.RespondentMatters, "warnings.respondent_matters", "WARNINGS_RESPONDENT_MATTERS"},
		{c.Warnings.RespondentDays, "warnings.respondent_days", "WARNINGS_RESPONDENT_DAYS"},
		{c.Warnings.IndustryCases, "warnings.industry_cases", "WARNINGS_INDUSTRY_CASES"},
		{c.Warnings.IndustryDays, "warnings.industry_days", "WARNINGS_INDUSTRY_DAYS"}} {
		if w.v < 0 || w.v > 3650 {
			return bad(w.key, w.env, "must be between 0 (the default) and 3650")
		}
	}
	if w := c.Service.OpenWithin; w < time.Hour || w > 30*24*time.Hour {
		return bad("service.open_within", "SERVICE_OPEN_WITHIN", "must be a duration from 1h to 720h (30 days)")
	}
	if c.Storage.MaxUploadBytes < 1 {
		return bad("storage.max_upload_bytes", "STORAGE_MAX_UPLOAD_BYTES", "must be positive")
	}
	if c.Worker.Concurrency < 1 {
		return bad("worker.concurrency", "WORKER_CONCURRENCY", "must be at least 1")
	}
	if err := c.Reminders.validate(); err != nil {
		return err
	}
	if err := c.SMTP.validate(); err != nil {
		return err
	}
	if err := c.Party.validate(); err != nil {
		return err
	}
	return c.SMS.validate()
}

func (p Party) validate() error {
	switch {
	case p.LinkTTL < time.Hour || p.LinkTTL > 366*24*time.Hour:
		return bad("party.link_ttl", "PARTY_LINK_TTL", "must be between 1h and 8784h (366 days)")
	case p.CodeTTL < time.Minute || p.CodeTTL > time.Hour:
		return bad("party.code_ttl", "PARTY_CODE_TTL", "must be between 1m and 1h")
	case p.CodeAttempts < 1 || p.CodeAttempts > 10:
		return bad("party.code_attempts", "PARTY_CODE_ATTEMPTS", "must be between 1 and 10")
	case p.CodesPerHour < 1 || p.CodesPerHour > 20:
		return bad("party.codes_per_hour", "PARTY_CODES_PER_HOUR", "must be between 1 and 20")
	case p.SessionIdle < time.Minute || p.SessionIdle > 2*time.Hour:
		return bad("party.session_idle", "PARTY_SESSION_IDLE", "must be between 1m and 2h")
	}
	return nil
}

var (
	stagePattern = regexp.MustCompile(`^(before_[1-9][0-9]?(wd|d)|due_day)$`)
	clockPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

func (r Reminders) validate() error {
	seen := map[string]bool{}
	for _, st := range r.Stages {
		if !stagePattern.MatchString(st) {
			return bad("reminders.stages", "REMINDERS_STAGES", "%q is not a stage: use before_<N>wd (working days), before_<N>d (days) or due_day, N from 1 to 99", st)
		}
		if seen[st] {
			return bad("reminders.stages", "REMINDERS_STAGES", "%q is listed twice", st)
		}
		seen[st] = true
	}
	if !clockPattern.MatchString(r.SendTime) {
		return bad("reminders.send_time", "REMINDERS_SEND_TIME", "must be a time of day HH:MM, got %q", r.SendTime)
	}
	if r.EscalateAfter < 0 {
		return bad("reminders.escalate_after", "REMINDERS_ESCALATE_AFTER", "must not be negative")
	}
	if t, err := time.Parse("01-02", r.AnnualReportFrom); err != nil || t.Format("01-02") != r.AnnualReportFrom || t.Month() != time.December || t.Day() > 19 {
		return bad("reminders.annual_report_from", "REMINDERS_ANNUAL_REPORT_FROM", "must be a day MM-DD in December before the report is due on 12-20, got %q", r.AnnualReportFrom)
	}
	if len(r.AnnualReportOrgTypes) == 0 {
		return bad("reminders.annual_report_org_types", "REMINDERS_ANNUAL_REPORT_ORG_TYPES", "must name at least one type of organisation")
	}
	for _, t := range r.AnnualReportOrgTypes {
		if ot := domain.OrgType(t); !ot.Valid() || ot == domain.OrgEnterprise || ot == domain.OrgLeadershipOffice {
			return bad("reminders.annual_report_org_types", "REMINDERS_ANNUAL_REPORT_ORG_TYPES",
				"%q is not a type of organisation that reports to the leadership office", t)
		}
	}
	for name, d := range map[string]time.Duration{
		"reminders.relay_interval": r.RelayInterval, "reminders.sweep_interval": r.SweepInterval,
		"reminders.stale_after": r.StaleAfter, "reminders.retry_backoff": r.RetryBackoff,
	} {
		if d <= 0 {
			return bad(name, strings.ToUpper(strings.ReplaceAll(name, ".", "_")), "must be a positive duration")
		}
	}
	if r.RelayBatch < 1 || r.RelayBatch > 10000 {
		return bad("reminders.relay_batch", "REMINDERS_RELAY_BATCH", "must be between 1 and 10000")
	}
	if r.TaskBatch < 1 || r.TaskBatch > 1000 || r.TaskBatch > r.RelayBatch {
		return bad("reminders.task_batch", "REMINDERS_TASK_BATCH", "must be between 1 and 1000 and at most relay_batch")
	}
	if r.StaleAfter < 10*time.Second {
		return bad("reminders.stale_after", "REMINDERS_STALE_AFTER", "must be at least 10s, or tasks still running would be queued again")
	}
	if r.Lookahead < 0 || r.Lookahead >= r.StaleAfter {
		return bad("reminders.lookahead", "REMINDERS_LOOKAHEAD", "must be at least 0s and below stale_after, or queued reminders would be queued again before they are due")
	}
	if r.MaxRetry < 0 || r.MaxRetry > 50 {
		return bad("reminders.max_retry", "REMINDERS_MAX_RETRY", "must be between 0 and 50")
	}
	if r.RetryBackoffMax < r.RetryBackoff {
		return bad("reminders.retry_backoff_max", "REMINDERS_RETRY_BACKOFF_MAX", "must be at least retry_backoff")
	}
	return nil
}

func (s SMTP) validate() error {
	if s.Host == "" {
		return nil
	}
	if strings.ContainsAny(s.Host, ":/ ") {
		return bad("smtp.host", "SMTP_HOST", "must be a host name without port or scheme, got %q", s.Host)
	}
	if s.Port < 1 || s.Port > 65535 {
		return bad("smtp.port", "SMTP_PORT", "must be a port number, got %d", s.Port)
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return bad("smtp.from", "SMTP_FROM", "must be an address like \"ipmediate <noreply@example.gov.cn>\", got %q", s.From)
	}
	switch s.TLS {
	case "starttls", "tls", "none":
	default:
		return bad("smtp.tls", "SMTP_TLS", "must be starttls, tls or none, got %q", s.TLS)
	}
	if s.Timeout <= 0 {
		return bad("smtp.timeout", "SMTP_TIMEOUT", "must be a positive duration")
	}
	return nil
}

func (s SMS) validate() error {
	if s.GatewayURL == "" {
		return nil
	}
	if u, err := url.Parse(s.GatewayURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("sms.gateway_url", "SMS_GATEWAY_URL", "must be an http(s) URL, got %q", redact(s.GatewayURL))
	}
	if s.Token != "" && !headerPattern.MatchString(s.TokenHeader) {
		return bad("sms.token_header", "SMS_TOKEN_HEADER", "must be an HTTP header name, got %q", s.TokenHeader)
	}
	if s.Timeout <= 0 {
		return bad("sms.timeout", "SMS_TIMEOUT", "must be a positive duration")
	}
	return nil
}

var headerPattern = regexp.MustCompile(`^[A-Za-z0-9-]+$`)

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
