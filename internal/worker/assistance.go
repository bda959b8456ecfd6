package worker

import (
	"context"
	"time"
)

// AssistanceLapser lapses the assistance applications whose time to
// supply missing materials has run out (assistance.Service).
type AssistanceLapser interface {
	LapseOverdue(ctx context.Context) (int, error)
}

// AssistanceRules produces the rights_assistance referrals that the
// rules of docs/design.md §7 call for (assistance.Service). It is idempotent:
// running it again, or on several workers at once, produces no duplicate.
type AssistanceRules interface {
	RunReferralRules(ctx context.Context) (int, error)
}

// AssistanceInterval is how often the scheduler leader runs the
// assistance jobs.
const AssistanceInterval = time.Minute

// AssistanceJobs are the scheduler leader's duties for rights-protection
// assistance: the lapse sweep and the referral rules. Either may be nil.
func AssistanceJobs(lapse AssistanceLapser, rules AssistanceRules, every time.Duration) []Job {
	if every <= 0 {
		every = AssistanceInterval
	}
	var jobs []Job
	if lapse != nil {
		jobs = append(jobs, Job{Name: "assistance-lapse", Every: every, Run: func(ctx context.Context) error {
			_, err := lapse.LapseOverdue(ctx)
			return err
		}})
	}
	if rules != nil {
		jobs = append(jobs, Job{Name: "assistance-referral-rules", Every: every, Run: func(ctx context.Context) error {
			_, err := rules.RunReferralRules(ctx)
			return err
		}})
	}
	return jobs
}
