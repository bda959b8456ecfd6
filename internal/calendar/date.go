package calendar

import (
	"fmt"
	"time"
)

// Beijing is China Standard Time, UTC+8. China has kept no daylight saving
// time since 1991, so a fixed zone is exact and needs no tzdata.
var Beijing = time.FixedZone("CST", 8*60*60)

// Date is a civil date in Beijing time. The zero Date is not a valid date.
// Dates are comparable and can be map keys.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date y-m-d, normalised like time.Date (so 2026-02-30
// becomes 2026-03-02).
func NewDate(y int, m time.Month, d int) Date {
	return dateOfUTC(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// DateOf returns the Beijing civil date of the instant t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Beijing).Date()
	return Date{y, m, d}
}

// ParseDate parses a date written YYYY-MM-DD and rejects dates that do not
// exist (2026-02-30).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return dateOfUTC(t), nil
}

func dateOfUTC(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

func (d Date) utc() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// AddDays returns the date n days after d (before d when n is negative).
func (d Date) AddDays(n int) Date { return dateOfUTC(d.utc().AddDate(0, 0, n)) }

// AddMonths returns the corresponding day n months after d, or the last day
// of that month when it has no corresponding day (Civil Code art. 202:
// 2026-01-31 plus one month is 2026-02-28).
func (d Date) AddMonths(n int) Date {
	first := time.Date(d.Year, d.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return Date{first.Year(), first.Month(), min(d.Day, last)}
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.utc().Compare(e.utc()) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Start returns 00:00 Beijing time on d.
func (d Date) Start() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, Beijing) }

// End returns 24:00 Beijing time on d, that is 00:00 of the next day: the
// instant at which a period whose last day is d has run out.
func (d Date) End() time.Time { return d.AddDays(1).Start() }

// MarshalText implements encoding.TextMarshaler (YYYY-MM-DD).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (YYYY-MM-DD).
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

var weekdayZH = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// withWeekday formats d for clerks: 2026-02-24（星期二）.
func (d Date) withWeekday() string { return d.String() + "（" + weekdayZH[d.Weekday()] + "）" }
