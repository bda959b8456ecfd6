package worker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/worker"
)

type countingDrafter struct{ runs int }

func (c *countingDrafter) Draft(context.Context) (int, error) {
	c.runs++
	return 0, errors.New("draft failed")
}

// TestWarningJobs: the leader runs the drafting rule as one job on its
// interval and passes its error on; without a drafter there is none.
func TestWarningJobs(t *testing.T) {
	c := &countingDrafter{}
	jobs := worker.WarningJobs(c, 0)
	if len(jobs) != 1 || jobs[0].Name != "warning-draft" || jobs[0].Every != worker.WarningInterval {
		t.Fatalf("jobs: %+v", jobs)
	}
	if err := jobs[0].Run(context.Background()); err == nil || c.runs != 1 {
		t.Fatalf("draft job: %v, %d runs", err, c.runs)
	}
	if jobs := worker.WarningJobs(c, time.Minute); jobs[0].Every != time.Minute {
		t.Fatalf("interval %v", jobs[0].Every)
	}
	if jobs := worker.WarningJobs(nil, 0); len(jobs) != 0 {
		t.Fatalf("without a drafter: %+v", jobs)
	}
}
