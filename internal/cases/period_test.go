package cases_test

import (
	"testing"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/deadline"
)

// TestDeadlines_DirectCaseOneMonthFromAcceptance: a direct case's
// mediation period is one month from acceptance (《人民调解工作若干规定》
// "一般在一个月内调结"; Civil Code arts. 200–204), opened by accept with the
// committee responsible, then handed to the first mediator by assign.
// Accepted on Saturday 31 January 2026 at 09:30: February has no 31st, so
// the month ends on its last day, Saturday 28 February, a make-up working
// day in 2026, so at 24:00 that day. Counted as 30 days it would end on
// Monday 2 March; counted from the assignment on Monday 2 February, on
// Monday 2 March as well.
func TestDeadlines_DirectCaseOneMonthFromAcceptance(t *testing.T) {
	t.Parallel()
	c := newClocked(t, bj(2026, 1, 31, 9, 0))
	cs, err := c.svc.Submit(c.as("clerk.gulou"), intake(c.org("gulou")))
	if err != nil {
		t.Fatal(err)
	}
	if cs.MediationDueAt != nil {
		t.Fatalf("a registered application has a mediation period: %v", cs.MediationDueAt)
	}
	c.clk.set(bj(2026, 1, 31, 9, 30))
	if cs, err = c.svc.Accept(c.as("director.gulou"), cs.ID, cases.AcceptInput{Version: cs.Version, ConsentAt: bj(2026, 1, 31, 9, 0)}); err != nil {
		t.Fatal(err)
	}
	want := bj(2026, 3, 1, 0, 0)
	med := c.deadlines(cs.ID)[deadline.KindMediation]
	if !same(cs.MediationDueAt, want) || med.RuleID != "mediation.direct" || !med.DueAt.Equal(want) || med.LastDay().String() != "2026-02-28" ||
		!same(med.EventAt, bj(2026, 1, 31, 9, 30)) || med.ResponsibleUserID != nil || med.Status != deadline.Open {
		t.Fatalf("at acceptance: case due %v, deadline %+v; want due %v, from the acceptance, the committee responsible", cs.MediationDueAt, med, want)
	}
	m1 := c.userID("mediator1.gulou")
	c.clk.set(bj(2026, 2, 2, 10, 0))
	if cs, err = c.svc.Assign(c.as("director.gulou"), cs.ID, cases.AssignInput{Version: cs.Version, MediatorIDs: []int64{m1}}); err != nil {
		t.Fatal(err)
	}
	med = c.deadlines(cs.ID)[deadline.KindMediation]
	if !same(cs.MediationDueAt, want) || !med.DueAt.Equal(want) || med.ResponsibleUserID == nil || *med.ResponsibleUserID != m1 {
		t.Fatalf("after assignment: case due %v, deadline %+v", cs.MediationDueAt, med)
	}
}
