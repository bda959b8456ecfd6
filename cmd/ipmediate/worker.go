package main

import (
	"github.com/spf13/cobra"

	"github.com/ipmediate/ipmediate/internal/app"
)

func newWorkerCmd(g *globalFlags) *cobra.Command {
	var noMigrate bool
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run the background worker (asynq task server and scheduler)",
		Long: `Run the background worker: the asynq task server, and the scheduler
that keeps deadlines and reminders. Any number of worker processes may run;
exactly one of them runs the scheduler at a time (leadership by a
PostgreSQL advisory lock), and another takes over when it stops.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			if noMigrate {
				cfg.Database.AutoMigrate = false
			}
			a, err := app.New(cmd.Context(), cfg, app.Options{})
			if err != nil {
				return err
			}
			defer a.Close()
			return a.RunWorker(cmd.Context())
		},
	}
	cmd.Flags().BoolVar(&noMigrate, "no-migrate", false, "do not create the database or apply migrations at start")
	return cmd
}
