package deadline_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/deadline"
)

// TestOverdue_ByDutyAndCase: only an organisation's own deadline is ever
// overdue, and never one of a finished case; a finished case's deadlines
// show no countdown.
func TestOverdue_ByDutyAndCase(t *testing.T) {
	t.Parallel()
	cal, _ := defaults(t)
	now := bj(2026, 3, 10, 10, 0)
	caseID := int64(7)
	passed := deadline.Deadline{Status: deadline.Open, DueAt: bj(2026, 3, 9, 0, 0), CaseID: &caseID, CaseStatus: "mediating"}
	for _, tc := range []struct {
		duty    deadline.Duty
		status  string
		overdue bool
	}{
		{deadline.DutyOrganisation, "mediating", true},
		{deadline.DutyParty, "mediating", false},
		{deadline.DutyInformation, "mediating", false},
		{deadline.DutySoft, "mediating", false},
		{deadline.DutyOrganisation, "settled", false},
		{deadline.DutyOrganisation, "failed", false},
		{deadline.DutyOrganisation, "withdrawn", false},
		{deadline.DutyOrganisation, "rejected", false},
		{deadline.DutyOrganisation, "closed", false},
	} {
		d := passed
		d.Duty, d.CaseStatus = tc.duty, tc.status
		if got := d.Overdue(now); got != tc.overdue {
			t.Errorf("%s deadline of a %s case: overdue = %v, want %v", tc.duty, tc.status, got, tc.overdue)
		}
		cd := deadline.CountdownOn(cal, d, now)
		if cd.Overdue != tc.overdue {
			t.Errorf("%s deadline of a %s case: countdown %+v", tc.duty, tc.status, cd)
		}
		finished := deadline.CaseFinished(tc.status)
		if finished && cd != (deadline.Countdown{}) {
			t.Errorf("a deadline of a %s case still counts down: %+v", tc.status, cd)
		}
		if !finished && !tc.overdue && !cd.Passed {
			t.Errorf("a passed %s deadline: countdown %+v, want Passed", tc.duty, cd)
		}
	}
	// The performance date of a settled or closed case is the mediator's
	// follow-up: it still counts down, and once passed it is passed, not
	// overdue, whatever duty an older row carries.
	for _, status := range []string{"settled", "closed"} {
		for _, duty := range []deadline.Duty{deadline.DutySoft, deadline.DutyOrganisation} {
			d := passed
			d.Kind, d.Duty, d.CaseStatus = deadline.KindPerformance, duty, status
			cd := deadline.CountdownOn(cal, d, now)
			if !d.FollowUp() || !d.Running() || d.Overdue(now) || cd.Overdue || !cd.Passed {
				t.Errorf("%s performance date of a %s case: follow-up %v, running %v, overdue %v, countdown %+v",
					duty, status, d.FollowUp(), d.Running(), d.Overdue(now), cd)
			}
		}
	}
}

// TestMine_InformationAndFinishedCases: the judicial-confirmation window
// is nobody's own deadline, and a finished case's open deadlines are not
// on anyone's list but the follow-up of its agreement's performance;
// CloseTx lapses, not misses, a passed information window;
// LapseInformation closes the passed ones quietly.
func TestMine_InformationAndFinishedCases(t *testing.T) {
	t.Parallel()
	e := newEnv(t, bj(2026, 3, 10, 10, 0))
	ctx := context.Background()
	gulou := e.org("gulou")
	m1 := e.user("mediator1.gulou")
	var reg bool // a registration number, where the schema has one
	if err := e.a.DB.Raw(`SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'cases' AND column_name = 'registration_number')`).
		Scan(&reg).Error; err != nil {
		t.Fatal(err)
	}
	newCase := func(n int, status string) int64 {
		number := "（2026）测试第" + strconv.Itoa(n) + "号"
		cols, vals, args := "org_id, number, year, seq, source, dispute_type, summary, status", "?, ?, 2026, ?, 'direct', 'patent_infringement', '摘要', ?",
			[]any{gulou, number, n, status}
		if reg {
			// The schema that numbers a case on acceptance keeps the number's
			// sequence and year apart.
			cols, vals, args = cols+", registration_number, number_seq, number_year", vals+", ?, ?, 2026", append(args, number+"登", n)
		}
		var id int64
		if err := e.a.DB.Raw("INSERT INTO cases ("+cols+") VALUES ("+vals+") RETURNING id", args...).Scan(&id).Error; err != nil {
			t.Fatal(err)
		}
		return id
	}
	running, settled := newCase(1, "mediating"), newCase(2, "settled")
	med := e.open(deadline.Spec{Subject: deadline.CaseSubject(running), OrgID: gulou, CaseID: &running, Kind: deadline.KindMediation,
		Title: "调解期限", Due: bj(2026, 3, 9, 0, 0), Responsible: &m1})
	jc := e.open(deadline.Spec{Subject: deadline.CaseSubject(settled), OrgID: gulou, CaseID: &settled, Kind: deadline.KindJudicialConfirmation,
		RuleID: deadline.RuleJudicialConfirmationApply, Event: bj(2026, 3, 2, 10, 0), Responsible: &m1})
	perf := e.open(deadline.Spec{Subject: deadline.CaseSubject(settled), OrgID: gulou, CaseID: &settled, Kind: deadline.KindPerformance,
		Title: "调解协议履行期限", Due: bj(2026, 3, 5, 0, 0), Duty: deadline.DutySoft, Responsible: &m1})
	if jc.Duty != deadline.DutyInformation || med.Duty != deadline.DutyOrganisation || perf.Duty != deadline.DutySoft {
		t.Fatalf("duties: jc %q, mediation %q, performance %q", jc.Duty, med.Duty, perf.Duty)
	}
	// The settled case's performance date (passed on 5 March) is the
	// mediator's follow-up; its judicial-confirmation window is nobody's.
	for _, who := range []string{"mediator1.gulou", "director.gulou", "clerk.gulou"} {
		got, _, err := e.svc.Mine(e.as(who), deadline.MineFilter{})
		if err != nil || !slices.Equal(ids(got), []int64{perf.ID, med.ID}) {
			t.Errorf("%s: mine = %v (%v), want the performance follow-up %d and the running case's mediation period %d",
				who, ids(got), err, perf.ID, med.ID)
		}
	}
	ds, err := e.svc.ForCase(ctx, settled)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.CaseStatus != "settled" || d.Overdue(e.clk.now()) {
			t.Errorf("deadline %s of the settled case: case status %q, overdue %v", d.Kind, d.CaseStatus, d.Overdue(e.clk.now()))
		}
	}

	// The parties apply after the window: it lapsed, nobody missed it.
	e.clk.t = bj(2026, 4, 10, 10, 0)
	closed, err := e.svc.CloseTx(ctx, e.a.DB, deadline.CaseSubject(settled), deadline.KindJudicialConfirmation, deadline.Met, time.Time{})
	if err != nil || len(closed) != 1 || closed[0].Status != deadline.Lapsed {
		t.Fatalf("closing a passed window: %+v, %v; want lapsed", closed, err)
	}

	// Another window, left to pass: the sweep lapses it, once, and
	// audits it.
	other := newCase(3, "settled")
	jc2 := e.open(deadline.Spec{Subject: deadline.CaseSubject(other), OrgID: gulou, CaseID: &other, Kind: deadline.KindJudicialConfirmation,
		RuleID: deadline.RuleJudicialConfirmationApply, Event: bj(2026, 3, 2, 10, 0)})
	n, err := e.svc.LapseInformation(ctx, e.a.Audit)
	if err != nil || n != 1 {
		t.Fatalf("lapse: %d, %v; want 1", n, err)
	}
	if n, err := e.svc.LapseInformation(ctx, e.a.Audit); err != nil || n != 0 {
		t.Errorf("second lapse: %d, %v; want 0", n, err)
	}
	var status string
	var audits int
	e.a.DB.Raw("SELECT status FROM deadlines WHERE id = ?", jc2.ID).Scan(&status)
	e.a.DB.Raw("SELECT count(*) FROM audit_log WHERE action = 'deadline.lapse' AND object_id = ?", itoa(jc2.ID)).Scan(&audits)
	if status != "lapsed" || audits != 1 {
		t.Errorf("swept window: status %q, %d audit rows; want lapsed and 1", status, audits)
	}
	// The organisation's own deadlines are not swept.
	e.a.DB.Raw("SELECT status FROM deadlines WHERE id = ?", med.ID).Scan(&status)
	if status != "open" {
		t.Errorf("the mediation period was closed by the sweep: %s", status)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
