// Command ipmediate runs the IP dispute mediation system: the web server,
// the background worker, migrations and demo data, all from one binary.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "ipmediate:", err)
		os.Exit(1)
	}
}

// globalFlags are shared by every subcommand.
type globalFlags struct {
	configPath string
}

func newRootCmd() *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:   "ipmediate",
		Short: "IP dispute mediation case management (知识产权纠纷调解管理系统)",
		Long: `ipmediate manages IP dispute cases from intake through mediation, court
docking (诉调对接), arbitration and administrative, customs and criminal
referral, and SME rights-protection assistance (维权援助).

Configuration comes from built-in defaults, then the YAML file given by
--config (or IPM_CONFIG), then IPM_* environment variables such as
IPM_DATABASE_URL, IPM_REDIS_URL and IPM_HTTP_ADDR. See
configs/config.example.yaml for every setting.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVarP(&g.configPath, "config", "c", os.Getenv("IPM_CONFIG"),
		"path of a YAML configuration file (default: none, or $IPM_CONFIG)")
	root.AddCommand(
		newServeCmd(g),
		newWorkerCmd(g),
		newMigrateCmd(g),
		newSeedCmd(g),
		newKeygenCmd(),
		newAuditCmd(g),
		newBenchCmd(g),
		newDeadlineCmd(g),
	)
	return root
}
