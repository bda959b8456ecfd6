package app_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/configs"
	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// Every rule id the code opens deadlines with is defined by the rules
// built into the binary.
func TestUsedRules_DefinedByTheEmbeddedRules(t *testing.T) {
	rules, err := calendar.LoadDefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	used := app.UsedRules()
	if len(used) < 15 {
		t.Fatalf("only %d rule ids listed as used: %v", len(used), used)
	}
	if err := rules.Require(used...); err != nil {
		t.Fatal(err)
	}
}

// A rules file (legal.rules_file) that lacks a rule the code uses stops
// the start, naming the setting and the rule; a complete one starts.
func TestStart_RulesFileMustDefineEveryUsedRule(t *testing.T) {
	dir := t.TempDir()
	// Drop the police's decision period, a rule only a referral step uses.
	dropped := regexp.MustCompile(`(?ms)^  - id: criminal\.police_decision\n.*?\n\n`).ReplaceAll(configs.DeadlinesYAML, nil)
	if len(dropped) == len(configs.DeadlinesYAML) {
		t.Fatal("the test could not remove criminal.police_decision from the rules")
	}
	incomplete := filepath.Join(dir, "incomplete.yaml")
	if err := os.WriteFile(incomplete, dropped, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testenv.Config(t)
	cfg.Legal.RulesFile = incomplete
	a, err := app.New(context.Background(), cfg, app.Options{Logger: testenv.Logger(t), Clock: testenv.Clock()})
	if err == nil {
		a.Close()
		t.Fatal("started on rules that lack criminal.police_decision")
	}
	var se *config.SettingError
	if !errors.As(err, &se) || se.Setting != "legal.rules_file (IPM_LEGAL_RULES_FILE)" || !strings.Contains(se.Problem, "criminal.police_decision") {
		t.Fatalf("want a SettingError naming legal.rules_file and criminal.police_decision, got %v", err)
	}

	complete := filepath.Join(dir, "complete.yaml")
	if err := os.WriteFile(complete, configs.DeadlinesYAML, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Legal.RulesFile = complete
	a, err = app.New(context.Background(), cfg, app.Options{Logger: testenv.Logger(t), Clock: testenv.Clock()})
	if err != nil {
		t.Fatalf("a complete rules file: %v", err)
	}
	a.Close()
}

// An operator's holiday folder (legal.holidays_dir) reaches the deadline
// service: the year it adds counts as official without a new release.
func TestStart_HolidaysDirReachesTheDeadlines(t *testing.T) {
	dir := t.TempDir()
	y2027, err := configs.Holidays.ReadFile("holidays/2027.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "2027.yaml"), []byte(strings.Replace(string(y2027), "official: false", "official: true", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testenv.Config(t)
	cfg.Legal.HolidaysDir = dir
	a, err := app.New(context.Background(), cfg, app.Options{Logger: testenv.Logger(t), Clock: testenv.Clock()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, provisional := a.Deadlines.Calendar().IsWorkday(calendar.NewDate(2027, 3, 1)); provisional {
		t.Error("2027 is still provisional with the operator's official file")
	}
	cfg.Legal.HolidaysDir = ""
	b, err := app.New(context.Background(), cfg, app.Options{Logger: testenv.Logger(t), Clock: testenv.Clock()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, provisional := b.Deadlines.Calendar().IsWorkday(calendar.NewDate(2027, 3, 1)); !provisional {
		t.Error("without the folder 2027 should be provisional (the embedded file is not checked against the notice)")
	}
}

// A role policy file (legal.policy_file) replaces the embedded one: a bad
// line stops the start naming the setting; a copy of the embedded policy
// starts.
func TestStart_PolicyFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, append(append([]byte{}, configs.PolicyCSV...), []byte("p, director, case, fly\nnot a policy line\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testenv.Config(t)
	cfg.Legal.PolicyFile = bad
	a, err := app.New(context.Background(), cfg, app.Options{Logger: testenv.Logger(t), Clock: testenv.Clock()})
	if err == nil {
		a.Close()
		t.Fatal("started on a policy file with a bad line")
	}
	var se *config.SettingError
	if !errors.As(err, &se) || se.Setting != "legal.policy_file (IPM_LEGAL_POLICY_FILE)" {
		t.Fatalf("want a SettingError naming legal.policy_file, got %v", err)
	}
	good := filepath.Join(dir, "policy.csv")
	if err := os.WriteFile(good, configs.PolicyCSV, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Legal.PolicyFile = good
	a, err = app.New(context.Background(), cfg, app.Options{Logger: testenv.Logger(t), Clock: testenv.Clock()})
	if err != nil {
		t.Fatalf("a copy of the embedded policy: %v", err)
	}
	a.Close()
}
