package cases_test

import (
	"slices"
	"testing"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// settledOral takes a direct case through mediation to an oral agreement
// reached at 10:00 on Monday 12 October 2026, to be performed by Friday
// 30 October: the case is settled at once, the performance date open.
func settledOral(c *clocked) domain.Case {
	c.t.Helper()
	m1 := c.userID("mediator1.gulou")
	cs := c.mediating(intake(c.org("gulou")), bj(2026, 10, 9, 0, 0), m1)
	cs, err := c.svc.Declare(c.as("mediator1.gulou"), cs.ID, cases.DeclareInput{Version: cs.Version, NoConflict: true})
	if err != nil {
		c.t.Fatal(err)
	}
	c.clk.set(bj(2026, 10, 12, 11, 0))
	ag := agreement(cs.Version)
	agreed := bj(2026, 10, 12, 10, 0)
	ag.Oral, ag.AgreedAt, ag.PerformanceDue = true, &agreed, "2026-10-30"
	if cs, err = c.svc.Settle(c.as("mediator1.gulou"), cs.ID, ag); err != nil {
		c.t.Fatal(err)
	}
	if cs.Status != domain.StatusSettled {
		c.t.Fatalf("status %s, want settled", cs.Status)
	}
	return cs
}

// TestPerformance_FollowUps: a partial performance leaves the performance
// date open, and a later follow-up that the agreement was performed by
// that date closes it as met, though recorded after it passed; the case
// keeps its status, each record is an event and an audit row, and the
// page shows the history with the latest result.
func TestPerformance_FollowUps(t *testing.T) {
	t.Parallel()
	c := newClocked(t, bj(2026, 10, 9, 9, 0))
	cs := settledOral(c)
	perf := c.deadlines(cs.ID)[deadline.KindPerformance]
	if perf.Status != deadline.Open || perf.Duty != deadline.DutySoft || !perf.DueAt.Equal(bj(2026, 10, 31, 0, 0)) {
		t.Fatalf("performance date = %+v", perf)
	}

	c.clk.set(bj(2026, 10, 20, 15, 0))
	cs, err := c.svc.RecordPerformance(c.as("mediator1.gulou"), cs.ID, cases.PerformanceInput{Version: cs.Version,
		Result: domain.PerformancePartly, PerformedOn: "2026-10-20", Note: "已支付一万元，余款约定月底前付清。"})
	if err != nil {
		t.Fatal(err)
	}
	if cs.Status != domain.StatusSettled {
		t.Errorf("status %s, want settled", cs.Status)
	}
	if d := c.deadlines(cs.ID)[deadline.KindPerformance]; d.Status != deadline.Open {
		t.Errorf("after a partial performance: %+v, want open", d)
	}

	// The date passes without a record: the mediator's follow-up is on
	// their list, not overdue, and the case is not red.
	c.clk.set(bj(2026, 11, 3, 10, 0))
	mine, _, err := c.app.Deadlines.Mine(c.as("mediator1.gulou"), deadline.MineFilter{})
	if err != nil || len(mine) != 1 || mine[0].ID != perf.ID {
		t.Fatalf("mediator's deadlines: %+v %v", mine, err)
	}
	if cd := deadline.CountdownOn(c.app.Deadlines.Calendar(), mine[0], c.clk.now()); mine[0].Overdue(c.clk.now()) || cd.Overdue || !cd.Passed {
		t.Errorf("a passed follow-up: overdue %v, countdown %+v; want passed, not overdue", mine[0].Overdue(c.clk.now()), cd)
	}

	// The clerk records, after the visit, that the rest was paid on 30
	// October: on time.
	cs, err = c.svc.RecordPerformance(c.as("clerk.gulou"), cs.ID, cases.PerformanceInput{Version: cs.Version,
		Result: domain.PerformancePerformed, PerformedOn: "2026-10-30"})
	if err != nil {
		t.Fatal(err)
	}
	if d := c.deadlines(cs.ID)[deadline.KindPerformance]; d.Status != deadline.Met || !same(d.ClosedAt, bj(2026, 11, 3, 10, 0)) {
		t.Errorf("after performance on time: %+v, want met now", d)
	}
	if mine, _, err := c.app.Deadlines.Mine(c.as("mediator1.gulou"), deadline.MineFilter{}); err != nil || len(mine) != 0 {
		t.Errorf("the follow-up is done, yet the mediator's deadlines are %+v %v", mine, err)
	}
	v, err := c.svc.Get(c.as("director.gulou"), cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Performance) != 2 || v.Performance[0].Result != domain.PerformancePartly || v.Performance[1].Result != domain.PerformancePerformed ||
		v.Performance[1].PerformedOn.Format("2006-01-02") != "2026-10-30" || v.Performance[1].RecordedBy != c.userID("clerk.gulou") ||
		v.Performance[1].RecorderName == "" {
		t.Errorf("performance = %+v", v.Performance)
	}
	last := v.Events[len(v.Events)-1]
	if last.Action != "performance" || last.FromStatus != domain.StatusSettled || last.ToStatus != domain.StatusSettled ||
		last.Detail["performed_on"] != "2026-10-30" {
		t.Errorf("event = %+v", last)
	}
	if after, _ := last.Detail["after"].(map[string]any); after["performance_result"] != "performed" {
		t.Errorf("event detail = %+v", last.Detail)
	}
	audits := c.auditActions(cs.ID)
	if n := len(slices.DeleteFunc(slices.Clone(audits), func(a string) bool { return a != "case.performance" })); n != 2 {
		t.Errorf("audit = %v, want two case.performance rows", audits)
	}

	// A closed case is still followed up; the date is closed already.
	cs, err = c.svc.Close(c.as("director.gulou"), cs.ID, cases.CloseInput{Version: cs.Version, Note: "协议已履行"})
	if err != nil {
		t.Fatal(err)
	}
	if cs, err = c.svc.RecordPerformance(c.as("mediator1.gulou"), cs.ID, cases.PerformanceInput{Version: cs.Version,
		Result: domain.PerformancePerformed, PerformedOn: "2026-11-02", Note: "回访确认无遗留问题。"}); err != nil {
		t.Fatalf("a follow-up of a closed case: %v", err)
	}
	if cs.Status != domain.StatusClosed {
		t.Errorf("status %s, want closed", cs.Status)
	}
}

// TestPerformance_LateOrRefused: performed after the agreed date closes
// the date as missed, and so does a refusal.
func TestPerformance_LateOrRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		result domain.PerformanceResult
		on     string
	}{
		{domain.PerformancePerformed, "2026-10-31"},
		{domain.PerformanceRefused, "2026-10-20"},
	} {
		t.Run(string(tc.result), func(t *testing.T) {
			t.Parallel()
			c := newClocked(t, bj(2026, 10, 9, 9, 0))
			cs := settledOral(c)
			c.clk.set(bj(2026, 11, 2, 10, 0))
			cs, err := c.svc.RecordPerformance(c.as("mediator1.gulou"), cs.ID, cases.PerformanceInput{Version: cs.Version,
				Result: tc.result, PerformedOn: tc.on, Note: "回访情况"})
			if err != nil {
				t.Fatal(err)
			}
			if d := c.deadlines(cs.ID)[deadline.KindPerformance]; d.Status != deadline.Missed {
				t.Errorf("performance date %+v, want missed", d)
			}
		})
	}
}

// TestPerformance_Refusals: bad input is 422 naming the fields, a stale
// version and a case without an agreement in effect are 409, and nothing
// is written.
func TestPerformance_Refusals(t *testing.T) {
	t.Parallel()
	c := newClocked(t, bj(2026, 10, 9, 9, 0))
	cs := settledOral(c)
	c.clk.set(bj(2026, 10, 20, 15, 0))
	nothing := func(t *testing.T) {
		t.Helper()
		if v := c.version(cs.ID); v != cs.Version {
			t.Errorf("version changed to %d", v)
		}
		if n := c.count("SELECT count(*) FROM case_performance WHERE case_id = ?", cs.ID); n != 0 {
			t.Errorf("%d performance rows written", n)
		}
		if got := c.eventActions(cs.ID); got[len(got)-1] == "performance" {
			t.Errorf("events = %v", got)
		}
	}
	for _, tc := range []struct {
		desc  string
		in    cases.PerformanceInput
		field string
		msg   string
	}{
		{"no result", cases.PerformanceInput{PerformedOn: "2026-10-20"}, "result", "validation.performance_result"},
		{"an unknown result", cases.PerformanceInput{Result: "mostly", PerformedOn: "2026-10-20"}, "result", "validation.performance_result"},
		{"no date", cases.PerformanceInput{Result: domain.PerformancePerformed}, "performed_on", "validation.required"},
		{"not a date", cases.PerformanceInput{Result: domain.PerformancePerformed, PerformedOn: "20.10.2026"}, "performed_on", "validation.date"},
		{"tomorrow", cases.PerformanceInput{Result: domain.PerformancePerformed, PerformedOn: "2026-10-21"}, "performed_on", "validation.future_date"},
		{"before the agreement took effect", cases.PerformanceInput{Result: domain.PerformancePerformed, PerformedOn: "2026-10-11"},
			"performed_on", "validation.before_agreement_effect"},
		{"partly without a note", cases.PerformanceInput{Result: domain.PerformancePartly, PerformedOn: "2026-10-20", Note: "  "},
			"note", "validation.required"},
		{"refused without a note", cases.PerformanceInput{Result: domain.PerformanceRefused, PerformedOn: "2026-10-20"},
			"note", "validation.required"},
		{"a note too long", cases.PerformanceInput{Result: domain.PerformancePerformed, PerformedOn: "2026-10-20",
			Note: string(make([]rune, 20001))}, "note", "validation.too_long"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			in := tc.in
			in.Version = cs.Version
			_, err := c.svc.RecordPerformance(c.as("mediator1.gulou"), cs.ID, in)
			wantCode(t, err, domain.EINVALID)
			if m := fieldMessage(err, tc.field); m != tc.msg {
				t.Errorf("%s: %q, want %q (fields %v)", tc.field, m, tc.msg, fieldNames(err))
			}
			nothing(t)
		})
	}
	t.Run("the day the agreement took effect is fine, as is today", func(t *testing.T) {
		// Checked without writing: a stale version is refused after
		// the input was found valid.
		for _, on := range []string{"2026-10-12", "2026-10-20"} {
			_, err := c.svc.RecordPerformance(c.as("mediator1.gulou"), cs.ID, cases.PerformanceInput{Version: cs.Version - 1,
				Result: domain.PerformancePerformed, PerformedOn: on})
			if de := wantCode(t, err, domain.ECONFLICT); len(de.Allowed) != 0 {
				t.Errorf("%s: a stale update is no illegal transition: %v", on, de.Allowed)
			}
		}
		nothing(t)
	})
	t.Run("a case still mediating", func(t *testing.T) {
		other := c.mediating(intake(c.org("gulou")), bj(2026, 10, 20, 0, 0), c.userID("mediator1.gulou"))
		c.clk.set(bj(2026, 10, 20, 15, 0))
		_, err := c.svc.RecordPerformance(c.as("mediator1.gulou"), other.ID, cases.PerformanceInput{Version: other.Version,
			Result: domain.PerformancePerformed, PerformedOn: "2026-10-20"})
		de := wantCode(t, err, domain.ECONFLICT)
		if slices.Contains(de.Allowed, string(domain.ActionPerformance)) || len(de.Allowed) == 0 {
			t.Errorf("allowed = %v", de.Allowed)
		}
	})
}
