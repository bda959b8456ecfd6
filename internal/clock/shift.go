//go:build clockshift

package clock

import (
	"fmt"
	"os"
	"time"
)

// EnvWallClock names the instant a clockshift test build moves the wall
// clock to, in RFC 3339 (e.g. 2026-12-10T09:30:00+08:00).
//
// Go reads the clock without libc, so LD_PRELOAD tools such as faketime
// do not move it; this build tag moves the clock the code itself reads.
// `make test-calendar` runs the whole suite with it on a December date and
// on a date in the Spring Festival: a test that passes only on some days
// of the year reads the wall clock for a business decision somewhere.
// The tag is for tests only; no release is built with it.
const EnvWallClock = "IPM_TEST_WALL_CLOCK"

func init() {
	v := os.Getenv(EnvWallClock)
	if v == "" {
		return
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		panic(fmt.Sprintf("%s=%q: %v (write e.g. 2026-12-10T09:30:00+08:00)", EnvWallClock, v, err))
	}
	wallShift = time.Until(t)
}
