package worker_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ipmediate/ipmediate/internal/worker"
)

type countingAssistance struct{ lapses, rules int }

func (c *countingAssistance) LapseOverdue(context.Context) (int, error) {
	c.lapses++
	return 0, nil
}

func (c *countingAssistance) RunReferralRules(context.Context) (int, error) {
	c.rules++
	return 0, errors.New("rules failed")
}

// TestAssistanceJobs: the leader runs the lapse sweep and the referral
// rules, each as its own job, and passes their errors on.
func TestAssistanceJobs(t *testing.T) {
	c := &countingAssistance{}
	jobs := worker.AssistanceJobs(c, c, 0)
	if len(jobs) != 2 || jobs[0].Name != "assistance-lapse" || jobs[1].Name != "assistance-referral-rules" ||
		jobs[0].Every != worker.AssistanceInterval {
		t.Fatalf("jobs: %+v", jobs)
	}
	if err := jobs[0].Run(context.Background()); err != nil || c.lapses != 1 {
		t.Fatalf("lapse job: %v, %d runs", err, c.lapses)
	}
	if err := jobs[1].Run(context.Background()); err == nil || c.rules != 1 {
		t.Fatalf("rules job: %v, %d runs", err, c.rules)
	}
	if jobs := worker.AssistanceJobs(c, nil, 0); len(jobs) != 1 {
		t.Fatalf("without rules: %+v", jobs)
	}
}
