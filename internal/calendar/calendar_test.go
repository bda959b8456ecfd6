package calendar_test

import (
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ipmediate/ipmediate/internal/calendar"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// mustCalendar loads the shipped holiday files (2025 and 2026 official;
// 2027 shipped but provisional until checked against its notice).
func mustCalendar(t *testing.T) *calendar.Calendar {
	t.Helper()
	cal, err := calendar.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func date(y int, m time.Month, d int) calendar.Date { return calendar.Date{Year: y, Month: m, Day: d} }

// The expectations below are read off the State Council's notices, not
// computed: 2026 春节 2月15日（周日）至23日（周一）放假, 2月14日（周六）、
// 2月28日（周六）上班; 中秋节 9月25日至27日; 国庆节 10月1日（周四）至7日,
// 9月20日（周日）、10月10日（周六）上班; 元旦 1月1日至3日, 1月4日（周日）上班.
func TestCalendar_Day(t *testing.T) {
	cal := mustCalendar(t)
	tests := []struct {
		desc string
		date calendar.Date
		want calendar.DayInfo
	}{
		{"ordinary Friday before the Spring Festival", date(2026, 2, 13),
			calendar.DayInfo{Kind: calendar.Workday}},
		{"Saturday before the Spring Festival is a make-up working day", date(2026, 2, 14),
			calendar.DayInfo{Kind: calendar.MakeUpWorkday, Name: "春节"}},
		{"first day off is a Sunday (腊月二十八)", date(2026, 2, 15),
			calendar.DayInfo{Kind: calendar.Holiday, Name: "春节"}},
		{"除夕", date(2026, 2, 16), calendar.DayInfo{Kind: calendar.Holiday, Name: "春节"}},
		{"正月初一", date(2026, 2, 17), calendar.DayInfo{Kind: calendar.Holiday, Name: "春节"}},
		{"last day off is a Monday (正月初七)", date(2026, 2, 23),
			calendar.DayInfo{Kind: calendar.Holiday, Name: "春节"}},
		{"back to work on Tuesday", date(2026, 2, 24), calendar.DayInfo{Kind: calendar.Workday}},
		{"Saturday after the Spring Festival is a make-up working day", date(2026, 2, 28),
			calendar.DayInfo{Kind: calendar.MakeUpWorkday, Name: "春节"}},
		{"the Sunday after it is an ordinary weekend", date(2026, 3, 1), calendar.DayInfo{Kind: calendar.Weekend}},
		{"an ordinary Saturday", date(2026, 2, 7), calendar.DayInfo{Kind: calendar.Weekend}},
		{"New Year make-up Sunday", date(2026, 1, 4),
			calendar.DayInfo{Kind: calendar.MakeUpWorkday, Name: "元旦"}},
		{"Sunday before National Day is a make-up working day", date(2026, 9, 20),
			calendar.DayInfo{Kind: calendar.MakeUpWorkday, Name: "国庆节"}},
		{"Mid-Autumn Friday", date(2026, 9, 25), calendar.DayInfo{Kind: calendar.Holiday, Name: "中秋节"}},
		{"Mid-Autumn Saturday", date(2026, 9, 26), calendar.DayInfo{Kind: calendar.Holiday, Name: "中秋节"}},
		{"Wednesday between Mid-Autumn and National Day", date(2026, 9, 30), calendar.DayInfo{Kind: calendar.Workday}},
		{"National Day", date(2026, 10, 1), calendar.DayInfo{Kind: calendar.Holiday, Name: "国庆节"}},
		{"last day of the National Day week", date(2026, 10, 7), calendar.DayInfo{Kind: calendar.Holiday, Name: "国庆节"}},
		{"Thursday after National Day", date(2026, 10, 8), calendar.DayInfo{Kind: calendar.Workday}},
		{"Saturday after National Day is a make-up working day", date(2026, 10, 10),
			calendar.DayInfo{Kind: calendar.MakeUpWorkday, Name: "国庆节"}},
		{"the Sunday after it is an ordinary weekend", date(2026, 10, 11), calendar.DayInfo{Kind: calendar.Weekend}},
		{"Friday after Christmas", date(2026, 12, 25), calendar.DayInfo{Kind: calendar.Workday}},
		// 2027 has a file, transcribed but not yet checked against the
		// State Council's notice (official: false): its days are those of
		// the file, and every answer is provisional.
		{"2027 正月初一 from the unchecked file (provisional)", date(2027, 2, 6),
			calendar.DayInfo{Kind: calendar.Holiday, Name: "春节", Provisional: true}},
		{"2027 ordinary Wednesday (provisional)", date(2027, 3, 10),
			calendar.DayInfo{Kind: calendar.Workday, Provisional: true}},
		// 2028 has no official file: provisional, from the statutory
		// holidays. 2028's 正月初一 is Wednesday 26 January, 清明 4 April.
		{"2028 除夕 (provisional)", date(2028, 1, 25),
			calendar.DayInfo{Kind: calendar.Holiday, Name: "春节", Provisional: true}},
		{"2028 正月初一 (provisional)", date(2028, 1, 26),
			calendar.DayInfo{Kind: calendar.Holiday, Name: "春节", Provisional: true}},
		{"2028 正月初三 (provisional)", date(2028, 1, 28),
			calendar.DayInfo{Kind: calendar.Holiday, Name: "春节", Provisional: true}},
		{"2028 Monday after the Spring Festival, no guessed 调休 (provisional)", date(2028, 1, 31),
			calendar.DayInfo{Kind: calendar.Workday, Provisional: true}},
		{"2028 Monday before the Spring Festival (provisional)", date(2028, 1, 24),
			calendar.DayInfo{Kind: calendar.Workday, Provisional: true}},
		{"2028 清明 on a Tuesday (provisional)", date(2028, 4, 4),
			calendar.DayInfo{Kind: calendar.Holiday, Name: "清明节", Provisional: true}},
		{"2028 劳动节 second day (provisional)", date(2028, 5, 2),
			calendar.DayInfo{Kind: calendar.Holiday, Name: "劳动节", Provisional: true}},
		{"2028 3 May is a working day (provisional)", date(2028, 5, 3),
			calendar.DayInfo{Kind: calendar.Workday, Provisional: true}},
		{"2028 4 October is a working day (provisional)", date(2028, 10, 4),
			calendar.DayInfo{Kind: calendar.Workday, Provisional: true}},
		{"2028 ordinary Saturday (provisional)", date(2028, 1, 22),
			calendar.DayInfo{Kind: calendar.Weekend, Provisional: true}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := cal.Day(tt.date)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Date = tt.date
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Day(%s) (-want +got):\n%s", tt.date, diff)
			}
			workday, provisional := cal.IsWorkday(tt.date)
			if workday != tt.want.IsWorkday() || provisional != tt.want.Provisional {
				t.Errorf("IsWorkday(%s) = %v, %v", tt.date, workday, provisional)
			}
		})
	}
}

func TestCalendar_DayOutsideRange(t *testing.T) {
	cal := mustCalendar(t)
	for _, d := range []calendar.Date{date(2024, 10, 1), date(calendar.LastYear+1, 1, 5), {}} {
		_, err := cal.Day(d)
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Day(%s) error = %v, want EINVALID", d, err)
		}
		if workday, provisional := cal.IsWorkday(d); workday || !provisional {
			t.Errorf("IsWorkday(%s) = %v, %v; want false, true", d, workday, provisional)
		}
	}
}

func TestLoad(t *testing.T) {
	t.Run("empty: every year provisional", func(t *testing.T) {
		cal, err := calendar.Load(fstest.MapFS{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := cal.Day(date(2026, 2, 14))
		if err != nil {
			t.Fatal(err)
		}
		// Without the notice the make-up Saturday is unknown: a weekend.
		want := calendar.DayInfo{Date: date(2026, 2, 14), Kind: calendar.Weekend, Provisional: true}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("a forecast file and the previous December", func(t *testing.T) {
		cal, err := calendar.Load(fstest.MapFS{
			"2030.yaml": {Data: []byte(`year: 2030
source: test forecast
official: false
holidays:
  - {date: 2029-12-31, name: 元旦}
  - {date: 2030-01-01, name: 元旦}
workdays:
  - {date: 2029-12-29, name: 元旦}
`)},
			"README.md": {Data: []byte("ignored")},
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []calendar.DayInfo
		for _, d := range []calendar.Date{date(2029, 12, 29), date(2029, 12, 31), date(2030, 1, 1), date(2030, 1, 2)} {
			info, err := cal.Day(d)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, info)
		}
		want := []calendar.DayInfo{
			{Date: date(2029, 12, 29), Kind: calendar.MakeUpWorkday, Name: "元旦", Provisional: true},
			{Date: date(2029, 12, 31), Kind: calendar.Holiday, Name: "元旦", Provisional: true},
			{Date: date(2030, 1, 1), Kind: calendar.Holiday, Name: "元旦", Provisional: true},
			{Date: date(2030, 1, 2), Kind: calendar.Workday, Provisional: true},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if years := cal.Years(); len(years) != 1 || years[0].Official || years[0].File != "2030.yaml" {
			t.Errorf("Years() = %+v", years)
		}
	})
}

func TestLoad_BadFile(t *testing.T) {
	const good = "year: 2026\nsource: s\nofficial: true\n"
	tests := []struct {
		desc string
		file string
		data string
		want string // the error names the file and the field
	}{
		{"name is not a year", "holidays.yaml", good + "holidays: []\n", "holidays.yaml: a holiday file is named <year>.yaml"},
		{"not YAML", "2026.yaml", "year: [", "2026.yaml: yaml:"},
		{"misspelt key", "2026.yaml", good + "holiday:\n  - {date: 2026-01-01, name: 元旦}\n", "2026.yaml: yaml: unmarshal errors:\n  line 4: field holiday not found"},
		{"year missing", "2026.yaml", "source: s\nofficial: true\nholidays:\n  - {date: 2026-01-01, name: 元旦}\n", "2026.yaml: year: required"},
		{"year differs from the name", "2026.yaml", "year: 2027\nsource: s\nofficial: true\nholidays:\n  - {date: 2027-01-01, name: 元旦}\n", "2026.yaml: year: 2027 does not match"},
		{"source missing", "2026.yaml", "year: 2026\nofficial: true\nholidays:\n  - {date: 2026-01-01, name: 元旦}\n", "2026.yaml: source: required"},
		{"official missing", "2026.yaml", "year: 2026\nsource: s\nholidays:\n  - {date: 2026-01-01, name: 元旦}\n", "2026.yaml: official: required"},
		{"no holidays", "2026.yaml", good, "2026.yaml: holidays: empty"},
		{"bad date", "2026.yaml", good + "holidays:\n  - {date: 2026-01-01, name: 元旦}\n  - {date: 2026-02-30, name: 春节}\n", `2026.yaml: holidays[1].date: "2026-02-30" is not a date`},
		{"date in another year", "2026.yaml", good + "holidays:\n  - {date: 2027-01-01, name: 元旦}\n", "2026.yaml: holidays[0].date: 2027-01-01 is outside 2026"},
		{"name missing", "2026.yaml", good + "holidays:\n  - {date: 2026-01-01}\n", "2026.yaml: holidays[0].name: required"},
		{"listed twice", "2026.yaml", good + "holidays:\n  - {date: 2026-01-01, name: 元旦}\nworkdays:\n  - {date: 2026-01-03, name: 元旦}\n  - {date: 2026-01-03, name: 元旦}\n", "2026.yaml: workdays[1].date: 2026-01-03 is listed twice"},
		{"both a day off and a working day", "2026.yaml", good + "holidays:\n  - {date: 2026-01-03, name: 元旦}\nworkdays:\n  - {date: 2026-01-03, name: 元旦}\n", "2026.yaml: workdays[0].date: 2026-01-03 is listed twice"},
		{"make-up day on a weekday", "2026.yaml", good + "holidays:\n  - {date: 2026-01-01, name: 元旦}\nworkdays:\n  - {date: 2026-01-05, name: 元旦}\n", "2026.yaml: workdays[0].date: 2026-01-05 is a Monday; a make-up working day is a Saturday or Sunday"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			_, err := calendar.Load(fstest.MapFS{tt.file: {Data: []byte(tt.data)}})
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v, want prefix %q", err, tt.want)
			}
		})
	}
	t.Run("a day in two files", func(t *testing.T) {
		_, err := calendar.Load(fstest.MapFS{
			"2026.yaml": {Data: []byte(good + "holidays:\n  - {date: 2026-12-31, name: 元旦}\n")},
			"2027.yaml": {Data: []byte("year: 2027\nsource: s\nofficial: true\nholidays:\n  - {date: 2026-12-31, name: 元旦}\n")},
		})
		if want := "2027.yaml: holidays[0].date: 2026-12-31 is also listed in 2026.yaml"; err == nil || err.Error() != want {
			t.Errorf("error = %v, want %q", err, want)
		}
	})
}

func TestCalendar_Concurrent(t *testing.T) {
	cal := mustCalendar(t)
	var wg sync.WaitGroup
	for y := 2028; y < 2036; y++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := cal.Due(at(y, 12, 20, 9, 0), 30, calendar.WorkingDays); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}
