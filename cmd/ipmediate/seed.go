package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ipmediate/ipmediate/internal/app"
)

func newSeedCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "seed",
		Short: "Write the demo data (organisations, users, cases); safe to run twice",
		Long: `Write the demo data of a Fuzhou-like city: the city and county mediation
committees, courts, customs, enforcement bodies, the assistance centre and
the leadership office, with their demo users, and about thirty demo dispute
cases in every state of the workflow. Every record is keyed by a stable code
(a demo case by its summary), so running seed again changes nothing.
Refused when env is production.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			a, err := app.New(cmd.Context(), cfg, app.Options{Demo: true, DemoCases: true})
			if err != nil {
				return err
			}
			defer a.Close()
			fmt.Println("demo data is in place")
			return nil
		},
	}
}
