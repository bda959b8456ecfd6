package clock_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/clock"
)

func TestClock(t *testing.T) {
	var wall *clock.Clock
	if d := time.Since(wall.Now()); d < 0 || d > time.Second {
		t.Fatalf("a nil clock is %v off the wall clock", d)
	}
	if _, err := clock.New(false).Advance(time.Hour); !errors.Is(err, clock.ErrNoTravel) {
		t.Fatalf("advance without travel: %v, want ErrNoTravel", err)
	}
	c := clock.New(true)
	now, err := c.Advance(72 * time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if ahead := time.Until(now); ahead < 71*time.Hour || ahead > 73*time.Hour || c.Offset() != 72*time.Hour {
		t.Fatalf("after advancing 72h: %v ahead, offset %v", ahead, c.Offset())
	}
	for _, d := range []time.Duration{0, -time.Hour, clock.MaxAdvance + time.Second} {
		if _, err := c.Advance(d); err == nil {
			t.Errorf("advance %v was accepted", d)
		}
	}
	if c.Offset() != 72*time.Hour {
		t.Fatalf("refused advances moved the clock: %v", c.Offset())
	}
}
