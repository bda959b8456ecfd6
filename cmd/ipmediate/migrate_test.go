package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ipmediate/ipmediate/internal/testenv"
)

func TestMigrateCommands(t *testing.T) {
	t.Setenv("IPM_CONFIG", "")
	t.Setenv("IPM_DATABASE_URL", testenv.DatabaseURL(t))

	out, err := runCLI(t, "migrate", "status")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "pending") || !strings.Contains(out, "0001_orgs.sql") {
		t.Fatalf("fresh test database must be fully migrated:\n%s", out)
	}
	out, err = runCLI(t, "migrate", "down", "--steps", "2")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(out, "rolled back") != 2 {
		t.Fatalf("want two roll-backs:\n%s", out)
	}
	out, err = runCLI(t, "migrate", "status")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(out, "pending") != 2 {
		t.Fatalf("want two pending migrations after rolling back two:\n%s", out)
	}
	if out, err = runCLI(t, "migrate", "up"); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate up: %v\n%s", err, out)
	}
	out, _ = runCLI(t, "migrate", "status")
	if strings.Contains(out, "pending") {
		t.Fatalf("pending migrations after up:\n%s", out)
	}
	if _, err := runCLI(t, "migrate", "down", "--steps", "0"); err == nil || !strings.Contains(err.Error(), "--steps") {
		t.Errorf("--steps 0 must be refused naming the flag, got %v", err)
	}
}

func TestInvalidSettingStopsStartup(t *testing.T) {
	t.Setenv("IPM_CONFIG", "")
	t.Setenv("IPM_REDIS_URL", "not-a-url")
	_, err := runCLI(t, "serve", "--no-migrate")
	if err == nil || !strings.Contains(err.Error(), "IPM_REDIS_URL") {
		t.Fatalf("want an error naming IPM_REDIS_URL, got %v", err)
	}
}

// TestEveryCommandHasHelp walks the command tree: every command explains
// itself and every flag says what it does.
func TestEveryCommandHasHelp(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Short == "" {
			t.Errorf("command %q has no short description", c.CommandPath())
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Usage == "" {
				t.Errorf("flag --%s of %q has no usage text", f.Name, c.CommandPath())
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd())
}
