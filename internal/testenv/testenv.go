// Package testenv gives each test its own clean PostgreSQL database and its
// own Redis database, on the real servers (never mocks). A database is a
// cheap copy of a migrated template, built once per migration set. A
// missing server fails the test with the command that starts it; nothing
// is ever skipped silently.
package testenv

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/database"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/migrations"
)

// Instant is the moment a test runs at unless it chooses its own: a
// working Tuesday morning in Beijing, away from the December window of the
// annual work report, the Spring Festival and the end of a year. No test
// reads the wall clock for a business decision: apps, workers and
// services in tests run on a clock started at Instant (Clock), or at an
// instant the test picks to probe a boundary.
var Instant = time.Date(2026, time.March, 10, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// Clock returns a clock that starts at Instant and runs at the pace of
// real time (so that workers' polling and timeouts behave as in life).
func Clock() *clock.Clock { return clock.At(Instant) }

// Environment variables that point the tests at other servers.
const (
	envPostgres = "IPM_TEST_POSTGRES_URL" // default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
	envRedis    = "IPM_TEST_REDIS_URL"    // default redis://127.0.0.1:6379/0
)

const (
	startPostgres = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
	startRedis    = `redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no`
)

func adminURL() string {
	if v := os.Getenv(envPostgres); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

func redisAdminURL() string {
	if v := os.Getenv(envRedis); v != "" {
		return v
	}
	return "redis://127.0.0.1:6379/0"
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// migrationsHash names the template after the migration files' content, so
// a changed migration gets a new template and no test runs on a stale one.
func migrationsHash() (string, error) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(migrations.FS, n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// templateLockKey serialises template building across concurrently
// running test binaries (go test runs packages in parallel).
const templateLockKey int64 = 0x69706d7465737431

func buildTemplate() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	hash, err := migrationsHash()
	if err != nil {
		return "", err
	}
	name := "ipm_tmpl_" + hash
	conn, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		return "", fmt.Errorf("PostgreSQL is not reachable at %s (%v).\nStart it with: %s\nor point %s at a server", redactURL(adminURL()), err, startPostgres, envPostgres)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLockKey); err != nil {
		return "", err
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", templateLockKey) //nolint:errcheck
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname=$1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	// Build under a temporary name and rename when complete, so a crash
	// mid-build never leaves a half-migrated template behind.
	building := name + "_building"
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{building}.Sanitize()+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{building}.Sanitize()); err != nil {
		return "", fmt.Errorf("create template database: %w", err)
	}
	dbURL := withDatabase(adminURL(), building)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := database.Open(ctx, config.Database{URL: dbURL, MaxOpenConns: 2, MaxIdleConns: 1, ConnMaxLifetime: time.Minute}, log)
	if err != nil {
		return "", err
	}
	sqlDB, _ := db.DB()
	merr := database.Migrate(ctx, sqlDB, log)
	_ = sqlDB.Close()
	if merr != nil {
		return "", fmt.Errorf("migrate template: %w", merr)
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{building}.Sanitize()+" RENAME TO "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("finish template: %w", err)
	}
	return name, nil
}

// DatabaseURL creates a fresh, migrated database for t, drops it when t
// ends, and returns its URL.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	templateOnce.Do(func() { templateName, templateErr = buildTemplate() })
	if templateErr != nil {
		t.Fatalf("test database: %v", templateErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		t.Fatalf("PostgreSQL is not reachable at %s (%v).\nStart it with: %s", redactURL(adminURL()), err, startPostgres)
	}
	defer conn.Close(context.Background())
	name := "ipm_test_" + randomHex(8)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{templateName}.Sanitize()); err != nil {
		t.Fatalf("clone test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, adminURL())
		if err != nil {
			t.Errorf("drop test database %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	return withDatabase(adminURL(), name)
}

// DB opens a fresh database for t through GORM, closed when t ends.
func DB(t testing.TB) *gorm.DB {
	t.Helper()
	u := DatabaseURL(t)
	db, err := database.Open(context.Background(), config.Database{URL: u, MaxOpenConns: 10, MaxIdleConns: 5, ConnMaxLifetime: time.Minute}, Logger(t))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	return db
}

// Redis database numbers 1..15 are leased to tests; 0 holds the leases.
const redisLeasePrefix = "ipm:test:redisdb:"

// RedisURL leases a Redis database (1..15) to t, empties it, and returns
// its URL. The lease is released, and the database emptied, when t ends.
// When every database is leased it waits, up to two minutes.
func RedisURL(t testing.TB) string {
	t.Helper()
	opts, err := redis.ParseURL(redisAdminURL())
	if err != nil {
		t.Fatalf("%s: %v", envRedis, err)
	}
	opts.DB = 0
	admin := redis.NewClient(opts)
	defer admin.Close()
	ctx := context.Background()
	if err := admin.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis is not reachable at %s (%v).\nStart it with: %s\nor point %s at a server", opts.Addr, err, startRedis, envRedis)
	}
	token := randomHex(8)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		for n := 1; n <= 15; n++ {
			ok, err := admin.SetNX(ctx, fmt.Sprintf("%s%d", redisLeasePrefix, n), token, 15*time.Minute).Result()
			if err != nil {
				t.Fatalf("lease redis db: %v", err)
			}
			if !ok {
				continue
			}
			dbOpts := *opts
			dbOpts.DB = n
			c := redis.NewClient(&dbOpts)
			if err := c.FlushDB(ctx).Err(); err != nil {
				t.Fatalf("flush redis db %d: %v", n, err)
			}
			_ = c.Close()
			t.Cleanup(func() {
				c := redis.NewClient(&dbOpts)
				_ = c.FlushDB(context.Background()).Err()
				_ = c.Close()
				a := redis.NewClient(opts)
				_ = a.Del(context.Background(), fmt.Sprintf("%s%d", redisLeasePrefix, n)).Err()
				_ = a.Close()
			})
			u, _ := url.Parse(redisAdminURL())
			u.Path = fmt.Sprintf("/%d", n)
			return u.String()
		}
		if time.Now().After(deadline) {
			t.Fatalf("no free Redis test database (1..15) after two minutes; stale leases expire after 15 minutes (keys %s*)", redisLeasePrefix)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Config returns the default configuration pointed at a fresh database and
// Redis database, listening on a free local port.
func Config(t testing.TB) config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.Database.URL = DatabaseURL(t)
	cfg.Database.MaxOpenConns = 10
	cfg.Database.MaxIdleConns = 5
	cfg.Redis.URL = RedisURL(t)
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.HTTP.BaseURL = "http://127.0.0.1"
	cfg.Log.Level = "debug"
	cfg.Storage.Dir = t.TempDir()
	return cfg
}

// UnusedAddr returns a local host:port where nothing listens, to test what
// happens when a dependency is down.
func UnusedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// Logger returns a logger that writes through t.Log, so a failing test
// shows what the system logged.
// Lines logged by goroutines that outlive the test are dropped rather than
// crash the test binary.
func Logger(t testing.TB) *slog.Logger {
	w := &tWriter{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *tWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + name
	return u.String()
}

func redactURL(raw string) string { return config.Redacted(raw) }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// WantCode fails the test unless err carries the domain error code want,
// and returns the *domain.Error (nil when want is "" and err is nil).
func WantCode(t testing.TB, err error, want string) *domain.Error {
	t.Helper()
	if got := domain.ErrorCode(err); got != want {
		t.Fatalf("error code = %q, want %q (err: %v)", got, want, err)
	}
	var de *domain.Error
	errors.As(err, &de)
	return de
}
