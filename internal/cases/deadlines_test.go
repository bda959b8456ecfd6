package cases_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/database"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// The deadlines the case actions keep (docs/design.md §6), on a settable clock.
// Every date is counted by hand on the 2026 State Council notice: 国庆节
// 1–7 October off, Saturday 10 October a make-up working day, no holiday
// in November; 1 October 2026 is a Thursday.

// bj is an instant in Beijing time.
func bj(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, calendar.Beijing)
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// clocked is the fixture with a case service on a settable clock.
type clocked struct {
	*fixture
	clk *testClock
	svc *cases.Service
}

func newClocked(t *testing.T, at time.Time) *clocked {
	fx := newFixture(t)
	clk := &testClock{t: at}
	return &clocked{fixture: fx, clk: clk,
		svc: fx.app.CapabilitiesAt(clk.now).Cases}
}

// mediating files in as the clerk of gulou at 09:00 on day, accepts it
// at 09:30 (the mediation period starts) and assigns mediators at 10:00,
// all on day (Beijing).
func (c *clocked) mediating(in cases.IntakeInput, day time.Time, mediators ...int64) domain.Case {
	c.t.Helper()
	y, m, d := day.Date()
	c.clk.set(bj(y, m, d, 9, 0))
	cs, err := c.svc.Submit(c.as("clerk.gulou"), in)
	if err != nil {
		c.t.Fatalf("submit: %v", err)
	}
	c.clk.set(bj(y, m, d, 9, 30))
	if cs, err = c.svc.Accept(c.as("director.gulou"), cs.ID, cases.AcceptInput{Version: cs.Version, ConsentAt: bj(y, m, d, 9, 0)}); err != nil {
		c.t.Fatalf("accept: %v", err)
	}
	c.clk.set(bj(y, m, d, 10, 0))
	if cs, err = c.svc.Assign(c.as("director.gulou"), cs.ID, cases.AssignInput{Version: cs.Version, MediatorIDs: mediators}); err != nil {
		c.t.Fatalf("assign: %v", err)
	}
	return cs
}

// deadlines returns the case's deadlines as its page shows them.
func (c *clocked) deadlines(id int64) map[string]deadline.Deadline {
	c.t.Helper()
	v, err := c.svc.Get(c.as("director.gulou"), id)
	if err != nil {
		c.t.Fatal(err)
	}
	out := map[string]deadline.Deadline{}
	for _, d := range v.Deadlines {
		if _, dup := out[d.Kind]; dup {
			c.t.Fatalf("two %s deadlines: %+v", d.Kind, v.Deadlines)
		}
		out[d.Kind] = d
	}
	return out
}

func same(a *time.Time, b time.Time) bool { return a != nil && a.Equal(b) }

// TestDeadlines_CourtDelegatedCase: accepted on Monday 28 September 2026
// at 09:30 (registered by hand, so without a recorded receipt of the
// court's materials), a court-delegated case has 30 days: the 28th is not counted,
// day 30 is Wednesday 28 October, a working day, so mediation is due at
// 24:00 that day (2026-10-29T00:00+08:00). It is extended, settled in
// time, and the agreement's effect opens the judicial-confirmation window
// and the performance date.
func TestDeadlines_CourtDelegatedCase(t *testing.T) {
	t.Parallel()
	c := newClocked(t, bj(2026, 9, 28, 9, 0))
	m1 := c.userID("mediator1.gulou")
	in := intake(c.org("gulou"))
	in.Source, in.ExternalRef = domain.SourceCourtDelegated, "（2026）闽0102民诉前调88号"
	cs := c.mediating(in, bj(2026, 9, 28, 0, 0), m1)
	if !same(cs.MediationDueAt, bj(2026, 10, 29, 0, 0)) {
		t.Fatalf("mediation due %v, want 2026-10-29T00:00+08:00", cs.MediationDueAt)
	}
	med := c.deadlines(cs.ID)[deadline.KindMediation]
	if med.RuleID != "mediation.court_delegated" || med.Status != deadline.Open || med.Provisional ||
		!med.DueAt.Equal(bj(2026, 10, 29, 0, 0)) || med.LastDay().String() != "2026-10-28" ||
		!same(med.EventAt, bj(2026, 9, 28, 9, 30)) ||
		med.ResponsibleUserID == nil || *med.ResponsibleUserID != m1 || med.OrgID != c.org("gulou") ||
		med.CaseID == nil || *med.CaseID != cs.ID || med.Basis == "" {
		t.Fatalf("mediation deadline = %+v", med)
	}

	// Extension to 24:00 on Thursday 12 November.
	c.clk.set(bj(2026, 10, 20, 10, 0))
	cs, err := c.svc.Extend(c.as("director.gulou"), cs.ID, cases.ExtendInput{Version: cs.Version, NewDueAt: bj(2026, 11, 13, 0, 0),
		Reason: "等待鉴定意见", ApplicantConsent: true, RespondentConsent: true})
	if err != nil {
		t.Fatal(err)
	}
	med = c.deadlines(cs.ID)[deadline.KindMediation]
	if !same(cs.MediationDueAt, bj(2026, 11, 13, 0, 0)) || !med.DueAt.Equal(bj(2026, 11, 13, 0, 0)) ||
		!same(med.ExtendedFrom, bj(2026, 10, 29, 0, 0)) || med.Status != deadline.Open || med.Version != 3 { // opened, handed to m1, moved
		t.Fatalf("after extension: case due %v, deadline %+v", cs.MediationDueAt, med)
	}

	if cs, err = c.svc.Declare(c.as("mediator1.gulou"), cs.ID, cases.DeclareInput{Version: cs.Version, NoConflict: true}); err != nil {
		t.Fatal(err)
	}
	c.clk.set(bj(2026, 10, 21, 10, 0))
	ag := agreement(cs.Version)
	ag.PerformanceDue = "2026-12-31"
	if cs, err = c.svc.Settle(c.as("mediator1.gulou"), cs.ID, ag); err != nil {
		t.Fatal(err)
	}
	ds := c.deadlines(cs.ID)
	if med := ds[deadline.KindMediation]; med.Status != deadline.Met || !same(med.ClosedAt, bj(2026, 10, 21, 10, 0)) || len(ds) != 1 {
		t.Fatalf("after settling in time: %+v", ds)
	}

	// Every signature, the seal last at 10:00 on Thursday 22 October: the
	// agreement takes effect then. 30 days: day 30 is Saturday 21
	// November, so the window ends on Monday 23 November at 24:00.
	c.clk.set(bj(2026, 10, 22, 11, 0))
	parties := c.partyIDs(cs.ID)
	for _, s := range []cases.SignoffInput{
		{SignerKind: "party", PartyID: parties[0], Method: "handwritten", SignedAt: bj(2026, 10, 22, 9, 0)},
		{SignerKind: "party", PartyID: parties[1], Method: "handwritten", SignedAt: bj(2026, 10, 22, 9, 10)},
		{SignerKind: "mediator", UserID: m1, Method: "handwritten", SignedAt: bj(2026, 10, 22, 9, 20)},
		{SignerKind: "seal", Method: "seal", SignedAt: bj(2026, 10, 22, 10, 0)},
	} {
		s.Version = cs.Version
		if cs, err = c.svc.Signoff(c.as("clerk.gulou"), cs.ID, s); err != nil {
			t.Fatalf("sign-off %s: %v", s.SignerKind, err)
		}
	}
	ds = c.deadlines(cs.ID)
	jc, perf := ds[deadline.KindJudicialConfirmation], ds[deadline.KindPerformance]
	if jc.RuleID != "judicial_confirmation.apply" || jc.Status != deadline.Open || !jc.DueAt.Equal(bj(2026, 11, 24, 0, 0)) ||
		jc.LastDay().String() != "2026-11-23" || !same(jc.EventAt, bj(2026, 10, 22, 10, 0)) || jc.Provisional {
		t.Errorf("judicial confirmation = %+v", jc)
	}
	// The performance date the agreement fixes, 31 December, at 24:00: the
	// mediator's follow-up (soft), never the committee's overdue duty.
	if perf.RuleID != "" || perf.Status != deadline.Open || !perf.DueAt.Equal(bj(2027, 1, 1, 0, 0)) || perf.Basis == "" ||
		perf.Duty != deadline.DutySoft {
		t.Errorf("performance = %+v", perf)
	}
	v, err := c.svc.Get(c.as("director.gulou"), cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{v.Deadlines[0].Kind, v.Deadlines[1].Kind, v.Deadlines[2].Kind}; !slices.Equal(got,
		[]string{deadline.KindJudicialConfirmation, deadline.KindPerformance, deadline.KindMediation}) {
		t.Errorf("page order = %v, want open ones by due time, then closed", got)
	}
	eff := v.Events[len(v.Events)-1]
	if eff.Action != "agreement_effective" || eff.Detail["judicial_confirmation_due_at"] != "2026-11-23T16:00:00Z" {
		t.Errorf("effect event = %+v", eff)
	}

	// Closing the case leaves the window and the performance date running.
	c.clk.set(bj(2026, 10, 23, 10, 0))
	if cs, err = c.svc.Close(c.as("director.gulou"), cs.ID, cases.CloseInput{Version: cs.Version, Note: "履行中"}); err != nil {
		t.Fatal(err)
	}
	ds = c.deadlines(cs.ID)
	if ds[deadline.KindJudicialConfirmation].Status != deadline.Open || ds[deadline.KindPerformance].Status != deadline.Open ||
		ds[deadline.KindMediation].Status != deadline.Met {
		t.Errorf("after closing: %+v", ds)
	}
	// "My deadlines" lists only the performance follow-up: the window is
	// the parties' and shown for information, and nothing else of a
	// finished case runs; following up how the agreement is performed is
	// the mediator's task (deadline.Service.Mine), never overdue.
	for _, who := range []string{"mediator1.gulou", "director.gulou", "clerk.gulou"} {
		mine, _, err := c.app.Deadlines.Mine(c.as(who), deadline.MineFilter{})
		if err != nil || len(mine) != 1 || mine[0].ID != perf.ID || !mine[0].FollowUp() || mine[0].Overdue(bj(2027, 1, 5, 10, 0)) {
			t.Errorf("%s's deadlines: %+v %v; want the performance follow-up %d only", who, mine, err, perf.ID)
		}
	}
	if mine, _, err := c.app.Deadlines.Mine(c.as("mediator2.gulou"), deadline.MineFilter{}); err != nil || len(mine) != 0 {
		t.Errorf("another mediator's deadlines: %+v %v", mine, err)
	}
}

// TestDeadlines_CourtEntrustedSimplified: 7 days from Monday 28 September
// end on Monday 5 October, inside the National Day holiday (1–7 October),
// so the period runs to Thursday 8 October. The case fails on 12 October:
// the deadline was missed.
func TestDeadlines_CourtEntrustedSimplified(t *testing.T) {
	t.Parallel()
	c := newClocked(t, bj(2026, 9, 28, 9, 0))
	m1 := c.userID("mediator1.gulou")
	in := intake(c.org("gulou"))
	in.Source, in.ExternalRef = domain.SourceCourtEntrusted, "（2026）闽0102民初321号"

	t.Run("the procedure is required and checked", func(t *testing.T) {
		for proc, want := range map[domain.CourtProcedure]string{"": "validation.required", "fast": "validation.court_procedure"} {
			in := in
			in.CourtProcedure = proc
			_, err := c.svc.Submit(c.as("clerk.gulou"), in)
			if m := fieldMessage(err, "court_procedure"); m != want {
				t.Errorf("procedure %q: %v", proc, err)
			}
		}
		direct := intake(c.org("gulou"))
		direct.CourtProcedure = domain.ProcedureOrdinary
		_, err := c.svc.Submit(c.as("clerk.gulou"), direct)
		if m := fieldMessage(err, "court_procedure"); m != "validation.not_applicable" {
			t.Errorf("a direct case with a procedure: %v", err)
		}
	})

	in.CourtProcedure = domain.ProcedureSimplified
	cs := c.mediating(in, bj(2026, 9, 28, 0, 0), m1)
	if cs.CourtProcedure != domain.ProcedureSimplified || !same(cs.MediationDueAt, bj(2026, 10, 9, 0, 0)) {
		t.Fatalf("simplified: procedure %q due %v, want 2026-10-09T00:00+08:00", cs.CourtProcedure, cs.MediationDueAt)
	}
	med := c.deadlines(cs.ID)[deadline.KindMediation]
	if med.RuleID != "mediation.court_entrusted_simplified" || !med.DueAt.Equal(bj(2026, 10, 9, 0, 0)) || med.LastDay().String() != "2026-10-08" {
		t.Fatalf("deadline = %+v", med)
	}

	// The ordinary procedure: 15 days, Tuesday 13 October.
	ord := in
	ord.CourtProcedure, ord.ExternalRef = domain.ProcedureOrdinary, "（2026）闽0102民初322号"
	if cs2 := c.mediating(ord, bj(2026, 9, 28, 0, 0), m1); !same(cs2.MediationDueAt, bj(2026, 10, 14, 0, 0)) {
		t.Errorf("ordinary: due %v, want 2026-10-14T00:00+08:00", cs2.MediationDueAt)
	}

	cs, err := c.svc.Declare(c.as("mediator1.gulou"), cs.ID, cases.DeclareInput{Version: cs.Version, NoConflict: true})
	if err != nil {
		t.Fatal(err)
	}
	c.clk.set(bj(2026, 10, 12, 15, 0))
	if cs, err = c.svc.Fail(c.as("mediator1.gulou"), cs.ID, cases.FailInput{Version: cs.Version, Reason: "双方分歧较大", Route: domain.RouteLitigation}); err != nil {
		t.Fatal(err)
	}
	if med := c.deadlines(cs.ID)[deadline.KindMediation]; med.Status != deadline.Missed || !same(med.ClosedAt, bj(2026, 10, 12, 15, 0)) {
		t.Errorf("failed after the deadline: %+v", med)
	}
}

// TestDeadlines_WithdrawCancels: a direct case (30 days, due like the
// court-delegated one at 24:00 on 28 October) with two mediators; the
// first withdraws from the case, so the second becomes responsible; the
// applicant withdraws, so the deadline is cancelled.
func TestDeadlines_WithdrawCancels(t *testing.T) {
	t.Parallel()
	c := newClocked(t, bj(2026, 9, 28, 9, 0))
	m1, m2 := c.userID("mediator1.gulou"), c.userID("mediator2.gulou")
	cs := c.mediating(intake(c.org("gulou")), bj(2026, 9, 28, 0, 0), m1, m2)
	med := c.deadlines(cs.ID)[deadline.KindMediation]
	if med.RuleID != "mediation.direct" || !med.DueAt.Equal(bj(2026, 10, 29, 0, 0)) || med.ResponsibleUserID == nil || *med.ResponsibleUserID != m1 {
		t.Fatalf("deadline = %+v", med)
	}
	cs, err := c.svc.Declare(c.as("mediator1.gulou"), cs.ID, cases.DeclareInput{Version: cs.Version, Statement: "本人系被申请人的近亲属"})
	if err != nil {
		t.Fatal(err)
	}
	if med := c.deadlines(cs.ID)[deadline.KindMediation]; med.ResponsibleUserID == nil || *med.ResponsibleUserID != m2 {
		t.Errorf("after the first mediator withdrew: responsible %v, want %d", med.ResponsibleUserID, m2)
	}
	c.clk.set(bj(2026, 10, 9, 10, 0))
	if cs, err = c.svc.Withdraw(c.as("clerk.gulou"), cs.ID, cases.ReasonInput{Version: cs.Version, Reason: "双方已自行和解"}); err != nil {
		t.Fatal(err)
	}
	if med := c.deadlines(cs.ID)[deadline.KindMediation]; med.Status != deadline.Cancelled || !same(med.ClosedAt, bj(2026, 10, 9, 10, 0)) {
		t.Errorf("after withdrawal: %+v", med)
	}
	if mine, _, err := c.app.Deadlines.Mine(c.as("mediator2.gulou"), deadline.MineFilter{}); err != nil || len(mine) != 0 {
		t.Errorf("a cancelled deadline is no one's: %+v %v", mine, err)
	}
}

// TestDeadlines_ProvisionalYear: accepted on Wednesday 1 March 2028, a
// year without an official holiday arrangement, a direct case's month
// ends on the corresponding day, Saturday 1 April, a rest day, so on
// Monday 3 April, provisionally. When the official arrangement arrives
// (here a made-up one in which 3 April is a day off) the deadline and the
// case's due date move to Tuesday 4 April, 24:00.
func TestDeadlines_ProvisionalYear(t *testing.T) {
	t.Parallel()
	c := newClocked(t, bj(2028, 3, 1, 9, 0))
	cs := c.mediating(intake(c.org("gulou")), bj(2028, 3, 1, 0, 0), c.userID("mediator1.gulou"))
	med := c.deadlines(cs.ID)[deadline.KindMediation]
	if !med.Provisional || !med.DueAt.Equal(bj(2028, 4, 4, 0, 0)) || !same(cs.MediationDueAt, bj(2028, 4, 4, 0, 0)) {
		t.Fatalf("2028: deadline %+v, case due %v", med, cs.MediationDueAt)
	}

	official, err := calendar.Load(fstest.MapFS{"2028.yaml": {Data: []byte(`year: 2028
source: 测试用的假设安排
official: true
holidays:
  - {date: 2028-01-01, name: 元旦}
  - {date: 2028-04-03, name: 测试假日}
`)}})
	if err != nil {
		t.Fatal(err)
	}
	_, rules, err := deadline.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	dsvc := deadline.NewService(deadline.Deps{DB: c.db, Calendar: official, Rules: rules, Authz: c.app.Authz, Now: c.clk.now, Log: testenv.Logger(t)})
	// The case service registers its hook on the deadline service it uses.
	cases.NewService(cases.Deps{DB: c.db, Reads: database.Direct(c.db), Authz: c.app.Authz, Audit: c.app.Audit, PII: c.app.PII, Deadlines: dsvc, Notices: c.app.Notify,
		Now: c.clk.now, Log: testenv.Logger(t)})
	c.clk.set(bj(2028, 3, 2, 8, 0))
	rep, err := dsvc.RecomputeProvisional(context.Background())
	if err != nil || rep != (deadline.RecomputeReport{Checked: 1, Moved: 1, Confirmed: 1}) {
		t.Fatalf("recompute: %+v %v", rep, err)
	}
	v, err := c.svc.Get(c.as("director.gulou"), cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !same(v.MediationDueAt, bj(2028, 4, 5, 0, 0)) || v.Version != cs.Version+1 || v.Deadlines[0].Provisional ||
		!v.Deadlines[0].DueAt.Equal(bj(2028, 4, 5, 0, 0)) {
		t.Fatalf("after the official file: case due %v version %d (was %d), deadline %+v", v.MediationDueAt, v.Version, cs.Version, v.Deadlines[0])
	}
	last := v.Events[len(v.Events)-1]
	if last.Action != "deadline_recomputed" || last.ActorName != "system" {
		t.Errorf("timeline: %+v", last)
	}
	if got := c.auditActions(cs.ID); !slices.Contains(got, "case.deadline_recomputed") {
		t.Errorf("audit: %v", got)
	}
	rep2, err := c.app.Audit.Verify(context.Background(), nil)
	if err != nil || !rep2.OK() {
		t.Errorf("audit chain: %+v %v", rep2, err)
	}
}
