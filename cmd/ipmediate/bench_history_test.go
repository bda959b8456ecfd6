package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/apptest"
)

// TestBenchHistory fills a small history on the demo's cases: the audit
// rows it loads in bulk must verify, every measurement must be printed,
// and a second run must only measure.
func TestBenchHistory(t *testing.T) {
	a := apptest.New(t, apptest.WithDemoCases())
	t.Setenv("IPM_CONFIG", "")
	t.Setenv("IPM_DATABASE_URL", a.Config.Database.URL)

	out, err := runCLI(t, "bench", "history", "--rows", "3000", "--runs", "2", "--years", "2", "--verify")
	if err != nil {
		t.Fatalf("bench history: %v\n%s", err, out)
	}
	for _, want := range []string{"layout: partitioned by year", "case events in", "audit rows in",
		"timeline", "audit_newest", "audit_org", "audit_month", "audit_action", "write",
		"VACUUM ANALYZE audit_log_", "size of audit_log"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`verify: \d+ rows on \d+ chains in .*, intact`).MatchString(out) {
		t.Errorf("the bulk-loaded audit rows must verify:\n%s", out)
	}
	if n := apptest.Scalar[int64](t, a, `SELECT count(*) FROM audit_log WHERE org_id >= 9000000`); n < 2500 {
		t.Errorf("%d bench audit rows, want the difference up to 3000", n)
	}

	out, err = runCLI(t, "bench", "history", "--rows", "3000", "--runs", "1")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "added") {
		t.Errorf("a second run must only measure:\n%s", out)
	}
	if out, err := runCLI(t, "audit", "verify"); err != nil {
		t.Errorf("audit verify after the bench: %v\n%s", err, out)
	}
	if _, err := runCLI(t, "bench", "history", "--rows", "10"); err == nil || !strings.Contains(err.Error(), "--rows") {
		t.Errorf("--rows 10 must be refused naming the flag, got %v", err)
	}
}
