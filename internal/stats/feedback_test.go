package stats_test

import (
	"context"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/stats"
)

// TestReport_FeedbackByCommittee: the parties' ratings given in the
// period are counted by the committee of their case, with the mean of
// each score; ratings outside the period are not, and the committees
// add up to the total.
func TestReport_FeedbackByCommittee(t *testing.T) {
	a := apptest.New(t, apptest.WithDemoCases())
	ctx := context.Background()
	var orgs []int64
	a.DB.Raw("SELECT id FROM orgs WHERE type = 'mediation_committee' ORDER BY level, id").Scan(&orgs)
	gulou := apptest.Scalar[int64](t, a, "SELECT id FROM orgs WHERE code = 'gulou'")
	cangshan := apptest.Scalar[int64](t, a, "SELECT id FROM orgs WHERE code = 'cangshan'")
	user := apptest.Scalar[int64](t, a, "SELECT id FROM users WHERE username = 'sme1'")
	y := stats.Year(2026)
	in, out := time.Date(2026, 5, 1, 2, 0, 0, 0, time.UTC), time.Date(2025, 12, 31, 15, 0, 0, 0, time.UTC) // 23:00 on 31 December 2025 in Beijing: out
	rate := func(org int64, nth int, at time.Time, sv, fa, ti int) {
		t.Helper()
		err := a.DB.Exec(`INSERT INTO case_feedback (case_id, party_id, service, fairness, timeliness, user_id, created_at)
SELECT c.id, (SELECT id FROM case_parties WHERE case_id = c.id ORDER BY id LIMIT 1), ?, ?, ?, ?, ?
FROM cases c WHERE c.org_id = ? ORDER BY c.id OFFSET ? LIMIT 1`, sv, fa, ti, user, at, org, nth).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM cases WHERE org_id = ?", gulou); n < 3 {
		t.Fatalf("the demo has %d cases at gulou", n)
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM cases WHERE org_id = ?", cangshan); n < 2 {
		t.Fatalf("the demo has %d cases at cangshan", n)
	}
	rate(gulou, 0, in, 5, 4, 3)
	rate(gulou, 1, out, 5, 5, 4)
	rate(gulou, 2, time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC), 2, 3, 3) // 2026-01-01 00:00 in Beijing: in
	rate(cangshan, 0, in, 4, 4, 4)
	rate(cangshan, 1, time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), 1, 1, 1) // 2027-01-01 in Beijing: out

	r, err := a.Stats.OrgReport(ctx, orgs, y)
	if err != nil {
		t.Fatal(err)
	}
	var g, c stats.Feedback
	for _, cm := range r.Committees {
		switch cm.OrgID {
		case gulou:
			g = cm.Feedback
		case cangshan:
			c = cm.Feedback
		}
	}
	if g.N != 2 || g.Service() != 3.5 || g.Fairness() != 3.5 || g.Timeliness() != 3 {
		t.Errorf("gulou %+v: %v %v %v", g, g.Service(), g.Fairness(), g.Timeliness())
	}
	if c.N != 1 || c.Service() != 4 {
		t.Errorf("cangshan %+v", c)
	}
	if r.Feedback.N != 3 || r.Feedback.ServiceSum != 5+2+4 || r.Feedback.Timeliness() != 3.3 {
		t.Errorf("total %+v timeliness %v", r.Feedback, r.Feedback.Timeliness())
	}
	if (stats.Feedback{}).Service() != -1 {
		t.Error("no rating has a mean")
	}
}
