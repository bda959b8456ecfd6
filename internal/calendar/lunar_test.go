package calendar_test

// The holiday files are transcribed from github.com/6tail/lunar-go, whose
// HolidayUtil encodes the State Council's yearly arrangements. This file
// holds the generator (TestGenerateHolidayFiles, run by go generate) and the
// cross-check that keeps the shipped files and lunar-go from drifting apart.

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"

	"github.com/ipmediate/ipmediate/internal/calendar"
)

// holidaySources names the notice behind each year's file. A year is
// shipped only when lunar-go has its data and it is listed here. A year is
// official only once its file has been checked day by day against the
// State Council's notice and the notice's date is recorded in source;
// until then the file is shipped with official: false and every answer
// for that year is provisional (deadlines say so and are recomputed when
// the year becomes official).
var holidaySources = map[int]struct {
	source, note string
	official     bool
}{
	2025: {
		source:   "国务院办公厅关于2025年部分节假日安排的通知（2024年11月12日）",
		note:     "与新华社2024年11月12日播发的通知全文逐日核对一致。",
		official: true,
	},
	2026: {
		source:   "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）",
		note:     "与新华社2025年11月4日播发的通知全文逐日核对一致。",
		official: true,
	},
	// 2027 is not official: the dates come from lunar-go and have not been
	// checked against the notice, whose date and number are not recorded.
	2027: {
		source: "国务院办公厅关于2027年部分节假日安排的通知（发布日期、文号待核）",
		note: "临时安排：转录自 github.com/6tail/lunar-go v1.4.7 的 HolidayUtil（该版本于2026-11-06加入2027年数据），" +
			"尚未据通知原文逐日核对，故 official 为 false，2027年的期限计算均标为临时结果；" +
			"核对后将通知的发布日期与文号写入 source，official 改为 true。",
	},
}

// lunarNames maps lunar-go's holiday names to the notices' wording.
var lunarNames = map[string]string{
	"元旦节":  "元旦",
	"国庆中秋": "国庆节、中秋节",
}

type lunarDay struct {
	date    calendar.Date
	name    string
	workday bool
}

// lunarArrangement returns lunar-go's entries for the notice of year: the
// days whose target festival falls in that year (an arrangement may reach
// into the previous December).
func lunarArrangement(t *testing.T, year int) []lunarDay {
	t.Helper()
	var out []lunarDay
	for _, y := range []int{year - 1, year} {
		l := HolidayUtil.GetHolidaysByYear(y)
		for e := l.Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			if !strings.HasPrefix(h.GetTarget(), fmt.Sprintf("%04d-", year)) {
				continue
			}
			d, err := calendar.ParseDate(h.GetDay())
			if err != nil {
				t.Fatalf("lunar-go day %q: %v", h.GetDay(), err)
			}
			name := h.GetName()
			if n, ok := lunarNames[name]; ok {
				name = n
			}
			out = append(out, lunarDay{date: d, name: name, workday: h.IsWork()})
		}
	}
	slices.SortFunc(out, func(a, b lunarDay) int { return a.date.Compare(b.date) })
	return out
}

var weekdayZH = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// TestGenerateHolidayFiles writes configs/holidays/<year>.yaml from lunar-go
// for every year of holidaySources. It runs only with
// IPMEDIATE_GEN_HOLIDAYS=1 (go generate ./internal/calendar).
func TestGenerateHolidayFiles(t *testing.T) {
	if os.Getenv("IPMEDIATE_GEN_HOLIDAYS") != "1" {
		t.Skip("set IPMEDIATE_GEN_HOLIDAYS=1 to regenerate configs/holidays")
	}
	for year, src := range holidaySources {
		days := lunarArrangement(t, year)
		if len(days) == 0 {
			t.Fatalf("lunar-go has no arrangement for %d", year)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "# %d 年全国节假日安排：放假日（holidays，含假期内的周末）与调休上班日（workdays）。\n", year)
		b.WriteString("# 由 internal/calendar 的 TestGenerateHolidayFiles 自 github.com/6tail/lunar-go 的 HolidayUtil 生成\n")
		b.WriteString("# （go generate ./internal/calendar）；TestHolidayFilesMatchLunarGo 逐日核对，请勿手改日期。\n")
		fmt.Fprintf(&b, "year: %d\nsource: %s\nofficial: %t\nnote: %s\n", year, src.source, src.official, src.note)
		for _, list := range []struct {
			key     string
			workday bool
		}{{"holidays", false}, {"workdays", true}} {
			b.WriteString(list.key + ":\n")
			for _, d := range days {
				if d.workday == list.workday {
					fmt.Fprintf(&b, "  - {date: %s, name: %s}  # %s\n", d.date, d.name, weekdayZH[d.date.Weekday()])
				}
			}
		}
		file := filepath.Join("..", "..", "configs", "holidays", fmt.Sprintf("%d.yaml", year))
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d days)", file, len(days))
	}
}

// TestHolidayFilesMatchLunarGo checks every shipped file day by day against
// lunar-go, and that lunar-go knows no year that is not shipped.
func TestHolidayFilesMatchLunarGo(t *testing.T) {
	cal, err := calendar.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	shipped := map[int]bool{}
	for _, y := range cal.Years() {
		shipped[y.Year] = true
		src, ok := holidaySources[y.Year]
		if !ok || y.Source != src.source {
			t.Errorf("%s: source %q, want %q (holidaySources)", y.File, y.Source, src.source)
		}
		if y.Official != src.official {
			t.Errorf("%s: official is %v, want %v (holidaySources)", y.File, y.Official, src.official)
		}
	}
	for y := calendar.FirstProvisionalYear; y <= calendar.LastYear; y++ {
		if has := HolidayUtil.GetHolidaysByYear(y).Len() > 0; has != shipped[y] {
			t.Errorf("%d: lunar-go has data %v, file shipped %v (run go generate ./internal/calendar)", y, has, shipped[y])
		}
	}
	for y := range shipped {
		want := map[calendar.Date]lunarDay{}
		for _, d := range lunarArrangement(t, y) {
			want[d.date] = d
		}
		for d := calendar.NewDate(y, time.January, 1); d.Year == y; d = d.AddDays(1) {
			got, err := cal.Day(d)
			if err != nil {
				t.Fatal(err)
			}
			w, listed := want[d]
			switch {
			case listed && w.workday && (got.Kind != calendar.MakeUpWorkday || got.Name != w.name):
				t.Errorf("%s: got %s %s, lunar-go: make-up working day of %s", d, got.Kind, got.Name, w.name)
			case listed && !w.workday && (got.Kind != calendar.Holiday || got.Name != w.name):
				t.Errorf("%s: got %s %s, lunar-go: day off of %s", d, got.Kind, got.Name, w.name)
			case !listed && (got.Kind == calendar.Holiday || got.Kind == calendar.MakeUpWorkday):
				t.Errorf("%s: got %s %s, lunar-go: an ordinary day", d, got.Kind, got.Name)
			}
			if got.Provisional != !holidaySources[y].official {
				t.Errorf("%s: provisional %v, but the year's file has official %v", d, got.Provisional, holidaySources[y].official)
			}
			delete(want, d)
		}
		for d, w := range want { // entries in the previous December
			got, err := cal.Day(d)
			if err != nil || got.Name != w.name || got.IsWorkday() != w.workday {
				t.Errorf("%s: got %+v (%v), lunar-go %+v", d, got, err, w)
			}
		}
	}
}

// TestStatutoryHolidaysAreDaysOff checks the provisional calculation
// against the official years: every statutory holiday it computes (lunar
// dates and the 清明 solar term included) is a day off in the notice.
func TestStatutoryHolidaysAreDaysOff(t *testing.T) {
	cal, err := calendar.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	for _, y := range cal.Years() {
		statutory, err := calendar.StatutoryHolidays(y.Year)
		if err != nil {
			t.Fatal(err)
		}
		if len(statutory) != 13 {
			t.Errorf("%d: %d statutory days, want 13", y.Year, len(statutory))
		}
		for d, name := range statutory {
			got, err := cal.Day(d)
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind != calendar.Holiday {
				t.Errorf("%s: statutory %s is %s in %s", d, name, got.Kind, y.File)
			}
		}
	}
}
