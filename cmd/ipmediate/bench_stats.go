package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/benchseed"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/seed"
	"github.com/ipmediate/ipmediate/internal/stats"
)

// The statistics targets (docs/design.md §13, docs/benchmarks.md): a year
// view of /stats at 300 ms p95, its xlsx export within 5 s.
const (
	statsPageTarget = 300 * time.Millisecond
	statsXLSXTarget = 5 * time.Second
)

func newBenchStatsCmd(g *globalFlags) *cobra.Command {
	var (
		year     int
		users    []string
		runs     int
		warmup   int
		password string
		explain  bool
	)
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Time the statistics of a year (/stats) and its xlsx export through the web server",
		Long: `Start the application's web server (built as serve builds it) on a
loopback port, sign the --users in through the login form, and time for
each of them, over the calendar year --year (default: the latest full year
of the seeded filing dates):

  service   the calls the page makes: stats.Service.Report and
            referral.Service.Stats for the year
  page      GET /stats?year=Y, the HTML page read to its last byte
  xlsx      GET /stats.xlsx?year=Y, the workbook read to its last byte

Each is run --warmup times untimed, then --runs times, the three
alternating. Reported: runs, p50, p95 and max in ms, and the bytes of a
response. A page whose p95 is over 300 ms, or an xlsx over 5 s, is flagged
"!" and the EXPLAIN (ANALYZE, BUFFERS) of the statistics' statements for
that user printed (--explain prints them for every user). The host's load
average is printed before and after: the figures vary with it.

Run bench seed first (the demo users and the cases must exist).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runs < 1 || warmup < 0 {
				return fmt.Errorf("--runs must be at least 1 and --warmup at least 0, got %d and %d", runs, warmup)
			}
			if len(users) == 0 {
				return errors.New("--users is empty")
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
			out, errw := cmd.OutOrStdout(), cmd.ErrOrStderr()
			sqlDB, err := a.DB.DB()
			if err != nil {
				return err
			}
			total, err := benchseed.Count(ctx, sqlDB)
			if err != nil {
				return err
			}
			if year == 0 {
				if year, err = benchseed.LatestFullYear(ctx, a.DB); err != nil {
					return err
				}
			}
			var decided bool
			if err := a.DB.WithContext(ctx).Raw("SELECT EXISTS (SELECT 1 FROM cases WHERE outcome_at IS NOT NULL)").Scan(&decided).Error; err != nil {
				return err
			}
			if !decided {
				fmt.Fprintln(errw, "warning: no case has an outcome time (a database seeded before bench seed wrote outcome_at):"+
					" the settled and failed figures and the durations are empty, so the timings are too low; drop the database and seed again")
			}

			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			hs := a.Web.NewHTTPServer()
			served := make(chan error, 1)
			go func() { served <- hs.Serve(ln) }()
			defer func() {
				sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				defer cancel()
				_ = hs.Shutdown(sctx)
				<-served
			}()
			base := "http://" + ln.Addr().String()

			loadBefore := benchseed.LoadAverage()
			fmt.Fprintf(out, "statistics of %d over %d cases (%d runs each after %d warm-up; times in ms)\nload average before: %s\n\n",
				year, total, runs, warmup, loadBefore)
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "user\tcommittees\tmeasure\truns\tp50\tp95\tmax\tbytes\ttarget\t\t")
			var flagged []statsUser
			for _, name := range users {
				fmt.Fprintf(errw, "%s: signing in, %d+%d runs …\n", name, warmup, runs)
				u, err := prepareStatsUser(ctx, a, base, name, password, year)
				if err != nil {
					return err
				}
				res, err := measureStats(ctx, a, u, runs, warmup)
				if err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
				missed := false
				for _, m := range res {
					mark := ""
					if m.target > 0 && m.p95 > m.target {
						mark, missed = "!", true
					}
					target := "—"
					if m.target > 0 {
						target = "p95 ≤ " + m.target.String()
					}
					fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", name, u.committees, m.name, len(m.times),
						ms(m.p50), ms(m.p95), ms(m.max), bytesText(m.bytes), target, mark)
				}
				if missed || explain {
					flagged = append(flagged, u)
				}
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(out, "\nload average after: %s\n", benchseed.LoadAverage())
			fmt.Fprintln(out, "service = stats Report + referral Stats as the handler calls them; page = GET /stats?year=Y;")
			fmt.Fprintln(out, "xlsx = GET /stats.xlsx?year=Y (both read to the last byte); ! = p95 over the target")
			return explainStats(ctx, out, a, flagged)
		},
	}
	cmd.Flags().IntVar(&year, "year", 0, "calendar year to read (default: the latest full year of the seeded filing dates)")
	cmd.Flags().StringSliceVar(&users, "users", []string{"leader", "director.city", "director.gulou"},
		"demo users to sign in as: the leadership office (every committee), the city director (city and supervised counties), a county director")
	cmd.Flags().IntVar(&runs, "runs", 30, "timed runs per measure and user")
	cmd.Flags().IntVar(&warmup, "warmup", 3, "untimed runs per measure and user before timing")
	cmd.Flags().StringVar(&password, "password", seed.DemoPassword, "the users' password")
	cmd.Flags().BoolVar(&explain, "explain", false, "print EXPLAIN (ANALYZE, BUFFERS) of the statistics' statements for every user, not only the flagged ones")
	return cmd
}

// statsUser is one signed-in user of the statistics benchmark.
type statsUser struct {
	name       string
	ctx        context.Context // acting as the user, for the service calls
	client     *http.Client    // carrying the user's web session
	base       string
	year       int
	committees int
}

func prepareStatsUser(ctx context.Context, a *app.App, base, name, password string, year int) (statsUser, error) {
	actor, err := benchseed.Actor(ctx, a, name)
	if err != nil {
		return statsUser{}, err
	}
	c, err := benchseed.WebLogin(ctx, base, name, password)
	if err != nil {
		return statsUser{}, err
	}
	u := statsUser{name: name, ctx: domain.WithActor(ctx, actor), client: c, base: base, year: year}
	r, ok, err := a.Stats.Report(u.ctx, stats.Year(year))
	if err != nil {
		return u, err
	}
	if !ok {
		return u, fmt.Errorf("%s reads no statistics", name)
	}
	u.committees = len(r.Committees)
	return u, nil
}

// statsMeasure is one measure's timings.
type statsMeasure struct {
	name          string
	target        time.Duration
	times         []time.Duration
	bytes         int64
	p50, p95, max time.Duration
}

// measureStats times the service calls, the page and the xlsx of u,
// alternating them.
func measureStats(ctx context.Context, a *app.App, u statsUser, runs, warmup int) ([]*statsMeasure, error) {
	p := stats.Year(u.year)
	q := fmt.Sprintf("?year=%d", u.year)
	service := &statsMeasure{name: "service"}
	page := &statsMeasure{name: "page /stats" + q, target: statsPageTarget}
	xlsx := &statsMeasure{name: "xlsx /stats.xlsx" + q, target: statsXLSXTarget}
	get := func(m *statsMeasure, path, contentType string) func() error {
		return func() error {
			r, err := benchseed.Get(ctx, u.client, u.base+path, io.Discard)
			if err != nil {
				return err
			}
			if r.Status != http.StatusOK || !strings.HasPrefix(r.ContentType, contentType) {
				return fmt.Errorf("GET %s: %d %s", path, r.Status, r.ContentType)
			}
			m.bytes = r.Bytes
			return nil
		}
	}
	steps := []struct {
		m  *statsMeasure
		do func() error
	}{
		{service, func() error {
			if _, _, err := a.Stats.Report(u.ctx, p); err != nil {
				return err
			}
			_, _, err := a.Referrals.Stats(u.ctx, p.From, p.To)
			return err
		}},
		{page, get(page, "/stats"+q, "text/html")},
		{xlsx, get(xlsx, "/stats.xlsx"+q, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
	}
	for i := 0; i < warmup+runs; i++ {
		for _, s := range steps {
			t0 := time.Now()
			if err := s.do(); err != nil {
				return nil, fmt.Errorf("%s: %w", s.m.name, err)
			}
			if i >= warmup {
				s.m.times = append(s.m.times, time.Since(t0))
			}
		}
	}
	out := []*statsMeasure{service, page, xlsx}
	for _, m := range out {
		m.p50, m.p95, m.max = benchseed.Percentile(m.times, 50), benchseed.Percentile(m.times, 95), benchseed.Percentile(m.times, 100)
	}
	return out, nil
}

func bytesText(n int64) string {
	if n == 0 {
		return "—"
	}
	return fmt.Sprint(n)
}

// explainStats prints the plans of the statements the statistics of each
// user run.
func explainStats(ctx context.Context, out io.Writer, a *app.App, users []statsUser) error {
	if len(users) == 0 {
		return nil
	}
	conn, err := pgx.Connect(ctx, a.Config.Database.URL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, u := range users {
		p := stats.Year(u.year)
		cctx, stmts := benchseed.Capture(u.ctx)
		if _, _, err := a.Stats.Report(cctx, p); err != nil {
			return err
		}
		if _, _, err := a.Referrals.Stats(cctx, p.From, p.To); err != nil {
			return err
		}
		list := stmts()
		fmt.Fprintf(out, "\n== %s: %d statement(s)\n", u.name, len(list))
		for i, st := range list {
			plan, err := benchseed.Explain(ctx, conn, st)
			if err != nil {
				return fmt.Errorf("explain: %w", err)
			}
			fmt.Fprintf(out, "-- statement %d\n%s\n%s\n", i+1, benchseed.Inline(st), plan)
		}
	}
	return nil
}
