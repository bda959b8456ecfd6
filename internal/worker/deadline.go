package worker

import (
	"context"
	"time"

	"github.com/ipmediate/ipmediate/internal/deadline"
)

// DeadlineLapser closes the information deadlines that have passed
// (deadline.Service).
type DeadlineLapser interface {
	LapseInformation(ctx context.Context, au deadline.Auditor) (int, error)
}

// DeadlineInterval is how often the scheduler leader lapses information
// deadlines.
const DeadlineInterval = time.Minute

// DeadlineJobs are the scheduler leader's duties for deadlines: closing,
// quietly, the information windows that have passed (docs/law.md §1).
func DeadlineJobs(d DeadlineLapser, au deadline.Auditor, every time.Duration) []Job {
	if d == nil {
		return nil
	}
	if every <= 0 {
		every = DeadlineInterval
	}
	return []Job{{Name: "deadline-lapse", Every: every, Run: func(ctx context.Context) error {
		_, err := d.LapseInformation(ctx, au)
		return err
	}}}
}
