package worker

import (
	"context"
	"time"
)

// CreditSettler puts credit records in effect when their objection period
// ends and expires them when their display period does (credit.Service).
type CreditSettler interface {
	Settle(ctx context.Context) (int, error)
}

// CreditInterval is how often the scheduler leader runs the credit sweep.
const CreditInterval = time.Minute

// CreditJobs are the scheduler leader's duty for credit records: the
// sweep (nil: none).
func CreditJobs(c CreditSettler, every time.Duration) []Job {
	if c == nil {
		return nil
	}
	if every <= 0 {
		every = CreditInterval
	}
	return []Job{{Name: "credit-effect", Every: every, Run: func(ctx context.Context) error {
		_, err := c.Settle(ctx)
		return err
	}}}
}
