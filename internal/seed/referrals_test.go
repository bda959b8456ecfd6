package seed_test

import (
	"context"
	"testing"

	"github.com/ipmediate/ipmediate/internal/apptest"
)

// TestDemoReferrals: the demo seed leaves a referral of every kind a
// newcomer can walk (the court kinds, confirmation, litigation,
// arbitration, adjudication, enforcement, customs, criminal, assistance),
// each in the receiver's inbox, and a second run adds none.
func TestDemoReferrals(t *testing.T) {
	a := apptest.New(t, apptest.WithDemoCases())
	kinds := func() map[string]int {
		var rows []struct {
			Kind string
			N    int
		}
		if err := a.DB.Raw("SELECT kind, count(*) AS n FROM referrals GROUP BY kind").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, r := range rows {
			out[r.Kind] = r.N
		}
		return out
	}
	got := kinds()
	for _, k := range []string{"court_delegation", "court_entrustment", "judicial_confirmation", "litigation", "arbitration",
		"administrative_adjudication", "enforcement", "customs", "criminal", "rights_assistance"} {
		if got[k] != 1 {
			t.Errorf("demo referrals of kind %s: %d, want 1", k, got[k])
		}
	}
	var open int64
	a.DB.Raw("SELECT count(*) FROM referrals WHERE status IN ('sent', 'received', 'accepted')").Scan(&open)
	if open != int64(len(got)) {
		t.Errorf("%d of the demo referrals wait for their receiver, want all", open)
	}
	if _, err := a.SeedWithCases(context.Background()); err != nil {
		t.Fatal(err)
	}
	if again := kinds(); len(again) != len(got) || again["customs"] != 1 || again["court_delegation"] != 1 {
		t.Errorf("second run: %v", again)
	}
}
