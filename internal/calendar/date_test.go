package calendar_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ipmediate/ipmediate/internal/calendar"
)

func TestDate(t *testing.T) {
	tests := []struct {
		desc string
		got  any
		want any
	}{
		{"NewDate normalises", calendar.NewDate(2026, 2, 30), date(2026, 3, 2)},
		{"DateOf is the Beijing date", calendar.DateOf(time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)), date(2027, 1, 1)},
		{"DateOf just before Beijing midnight", calendar.DateOf(time.Date(2026, 12, 31, 15, 59, 59, 0, time.UTC)), date(2026, 12, 31)},
		{"AddDays over a year end", date(2026, 12, 30).AddDays(3), date(2027, 1, 2)},
		{"AddDays backwards", date(2026, 3, 1).AddDays(-1), date(2026, 2, 28)},
		{"AddMonths corresponding day", date(2026, 1, 15).AddMonths(1), date(2026, 2, 15)},
		{"AddMonths to a shorter month", date(2026, 1, 31).AddMonths(1), date(2026, 2, 28)},
		{"AddMonths to a leap February", date(2028, 1, 31).AddMonths(1), date(2028, 2, 29)},
		{"AddMonths over a year end", date(2026, 11, 30).AddMonths(3), date(2027, 2, 28)},
		{"AddMonths 12 from 29 February", date(2028, 2, 29).AddMonths(12), date(2029, 2, 28)},
		{"Weekday", date(2026, 2, 17).Weekday(), time.Tuesday},
		{"String", date(2026, 2, 7).String(), "2026-02-07"},
		{"Start", date(2026, 2, 7).Start(), time.Date(2026, 2, 6, 16, 0, 0, 0, time.UTC)},
		{"End is 24:00 Beijing time", date(2026, 2, 7).End(), time.Date(2026, 2, 7, 16, 0, 0, 0, time.UTC)},
		{"Before", date(2026, 2, 7).Before(date(2026, 2, 8)), true},
		{"After", date(2026, 2, 7).After(date(2026, 2, 8)), false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	for _, s := range []string{"2026-02-30", "2026-2-3", "20260203", "", "2026-02-03T00:00:00Z"} {
		if _, err := calendar.ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
	var v struct{ D calendar.Date }
	if err := json.Unmarshal([]byte(`{"D":"2026-02-17"}`), &v); err != nil || v.D != date(2026, 2, 17) {
		t.Errorf("unmarshal = %v, %v", v.D, err)
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) != `{"D":"2026-02-17"}` {
		t.Errorf("marshal = %s, %v", b, err)
	}
}
