package calendar_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// at is an instant in Beijing time.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, calendar.Beijing)
}

// endOf is 24:00 Beijing time on the given day.
func endOf(y int, m time.Month, d int) time.Time { return at(y, m, d, 0, 0).AddDate(0, 0, 1) }

var ignoreExplanation = cmpopts.IgnoreFields(calendar.Result{}, "Explanation")

// Every expectation is counted by hand on the 2026 notice, the 2027 file
// (see TestCalendar_Day) and, for 2028, on the statutory holidays alone.
// The 2027 file has not been checked against its notice (official: false),
// so a result that consults a 2027 day is provisional and names 2027.
func TestCalendar_Due(t *testing.T) {
	cal := mustCalendar(t)
	tests := []struct {
		desc  string
		event time.Time
		n     int
		unit  calendar.Unit
		want  calendar.Result
	}{
		// Calendar days.
		{"10 days ending inside the Spring Festival run to the first working day after it",
			at(2026, 2, 10, 10, 0), 10, calendar.CalendarDays, calendar.Result{
				// 11 Feb is day 1, 20 Feb (Fri, 春节) day 10; 20–23 Feb are off.
				Due: endOf(2026, 2, 24), LastDay: date(2026, 2, 24), Nominal: date(2026, 2, 20), Extended: true}},
		{"10 days ending on the make-up Saturday are not extended",
			at(2026, 2, 4, 9, 0), 10, calendar.CalendarDays, calendar.Result{
				Due: endOf(2026, 2, 14), LastDay: date(2026, 2, 14), Nominal: date(2026, 2, 14)}},
		{"10 days ending on an ordinary Saturday run to Monday",
			at(2026, 3, 4, 9, 0), 10, calendar.CalendarDays, calendar.Result{
				Due: endOf(2026, 3, 16), LastDay: date(2026, 3, 16), Nominal: date(2026, 3, 14), Extended: true}},
		{"30 days from 1 September end on 1 October and run past the National Day week",
			at(2026, 9, 1, 16, 0), 30, calendar.CalendarDays, calendar.Result{
				Due: endOf(2026, 10, 8), LastDay: date(2026, 10, 8), Nominal: date(2026, 10, 1), Extended: true}},
		{"30 days ending on a Wednesday",
			at(2026, 3, 2, 11, 0), 30, calendar.CalendarDays, calendar.Result{
				Due: endOf(2026, 4, 1), LastDay: date(2026, 4, 1), Nominal: date(2026, 4, 1)}},
		{"the event's day is its Beijing date: 17:00 UTC on 1 March is 2 March in Beijing",
			time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC), 3, calendar.CalendarDays, calendar.Result{
				Due: endOf(2026, 3, 5), LastDay: date(2026, 3, 5), Nominal: date(2026, 3, 5)}},
		{"one minute before Beijing midnight is still 1 March (a Sunday)",
			time.Date(2026, 3, 1, 15, 59, 0, 0, time.UTC), 3, calendar.CalendarDays, calendar.Result{
				Due: endOf(2026, 3, 4), LastDay: date(2026, 3, 4), Nominal: date(2026, 3, 4)}},
		{"30 days from late 2027 ending in the provisional 2028 Spring Festival",
			at(2027, 12, 27, 10, 0), 30, calendar.CalendarDays, calendar.Result{
				// 26 Jan 2028 is 正月初一; 26–28 Jan statutory, 29–30 weekend.
				Due: endOf(2028, 1, 31), LastDay: date(2028, 1, 31), Nominal: date(2028, 1, 26), Extended: true,
				Provisional: true, ProvisionalYears: []int{2028}}},

		// Months and years.
		{"one month from 31 January ends on 28 February, a make-up Saturday",
			at(2026, 1, 31, 10, 0), 1, calendar.Months, calendar.Result{
				Due: endOf(2026, 2, 28), LastDay: date(2026, 2, 28), Nominal: date(2026, 2, 28)}},
		{"one month from 31 January 2028 ends on 29 February, a leap day (provisional)",
			at(2028, 1, 31, 10, 0), 1, calendar.Months, calendar.Result{
				Due: endOf(2028, 2, 29), LastDay: date(2028, 2, 29), Nominal: date(2028, 2, 29),
				Provisional: true, ProvisionalYears: []int{2028}}},
		{"one month from 31 August ends on 30 September, the month's last day",
			at(2026, 8, 31, 10, 0), 1, calendar.Months, calendar.Result{
				Due: endOf(2026, 9, 30), LastDay: date(2026, 9, 30), Nominal: date(2026, 9, 30)}},
		{"one month from 15 January ends on 15 February, inside the Spring Festival",
			at(2026, 1, 15, 10, 0), 1, calendar.Months, calendar.Result{
				Due: endOf(2026, 2, 24), LastDay: date(2026, 2, 24), Nominal: date(2026, 2, 15), Extended: true}},
		{"three months from 30 November end on 28 February 2027, a Sunday",
			at(2026, 11, 30, 10, 0), 3, calendar.Months, calendar.Result{
				Due: endOf(2027, 3, 1), LastDay: date(2027, 3, 1), Nominal: date(2027, 2, 28), Extended: true,
				Provisional: true, ProvisionalYears: []int{2027}}},
		{"one year ending on a Saturday",
			at(2026, 2, 27, 10, 0), 1, calendar.Years, calendar.Result{
				Due: endOf(2027, 3, 1), LastDay: date(2027, 3, 1), Nominal: date(2027, 2, 27), Extended: true,
				Provisional: true, ProvisionalYears: []int{2027}}},

		// Working days.
		{"5 working days across the National Day week count the make-up Saturday",
			at(2026, 9, 29, 15, 0), 5, calendar.WorkingDays, calendar.Result{
				// 30 Sep; 8, 9, 10 (Sat, make-up), 12 Oct.
				Due: endOf(2026, 10, 12), LastDay: date(2026, 10, 12), Nominal: date(2026, 10, 12)}},
		{"3 working days from a Friday count the make-up Sunday 20 September",
			at(2026, 9, 18, 17, 0), 3, calendar.WorkingDays, calendar.Result{
				Due: endOf(2026, 9, 22), LastDay: date(2026, 9, 22), Nominal: date(2026, 9, 22)}},
		{"3 working days across the Spring Festival",
			at(2026, 2, 12, 9, 0), 3, calendar.WorkingDays, calendar.Result{
				// 13 Feb, 14 Feb (Sat, make-up), 24 Feb.
				Due: endOf(2026, 2, 24), LastDay: date(2026, 2, 24), Nominal: date(2026, 2, 24)}},
		{"10 working days across the Spring Festival count both make-up Saturdays",
			at(2026, 2, 12, 9, 0), 10, calendar.WorkingDays, calendar.Result{
				// 13, 14*, 24, 25, 26, 27, 28*, 2 Mar, 3, 4.
				Due: endOf(2026, 3, 4), LastDay: date(2026, 3, 4), Nominal: date(2026, 3, 4)}},
		{"10 working days reaching into 2028 (provisional: New Year's Day only, no 补休)",
			at(2027, 12, 20, 9, 0), 10, calendar.WorkingDays, calendar.Result{
				// 21–24, 27–31 Dec; 1 Jan (Sat, 元旦) and 2 Jan off; 3 Jan.
				Due: endOf(2028, 1, 3), LastDay: date(2028, 1, 3), Nominal: date(2028, 1, 3),
				Provisional: true, ProvisionalYears: []int{2027, 2028}}},
		{"5 working days across the provisional 2028 Spring Festival",
			at(2028, 1, 21, 9, 0), 5, calendar.WorkingDays, calendar.Result{
				// 24 Jan; 25–28 statutory, 29–30 weekend; 31 Jan, 1, 2, 3 Feb.
				Due: endOf(2028, 2, 3), LastDay: date(2028, 2, 3), Nominal: date(2028, 2, 3),
				Provisional: true, ProvisionalYears: []int{2028}}},

		// Hours.
		{"24 hours from 15:30 end at 15:30 the next day",
			at(2026, 3, 5, 15, 30), 24, calendar.Hours, calendar.Result{
				Due: at(2026, 3, 6, 15, 30), LastDay: date(2026, 3, 6), Nominal: date(2026, 3, 6)}},
		{"24 hours ending on National Day are not extended",
			at(2026, 9, 30, 15, 30), 24, calendar.Hours, calendar.Result{
				Due: at(2026, 10, 1, 15, 30), LastDay: date(2026, 10, 1), Nominal: date(2026, 10, 1)}},
		{"24 hours from midnight end at 24:00 the same day",
			at(2026, 3, 5, 0, 0), 24, calendar.Hours, calendar.Result{
				Due: endOf(2026, 3, 5), LastDay: date(2026, 3, 5), Nominal: date(2026, 3, 5)}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := cal.Due(tt.event, tt.n, tt.unit)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreExplanation, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Due(%s, %d, %s) (-want +got):\n%s", tt.event, tt.n, tt.unit, diff)
			}
			if got.Due.Location() != calendar.Beijing {
				t.Errorf("Due is in %s, want Beijing time", got.Due.Location())
			}
			if got.Explanation == "" {
				t.Error("no explanation")
			}
		})
	}
}

func TestCalendar_DueExplanation(t *testing.T) {
	cal := mustCalendar(t)
	tests := []struct {
		desc  string
		event time.Time
		n     int
		unit  calendar.Unit
		want  string
	}{
		{"extended over the Spring Festival", at(2026, 2, 10, 10, 0), 10, calendar.CalendarDays,
			"事件日 2026-02-10（星期二）不计入，自次日 2026-02-11（星期三）起算，期间 10 日。\n" +
				"第 10 日为 2026-02-20（星期五）。\n" +
				"末日为休息日（春节假期 2026-02-20 至 2026-02-23），顺延至其后第一个工作日 2026-02-24（星期二）。\n" +
				"期间届满：2026-02-24（星期二） 24:00（北京时间）。"},
		{"month end on a make-up Saturday", at(2026, 1, 31, 10, 0), 1, calendar.Months,
			"事件日 2026-01-31（星期六）不计入，自次日 2026-02-01（星期日）起算，期间 1 个月。\n" +
				"到期月没有对应日（31 日），以该月末日 2026-02-28（星期六）为末日。\n" +
				"该日为春节调休上班日，是工作日，不顺延。\n" +
				"期间届满：2026-02-28（星期六） 24:00（北京时间）。"},
		{"working days over the National Day week", at(2026, 9, 29, 15, 0), 5, calendar.WorkingDays,
			"事件日 2026-09-29（星期二）不计入，自次日 2026-09-30（星期三）起算，期间 5 个工作日。\n" +
				"不计休息日 8 天（国庆节假期 2026-10-01 至 2026-10-07、周末 1 天）。\n" +
				"调休上班日计入工作日：2026-10-10国庆节。\n" +
				"第 5 个工作日为 2026-10-12（星期一）。\n" +
				"期间届满：2026-10-12（星期一） 24:00（北京时间）。"},
		{"provisional", at(2028, 1, 21, 9, 0), 1, calendar.WorkingDays,
			"事件日 2028-01-21（星期五）不计入，自次日 2028-01-22（星期六）起算，期间 1 个工作日。\n" +
				"不计休息日 2 天（周末 2 天）。\n" +
				"第 1 个工作日为 2028-01-24（星期一）。\n" +
				"期间届满：2028-01-24（星期一） 24:00（北京时间）。\n" +
				"注意：2028 年尚无国务院办公厅节假日安排，按《全国年节及纪念日放假办法》的法定节假日临时推算（未计调休、补休），" +
				"结果为临时结果，官方安排公布后须重新计算。"},
		{"hours", at(2026, 3, 5, 15, 30), 24, calendar.Hours,
			"自 2026-03-05 15:30 起算 24 小时，届满 2026-03-06 15:30（北京时间）。按小时计算的期间自事件时刻起算，不因休息日顺延。"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := cal.Due(tt.event, tt.n, tt.unit)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.Explanation); diff != "" {
				t.Errorf("explanation (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCalendar_DueInvalid(t *testing.T) {
	cal := mustCalendar(t)
	tests := []struct {
		desc  string
		event time.Time
		n     int
		unit  calendar.Unit
	}{
		{"zero length", at(2026, 3, 2, 9, 0), 0, calendar.CalendarDays},
		{"negative length", at(2026, 3, 2, 9, 0), -3, calendar.WorkingDays},
		{"absurd length", at(2026, 3, 2, 9, 0), 100000, calendar.CalendarDays},
		{"unknown unit", at(2026, 3, 2, 9, 0), 2, calendar.Unit("weeks")},
		{"annual date without a rule", at(2026, 3, 2, 9, 0), 1, calendar.AnnualDate},
		{"no event time", time.Time{}, 3, calendar.CalendarDays},
		{"working days in a year without any calendar", at(2024, 9, 27, 9, 0), 3, calendar.WorkingDays},
		{"a last day beyond the calendar", at(2026, 3, 2, 9, 0), 100, calendar.Years},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			_, err := cal.Due(tt.event, tt.n, tt.unit)
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("error = %v, want EINVALID", err)
			}
		})
	}
}
