package notify_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ipmediate/ipmediate/internal/notify"
	"github.com/ipmediate/ipmediate/internal/notify/notifytest"
)

func TestParseStage(t *testing.T) {
	tests := []struct {
		desc string
		in   string
		want notify.Stage
		bad  bool
	}{
		{desc: "working days", in: "before_3wd", want: notify.Stage{Name: "before_3wd", Kind: notify.BeforeWorkdays, N: 3}},
		{desc: "calendar days", in: "before_10d", want: notify.Stage{Name: "before_10d", Kind: notify.BeforeDays, N: 10}},
		{desc: "due day", in: "due_day", want: notify.Stage{Name: "due_day", Kind: notify.DueDay}},
		{desc: "zero", in: "before_0wd", bad: true},
		{desc: "hours are not a stage", in: "before_3h", bad: true},
		{desc: "escalation is not configurable", in: "overdue_escalation", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := notify.ParseStage(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("ParseStage(%q) = %+v, want an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseStage(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
	if _, err := notify.ParseStages([]string{"due_day", "due_day"}); err == nil {
		t.Error("a stage listed twice must be refused")
	}
}

// TestStageTimes counts working days back on the 2026 calendar, holidays
// and make-up working days (调休) included.
func TestStageTimes(t *testing.T) {
	cal := notifytest.Calendar(t)
	at := notify.ClockTime{Hour: 9}
	bj := notifytest.Beijing
	tests := []struct {
		desc  string
		stage string
		due   time.Time
		want  time.Time // zero: the stage does not apply
	}{
		{desc: "1 working day before a Wednesday", stage: "before_1wd", due: notifytest.EndOf(2026, 2, 25), want: bj(2026, 2, 24, 9, 0)},
		{desc: "3 working days back over Spring Festival, through the make-up Saturday", stage: "before_3wd",
			due: notifytest.EndOf(2026, 2, 25), want: bj(2026, 2, 13, 9, 0)},
		{desc: "the make-up Saturday is a working day", stage: "before_1wd", due: notifytest.EndOf(2026, 3, 2), want: bj(2026, 2, 28, 9, 0)},
		{desc: "back over National Day", stage: "before_1wd", due: notifytest.EndOf(2026, 10, 8), want: bj(2026, 9, 30, 9, 0)},
		{desc: "calendar days ignore holidays", stage: "before_2d", due: notifytest.EndOf(2026, 2, 18), want: bj(2026, 2, 16, 9, 0)},
		{desc: "on the last day, not 00:00 of the next", stage: "due_day", due: notifytest.EndOf(2026, 3, 2), want: bj(2026, 3, 2, 9, 0)},
		{desc: "an hours deadline before the send time has no due-day reminder", stage: "due_day", due: bj(2026, 3, 2, 8, 0)},
		{desc: "an hours deadline after it has one", stage: "due_day", due: bj(2026, 3, 2, 15, 30), want: bj(2026, 3, 2, 9, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			st, err := notify.ParseStage(tt.stage)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := notify.StageTime(cal, at, st, tt.due)
			if tt.want.IsZero() {
				if ok {
					t.Fatalf("stage %s applies at %v, want not at all", tt.stage, got)
				}
				return
			}
			if !ok || !got.Equal(tt.want) {
				t.Errorf("stage %s of %v = %v (%v), want %v", tt.stage, tt.due, got.In(bj(2026, 1, 1, 0, 0).Location()), ok, tt.want)
			}
		})
	}
}

func TestPlanStages_PastStagesAndCatchUp(t *testing.T) {
	cal := notifytest.Calendar(t)
	stages, _ := notify.ParseStages([]string{"before_3wd", "before_1wd", "due_day"})
	at := notify.ClockTime{Hour: 9}
	due := notifytest.EndOf(2026, 3, 2) // Monday; stages Feb 26, Feb 28 (make-up Saturday), Mar 2
	type row struct {
		Name    string
		SendAt  time.Time
		Past    bool
		CatchUp bool
	}
	plan := func(now time.Time) []row {
		var out []row
		for _, p := range notify.PlanStagesForTest(cal, at, stages, due, now) {
			out = append(out, row{p.Name, p.SendAt, p.Past, p.CatchUp})
		}
		return out
	}
	bj := notifytest.Beijing
	t.Run("all ahead", func(t *testing.T) {
		got := plan(bj(2026, 2, 20, 10, 0))
		want := []row{{"before_3wd", bj(2026, 2, 26, 9, 0), false, false}, {"before_1wd", bj(2026, 2, 28, 9, 0), false, false},
			{"due_day", bj(2026, 3, 2, 9, 0), false, false}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("some past", func(t *testing.T) {
		got := plan(bj(2026, 2, 27, 10, 0))
		if !got[0].Past || got[0].CatchUp || got[1].Past || got[2].Past {
			t.Errorf("plan = %+v", got)
		}
	})
	t.Run("all past, not yet due: the latest goes out at once", func(t *testing.T) {
		now := bj(2026, 3, 2, 12, 0)
		got := plan(now)
		if !got[2].CatchUp || !got[2].SendAt.Equal(now) || got[0].CatchUp || got[1].CatchUp {
			t.Errorf("plan = %+v", got)
		}
	})
	t.Run("already due: nothing to catch up", func(t *testing.T) {
		for _, p := range plan(bj(2026, 3, 3, 1, 0)) {
			if p.CatchUp {
				t.Errorf("catch-up after the due time: %+v", p)
			}
		}
	})
}

func TestFormatDue(t *testing.T) {
	if got := notify.FormatDue(notifytest.EndOf(2026, 3, 2)); got != "2026-03-02 24:00" {
		t.Errorf("end of day = %q", got)
	}
	if got := notify.FormatDue(notifytest.Beijing(2026, 3, 2, 15, 30)); got != "2026-03-02 15:30" {
		t.Errorf("an instant = %q", got)
	}
}

func TestRender(t *testing.T) {
	tr := notifytest.Texts(t)
	params := map[string]any{"Title": "委派调解期限", "Due": "2026-03-02 24:00", "Stage": "before_3wd"}
	title, body := notify.Render(tr, "zh-CN", "deadline_remind", params)
	if title != "期限提醒：委派调解期限" || body != "“委派调解期限”将于 2026-03-02 24:00 届满（还有 3 个工作日）。" {
		t.Errorf("zh-CN: %q / %q", title, body)
	}
	// A deadline of a complaint at a fair names the fair and the
	// respondent; of a customs recordation, its number.
	title, _ = notify.Render(tr, "zh-CN", "deadline_set", map[string]any{"Title": "移交知识产权管理部门", "Due": "D",
		"Fair": "中国·海峡创新项目成果交易会", "FairRespondent": "厦门某信息技术有限公司"})
	if title != "新的期限：移交知识产权管理部门（中国·海峡创新项目成果交易会展会投诉（被投诉方：厦门某信息技术有限公司））" {
		t.Errorf("fair complaint: %q", title)
	}
	title, _ = notify.Render(tr, "en", "deadline_set", map[string]any{"Title": "Validity", "Due": "D", "Recordation": "T2019-12345"})
	if title != "New deadline: Validity (customs recordation T2019-12345)" {
		t.Errorf("recordation: %q", title)
	}
	title, body = notify.Render(tr, "en", "deadline_escalate", map[string]any{"Title": "T", "Due": "D", "Stage": "overdue_escalation"})
	if title != "Deadline overdue: T" || body == "" {
		t.Errorf("en: %q / %q", title, body)
	}
}
