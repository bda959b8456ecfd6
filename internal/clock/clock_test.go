package clock_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/clock"
)

func TestClock_Demo(t *testing.T) {
	var wall *clock.Clock
	if d := clock.Wall().Sub(wall.Now()); d < -time.Second || d > time.Second {
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
	if ahead := now.Sub(clock.Wall()); ahead < 71*time.Hour || ahead > 73*time.Hour || c.Offset() != 72*time.Hour {
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

func TestClock_TestClocks(t *testing.T) {
	start := time.Date(2026, time.December, 20, 23, 59, 0, 0, time.FixedZone("CST", 8*3600))
	t.Run("fixed stands still until moved", func(t *testing.T) {
		c := clock.Fixed(start)
		time.Sleep(5 * time.Millisecond)
		if !c.Now().Equal(start) {
			t.Fatalf("fixed clock moved by itself: %v", c.Now())
		}
		if err := c.AdvanceTo(start.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got := c.Now(); !got.Equal(start.Add(time.Minute)) {
			t.Fatalf("after AdvanceTo: %v", got)
		}
		if err := c.AdvanceTo(start); err == nil {
			t.Fatal("AdvanceTo an earlier instant was accepted")
		}
		if got := c.Now(); !got.Equal(start.Add(time.Minute)) {
			t.Fatalf("a refused AdvanceTo moved the clock: %v", got)
		}
	})
	t.Run("at runs at real pace from its instant", func(t *testing.T) {
		c := clock.At(start)
		time.Sleep(20 * time.Millisecond)
		d := c.Now().Sub(start)
		if d < 20*time.Millisecond || d > 5*time.Second {
			t.Fatalf("clock.At ran %v in 20ms", d)
		}
		if _, err := c.Advance(24 * time.Hour); err != nil {
			t.Fatal(err)
		}
		if got := c.Now(); got.Sub(start) < 24*time.Hour {
			t.Fatalf("after Advance(24h): %v", got)
		}
	})
}

// TestClock_WallShift verifies that the calendar pass of the suite really
// moved the clock the code reads: with IPM_TEST_WALL_CLOCK set, the wall
// clock must read that instant. It fails when the variable is set but the
// binary was built without the clockshift tag, so a pass that believes it
// ran in December but did not cannot go unnoticed.
func TestClock_WallShift(t *testing.T) {
	v := os.Getenv("IPM_TEST_WALL_CLOCK")
	if v == "" {
		if clock.WallShift() != 0 {
			t.Fatalf("the wall clock is shifted by %v without IPM_TEST_WALL_CLOCK", clock.WallShift())
		}
		return
	}
	want, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t.Fatal(err)
	}
	if d := clock.Wall().Sub(want); d < -time.Second || d > 10*time.Minute {
		t.Fatalf("IPM_TEST_WALL_CLOCK=%s but the wall clock reads %s: build the tests with -tags clockshift", v, clock.Wall().Format(time.RFC3339))
	}
	t.Logf("wall clock moved to %s", clock.Wall().Format(time.RFC3339))
}
