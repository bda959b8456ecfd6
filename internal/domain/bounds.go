package domain

import "time"

// Bounds on the numbers and times inputs may hold (docs/security.md,
// "Input boundary"). Text and lists are bounded at the HTTP boundary
// (internal/boundary) and by each field's own limit.

// MaxAmountFen is the largest amount of money an input may name, in fen:
// 10^15 fen, ten trillion yuan — far above any IP dispute, far below the
// range of a bigint.
const MaxAmountFen int64 = 1_000_000_000_000_000

// ChinaTime is China Standard Time, in which the calendar days of the
// bounds below are counted (China has no daylight saving time).
var ChinaTime = time.FixedZone("CST", 8*3600)

// EarliestInstant is the earliest moment any input may name (a consent,
// a session, a sign-off, a detention, a decision): nothing the system
// records happened before 2000.
var EarliestInstant = time.Date(2000, 1, 1, 0, 0, 0, 0, ChinaTime)

// MaxAhead is how far ahead of now a planned moment may lie (the next
// session, a new due date) and MaxAheadLong a planned date of
// performance.
const (
	MaxAhead     = 366 * 24 * time.Hour
	MaxAheadLong = 10 * 366 * 24 * time.Hour
)

// DayStart is the start of t's calendar day in China.
func DayStart(t time.Time) time.Time {
	y, m, d := t.In(ChinaTime).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, ChinaTime)
}

// Amount checks an amount of money in fen: not negative, at most
// MaxAmountFen.
func (f *Fields) Amount(field string, fen int64) {
	switch {
	case fen < 0:
		f.Add(field, "validation.non_negative")
	case fen > MaxAmountFen:
		f.Add(field, "validation.amount_max", "Max", MaxAmountFen/100)
	}
}

// Between checks that t lies within [from, to], adding
// validation.date_range naming the two calendar days (in China) when it
// does not. A zero t passes: whether it is required is the caller's
// business.
func (f *Fields) Between(field string, t, from, to time.Time) bool {
	if t.IsZero() || (!t.Before(from) && !t.After(to)) {
		return true
	}
	f.Add(field, "validation.date_range", "From", from.In(ChinaTime).Format("2006-01-02"),
		"To", to.In(ChinaTime).Format("2006-01-02"))
	return false
}
