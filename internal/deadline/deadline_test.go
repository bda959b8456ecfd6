package deadline_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// bj is an instant in Beijing time.
func bj(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, calendar.Beijing)
}

// clock is a settable clock for the services under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func defaults(t *testing.T) (*calendar.Calendar, calendar.Rules) {
	t.Helper()
	cal, rules, err := deadline.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	return cal, rules
}

func fieldsOf(err error) map[string]string {
	var de *domain.Error
	out := map[string]string{}
	if errors.As(err, &de) {
		for _, f := range de.Fields {
			out[f.Field] = f.Message
		}
	}
	return out
}

// TestCalculate: every expectation is counted by hand on the 2026 State
// Council notice (国庆节 1–7 October off, 10 October a make-up working
// day; no holiday in November) and, for 2028, on the statutory holidays.
func TestCalculate(t *testing.T) {
	t.Parallel()
	cal, rules := defaults(t)
	svc := deadline.NewService(deadline.Deps{Calendar: cal, Rules: rules})
	tests := []struct {
		desc          string
		rule          string
		from          time.Time
		due           time.Time
		last, nominal string
		extended      bool
		provisional   bool
	}{
		{"court-delegated: Mon 28 Sep + 30 days is Wed 28 Oct, a working day",
			"mediation.court_delegated", bj(2026, 9, 28, 10, 0), bj(2026, 10, 29, 0, 0), "2026-10-28", "2026-10-28", false, false},
		{"court-entrusted ordinary: + 15 days is Tue 13 Oct",
			"mediation.court_entrusted_ordinary", bj(2026, 9, 28, 10, 0), bj(2026, 10, 14, 0, 0), "2026-10-13", "2026-10-13", false, false},
		{"court-entrusted simplified: + 7 days is Mon 5 Oct, inside National Day, so Thu 8 Oct",
			"mediation.court_entrusted_simplified", bj(2026, 9, 28, 10, 0), bj(2026, 10, 9, 0, 0), "2026-10-08", "2026-10-05", true, false},
		{"judicial confirmation: Thu 22 Oct + 30 days is Sat 21 Nov, so Mon 23 Nov",
			"judicial_confirmation.apply", bj(2026, 10, 22, 10, 0), bj(2026, 11, 24, 0, 0), "2026-11-23", "2026-11-21", true, false},
		{"3 working days from Wed 30 Sep: 8 Oct, 9 Oct and the make-up Saturday 10 Oct",
			"customs.ex_officio.answer", bj(2026, 9, 30, 10, 0), bj(2026, 10, 11, 0, 0), "2026-10-10", "2026-10-10", false, false},
		{"the annual report is due on 20 December even when it is a Sunday",
			"annual_report", bj(2026, 11, 27, 9, 0), bj(2026, 12, 21, 0, 0), "2026-12-20", "2026-12-20", false, false},
		// mediation.direct is one month (docs/law.md §2), ending on the
		// corresponding day of the next month, not 30 days.
		{"2028 has no official arrangement yet: Wed 1 Mar + 1 month is Sat 1 Apr, so Mon 3 Apr, provisionally",
			"mediation.direct", bj(2028, 3, 1, 10, 0), bj(2028, 4, 4, 0, 0), "2028-04-03", "2028-04-01", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			got, err := svc.Calculate(tc.rule, tc.from)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Due.Equal(tc.due) || got.LastDay.String() != tc.last || got.Nominal.String() != tc.nominal ||
				got.Extended != tc.extended || got.Provisional != tc.provisional {
				t.Errorf("got due %v last %s nominal %s extended %v provisional %v\n%s",
					got.Due, got.LastDay, got.Nominal, got.Extended, got.Provisional, got.Explanation)
			}
			r, _ := rules.Rule(tc.rule)
			if got.Rule.ID != tc.rule || got.Basis != r.Basis || got.Basis == "" || got.Explanation == "" {
				t.Errorf("rule %s basis %q explanation %q", got.Rule.ID, got.Basis, got.Explanation)
			}
			if tc.provisional && !slices.Equal(got.ProvisionalYears, []int{2028}) {
				t.Errorf("provisional years = %v", got.ProvisionalYears)
			}
		})
	}

	errs := []struct {
		desc string
		rule string
		from time.Time
		want map[string]string
	}{
		{"no rule", "", bj(2026, 9, 28, 10, 0), map[string]string{"rule": "validation.required"}},
		{"unknown rule", "mediation.nowhere", bj(2026, 9, 28, 10, 0), map[string]string{"rule": "validation.deadline_rule"}},
		{"no time", "mediation.direct", time.Time{}, map[string]string{"from": "validation.required"}},
		{"neither", "", time.Time{}, map[string]string{"rule": "validation.required", "from": "validation.required"}},
		{"a year the calendar does not cover", "mediation.direct", bj(2024, 6, 1, 10, 0), map[string]string{"from": "validation.calendar_range"}},
	}
	for _, tc := range errs {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := svc.Calculate(tc.rule, tc.from)
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("err = %v", err)
			}
			if got := fieldsOf(err); len(got) != len(tc.want) || !mapsEqual(got, tc.want) {
				t.Errorf("fields = %v, want %v", got, tc.want)
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}

func TestParseEventTime(t *testing.T) {
	t.Parallel()
	want := bj(2026, 9, 28, 10, 0)
	for _, s := range []string{"2026-09-28T10:00:00+08:00", "2026-09-28T10:00:00 08:00", "2026-09-28T02:00:00Z",
		"2026-09-28T10:00+08:00", "2026-09-28T10:00 08:00", "2026-09-28T02:00Z", "2026-09-28 10:00+08:00",
		"2026-09-28T10:00", "2026-09-28 10:00", " 2026-09-28T10:00:00 "} {
		got, err := deadline.ParseEventTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v, %v", s, got, err)
		}
	}
	if got, err := deadline.ParseEventTime("2026-09-28"); err != nil || !got.Equal(bj(2026, 9, 28, 0, 0)) {
		t.Errorf("date: %v, %v", got, err)
	}
	for _, s := range []string{"", "yesterday", "2026-02-30", "28/09/2026", "2026-09-28T25:00+08:00", "2026-09-28T10+08:00"} {
		if _, err := deadline.ParseEventTime(s); err == nil {
			t.Errorf("%q was accepted", s)
		}
	}
}

// env is the application with the demo organisations and users, and a
// deadline service on its database with a settable clock.
type env struct {
	t   *testing.T
	a   *app.App
	clk *clock
	svc *deadline.Service
}

func newEnv(t *testing.T, at time.Time) *env {
	t.Helper()
	a := apptest.New(t, apptest.WithDemo())
	cal, rules := defaults(t)
	clk := &clock{t: at}
	return &env{t: t, a: a, clk: clk, svc: deadline.NewService(deadline.Deps{DB: a.DB, Calendar: cal, Rules: rules, Authz: a.Authz, Now: clk.now, Log: testenv.Logger(t)})}
}

func (e *env) id(sql, key string) int64 {
	e.t.Helper()
	var id int64
	if err := e.a.DB.Raw(sql, key).Scan(&id).Error; err != nil || id == 0 {
		e.t.Fatalf("%s %s: %v", sql, key, err)
	}
	return id
}

func (e *env) org(code string) int64 { return e.id("SELECT id FROM orgs WHERE code = ?", code) }
func (e *env) user(name string) int64 {
	return e.id("SELECT id FROM users WHERE username = ?", name)
}

func (e *env) as(username string) context.Context {
	e.t.Helper()
	a, err := e.a.Identity.Actor(context.Background(), e.user(username))
	if err != nil {
		e.t.Fatal(err)
	}
	return domain.WithActor(context.Background(), a)
}

func (e *env) open(sp deadline.Spec) deadline.Deadline {
	e.t.Helper()
	d, err := e.svc.OpenTx(context.Background(), e.a.DB, sp)
	if err != nil {
		e.t.Fatalf("open %s: %v", sp.Kind, err)
	}
	return d
}

func orgSubject(id int64) deadline.Subject {
	return deadline.Subject{Type: deadline.SubjectOrg, ID: id}
}

func ids(ds []deadline.Deadline) []int64 {
	out := []int64{}
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

// TestStore opens, lists, counts down, moves and closes deadlines. The
// clock stands at Friday 27 November 2026, 09:00 Beijing time.
func TestStore(t *testing.T) {
	t.Parallel()
	e := newEnv(t, bj(2026, 11, 27, 9, 0))
	ctx := context.Background()
	gulou, cangshan := e.org("gulou"), e.org("cangshan")
	m1 := e.user("mediator1.gulou")
	var changes []string
	e.svc.OnChange("test", func(_ context.Context, _ *gorm.DB, d deadline.Deadline) error {
		changes = append(changes, d.Kind+":"+string(d.Status))
		return nil
	})

	// A rule's due time comes from the calendar: the annual report, due
	// on Sunday 20 December (a fixed date is not moved off rest days).
	report := e.open(deadline.Spec{Subject: orgSubject(gulou), OrgID: gulou, Kind: "annual_report", RuleID: "annual_report", Event: e.clk.now()})
	if !report.DueAt.Equal(bj(2026, 12, 21, 0, 0)) || report.LastDay().String() != "2026-12-20" || report.Provisional ||
		report.Status != deadline.Open || report.Version != 1 || report.Title != "年度工作情况报送" || report.Basis == "" {
		t.Fatalf("report = %+v", report)
	}
	_, err := e.svc.OpenTx(ctx, e.a.DB, deadline.Spec{Subject: orgSubject(gulou), OrgID: gulou, Kind: "annual_report", RuleID: "annual_report", Event: e.clk.now()})
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("second open annual report: %v", err)
	}
	// Fixed due times: overdue since Wednesday 25 Nov 24:00; due
	// Wednesday 2 Dec; due today (Friday 27 Nov) at 24:00.
	review := e.open(deadline.Spec{Subject: orgSubject(gulou), OrgID: gulou, Kind: "review", Title: "材料审查", Due: bj(2026, 11, 26, 0, 0), Responsible: &m1})
	visit := e.open(deadline.Spec{Subject: orgSubject(gulou), OrgID: gulou, Kind: "visit", Title: "回访", Due: bj(2026, 12, 3, 0, 0), Responsible: &m1})
	other := e.open(deadline.Spec{Subject: orgSubject(cangshan), OrgID: cangshan, Kind: "visit", Title: "回访", Due: bj(2026, 11, 28, 0, 0)})

	t.Run("countdown", func(t *testing.T) {
		now := e.clk.now()
		for _, tc := range []struct {
			d    deadline.Deadline
			want deadline.Countdown
		}{
			{review, deadline.Countdown{Overdue: true, DaysOverdue: 2, Days: -2}},
			// Sat 28, Sun 29 Nov are rest days; Mon 30 Nov, Tue 1, Wed 2 Dec work.
			{visit, deadline.Countdown{WorkingDays: 3, Days: 5}},
			{other, deadline.Countdown{Today: true}},
			// 30 Nov – 18 Dec: three working weeks; 19–20 Dec a weekend.
			{report, deadline.Countdown{WorkingDays: 15, Days: 23}},
		} {
			if got := e.svc.Countdown(tc.d, now); got != tc.want {
				t.Errorf("%s: countdown = %+v, want %+v", tc.d.Title, got, tc.want)
			}
		}
	})

	t.Run("mine", func(t *testing.T) {
		for _, tc := range []struct {
			who  string
			want []int64
		}{
			// The committee's director sees all its deadlines, overdue first.
			{"director.gulou", []int64{review.ID, visit.ID, report.ID}},
			{"clerk.gulou", []int64{review.ID, visit.ID, report.ID}},
			// A mediator, those they are responsible for.
			{"mediator1.gulou", []int64{review.ID, visit.ID}},
			{"mediator2.gulou", nil},
			{"director.cangshan", []int64{other.ID}},
			// The city director supervises the county committees.
			{"director.city", []int64{review.ID, other.ID, visit.ID, report.ID}},
			// The leadership office oversees every organisation's.
			{"leader", []int64{review.ID, other.ID, visit.ID, report.ID}},
			// An enterprise: none of these concern it (TestMine_Enterprise).
			{"sme1", nil},
		} {
			got, next, err := e.svc.Mine(e.as(tc.who), deadline.MineFilter{})
			if err != nil || next != "" || !slices.Equal(ids(got), tc.want) {
				t.Errorf("%s: %v next %q err %v, want %v", tc.who, ids(got), next, err, tc.want)
			}
		}
		for _, who := range []string{"admin"} {
			if _, _, err := e.svc.Mine(e.as(who), deadline.MineFilter{}); domain.ErrorCode(err) != domain.EFORBIDDEN {
				t.Errorf("%s: %v", who, err)
			}
		}
		page, next, err := e.svc.Mine(e.as("director.gulou"), deadline.MineFilter{Limit: 2})
		if err != nil || !slices.Equal(ids(page), []int64{review.ID, visit.ID}) || next == "" {
			t.Fatalf("page 1: %v %q %v", ids(page), next, err)
		}
		page, next, err = e.svc.Mine(e.as("director.gulou"), deadline.MineFilter{Limit: 2, Cursor: next})
		if err != nil || !slices.Equal(ids(page), []int64{report.ID}) || next != "" {
			t.Errorf("page 2: %v %q %v", ids(page), next, err)
		}
		if _, _, err := e.svc.Mine(e.as("director.gulou"), deadline.MineFilter{Cursor: "garbage"}); fieldsOf(err)["cursor"] != "validation.cursor" {
			t.Errorf("bad cursor: %v", err)
		}
		if _, _, err := e.svc.Mine(e.as("director.gulou"), deadline.MineFilter{Status: "late"}); fieldsOf(err)["status"] != "validation.status" {
			t.Errorf("bad status: %v", err)
		}
		got, _, err := e.svc.Mine(e.as("director.gulou"), deadline.MineFilter{OrgID: cangshan})
		if err != nil || len(got) != 0 {
			t.Errorf("another org's filter: %v %v", ids(got), err)
		}
	})

	t.Run("move", func(t *testing.T) {
		before, after, err := e.svc.MoveTx(ctx, e.a.DB, orgSubject(gulou), "visit", bj(2026, 12, 10, 0, 0), "延长至12月9日", e.clk.now())
		if err != nil {
			t.Fatal(err)
		}
		if !before.DueAt.Equal(bj(2026, 12, 3, 0, 0)) || !after.DueAt.Equal(bj(2026, 12, 10, 0, 0)) || after.ExtendedFrom == nil ||
			!after.ExtendedFrom.Equal(bj(2026, 12, 3, 0, 0)) || after.Version != 2 || after.Explanation != "延长至12月9日" {
			t.Fatalf("moved: %+v → %+v", before, after)
		}
		// A second extension keeps the original due time.
		_, after, err = e.svc.MoveTx(ctx, e.a.DB, orgSubject(gulou), "visit", bj(2026, 12, 17, 0, 0), "再次延长", e.clk.now())
		if err != nil || !after.ExtendedFrom.Equal(bj(2026, 12, 3, 0, 0)) || after.Version != 3 {
			t.Fatalf("moved again: %+v %v", after, err)
		}
		if _, _, err := e.svc.MoveTx(ctx, e.a.DB, orgSubject(gulou), "nothing", bj(2026, 12, 17, 0, 0), "", e.clk.now()); !errors.Is(err, deadline.ErrNotOpen) {
			t.Errorf("moving what is not open: %v", err)
		}
	})

	t.Run("responsible", func(t *testing.T) {
		mc := e.user("mediator1.cangshan")
		if err := e.svc.SetResponsibleTx(ctx, e.a.DB, orgSubject(cangshan), &mc, e.clk.now()); err != nil {
			t.Fatal(err)
		}
		if got, _, err := e.svc.Mine(e.as("mediator1.cangshan"), deadline.MineFilter{}); err != nil || !slices.Equal(ids(got), []int64{other.ID}) {
			t.Errorf("after handing over: %v %v", ids(got), err)
		}
		if err := e.svc.SetResponsibleTx(ctx, e.a.DB, orgSubject(cangshan), nil, e.clk.now()); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := e.svc.Mine(e.as("mediator1.cangshan"), deadline.MineFilter{}); len(got) != 0 {
			t.Errorf("after taking back: %v", ids(got))
		}
	})

	t.Run("close", func(t *testing.T) {
		at := e.clk.now()
		closed, err := e.svc.CloseTx(ctx, e.a.DB, orgSubject(gulou), "visit", deadline.Met, at)
		if err != nil || len(closed) != 1 || closed[0].Status != deadline.Met || closed[0].ClosedAt == nil || !closed[0].ClosedAt.Equal(at) {
			t.Fatalf("met: %+v %v", closed, err)
		}
		// Done after it ran out: missed.
		closed, err = e.svc.CloseTx(ctx, e.a.DB, orgSubject(gulou), "review", deadline.Met, at)
		if err != nil || len(closed) != 1 || closed[0].Status != deadline.Missed {
			t.Fatalf("late: %+v %v", closed, err)
		}
		// Every other open one of the subject.
		closed, err = e.svc.CloseTx(ctx, e.a.DB, orgSubject(gulou), "", deadline.Cancelled, at)
		if err != nil || !slices.Equal(ids(closed), []int64{report.ID}) || closed[0].Status != deadline.Cancelled {
			t.Fatalf("cancel: %+v %v", closed, err)
		}
		if closed, err = e.svc.CloseTx(ctx, e.a.DB, orgSubject(gulou), "", deadline.Cancelled, at); err != nil || len(closed) != 0 {
			t.Errorf("nothing left to close: %+v %v", closed, err)
		}
		if _, err := e.svc.CloseTx(ctx, e.a.DB, orgSubject(gulou), "", deadline.Open, at); err == nil {
			t.Error("closing as open was accepted")
		}
		for status, want := range map[deadline.Status][]int64{deadline.Open: {}, deadline.Met: {visit.ID},
			deadline.Missed: {review.ID}, deadline.Cancelled: {report.ID}} {
			got, _, err := e.svc.Mine(e.as("director.gulou"), deadline.MineFilter{Status: status})
			if err != nil || !slices.Equal(ids(got), want) {
				t.Errorf("%s: %v %v, want %v", status, ids(got), err, want)
			}
		}
	})

	// The change hooks saw every change, in its transaction's order.
	want := []string{"annual_report:open", "review:open", "visit:open", "visit:open", // opened
		"visit:open", "visit:open", // moved twice
		"visit:open", "visit:open", // handed over and back
		"visit:met", "review:missed", "annual_report:cancelled"} // closed
	if !slices.Equal(changes, want) {
		t.Errorf("changes = %v\nwant      %v", changes, want)
	}
}

// official2028 is a made-up official arrangement for 2028 in which Monday
// 3 April is a day off, as if the State Council had published it.
func official2028(t *testing.T) *calendar.Calendar {
	t.Helper()
	cal, err := calendar.Load(fstest.MapFS{"2028.yaml": {Data: []byte(`year: 2028
source: 测试用的假设安排
official: true
holidays:
  - {date: 2028-01-01, name: 元旦}
  - {date: 2028-04-03, name: 测试假日}
`)}})
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// TestRecomputeProvisional: a deadline computed on the provisional 2028
// calendar is left alone while the calendar is still provisional, and
// moves and becomes official when the official file arrives.
func TestRecomputeProvisional(t *testing.T) {
	t.Parallel()
	e := newEnv(t, bj(2028, 3, 1, 10, 0))
	ctx := context.Background()
	gulou := e.org("gulou")
	prov := e.open(deadline.Spec{Subject: orgSubject(gulou), OrgID: gulou, Kind: "mediation", RuleID: "mediation.direct", Event: bj(2028, 3, 1, 10, 0)})
	// mediation.direct is one month: the corresponding day, Saturday 1
	// April, is a rest day, so the period ends on Monday 3 April.
	if !prov.Provisional || !prov.DueAt.Equal(bj(2028, 4, 4, 0, 0)) || prov.EventAt == nil {
		t.Fatalf("provisional deadline = %+v", prov)
	}
	fixed := e.open(deadline.Spec{Subject: orgSubject(gulou), OrgID: gulou, Kind: "annual_report", RuleID: "annual_report", Event: bj(2026, 11, 27, 9, 0)})
	if fixed.Provisional {
		t.Fatal("a 2026 deadline is not provisional")
	}

	rep, err := e.svc.RecomputeProvisional(ctx)
	if err != nil || rep != (deadline.RecomputeReport{Checked: 1}) {
		t.Fatalf("recompute on the same calendar: %+v %v", rep, err)
	}

	_, rules := defaults(t)
	official := deadline.NewService(deadline.Deps{DB: e.a.DB, Calendar: official2028(t), Rules: rules, Now: e.clk.now})
	var seen []deadline.Deadline
	official.OnRecompute("test", func(_ context.Context, _ *gorm.DB, before, after deadline.Deadline) error {
		seen = append(seen, before, after)
		return nil
	})
	rep, err = official.RecomputeProvisional(ctx)
	if err != nil || rep != (deadline.RecomputeReport{Checked: 1, Moved: 1, Confirmed: 1}) {
		t.Fatalf("recompute with the official file: %+v %v", rep, err)
	}
	// 1–2 April are a weekend and Monday 3 April is now a day off:
	// Tuesday 4 April.
	if len(seen) != 2 || !seen[0].DueAt.Equal(bj(2028, 4, 4, 0, 0)) || !seen[1].DueAt.Equal(bj(2028, 4, 5, 0, 0)) || seen[1].Provisional {
		t.Fatalf("hook saw %+v", seen)
	}
	var row struct {
		DueAt       time.Time
		Provisional bool
		Version     int
	}
	if err := e.a.DB.Raw("SELECT due_at, provisional, version FROM deadlines WHERE id = ?", prov.ID).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	if !row.DueAt.Equal(bj(2028, 4, 5, 0, 0)) || row.Provisional || row.Version != 2 {
		t.Errorf("stored = %+v", row)
	}
	if err := e.a.DB.Raw("SELECT due_at, provisional, version FROM deadlines WHERE id = ?", fixed.ID).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	if !row.DueAt.Equal(fixed.DueAt) || row.Version != 1 {
		t.Errorf("a deadline that was not provisional changed: %+v", row)
	}
	if rep, err = official.RecomputeProvisional(ctx); err != nil || rep != (deadline.RecomputeReport{}) {
		t.Errorf("nothing is left to recompute: %+v %v", rep, err)
	}
}
