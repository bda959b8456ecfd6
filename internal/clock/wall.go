package clock

import "time"

// wallShift moves the wall clock in a test binary built with the tag
// clockshift (see shift.go); it is zero in every other build.
var wallShift time.Duration

// Wall is the wall clock as the system reads it. Production code that
// needs "now" for a business decision takes a *Clock instead; Wall is the
// reading of the production clock and of a nil *Clock.
func Wall() time.Time { return time.Now().Add(wallShift) }

// WallShift is how far a clockshift test build has moved the wall clock
// (zero otherwise).
func WallShift() time.Duration { return wallShift }
