// Package clock is the system's idea of "now". In production it is the
// wall clock. A demo started with time travel (serve --demo
// --time-travel) can run it ahead, so that a presenter can show what
// happens days later - reminders three working days before a deadline,
// then the director's escalation once it is missed - without waiting for
// them. Every service of one process reads the same clock; the clock only
// moves forward, as time does.
package clock

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// Clock is a wall clock with an optional, forward-only offset.
type Clock struct {
	travel bool
	offset atomic.Int64 // nanoseconds ahead of the wall clock
}

// New returns a clock; travel allows Advance (demo mode only - the
// application refuses it otherwise).
func New(travel bool) *Clock { return &Clock{travel: travel} }

// ErrNoTravel is returned by Advance on a clock without time travel.
var ErrNoTravel = errors.New("time travel is off: start the demo with serve --demo --time-travel")

// Now is the wall clock plus the offset. A nil clock is the wall clock.
func (c *Clock) Now() time.Time {
	if c == nil {
		return time.Now()
	}
	return time.Now().Add(time.Duration(c.offset.Load()))
}

// Travel reports whether the clock may be moved.
func (c *Clock) Travel() bool { return c != nil && c.travel }

// Offset is how far the clock runs ahead of the wall clock.
func (c *Clock) Offset() time.Duration {
	if c == nil {
		return 0
	}
	return time.Duration(c.offset.Load())
}

// MaxAdvance bounds one step, so that a typo does not send the demo a
// century ahead (beyond the holiday calendars).
const MaxAdvance = 400 * 24 * time.Hour

// Advance moves the clock d ahead and returns the new now.
func (c *Clock) Advance(d time.Duration) (time.Time, error) {
	if !c.Travel() {
		return time.Time{}, ErrNoTravel
	}
	if d <= 0 || d > MaxAdvance {
		return time.Time{}, fmt.Errorf("the clock moves forward by more than 0 and at most %d days", int(MaxAdvance.Hours()/24))
	}
	c.offset.Add(int64(d))
	return c.Now(), nil
}
