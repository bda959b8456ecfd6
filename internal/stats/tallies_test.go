package stats_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/benchseed"
	"github.com/ipmediate/ipmediate/internal/stats"
)

// TestTallies_KeptEqualToTheCases: the counts the statistics read
// (migration 0022) equal a count from scratch of the cases as they are,
// after the demo cases went through every case action (the triggers, a
// row at a time), after a bulk load (the benchmark seeder's path, which
// switches the triggers off and counts its batch at once), and after
// parties, rights and an agreement's amount are changed and a case is
// deleted behind the services' back.
func TestTallies_KeptEqualToTheCases(t *testing.T) {
	a := apptest.New(t, apptest.WithDemoCases())
	checkTallies(t, a.DB, "the demo cases")

	db, err := a.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	if err := benchseed.Seed(context.Background(), db, 3000, nil); err != nil {
		t.Fatal(err)
	}
	checkTallies(t, a.DB, "a bulk load")

	for _, stmt := range []string{
		// An applicant becomes an SME, another stops being one.
		"UPDATE case_parties SET is_sme = NOT is_sme WHERE role = 'applicant' AND id % 7 = 0",
		// A right changes kind; a case loses its rights.
		"UPDATE case_rights SET kind = 'trademark' WHERE id % 5 = 0 AND kind <> 'trademark'",
		"DELETE FROM case_rights WHERE case_id IN (SELECT id FROM cases WHERE id % 11 = 0)",
		// An agreement's amount is corrected.
		"UPDATE case_agreements SET amount_fen = amount_fen + 100",
		// A case moves committee, and ends.
		"UPDATE cases SET org_id = (SELECT min(id) FROM orgs WHERE type = 'mediation_committee') WHERE id % 13 = 0",
		"UPDATE cases SET status = 'withdrawn', outcome = 'withdrawn', outcome_at = created_at + interval '3 days' WHERE id % 17 = 0 AND outcome IS NULL",
		// A mediation's outcome or acceptance is corrected by some hours.
		"UPDATE cases SET outcome_at = outcome_at + interval '1 day 7 hours' WHERE id % 19 = 0 AND outcome IN ('settled', 'failed')",
		"UPDATE cases SET accepted_at = accepted_at - interval '5 hours' WHERE id % 23 = 0 AND outcome IN ('settled', 'failed')",
		// A case is deleted with its parties, rights and agreement.
		"DELETE FROM cases WHERE id = (SELECT max(id) FROM cases)",
	} {
		if err := a.DB.Exec(stmt).Error; err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
		checkTallies(t, a.DB, stmt)
	}
}

// checkTallies counts the cases from scratch and compares with the kept
// counts; a difference names the table and how many keys differ.
func checkTallies(t *testing.T, db *gorm.DB, after string) {
	t.Helper()
	var n int64
	if err := db.Raw(`SELECT count(*) FROM cases c WHERE (c.sme_applicant, c.right_kinds, c.agreed_fen) IS DISTINCT FROM (
  EXISTS (SELECT 1 FROM case_parties p WHERE p.case_id = c.id AND p.role = 'applicant' AND p.is_sme),
  ARRAY(SELECT DISTINCT r.kind COLLATE "C" FROM case_rights r WHERE r.case_id = c.id ORDER BY 1),
  coalesce((SELECT g.amount_fen FROM case_agreements g WHERE g.case_id = c.id), 0))`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("after %s: %d cases whose SME applicant, kinds of right or agreed amount are stale", after, n)
	}
	var total int64
	db.Raw("SELECT count(*) FROM cases").Scan(&total)
	for table, q := range map[string]string{
		"case_tallies": `SELECT r.org_id, r.grain, r.day, r.figure, r.dispute_type, r.source, sum(r.n)::int, sum(r.sme)::int, sum(r.fen)::bigint
FROM cases c CROSS JOIN LATERAL case_tally_rows(c) r GROUP BY 1, 2, 3, 4, 5, 6
!SELECT org_id, grain, day, figure, dispute_type, source, n, sme, fen FROM case_tallies WHERE n <> 0 OR sme <> 0 OR fen <> 0`,
		"case_right_tallies": `SELECT r.org_id, r.grain, r.day, r.figure, r.kind, sum(r.n)::int FROM cases c CROSS JOIN LATERAL case_right_tally_rows(c) r GROUP BY 1, 2, 3, 4, 5
!SELECT org_id, grain, day, figure, kind, n FROM case_right_tallies WHERE n <> 0`,
		"case_open_tallies": `SELECT org_id, dispute_type, source, count(*)::int FROM cases c WHERE case_is_open(c) GROUP BY 1, 2, 3
!SELECT org_id, dispute_type, source, n FROM case_open_tallies WHERE n <> 0`,
		"case_duration_tallies": `SELECT r.org_id, r.grain, r.day, r.days, sum(r.n)::int FROM cases c CROSS JOIN LATERAL case_duration_rows(c) r GROUP BY 1, 2, 3, 4
!SELECT org_id, grain, day, days, n FROM case_duration_tallies WHERE n <> 0`,
		"case_open_right_tallies": `SELECT c.org_id, k.kind, count(*)::int FROM cases c CROSS JOIN LATERAL unnest(c.right_kinds) k (kind) WHERE case_is_open(c) GROUP BY 1, 2
!SELECT org_id, kind, n FROM case_open_right_tallies WHERE n <> 0`,
	} {
		var fresh, kept string
		for i, c := range q {
			if c == '!' {
				fresh, kept = q[:i], q[i+1:]
			}
		}
		var diff, keys int64
		if err := db.Raw("SELECT count(*) FROM ((" + fresh + " EXCEPT " + kept + ") UNION ALL (" + kept + " EXCEPT " + fresh + ")) d").Scan(&diff).Error; err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		db.Raw("SELECT count(*) FROM (" + kept + ") k").Scan(&keys)
		if diff != 0 || (keys == 0 && total > 0) {
			t.Errorf("after %s: %s differs from a count of the %d cases in %d keys (it holds %d)", after, table, total, diff, keys)
		}
	}
}

// TestReport_YearBeforeIsThatPeriodsTotal: the comparison row of a
// report (the same days a year earlier) has the figures the report of
// that earlier period totals, but for the cases in progress, which are a
// figure of now; generated cases over three years give both periods
// cases of every outcome.
func TestReport_YearBeforeIsThatPeriodsTotal(t *testing.T) {
	a := apptest.New(t, apptest.WithDemo())
	db, err := a.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	if err := benchseed.Seed(context.Background(), db, 2000, nil); err != nil {
		t.Fatal(err)
	}
	var orgs []int64
	a.DB.Raw("SELECT id FROM orgs WHERE type = 'mediation_committee'").Scan(&orgs)
	// The last whole year of the generated cases, and the one before.
	var year int
	a.DB.Raw("SELECT extract(year FROM max(created_at) AT TIME ZONE 'Asia/Shanghai')::int - 1 FROM cases").Scan(&year)
	ctx := context.Background()
	y, before := stats.Year(year), stats.Year(year-1)
	for _, pp := range [][2]stats.Period{
		{y, before},
		// 1 March to 31 May, against the same days a year earlier.
		{{From: y.From.AddDate(0, 2, 0), To: y.From.AddDate(0, 5, 0)}, {From: before.From.AddDate(0, 2, 0), To: before.From.AddDate(0, 5, 0)}},
	} {
		p := pp[0]
		now, err := a.Stats.OrgReport(ctx, orgs, p)
		if err != nil {
			t.Fatal(err)
		}
		then, err := a.Stats.OrgReport(ctx, orgs, pp[1])
		if err != nil {
			t.Fatal(err)
		}
		want := then.Total
		want.Open, want.FiledBefore = 0, 0
		if now.Before != want || want.Filed == 0 || want.Settled == 0 || want.ClaimedFen == 0 {
			t.Errorf("%s: the year before reads %+v; that period's report totals %+v", p.From.Format("2006-01-02"), now.Before, want)
		}
		// Every row's filings of the year before are that period's
		// row's filings.
		if now.Total.FiledBefore != then.Total.Filed {
			t.Errorf("%s: total filed the year before %d, that period's %d", p.From.Format("2006-01-02"), now.Total.FiledBefore, then.Total.Filed)
		}
		nonzero := 0
		for i, c := range now.Committees {
			if c.FiledBefore != then.Committees[i].Filed {
				t.Errorf("%s: %s filed the year before %d, that period's %d", p.From.Format("2006-01-02"), c.Code, c.FiledBefore, then.Committees[i].Filed)
			}
			nonzero += min(c.FiledBefore, 1)
		}
		for _, b := range []struct {
			name      string
			now, then []stats.Line
		}{{"type", now.ByType, then.ByType}, {"source", now.BySource, then.BySource}, {"right", now.ByRight, then.ByRight}} {
			if len(b.now) != len(b.then) {
				t.Fatalf("%s: %d rows by %s, %d the year before", p.From.Format("2006-01-02"), len(b.now), b.name, len(b.then))
			}
			for i, l := range b.now {
				if l.Key != b.then[i].Key || l.FiledBefore != b.then[i].Filed {
					t.Errorf("%s: by %s %s filed the year before %d, that period's %s %d", p.From.Format("2006-01-02"), b.name, l.Key, l.FiledBefore, b.then[i].Key, b.then[i].Filed)
				}
				nonzero += min(l.FiledBefore, 1)
			}
		}
		if nonzero < 10 {
			t.Errorf("%s: only %d rows were filed in the year before", p.From.Format("2006-01-02"), nonzero)
		}
	}
}
