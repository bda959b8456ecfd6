package notify

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/ipmediate/ipmediate/internal/calendar"
)

// StageKind says how a stage's time is counted from the due time.
type StageKind int

// Stage kinds.
const (
	// BeforeWorkdays: N working days before the last day.
	BeforeWorkdays StageKind = iota + 1
	// BeforeDays: N calendar days before the last day.
	BeforeDays
	// DueDay: on the last day.
	DueDay
	// Overdue: after the due time, to the director (escalation).
	Overdue
	// AnnualOpen: the announcement that the annual report is owed.
	AnnualOpen
)

// Stage names that are not counted from a number.
const (
	StageDueDay     = "due_day"
	StageEscalation = "overdue_escalation"
	StageAnnualOpen = "annual_open"
)

// Stage is one point at which a reminder goes out.
type Stage struct {
	Name string
	Kind StageKind
	N    int // working or calendar days, for Before*
}

var stagePattern = regexp.MustCompile(`^before_([1-9][0-9]?)(wd|d)$`)

// ParseStage parses a stage name of the configuration: before_<N>wd,
// before_<N>d (1 <= N <= 99) or due_day.
func ParseStage(s string) (Stage, error) {
	if s == StageDueDay {
		return Stage{Name: s, Kind: DueDay}, nil
	}
	m := stagePattern.FindStringSubmatch(s)
	if m == nil {
		return Stage{}, fmt.Errorf("stage %q: want before_<N>wd, before_<N>d or due_day", s)
	}
	n, _ := strconv.Atoi(m[1])
	kind := BeforeWorkdays
	if m[2] == "d" {
		kind = BeforeDays
	}
	return Stage{Name: s, Kind: kind, N: n}, nil
}

// ParseStages parses the configured stage list; a name given twice is an
// error.
func ParseStages(names []string) ([]Stage, error) {
	seen := map[string]bool{}
	out := make([]Stage, 0, len(names))
	for _, n := range names {
		st, err := ParseStage(n)
		if err != nil {
			return nil, err
		}
		if seen[n] {
			return nil, fmt.Errorf("stage %q is listed twice", n)
		}
		seen[n] = true
		out = append(out, st)
	}
	return out, nil
}

// ClockTime is a time of day in Beijing time.
type ClockTime struct{ Hour, Minute int }

// ParseClockTime parses HH:MM.
func ParseClockTime(s string) (ClockTime, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return ClockTime{}, fmt.Errorf("%q is not a time of day (HH:MM)", s)
	}
	return ClockTime{t.Hour(), t.Minute()}, nil
}

// on returns the instant of c on day d, Beijing time.
func (c ClockTime) on(d calendar.Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day, c.Hour, c.Minute, 0, 0, calendar.Beijing)
}

// LastDay returns the civil date of the last day of a period that runs
// out at due: 24:00 of a day is 00:00 of the next, so the instant just
// before due is taken.
func LastDay(due time.Time) calendar.Date {
	return calendar.DateOf(due.Add(-time.Nanosecond))
}

// stageTime returns when a before-due stage fires for a deadline due at
// due, and false when the stage does not apply (it would fire at or after
// the due time, or the calendar cannot count back that far).
func stageTime(cal *calendar.Calendar, at ClockTime, st Stage, due time.Time) (time.Time, bool) {
	last := LastDay(due)
	var day calendar.Date
	switch st.Kind {
	case DueDay:
		day = last
	case BeforeDays:
		day = last.AddDays(-st.N)
	case BeforeWorkdays:
		day = last
		// A year has far fewer than 400 rest days in a row; the bound only
		// stops a calendar that knows no working day at all.
		for counted, steps := 0, 0; counted < st.N; steps++ {
			if steps > 400 {
				return time.Time{}, false
			}
			day = day.AddDays(-1)
			if ok, _ := cal.IsWorkday(day); ok {
				counted++
			}
		}
	default:
		return time.Time{}, false
	}
	t := at.on(day)
	if !t.Before(due) {
		return time.Time{}, false
	}
	return t, true
}

// plannedStage is a stage with its send time for one due time.
type plannedStage struct {
	Stage
	SendAt time.Time
	// Past: the time had passed when planned. A row that already exists
	// for it is kept, but no new row is written (unless CatchUp).
	Past bool
	// CatchUp: every before-due stage had passed, the deadline is not yet
	// due: this one goes out at once.
	CatchUp bool
}

// planStages computes the before-due stages of a deadline due at due,
// planned at now.
func planStages(cal *calendar.Calendar, at ClockTime, stages []Stage, due, now time.Time) []plannedStage {
	var out []plannedStage
	latestPast := -1
	future := false
	for _, st := range stages {
		t, ok := stageTime(cal, at, st, due)
		if !ok {
			continue
		}
		p := plannedStage{Stage: st, SendAt: t, Past: t.Before(now)}
		if p.Past {
			if latestPast < 0 || t.After(out[latestPast].SendAt) {
				latestPast = len(out)
			}
		} else {
			future = true
		}
		out = append(out, p)
	}
	if !future && latestPast >= 0 && now.Before(due) {
		out[latestPast].CatchUp = true
		out[latestPast].SendAt = now
	}
	return out
}

// FormatDue shows a due instant for people, in Beijing time: the end of a
// day reads "2026-03-02 24:00", as the law counts it, not 00:00 of the
// next day.
func FormatDue(due time.Time) string {
	b := due.In(calendar.Beijing)
	if b.Hour() == 0 && b.Minute() == 0 && b.Second() == 0 {
		return LastDay(due).String() + " 24:00"
	}
	return b.Format("2006-01-02 15:04")
}
