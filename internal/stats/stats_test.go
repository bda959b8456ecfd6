package stats_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/stats"
)

// TestHeadline: the year's numbers per committee (filed and ended this
// calendar year, in progress now whenever filed), each viewer seeing the
// committees they oversee: the leadership office all of them, the city
// director the city and its counties, a county director their own, and
// nobody else anything.
func TestHeadline(t *testing.T) {
	a := apptest.New(t, apptest.WithDemo())
	as := func(u string) context.Context { return actingAs(t, a, u) }
	org := func(code string) int64 {
		var id int64
		a.DB.Raw("SELECT id FROM orgs WHERE code = ?", code).Scan(&id)
		return id
	}
	file := func(clerk, committee string) domain.Case {
		t.Helper()
		c, err := a.Cases.Submit(as(clerk), cases.IntakeInput{OrgID: org(committee), Source: domain.SourceDirect,
			DisputeType: domain.DisputeCopyright, Summary: "网店销售盗版图书。", Claims: "停止销售。",
			Parties: []cases.PartyInput{{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "海峡书局有限公司"},
				{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "王某"}}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	settled, failed := file("clerk.gulou", "gulou"), file("clerk.gulou", "gulou")
	running := file("clerk.gulou", "gulou")
	file("clerk.cangshan", "cangshan")
	if err := a.DB.Exec("UPDATE cases SET status = 'closed', outcome = 'settled', outcome_at = ? WHERE id = ?", a.Clock.Now(), settled.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := a.DB.Exec("UPDATE cases SET status = 'failed', outcome = 'failed', outcome_at = ? WHERE id = ?", a.Clock.Now(), failed.ID).Error; err != nil {
		t.Fatal(err)
	}
	// Last year's cases: one still in progress (counted as in progress, not
	// as filed this year), one settled last year (counted nowhere).
	lastYear := a.Clock.Now().AddDate(-1, 0, 0)
	old, oldSettled := file("clerk.gulou", "gulou"), file("clerk.gulou", "gulou")
	if err := a.DB.Exec("UPDATE cases SET created_at = ? WHERE id IN (?, ?)", lastYear, old.ID, oldSettled.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := a.DB.Exec("UPDATE cases SET status = 'closed', outcome = 'settled', outcome_at = ? WHERE id = ?", lastYear.Add(time.Hour), oldSettled.ID).Error; err != nil {
		t.Fatal(err)
	}
	// A first response due a day ago by the app's clock, still open, on
	// the running case: overdue at gulou. The same on the failed case, and
	// the parties' judicial confirmation window (information only), are
	// not: a finished case is never overdue, nor is a window that is
	// nobody's duty.
	err := a.DB.Transaction(func(tx *gorm.DB) error {
		for _, sp := range []deadline.Spec{
			{Subject: deadline.CaseSubject(running.ID), CaseID: &running.ID, Kind: "first_response", RuleID: "exhibition.first_response"},
			{Subject: deadline.CaseSubject(failed.ID), CaseID: &failed.ID, Kind: "first_response", RuleID: "exhibition.first_response"},
			{Subject: deadline.CaseSubject(running.ID), CaseID: &running.ID, Kind: deadline.KindJudicialConfirmation,
				RuleID: deadline.RuleJudicialConfirmationApply, Event: a.Clock.Now().Add(-40 * 24 * time.Hour)},
		} {
			sp.OrgID = org("gulou")
			if sp.Event.IsZero() {
				sp.Event = a.Clock.Now().Add(-48 * time.Hour)
			}
			if _, err := a.Deadlines.OpenTx(as("clerk.gulou"), tx, sp); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := a.Stats
	row := func(h stats.Headline, code string) stats.Committee {
		for _, c := range h.Committees {
			if c.Code == code {
				return c
			}
		}
		t.Fatalf("no line for %s in %+v", code, h.Committees)
		return stats.Committee{}
	}

	h, ok, err := svc.Headline(as("leader"))
	if err != nil || !ok {
		t.Fatalf("leader: %v %v", ok, err)
	}
	if len(h.Committees) != 8 || h.Year != a.Clock.Now().In(time.FixedZone("CST", 8*3600)).Year() {
		t.Fatalf("leader sees %d committees for %d, want all 8 this year", len(h.Committees), h.Year)
	}
	g := row(h, "gulou")
	if g.Filed != 3 || g.Open != 2 || g.Settled != 1 || g.Failed != 1 || g.Overdue != 1 || g.SuccessRate() != 50 {
		t.Fatalf("gulou = %+v (rate %d)", g, g.SuccessRate())
	}
	if h.Total.Filed != 4 || h.Total.Open != 3 || h.Total.Overdue != 1 {
		t.Fatalf("total = %+v", h.Total)
	}
	if c := row(h, "cangshan"); c.Filed != 1 || c.SuccessRate() != -1 {
		t.Fatalf("cangshan = %+v", c)
	}

	// How long the mediations that ended this year took: 10 and 30 days.
	for id, days := range map[int64]int{settled.ID: 10, failed.ID: 30} {
		if err := a.DB.Exec("UPDATE cases SET accepted_at = outcome_at - make_interval(days => ?) WHERE id = ?", days, id).Error; err != nil {
			t.Fatal(err)
		}
	}
	// The trend: twelve months, this month's filings beside last year's.
	now := a.Clock.Now().In(time.FixedZone("CST", 8*3600))
	rep, ok, err := svc.Report(as("leader"), stats.Year(now.Year()))
	if err != nil || !ok || len(rep.Trend) != 12 {
		t.Fatalf("report trend: %v %v %d months", ok, err, len(rep.Trend))
	}
	want := stats.Duration{N: 2, Median: 20, P90: 28}
	if d := row(stats.Headline{Committees: rep.Committees}, "gulou").Duration; d != want || rep.Duration != want {
		t.Errorf("durations: gulou %+v, total %+v, want %+v", d, rep.Duration, want)
	}
	if d := row(stats.Headline{Committees: rep.Committees}, "cangshan").Duration; d.N != 0 {
		t.Errorf("cangshan ended no mediation but has a duration %+v", d)
	}
	if m := rep.Trend[now.Month()-1]; m.Filed != 4 || m.Before != 2 {
		t.Errorf("this month's trend = %+v, want 4 filed and 2 a year before", m)
	}
	if q, _, _ := svc.Report(as("leader"), stats.Period{From: stats.Year(now.Year()).From, To: stats.Year(now.Year()).From.AddDate(0, 3, 0)}); len(q.Trend) != 3 {
		t.Errorf("a quarter's trend has %d months", len(q.Trend))
	}
	if _, _, err := svc.Report(as("leader"), stats.Period{From: now, To: now}); err == nil {
		t.Error("an empty period was accepted")
	}

	if h, _, _ := svc.Headline(as("director.city")); len(h.Committees) != 8 || h.Committees[0].Code != "city" {
		t.Fatalf("the city director sees %+v, want the city committee first and its 7 counties", h.Committees)
	}
	if h, ok, _ := svc.Headline(as("director.cangshan")); !ok || len(h.Committees) != 1 || h.Committees[0].Filed != 1 {
		t.Fatalf("the cangshan director sees %+v", h.Committees)
	}
	for _, u := range []string{"mediator1.gulou", "clerk.gulou", "sme1", "liaison.gulou-court"} {
		if _, ok, err := svc.Headline(as(u)); ok || err != nil {
			t.Errorf("%s reads the headline numbers (%v)", u, err)
		}
	}
}

// actingAs is a context acting as the demo user u.
func actingAs(t *testing.T, a *app.App, u string) context.Context {
	t.Helper()
	var id int64
	a.DB.Raw("SELECT id FROM users WHERE username = ?", u).Scan(&id)
	act, err := a.Identity.Actor(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return domain.WithActor(context.Background(), act)
}
