package cases_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/benchseed"
	"github.com/ipmediate/ipmediate/internal/config"
)

// The case list target of docs/design.md §13: "a case list page over 1,000,000
// cases answers within 2x of the same raw SQL". BenchmarkListMillion runs
// each list scenario of internal/benchseed twice: service/<name> through
// cases.Service.List, raw_sql/<name> the very statements List issued
// (captured from GORM) through pgx. Compare the two ns/op.
//
// The cases live in a persistent database ipm_bench_<n> on the test server
// (IPM_TEST_POSTGRES_URL), n from IPM_BENCH_CASES (default 20000, so that
// `go test -bench` stays quick; `make bench` sets 1000000). It is seeded
// once, with COPY, and reused by later runs; drop it to start over.

const millionCasesEnv = "IPM_BENCH_CASES"

type millionEnv struct {
	app       *app.App
	conn      *pgx.Conn
	n         int
	scenarios []benchseed.Scenario
	stmts     map[string][]benchseed.Statement
	rows      map[string]int
}

var (
	millionOnce sync.Once
	million     *millionEnv
	millionErr  error
)

func millionCases() (int, error) {
	v := os.Getenv(millionCasesEnv)
	if v == "" {
		return 20_000, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1000 {
		return 0, fmt.Errorf("%s=%q: want a number of cases, at least 1000", millionCasesEnv, v)
	}
	return n, nil
}

func millionDatabaseURL(n int) (string, error) {
	raw := os.Getenv("IPM_TEST_POSTGRES_URL")
	if raw == "" {
		raw = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("IPM_TEST_POSTGRES_URL: %w", err)
	}
	u.Path = fmt.Sprintf("/ipm_bench_%d", n)
	return u.String(), nil
}

// setupMillion opens (creating, migrating, seeding as needed) the bench
// database and prepares the scenarios, once per test binary. The app stays
// open until the process ends: benchmarks may run more than once (-count).
func setupMillion(b *testing.B) *millionEnv {
	b.Helper()
	millionOnce.Do(func() { million, millionErr = newMillionEnv(b) })
	if millionErr != nil {
		b.Fatalf("bench database: %v", millionErr)
	}
	return million
}

func newMillionEnv(b *testing.B) (*millionEnv, error) {
	ctx := context.Background()
	n, err := millionCases()
	if err != nil {
		return nil, err
	}
	dbURL, err := millionDatabaseURL(n)
	if err != nil {
		return nil, err
	}
	files, err := os.MkdirTemp("", "ipm-bench-files-")
	if err != nil {
		return nil, err
	}
	cfg := config.Default()
	cfg.Database.URL = dbURL
	cfg.Storage.Dir = files
	// Demo: the organisations and users (idempotent), then the cases.
	a, err := app.New(ctx, cfg, app.Options{Demo: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, fmt.Errorf("start app on %s: %w", config.Redacted(dbURL), err)
	}
	sqlDB, err := a.DB.DB()
	if err != nil {
		return nil, err
	}
	have, err := benchseed.Count(ctx, sqlDB)
	if err != nil {
		return nil, err
	}
	if have < n {
		b.Logf("seeding %d cases into %s (once; later runs reuse them)", n-have, config.Redacted(dbURL))
		start := time.Now()
		if err := benchseed.Seed(ctx, sqlDB, n-have, func(done int) {
			b.Logf("  %d/%d cases, %s", done, n-have, time.Since(start).Round(time.Second))
		}); err != nil {
			return nil, err
		}
	}
	if err := benchseed.InstallCapture(a.DB); err != nil {
		return nil, err
	}
	probes, err := benchseed.PickProbes(ctx, a.DB, "gulou")
	if err != nil {
		return nil, err
	}
	scenarios, err := benchseed.Scenarios(ctx, a, probes, benchseed.ScenarioOptions{Org: "gulou", Depth: 1000})
	if err != nil {
		return nil, err
	}
	env := &millionEnv{app: a, n: n, scenarios: scenarios, stmts: map[string][]benchseed.Statement{}, rows: map[string]int{}}
	for _, s := range scenarios {
		st, rows, err := benchseed.CaptureScenario(ctx, a.Cases, s)
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
		}
		env.stmts[s.Name], env.rows[s.Name] = st, rows
	}
	if env.conn, err = pgx.Connect(ctx, dbURL); err != nil {
		return nil, err
	}
	return env, nil
}

func BenchmarkListMillion(b *testing.B) {
	env := setupMillion(b)
	b.Logf("%d cases in ipm_bench_%d", env.n, env.n)
	for _, s := range env.scenarios {
		b.Run("service/"+s.Name, func(b *testing.B) {
			ctx := s.Context(context.Background())
			for b.Loop() {
				items, _, err := env.app.Cases.List(ctx, s.Filter)
				if err != nil {
					b.Fatal(err)
				}
				if len(items) != env.rows[s.Name] {
					b.Fatalf("%s: %d items, %d when captured", s.Name, len(items), env.rows[s.Name])
				}
			}
		})
		b.Run("raw_sql/"+s.Name, func(b *testing.B) {
			ctx := context.Background()
			stmts := env.stmts[s.Name]
			for b.Loop() {
				if _, err := benchseed.RunRaw(ctx, env.conn, stmts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
