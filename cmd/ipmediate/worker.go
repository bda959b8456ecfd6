package main

import (
	"context"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/ipmediate/ipmediate/internal/app"
)

func newWorkerCmd(g *globalFlags) *cobra.Command {
	var noMigrate bool
	var metricsAddr string
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run the background worker (asynq task server and scheduler)",
		Long: `Run the background worker: the asynq task server, and the scheduler
that keeps deadlines and reminders. Any number of worker processes may run;
exactly one of them runs the scheduler at a time (leadership by a
PostgreSQL advisory lock), and another takes over when it stops.

Its Prometheus metrics are served on http.metrics_addr (default
127.0.0.1:9090; "off" turns them off). A worker on the same host as a
serve process needs another address: --metrics-addr 127.0.0.1:9091.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			if noMigrate {
				cfg.Database.AutoMigrate = false
			}
			if err := setMetricsAddr(cmd, &cfg, metricsAddr); err != nil {
				return err
			}
			setMemoryLimit(cfg)
			a, err := app.New(cmd.Context(), cfg, app.Options{})
			if err != nil {
				return err
			}
			defer a.Close()
			ctx, stop := context.WithCancel(cmd.Context())
			defer stop()
			grp, gctx := errgroup.WithContext(ctx)
			if err := goServeMetrics(gctx, grp, a); err != nil {
				return err
			}
			grp.Go(func() error {
				defer stop() // the metrics stop with the worker
				return a.RunWorker(gctx)
			})
			return grp.Wait()
		},
	}
	cmd.Flags().BoolVar(&noMigrate, "no-migrate", false, "do not create the database or apply migrations at start")
	cmd.Flags().StringVar(&metricsAddr, "metrics-addr", "", `metrics listen address host:port, "off" for none (overrides http.metrics_addr / IPM_HTTP_METRICS_ADDR)`)
	return cmd
}
