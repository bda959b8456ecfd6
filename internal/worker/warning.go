package worker

import (
	"context"
	"time"
)

// WarningDrafter drafts industry risk warnings from the patterns of
// recent cases and applications (warning.Service).
type WarningDrafter interface {
	Draft(ctx context.Context) (int, error)
}

// WarningInterval is how often the scheduler leader runs the drafting
// rule. The rule drafts once per pattern and window however often it runs.
const WarningInterval = 15 * time.Minute

// WarningJobs are the scheduler leader's duty for risk warnings: the
// drafting rule (nil: none).
func WarningJobs(d WarningDrafter, every time.Duration) []Job {
	if d == nil {
		return nil
	}
	if every <= 0 {
		every = WarningInterval
	}
	return []Job{{Name: "warning-draft", Every: every, Run: func(ctx context.Context) error {
		_, err := d.Draft(ctx)
		return err
	}}}
}
