package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/seed"
	"github.com/ipmediate/ipmediate/internal/web"
)

func newServeCmd(g *globalFlags) *cobra.Command {
	var demo, withWorker, noMigrate, travel bool
	var addr, metricsAddr string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the web server (JSON API under /api/v1 and the web UI)",
		Long: `Run the web server. It creates the database when it does not exist and
applies pending migrations first, unless --no-migrate is given or
database.auto_migrate is false (recommended in production, where
"ipmediate migrate up" runs as a release step).

SIGINT or SIGTERM first drains (http.shutdown_drain: requests are still
served while /readyz answers 503, so a load balancer takes this instance
out), then stops accepting connections and lets in-flight requests finish
(http.shutdown_timeout).

Prometheus metrics are served on their own address, http.metrics_addr
(default 127.0.0.1:9090), never on the public one; "off" turns them off.

With --demo --time-travel the system administrator can move the clock of
this process ahead at /admin/clock, to show reminders and escalations
that would otherwise come days later. Time travel needs --demo, and a
worker in the same process (--with-worker) to see the moved clock.`,
		Example: `  ipmediate serve --demo --with-worker      # everything, with demo data
  ipmediate serve --demo --with-worker --time-travel   # and a demo clock that can run ahead
  IPM_HTTP_ADDR=0.0.0.0:8080 ipmediate serve --no-migrate`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			if addr != "" {
				cfg.HTTP.Addr = addr
				cfg.HTTP.BaseURL = "http://" + addr
				if err := cfg.Validate(); err != nil {
					return err
				}
			}
			if noMigrate {
				cfg.Database.AutoMigrate = false
			}
			if err := setMetricsAddr(cmd, &cfg, metricsAddr); err != nil {
				return err
			}
			if travel && !demo {
				return errors.New("--time-travel is for demos: add --demo")
			}
			setMemoryLimit(cfg)
			return runServe(cmd.Context(), cfg, demo, withWorker, travel)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&demo, "demo", false, "seed the demo organisations, users and cases and print the logins (refused when env is production)")
	f.BoolVar(&withWorker, "with-worker", false, "also run the background worker in this process (single-machine deployments)")
	f.BoolVar(&noMigrate, "no-migrate", false, "do not create the database or apply migrations at start")
	f.BoolVar(&travel, "time-travel", false, "demo only: let the system administrator move this process's clock ahead at /admin/clock")
	f.StringVar(&addr, "addr", "", "listen address host:port (overrides http.addr / IPM_HTTP_ADDR)")
	f.StringVar(&metricsAddr, "metrics-addr", "", `metrics listen address host:port, "off" for none (overrides http.metrics_addr / IPM_HTTP_METRICS_ADDR)`)
	return cmd
}

func runServe(ctx context.Context, cfg config.Config, demo, withWorker, travel bool) error {
	a, err := app.New(ctx, cfg, app.Options{Demo: demo, DemoCases: demo, TimeTravel: travel})
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTP.Addr, err)
	}
	a.Log.Info("ipmediate is listening", "url", cfg.HTTP.BaseURL, "demo", demo, "with_worker", withWorker)
	fmt.Fprintf(os.Stdout, "\nipmediate is running at %s\n", cfg.HTTP.BaseURL)
	if demo {
		printDemoLogins(a)
	}
	if travel {
		fmt.Fprintf(os.Stdout, "Time travel is on: sign in as admin and open %s%s to move the clock ahead.\n", cfg.HTTP.BaseURL, web.ClockPath)
	}
	grp, gctx := errgroup.WithContext(ctx)
	if err := goServeMetrics(gctx, grp, a); err != nil {
		_ = ln.Close()
		return err
	}
	grp.Go(func() error { return a.ServeHTTP(gctx, ln) })
	if withWorker {
		grp.Go(func() error { return a.RunWorker(gctx) })
	}
	return grp.Wait()
}

// setMetricsAddr applies the --metrics-addr flag when it was given ("off"
// or empty turns metrics off) and checks the result.
func setMetricsAddr(cmd *cobra.Command, cfg *config.Config, addr string) error {
	if !cmd.Flags().Changed("metrics-addr") {
		return nil
	}
	if addr == config.MetricsOff {
		addr = ""
	}
	cfg.HTTP.MetricsAddr = addr
	return cfg.Validate()
}

// goServeMetrics listens on http.metrics_addr, unless it is empty, and
// serves the process's metrics there in grp until ctx ends. A metrics
// address that cannot be bound stops start-up, naming the setting: two
// processes on one host (serve and worker) need two addresses.
func goServeMetrics(ctx context.Context, grp *errgroup.Group, a *app.App) error {
	addr := a.Config.HTTP.MetricsAddr
	if addr == "" {
		a.Log.Info("metrics are off (http.metrics_addr is empty)")
		return nil
	}
	mln, err := net.Listen("tcp", addr)
	if err != nil {
		return &config.SettingError{Setting: "http.metrics_addr (IPM_HTTP_METRICS_ADDR)",
			Problem: fmt.Sprintf("cannot listen on %s: %v; give each process on a host its own address, or none", addr, err)}
	}
	a.Log.Info("metrics are served", "url", "http://"+mln.Addr().String()+"/metrics")
	grp.Go(func() error { return a.ServeMetrics(ctx, mln) })
	return nil
}

// printDemoLogins tells the person who started a demo how to sign in.
func printDemoLogins(a *app.App) {
	fmt.Fprintf(os.Stdout, "Demo mode: every demo user's password is %s (demo mode only).\n\n", seed.DemoPassword)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tROLE\tORGANISATION")
	for _, l := range a.DemoLogins {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", l.Username, l.Role, l.OrgName)
	}
	_ = tw.Flush()
	fmt.Fprintf(os.Stdout, "\nOpen %s/login and sign in. Press Ctrl+C to stop.\n\n", a.Config.HTTP.BaseURL)
}
