// Package clock is the system's idea of "now". Every business decision
// (a deadline's start and due time, the annual-report window, a lapse, a
// statistic "as of now") reads it, never time.Now directly, so that the
// decision can be tested on any day of the year.
//
// Three kinds of clock exist:
//
//   - New(false), the production clock: the wall clock.
//   - New(true), the demo clock (serve --demo --time-travel): the wall
//     clock plus a forward-only offset, so that a presenter can show what
//     happens days later - reminders three working days before a deadline,
//     then the director's escalation once it is missed - without waiting.
//   - At(t) and Fixed(t), test clocks: At starts at the instant t and runs
//     at the pace of real time from there; Fixed stands still at t until
//     the test moves it. Both can be moved forward (Advance, AdvanceTo).
//
// Every service of one process reads the same clock; the clock only moves
// forward, as time does. Authentication timing (session and token expiry,
// login throttling and lockout) is a security matter and follows real
// time, not this clock.
package clock

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Clock is a source of "now": the wall clock, a demo clock running ahead
// of it, or a test clock set to an instant.
type Clock struct {
	travel bool

	mu     sync.Mutex
	offset time.Duration // moved ahead by Advance
	base   time.Time     // test clocks: the instant the clock started at
	start  time.Time     // At: the real (monotonic) instant it started
	frozen bool          // Fixed: stands still between moves
}

// New returns the wall clock; travel allows Advance (demo mode only - the
// application refuses it otherwise).
func New(travel bool) *Clock { return &Clock{travel: travel} }

// At returns a test clock that shows t now and runs forward at the pace of
// real time. Its reading does not depend on the wall clock's date.
func At(t time.Time) *Clock {
	return &Clock{base: t, start: time.Now()}
}

// Fixed returns a test clock that shows t until it is moved.
func Fixed(t time.Time) *Clock {
	return &Clock{base: t, frozen: true}
}

// AllowTravel lets the demo's clock page move c too (a test of the demo
// on a test clock). Call it before c is shared.
func (c *Clock) AllowTravel() *Clock {
	c.travel = true
	return c
}

// ErrNoTravel is returned by Advance on a clock without time travel.
var ErrNoTravel = errors.New("time travel is off: start the demo with serve --demo --time-travel")

// Now is the clock's reading. A nil clock is the wall clock.
func (c *Clock) Now() time.Time {
	if c == nil {
		return Wall()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	switch {
	case c.base.IsZero():
		return Wall().Add(c.offset)
	case c.frozen:
		return c.base.Add(c.offset)
	default:
		// time.Since reads the monotonic clock: a test clock is not moved
		// by anything that moves the wall clock.
		return c.base.Add(time.Since(c.start) + c.offset)
	}
}

// Travel reports whether the demo may move the clock (the clock page).
func (c *Clock) Travel() bool { return c != nil && c.travel }

// movable reports whether Advance may move the clock: a demo clock with
// time travel, or a test clock.
func (c *Clock) movable() bool { return c != nil && (c.travel || !c.base.IsZero()) }

// Offset is how far the clock has been moved ahead.
func (c *Clock) Offset() time.Duration {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// MaxAdvance bounds one step, so that a typo does not send the demo a
// century ahead (beyond the holiday calendars).
const MaxAdvance = 400 * 24 * time.Hour

// Advance moves the clock d ahead and returns the new now.
func (c *Clock) Advance(d time.Duration) (time.Time, error) {
	if !c.movable() {
		return time.Time{}, ErrNoTravel
	}
	if d <= 0 || d > MaxAdvance {
		return time.Time{}, fmt.Errorf("the clock moves forward by more than 0 and at most %d days", int(MaxAdvance.Hours()/24))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
	return c.nowLocked(), nil
}

// AdvanceTo moves the clock forward to t (tests: to a boundary such as
// 20 December 24:00). A t not after now is an error: the clock never runs
// backwards.
func (c *Clock) AdvanceTo(t time.Time) error {
	if !c.movable() {
		return ErrNoTravel
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d := t.Sub(c.nowLocked())
	if d < 0 {
		return fmt.Errorf("the clock does not run backwards: %s is before now (%s)", t.Format(time.RFC3339), c.nowLocked().Format(time.RFC3339))
	}
	c.offset += d
	return nil
}
