package calendar

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// Unit is the unit a period is counted in.
type Unit string

// The units of a period.
const (
	// CalendarDays counts every day; a last day that is a rest day moves
	// to the next working day.
	CalendarDays Unit = "calendar_days"
	// WorkingDays counts working days only (make-up working days count).
	WorkingDays Unit = "working_days"
	// Months ends on the corresponding day of the final month, or on its
	// last day when it has none; a rest day moves as for CalendarDays.
	Months Unit = "months"
	// Years is 12 months.
	Years Unit = "years"
	// Hours runs from the event's moment, to the minute.
	Hours Unit = "hours"
	// AnnualDate is not a period but a fixed day each year (a Rule's On);
	// only Calendar.Apply counts it.
	AnnualDate Unit = "annual_date"
)

// Valid reports whether u is one of the units above.
func (u Unit) Valid() bool {
	switch u {
	case CalendarDays, WorkingDays, Months, Years, Hours, AnnualDate:
		return true
	}
	return false
}

// zh names the unit after a number: 30 日, 5 个工作日.
func (u Unit) zh() string {
	switch u {
	case CalendarDays:
		return "日"
	case WorkingDays:
		return "个工作日"
	case Months:
		return "个月"
	case Years:
		return "年"
	case Hours:
		return "小时"
	}
	return string(u)
}

// maxLimit bounds a period so that a typo cannot make the calendar walk for
// ever; the longest real limit is the ten-year customs recordation.
const maxLimit = 10000

// Result is a computed deadline.
type Result struct {
	// Due is the instant the period runs out: 24:00 Beijing time on
	// LastDay (00:00 of the next day, UTC+8), or the exact instant for a
	// period in hours. An act is in time if it is done before Due.
	Due time.Time
	// LastDay is the last day of the period (the Beijing date of Due's
	// last moment).
	LastDay Date
	// Nominal is the last day before a rest day moved it; equal to LastDay
	// when nothing moved.
	Nominal Date
	// Extended is true when the last day fell on a rest day and moved to
	// the next working day (Civil Code art. 203).
	Extended bool
	// Provisional is true when any day consulted lies in a year without an
	// official holiday arrangement; recompute when the file arrives.
	Provisional bool
	// ProvisionalYears lists those years.
	ProvisionalYears []int
	// RuleID and Basis are set by Apply.
	RuleID string
	Basis  string
	// Explanation says, in Chinese for the clerk, how the date was reached.
	Explanation string
}

// Overdue reports whether the deadline has run out at now. Pass the
// service's clock, never time.Now directly, so that tests need no sleeping.
func (r Result) Overdue(now time.Time) bool { return !now.Before(r.Due) }

// counter walks the calendar for one computation and remembers what it saw.
type counter struct {
	c           *Calendar
	provisional map[int]bool
}

func (k *counter) day(d Date) (DayInfo, error) {
	info, err := k.c.Day(d)
	if err != nil {
		return DayInfo{}, err
	}
	if info.Provisional {
		k.provisional[d.Year] = true
	}
	return info, nil
}

func (k *counter) years() []int {
	out := make([]int, 0, len(k.provisional))
	for y := range k.provisional {
		out = append(out, y)
	}
	slices.Sort(out)
	return out
}

// Due computes the end of a period of n units that starts with the event at
// the instant event (docs/design.md §6; Civil Code arts. 200–204):
//
//   - days, working days, months and years start on the day after the
//     event's Beijing date;
//   - months and years end on the corresponding day of the final month, or
//     on its last day when it has none;
//   - a calendar-day, month or year period whose last day is a rest day
//     (weekend or public holiday; a make-up working day is not one) ends on
//     the first working day after it;
//   - working days count only working days, make-up working days included;
//   - the last day ends at 24:00 Beijing time; hours run from the event's
//     moment and are never extended.
//
// It returns an EINVALID error when n is not positive, the unit is unknown
// or AnnualDate (use Apply), or a day needed lies outside the calendar.
func (c *Calendar) Due(event time.Time, n int, unit Unit) (Result, error) {
	if event.IsZero() {
		return Result{}, domain.Errorf(domain.EINVALID, "no event time")
	}
	if n < 1 || n > maxLimit {
		return Result{}, domain.Errorf(domain.EINVALID, "period length %d is outside 1–%d", n, maxLimit)
	}
	k := &counter{c: c, provisional: map[int]bool{}}
	var (
		r   Result
		err error
		b   strings.Builder
	)
	switch unit {
	case Hours:
		r = k.hours(event, n, &b)
	case CalendarDays:
		r, err = k.days(event, n, &b)
	case Months, Years:
		months := n
		if unit == Years {
			months = 12 * n
		}
		r, err = k.months(event, n, unit, months, &b)
	case WorkingDays:
		r, err = k.workingDays(event, n, &b)
	case AnnualDate:
		return Result{}, domain.Errorf(domain.EINVALID, "an annual date needs a rule; use Apply")
	default:
		return Result{}, domain.Errorf(domain.EINVALID, "unknown period unit %q", unit)
	}
	if err != nil {
		return Result{}, err
	}
	r.ProvisionalYears = k.years()
	r.Provisional = len(r.ProvisionalYears) > 0
	if unit != Hours {
		fmt.Fprintf(&b, "期间届满：%s 24:00（北京时间）。", r.LastDay.withWeekday())
	}
	if r.Provisional {
		fmt.Fprintf(&b, "\n注意：%s 年尚无国务院办公厅节假日安排，按《全国年节及纪念日放假办法》的法定节假日临时推算（未计调休、补休），"+
			"结果为临时结果，官方安排公布后须重新计算。", joinYears(r.ProvisionalYears))
	}
	r.Explanation = b.String()
	return r, nil
}

func (k *counter) hours(event time.Time, n int, b *strings.Builder) Result {
	due := event.Add(time.Duration(n) * time.Hour).In(Beijing)
	fmt.Fprintf(b, "自 %s 起算 %d 小时，届满 %s（北京时间）。按小时计算的期间自事件时刻起算，不因休息日顺延。",
		event.In(Beijing).Format("2006-01-02 15:04"), n, due.Format("2006-01-02 15:04"))
	last := DateOf(due.Add(-time.Nanosecond))
	return Result{Due: due, LastDay: last, Nominal: last}
}

func startLine(b *strings.Builder, eventDay Date, n int, unit Unit) {
	fmt.Fprintf(b, "事件日 %s不计入，自次日 %s起算，期间 %d %s。\n",
		eventDay.withWeekday(), eventDay.AddDays(1).withWeekday(), n, unit.zh())
}

func (k *counter) days(event time.Time, n int, b *strings.Builder) (Result, error) {
	eventDay := DateOf(event)
	startLine(b, eventDay, n, CalendarDays)
	nominal := eventDay.AddDays(n)
	fmt.Fprintf(b, "第 %d 日为 %s。\n", n, nominal.withWeekday())
	return k.settle(nominal, b)
}

func (k *counter) months(event time.Time, n int, unit Unit, months int, b *strings.Builder) (Result, error) {
	eventDay := DateOf(event)
	startLine(b, eventDay, n, unit)
	nominal := eventDay.AddMonths(months)
	if nominal.Day != eventDay.Day {
		fmt.Fprintf(b, "到期月没有对应日（%d 日），以该月末日 %s为末日。\n", eventDay.Day, nominal.withWeekday())
	} else {
		fmt.Fprintf(b, "到期月的对应日为 %s。\n", nominal.withWeekday())
	}
	return k.settle(nominal, b)
}

// settle moves a calendar-day, month or year period's last day off rest
// days (Civil Code art. 203).
func (k *counter) settle(nominal Date, b *strings.Builder) (Result, error) {
	last := nominal
	var skipped []DayInfo
	for {
		info, err := k.day(last)
		if err != nil {
			return Result{}, err
		}
		if info.IsWorkday() {
			if info.Kind == MakeUpWorkday && last == nominal {
				fmt.Fprintf(b, "该日为%s调休上班日，是工作日，不顺延。\n", info.Name)
			}
			break
		}
		skipped = append(skipped, info)
		last = last.AddDays(1)
	}
	if len(skipped) > 0 {
		fmt.Fprintf(b, "末日为休息日（%s），顺延至其后第一个工作日 %s。\n", describeRest(skipped), last.withWeekday())
	}
	return Result{Due: last.End(), LastDay: last, Nominal: nominal, Extended: last != nominal}, nil
}

func (k *counter) workingDays(event time.Time, n int, b *strings.Builder) (Result, error) {
	eventDay := DateOf(event)
	startLine(b, eventDay, n, WorkingDays)
	var (
		skipped []DayInfo
		makeUp  []DayInfo
		d       = eventDay
	)
	for count := 0; count < n; {
		d = d.AddDays(1)
		info, err := k.day(d)
		if err != nil {
			return Result{}, err
		}
		switch {
		case !info.IsWorkday():
			skipped = append(skipped, info)
		case info.Kind == MakeUpWorkday:
			makeUp = append(makeUp, info)
			count++
		default:
			count++
		}
	}
	if len(skipped) > 0 {
		fmt.Fprintf(b, "不计休息日 %d 天（%s）。\n", len(skipped), describeRest(skipped))
	}
	if len(makeUp) > 0 {
		var parts []string
		for _, m := range makeUp {
			parts = append(parts, m.Date.String()+m.Name)
		}
		fmt.Fprintf(b, "调休上班日计入工作日：%s。\n", strings.Join(parts, "、"))
	}
	fmt.Fprintf(b, "第 %d 个工作日为 %s。\n", n, d.withWeekday())
	return Result{Due: d.End(), LastDay: d, Nominal: d}, nil
}

// describeRest summarises rest days: each holiday's dates as ranges, then
// the number of weekend days (春节假期 2026-02-20 至 2026-02-23、周末 2 天).
func describeRest(days []DayInfo) string {
	var parts []string
	weekend := 0
	for i := 0; i < len(days); {
		if days[i].Kind != Holiday {
			weekend++
			i++
			continue
		}
		j := i
		for j+1 < len(days) && days[j+1].Kind == Holiday && days[j+1].Name == days[i].Name &&
			days[j+1].Date == days[j].Date.AddDays(1) {
			j++
		}
		if i == j {
			parts = append(parts, fmt.Sprintf("%s假期 %s", days[i].Name, days[i].Date))
		} else {
			parts = append(parts, fmt.Sprintf("%s假期 %s 至 %s", days[i].Name, days[i].Date, days[j].Date))
		}
		i = j + 1
	}
	if weekend > 0 {
		parts = append(parts, fmt.Sprintf("周末 %d 天", weekend))
	}
	return strings.Join(parts, "、")
}

func joinYears(ys []int) string {
	s := make([]string, len(ys))
	for i, y := range ys {
		s[i] = fmt.Sprint(y)
	}
	return strings.Join(s, "、")
}
