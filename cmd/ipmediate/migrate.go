package main

import (
	"fmt"
	"log/slog"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/database"
)

func newMigrateCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply, roll back or list the database migrations",
		Long: `Manage the schema. Migrations are SQL files embedded in the binary
(migrations/NNNN_*.sql, run with goose); a PostgreSQL lock keeps two
migrators from running at once.`,
	}
	var steps int
	up := &cobra.Command{
		Use:   "up",
		Short: "Create the database if needed and apply every pending migration",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := migrateSetup(g)
			if err != nil {
				return err
			}
			if _, err := database.EnsureDatabase(cmd.Context(), cfg.Database.URL); err != nil {
				return err
			}
			db, err := database.Open(cmd.Context(), cfg.Database, log)
			if err != nil {
				return err
			}
			sqlDB, _ := db.DB()
			defer sqlDB.Close()
			if err := database.Migrate(cmd.Context(), sqlDB, log); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "database is up to date")
			return nil
		},
	}
	down := &cobra.Command{
		Use:   "down",
		Short: "Roll back the most recent migrations (one unless --steps)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if steps < 1 {
				return fmt.Errorf("--steps must be at least 1, got %d", steps)
			}
			cfg, log, err := migrateSetup(g)
			if err != nil {
				return err
			}
			db, err := database.Open(cmd.Context(), cfg.Database, log)
			if err != nil {
				return err
			}
			sqlDB, _ := db.DB()
			defer sqlDB.Close()
			p, err := database.NewMigrator(sqlDB)
			if err != nil {
				return err
			}
			for i := 0; i < steps; i++ {
				r, err := p.Down(cmd.Context())
				if err != nil {
					return fmt.Errorf("roll back: %w", err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "rolled back %s\n", r.Source.Path)
			}
			return nil
		},
	}
	down.Flags().IntVar(&steps, "steps", 1, "number of migrations to roll back")
	status := &cobra.Command{
		Use:   "status",
		Short: "List every migration and whether it is applied",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := migrateSetup(g)
			if err != nil {
				return err
			}
			db, err := database.Open(cmd.Context(), cfg.Database, log)
			if err != nil {
				return err
			}
			sqlDB, _ := db.DB()
			defer sqlDB.Close()
			p, err := database.NewMigrator(sqlDB)
			if err != nil {
				return err
			}
			st, err := p.Status(cmd.Context())
			if err != nil {
				return fmt.Errorf("migration status: %w", err)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "VERSION\tSTATE\tAPPLIED AT\tFILE")
			for _, s := range st {
				at := "-"
				if !s.AppliedAt.IsZero() {
					at = s.AppliedAt.Format("2006-01-02 15:04:05")
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", s.Source.Version, s.State, at, s.Source.Path)
			}
			return tw.Flush()
		},
	}
	cmd.AddCommand(up, down, status)
	return cmd
}

func migrateSetup(g *globalFlags) (config.Config, *slog.Logger, error) {
	cfg, err := loadConfig(g)
	if err != nil {
		return cfg, nil, err
	}
	cfg.Log.Format = "text"
	return cfg, app.NewLogger(cfg.Log, os.Stderr), nil
}
