package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/benchseed"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/database"
	"github.com/ipmediate/ipmediate/internal/domain"
)

func newBenchCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the performance targets (case list over a million cases, intake against pgbench, statistics)",
		Long: `Measure the non-functional targets of docs/design.md §13 on the configured database:

  bench seed     bulk-load synthetic cases (1,000,000 by default) with COPY
  bench list     time the case lists through the service against the same
                 SQL run raw ("within 2x of the same raw SQL")
  bench intake   time case intake through the service against pgbench's
                 TPC-B-like rate ("at least half of pgbench")
  bench stats    time the statistics of a year (/stats) and its xlsx
                 export through the web server (300 ms p95, 5 s)
  bench history  fill the case timeline and the audit log to millions of
                 rows and time what reads and writes them (partitioning)

Point IPM_DATABASE_URL at a database of its own, e.g.
postgres://postgres@127.0.0.1:5432/ipm_bench?sslmode=disable: seed writes
the demo users and a million synthetic cases, intake adds more. Every
subcommand is refused when env is production. See docs/benchmarks.md.`,
	}
	cmd.AddCommand(newBenchSeedCmd(g), newBenchListCmd(g), newBenchIntakeCmd(g), newBenchStatsCmd(g), newBenchHistoryCmd(g))
	return cmd
}

// benchApp starts the application for a bench subcommand, logging warnings
// only (the measurements go to stdout, progress to stderr).
func benchApp(ctx context.Context, g *globalFlags, demo bool, level string) (*app.App, error) {
	cfg, err := loadConfig(g)
	if err != nil {
		return nil, err
	}
	if cfg.Env == "production" {
		return nil, errors.New("bench is refused when env is production: it writes demo users and synthetic cases")
	}
	cfg.Log.Format, cfg.Log.Level = "text", level
	return app.New(ctx, cfg, app.Options{Demo: demo, Logger: app.NewLogger(cfg.Log, os.Stderr)})
}

func newBenchSeedCmd(g *globalFlags) *cobra.Command {
	var n int
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Load the demo users and N synthetic cases (skipped when the database already has N)",
		Long: `Create and migrate the configured database if needed, write the demo
organisations and users (as seed does), then bulk-load synthetic cases with
PostgreSQL COPY until the database holds at least --cases of them: two
parties and one IP right per case, mediator assignments for every case that
reached mediation, statuses by age, filing dates over the last three
years, gapless numbers per committee and year (case_counters kept in step).
Progress goes to stderr every 50,000 cases. Running it again with the same
--cases does nothing; a larger --cases adds the difference.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n < 1 {
				return fmt.Errorf("--cases must be at least 1, got %d", n)
			}
			ctx := cmd.Context()
			a, err := benchApp(ctx, g, true, "warn")
			if err != nil {
				return err
			}
			defer a.Close()
			sqlDB, err := a.DB.DB()
			if err != nil {
				return err
			}
			have, err := benchseed.Count(ctx, sqlDB)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if have >= n {
				fmt.Fprintf(out, "the database already holds %d cases (>= %d): nothing to seed\n", have, n)
				return nil
			}
			todo := n - have
			fmt.Fprintf(cmd.ErrOrStderr(), "seeding %d cases (the database holds %d)\n", todo, have)
			start := time.Now()
			err = benchseed.Seed(ctx, sqlDB, todo, func(done int) {
				el := time.Since(start)
				fmt.Fprintf(cmd.ErrOrStderr(), "  %7d/%d cases  %6.1fs  %6.0f cases/s\n", done, todo, el.Seconds(), float64(done)/el.Seconds())
				if done == todo {
					fmt.Fprintln(cmd.ErrOrStderr(), "  vacuum analyze …")
				}
			})
			if err != nil {
				return err
			}
			el := time.Since(start)
			fmt.Fprintf(out, "seeded %d cases in %s (%.0f cases/s, vacuum analyze included); the database holds %d\n",
				todo, el.Round(time.Second), float64(todo)/el.Seconds(), have+todo)
			return nil
		},
	}
	cmd.Flags().IntVar(&n, "cases", 1_000_000, "number of cases the database should hold")
	return cmd
}

func newBenchListCmd(g *globalFlags) *cobra.Command {
	var (
		org        string
		depth      int
		runs       int
		warmup     int
		explainAll bool
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Time the case lists through the service against the same SQL run raw",
		Long: `Time cases.Service.List for the demo users of one committee (the queue's
first page and a page --depth deep reached by following cursors, a
mediator's own cases, filters, searches by case number prefix, party name
and IP right number) and for the other scopes (leader, city director, SME,
court liaison). The statements List issues are captured from GORM and run
again with pgx on a connection of their own, reading every row: the "raw
SQL" column. Service and raw runs alternate. A query whose service p50 is
over 2x its raw p50, or over 50 ms, is flagged and its EXPLAIN (ANALYZE,
BUFFERS) printed (--explain prints every plan).

Run bench seed first.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runs < 1 {
				return fmt.Errorf("--runs must be at least 1, got %d", runs)
			}
			ctx := cmd.Context()
			a, err := benchApp(ctx, g, false, "error")
			if err != nil {
				return err
			}
			defer a.Close()
			if err := benchseed.InstallCapture(a.DB); err != nil {
				return err
			}
			sqlDB, err := a.DB.DB()
			if err != nil {
				return err
			}
			total, err := benchseed.Count(ctx, sqlDB)
			if err != nil {
				return err
			}
			probes, err := benchseed.PickProbes(ctx, a.DB, org)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "preparing the scenarios (walking %d pages for the deep cursor) …\n", depth)
			scenarios, err := benchseed.Scenarios(ctx, a, probes, benchseed.ScenarioOptions{Org: org, Depth: depth})
			if err != nil {
				return err
			}
			conn, err := pgx.Connect(ctx, a.Config.Database.URL)
			if err != nil {
				return err
			}
			defer conn.Close(context.WithoutCancel(ctx))

			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "case list over %d cases (committee %s; %d runs each after %d warm-up; times in ms)\n\n",
				total, org, runs, warmup)
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "query\tscenario\trows\tservice p50\tp95\traw SQL p50\tp95\tratio\t\t")
			var flagged []benchResult
			for _, s := range scenarios {
				r, err := measureList(ctx, a, conn, s, runs, warmup)
				if err != nil {
					return fmt.Errorf("%s: %w", s.Name, err)
				}
				mark := ""
				if r.slow() {
					mark = "!"
					flagged = append(flagged, r)
				} else if explainAll {
					flagged = append(flagged, r)
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%.2f\t%s\t\n", s.Name, s.Label, r.rows,
					ms(r.svcP50), ms(r.svcP95), ms(r.rawP50), ms(r.rawP95), r.ratio(), mark)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(out, "\nratio = service p50 / raw SQL p50; ! = over 2x the raw SQL or over 50 ms")
			for _, r := range flagged {
				fmt.Fprintf(out, "\n== %s (%s): %d statement(s)\n", r.s.Name, r.s.Label, len(r.stmts))
				for i, st := range r.stmts {
					plan, err := benchseed.Explain(ctx, conn, st)
					if err != nil {
						return fmt.Errorf("explain %s: %w", r.s.Name, err)
					}
					fmt.Fprintf(out, "-- statement %d\n%s\n%s\n", i+1, benchseed.Inline(st), plan)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&org, "org", "gulou", "committee whose director, mediator and cases are measured")
	cmd.Flags().IntVar(&depth, "depth", 1000, "page number of the deep-page scenario (reached by following cursors)")
	cmd.Flags().IntVar(&runs, "runs", 30, "timed runs per query and side")
	cmd.Flags().IntVar(&warmup, "warmup", 3, "untimed runs per query and side before timing")
	cmd.Flags().BoolVar(&explainAll, "explain", false, "print EXPLAIN (ANALYZE, BUFFERS) of every query, not only the flagged ones")
	return cmd
}

type benchResult struct {
	s                              benchseed.Scenario
	stmts                          []benchseed.Statement
	rows                           int
	svcP50, svcP95, rawP50, rawP95 time.Duration
}

func (r benchResult) ratio() float64 {
	if r.rawP50 <= 0 {
		return math.Inf(1)
	}
	return float64(r.svcP50) / float64(r.rawP50)
}

func (r benchResult) slow() bool { return r.ratio() > 2 || r.svcP50 > 50*time.Millisecond }

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64)
}

// measureList times s through the service and its captured statements raw,
// alternating the two.
func measureList(ctx context.Context, a *app.App, conn *pgx.Conn, s benchseed.Scenario, runs, warmup int) (benchResult, error) {
	stmts, rows, err := benchseed.CaptureScenario(ctx, a.Cases, s)
	if err != nil && !errors.Is(err, benchseed.ErrEmpty) {
		return benchResult{}, err
	}
	res := benchResult{s: s, stmts: stmts, rows: rows}
	sctx := s.Context(ctx)
	var svc, raw []time.Duration
	for i := 0; i < warmup+runs; i++ {
		t0 := time.Now()
		if _, _, err := a.Cases.List(sctx, s.Filter); err != nil {
			return res, err
		}
		t1 := time.Now()
		if _, err := benchseed.RunRaw(ctx, conn, stmts); err != nil {
			return res, fmt.Errorf("raw SQL: %w", err)
		}
		t2 := time.Now()
		if i >= warmup {
			svc, raw = append(svc, t1.Sub(t0)), append(raw, t2.Sub(t1))
		}
	}
	res.svcP50, res.svcP95 = benchseed.Percentile(svc, 50), benchseed.Percentile(svc, 95)
	res.rawP50, res.rawP95 = benchseed.Percentile(raw, 50), benchseed.Percentile(raw, 95)
	return res, nil
}

// intakeTarget is the least ratio of intakes to pgbench tpcb-like
// transactions per second that docs/benchmarks.md sets.
const intakeTarget = 0.6

func newBenchIntakeCmd(g *globalFlags) *cobra.Command {
	var (
		duration    time.Duration
		clients     int
		orgCodes    []string
		pgbenchDB   string
		scale       int
		skipPgbench bool
	)
	cmd := &cobra.Command{
		Use:   "intake",
		Short: "Time case intake through the service against pgbench's TPC-B-like rate",
		Long: `Run --clients concurrent clerks filing valid cases through
cases.Service.Submit for --duration (a full intake: validation, PII
encryption, the repeat-infringer check, the gapless number, parties, right,
timeline event, notices and audit row in one transaction, in two
statements), then run
"pgbench -b tpcb-like" with the same clients and duration on a scratch
database (--pgbench-db, initialised with "pgbench -i -s --pgbench-scale"
when it is not yet), and print both rates and their ratio (target: at least
0.6).

Client i files with committee i of --orgs (round robin). Intakes of one
committee are serialised by design (the case counter row and the audit
chain head are locked until commit), so by default each client gets a
committee of its own; --orgs gulou measures one busy committee.

pgbench is looked up on PATH and in /usr/lib/postgresql/*/bin; without it
the comparison is skipped with a message. Run bench seed first (the demo
clerks must exist).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if clients < 1 || duration < time.Second {
				return errors.New("--clients must be at least 1 and --duration at least 1s")
			}
			ctx := cmd.Context()
			a, err := benchApp(ctx, g, false, "error")
			if err != nil {
				return err
			}
			defer a.Close()
			out, errw := cmd.OutOrStdout(), cmd.ErrOrStderr()

			fmt.Fprintf(errw, "intake through the service: %d clients for %s …\n", clients, duration)
			ir, err := runIntake(ctx, a, orgCodes, clients, duration)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "intake (cases.Service.Submit): %d clients, %s: %d cases, %.1f TPS (latency p50 %s ms, p95 %s ms), %d errors\n",
				clients, ir.elapsed.Round(time.Millisecond), ir.ok, ir.tps(), ms(ir.p50), ms(ir.p95), ir.errors)
			if ir.firstErr != nil {
				fmt.Fprintf(out, "  first error: %v\n", ir.firstErr)
			}
			if skipPgbench {
				return nil
			}
			bin := findPgbench()
			if bin == "" {
				fmt.Fprintln(out, "pgbench: not found on PATH nor in /usr/lib/postgresql/*/bin (install postgresql-client or postgresql-contrib): comparison skipped")
				return nil
			}
			tps, err := runPgbench(ctx, errw, bin, a.Config.Database.URL, pgbenchDB, scale, clients, duration)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "pgbench -b tpcb-like (scale %d): %d clients, %ds: %.1f TPS\n", scale, clients, seconds(duration), tps)
			ratio := ir.tps() / tps
			verdict := "meets"
			if ratio < intakeTarget {
				verdict = "MISSES"
			}
			fmt.Fprintf(out, "ratio intake/pgbench = %.2f (%s the target of at least %.2f)\n", ratio, verdict, intakeTarget)
			return nil
		},
	}
	cmd.Flags().DurationVar(&duration, "duration", 20*time.Second, "how long each side runs")
	cmd.Flags().IntVar(&clients, "clients", 4, "concurrent clients on each side")
	cmd.Flags().StringSliceVar(&orgCodes, "orgs", []string{"gulou", "cangshan", "jinan", "mawei", "changle", "fuqing", "minhou", "city", "fz-software-mediation"},
		"committees the clients file with, client i with the i-th (round robin); their clerks file")
	cmd.Flags().StringVar(&pgbenchDB, "pgbench-db", "ipm_pgbench", "scratch database for pgbench on the same server (created if missing)")
	cmd.Flags().IntVar(&scale, "pgbench-scale", 10, "pgbench scale factor (-s) of the scratch database")
	cmd.Flags().BoolVar(&skipPgbench, "skip-pgbench", false, "measure intake only")
	return cmd
}

type intakeResult struct {
	ok, errors int
	firstErr   error
	elapsed    time.Duration
	p50, p95   time.Duration
}

func (r intakeResult) tps() float64 { return float64(r.ok) / r.elapsed.Seconds() }

func runIntake(ctx context.Context, a *app.App, orgCodes []string, clients int, d time.Duration) (intakeResult, error) {
	if len(orgCodes) == 0 {
		return intakeResult{}, errors.New("--orgs is empty")
	}
	type client struct {
		ctx context.Context
		org int64
	}
	cs := make([]client, clients)
	for i := range cs {
		code := orgCodes[i%len(orgCodes)]
		var org int64
		if err := a.DB.WithContext(ctx).Raw("SELECT id FROM orgs WHERE code = ?", code).Scan(&org).Error; err != nil || org == 0 {
			return intakeResult{}, fmt.Errorf("committee %s not found (%v): run bench seed first", code, err)
		}
		actor, err := benchseed.Actor(ctx, a, "clerk."+code)
		if err != nil {
			return intakeResult{}, err
		}
		cs[i] = client{ctx: domain.WithActor(ctx, actor), org: org}
	}
	// Warm up: a few intakes per client (pool connections, prepared
	// statements, the casbin cache).
	for i, c := range cs {
		r := benchseed.NewRand(uint64(i))
		for j := 0; j < 3; j++ {
			if _, err := a.Cases.Submit(c.ctx, benchseed.IntakeInput(r, c.org)); err != nil {
				return intakeResult{}, fmt.Errorf("warm-up intake: %w", err)
			}
		}
	}
	var (
		mu  sync.Mutex
		res intakeResult
		lat []time.Duration
		wg  sync.WaitGroup
	)
	start := time.Now()
	end := start.Add(d)
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := benchseed.NewRand(uint64(time.Now().UnixNano()) + uint64(i))
			var mine []time.Duration
			ok, bad := 0, 0
			var first error
			for time.Now().Before(end) && ctx.Err() == nil {
				in := benchseed.IntakeInput(r, c.org)
				t0 := time.Now()
				_, err := a.Cases.Submit(c.ctx, in)
				if err != nil {
					bad++
					if first == nil {
						first = err
					}
					continue
				}
				mine = append(mine, time.Since(t0))
				ok++
			}
			mu.Lock()
			res.ok += ok
			res.errors += bad
			if res.firstErr == nil {
				res.firstErr = first
			}
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.p50, res.p95 = benchseed.Percentile(lat, 50), benchseed.Percentile(lat, 95)
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

// findPgbench returns the pgbench binary, or "".
func findPgbench() string {
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench")
	sort.Strings(matches)
	if len(matches) > 0 {
		return matches[len(matches)-1]
	}
	return ""
}

func seconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

var tpsLine = regexp.MustCompile(`(?m)^tps = ([0-9.]+) \(without initial connection time\)`)

// runPgbench initialises the scratch database if needed and runs the
// TPC-B-like script, returning its rate.
func runPgbench(ctx context.Context, log io.Writer, bin, appURL, dbName string, scale, clients int, d time.Duration) (float64, error) {
	u, err := url.Parse(appURL)
	if err != nil {
		return 0, fmt.Errorf("database url: %w", err)
	}
	u.Path = "/" + dbName
	pgURL := u.String()
	if _, err := database.EnsureDatabase(ctx, pgURL); err != nil {
		return 0, err
	}
	initialised := false
	if conn, err := pgx.Connect(ctx, pgURL); err == nil {
		var n int
		if conn.QueryRow(ctx, "SELECT count(*) FROM pgbench_branches").Scan(&n) == nil && n == scale {
			initialised = true
		}
		_ = conn.Close(ctx)
	}
	if !initialised {
		fmt.Fprintf(log, "pgbench: initialising %s with scale %d …\n", dbName, scale)
		c := exec.CommandContext(ctx, bin, "-i", "-q", "-s", strconv.Itoa(scale), pgURL)
		if outb, err := c.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("pgbench -i: %w\n%s", err, outb)
		}
	}
	fmt.Fprintf(log, "pgbench -b tpcb-like: %d clients for %ds on %s …\n", clients, seconds(d), config.Redacted(pgURL))
	c := exec.CommandContext(ctx, bin, "-b", "tpcb-like", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(clients),
		"-T", strconv.Itoa(seconds(d)), pgURL)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return 0, fmt.Errorf("pgbench: %w\n%s%s", err, stdout.String(), stderr.String())
	}
	m := tpsLine.FindStringSubmatch(stdout.String())
	if m == nil {
		return 0, fmt.Errorf("pgbench: no tps line in its output:\n%s", stdout.String())
	}
	sc := bufio.NewScanner(strings.NewReader(stdout.String()))
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "latency average") || strings.HasPrefix(l, "number of transactions actually processed") {
			fmt.Fprintln(log, "  pgbench:", l)
		}
	}
	return strconv.ParseFloat(m[1], 64)
}
