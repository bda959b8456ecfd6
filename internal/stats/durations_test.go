package stats_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/benchseed"
	"github.com/ipmediate/ipmediate/internal/stats"
)

// TestDurations_ArePercentileContOfTheCases: the median and the 90th
// percentile the statistics take from the counts by whole day (migration
// 0044) are exactly PostgreSQL's percentile_cont over every mediation of
// the period, per committee and in total, for whole years, quarters cut
// by no month, and random spans of days over generated cases; and still
// are when the counts were damaged by hand on the days the ranks fall on
// (every count one too many) or made negative, which the statistics
// notice and read around.
func TestDurations_ArePercentileContOfTheCases(t *testing.T) {
	a := apptest.New(t, apptest.WithDemo())
	db, err := a.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	if err := benchseed.Seed(context.Background(), db, 4000, nil); err != nil {
		t.Fatal(err)
	}
	var orgs []int64
	a.DB.Raw("SELECT id FROM orgs WHERE type = 'mediation_committee' ORDER BY level, id").Scan(&orgs)
	var first, last time.Time
	a.DB.Raw("SELECT min(outcome_at), max(outcome_at) FROM cases WHERE outcome IN ('settled', 'failed') AND accepted_at IS NOT NULL").
		Row().Scan(&first, &last)
	bj := time.FixedZone("CST", 8*3600)
	day := func(t time.Time) time.Time {
		b := t.In(bj)
		return time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, bj)
	}
	periods := []stats.Period{
		{From: day(first), To: day(last).AddDate(0, 0, 1)},
		stats.Year(last.In(bj).Year() - 1),
		stats.Year(last.In(bj).Year()),
	}
	r := rand.New(rand.NewPCG(7, 19))
	span := int(last.Sub(first).Hours()/24) + 1
	for range 12 {
		from := day(first).AddDate(0, 0, r.IntN(span))
		periods = append(periods, stats.Period{From: from, To: from.AddDate(0, 0, 1+r.IntN(120))})
	}

	check := func(after string) {
		t.Helper()
		compared := 0
		for _, p := range periods {
			rep, err := a.Stats.OrgReport(context.Background(), orgs, p)
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64]stats.Duration{0: rep.Duration}
			for _, c := range rep.Committees {
				got[c.OrgID] = c.Duration
			}
			var want []struct {
				OrgID       int64
				N           int
				Median, P90 float64
			}
			err = a.DB.Raw(`SELECT coalesce(org_id, 0) AS org_id, count(*) AS n,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY mediation_days) AS median,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY mediation_days) AS p90
FROM cases WHERE org_id IN ? AND outcome IN ('settled', 'failed') AND accepted_at IS NOT NULL AND outcome_at >= ? AND outcome_at < ?
GROUP BY ROLLUP (org_id)`, orgs, p.From, p.To).Scan(&want).Error
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range want {
				if d := got[w.OrgID]; d != (stats.Duration{N: w.N, Median: w.Median, P90: w.P90}) {
					t.Errorf("%s, %s to %s, org %d: durations %+v, percentile_cont gives n %d, median %v, p90 %v",
						after, p.From.Format("2006-01-02"), p.To.Format("2006-01-02"), w.OrgID, d, w.N, w.Median, w.P90)
				}
				delete(got, w.OrgID)
				compared += w.N
			}
			for org, d := range got {
				if d != (stats.Duration{}) {
					t.Errorf("%s, %s: org %d has durations %+v, yet no mediation ended", after, p.From.Format("2006-01-02"), org, d)
				}
			}
		}
		if compared < 1000 {
			t.Errorf("%s: only %d durations compared", after, compared)
		}
	}
	check("the counts kept")

	// Every count one too many (so the days the ranks fall on disagree with
	// the cases), then one count negative: the figures stay exact.
	if err := a.DB.Exec("UPDATE case_duration_tallies SET n = n + 1").Error; err != nil {
		t.Fatal(err)
	}
	check("every count one too many")
	if err := a.DB.Exec("UPDATE case_duration_tallies SET n = -n WHERE (org_id, grain, day, days) = (SELECT org_id, grain, day, days FROM case_duration_tallies LIMIT 1)").Error; err != nil {
		t.Fatal(err)
	}
	check("a negative count")
}
