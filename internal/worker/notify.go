package worker

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// Enqueuer puts notify tasks on asynq with their deterministic task ids
// (notify.TaskID). It implements notify.Enqueuer.
type Enqueuer struct {
	c        *asynq.Client
	maxRetry int
	now      func() time.Time
}

// NewEnqueuer returns an Enqueuer over the shared Redis client; maxRetry
// is how often asynq retries a failed task (with the server's backoff).
func NewEnqueuer(rdb *redis.Client, maxRetry int) *Enqueuer {
	return &Enqueuer{c: asynq.NewClientFromRedisClient(rdb), maxRetry: maxRetry, now: clock.Wall}
}

// WithClock makes the enqueuer read processAt on the application's clock
// (a demo's clock may run ahead of the wall clock, which asynq keeps):
// a task is scheduled as far ahead of the wall clock as processAt is
// ahead of now.
func (e *Enqueuer) WithClock(now func() time.Time) *Enqueuer {
	e.now = now
	return e
}

// taskTimeout bounds one run of a notify task; an SMTP or SMS send has
// its own, shorter timeout.
const taskTimeout = 2 * time.Minute

// Enqueue queues a task, scheduled for processAt when that is still
// ahead; a task with the same id still queued (pending, scheduled,
// running or waiting for a retry) is success.
func (e *Enqueuer) Enqueue(ctx context.Context, typ, taskID string, payload []byte, processAt time.Time) error {
	opts := []asynq.Option{asynq.TaskID(taskID), asynq.Queue(queueOf(typ)), asynq.MaxRetry(e.maxRetry), asynq.Timeout(taskTimeout)}
	if wait := processAt.Sub(e.now()); wait > 0 {
		processAt = time.Now().Add(wait)
		// asynq schedules in whole seconds, truncating: round up, so that
		// a task never runs before its reminders are due (they would go
		// back to the relay).
		if frac := processAt.Sub(processAt.Truncate(time.Second)); frac > 0 {
			processAt = processAt.Add(time.Second - frac)
		}
		opts = append(opts, asynq.ProcessAt(processAt))
	}
	_, err := e.c.EnqueueContext(ctx, asynq.NewTask(typ, payload), opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return nil
	}
	return err
}

// queueOf picks a task type's queue: escalations first.
func queueOf(typ string) string {
	if typ == notify.TaskEscalate {
		return QueueCritical
	}
	return QueueDefault
}

// NotifyHandlers are the task handlers of reminders and notifications.
func NotifyHandlers(n *notify.Service) map[string]asynq.Handler {
	reminder := asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		ids, err := notify.ParsePayload(t.Payload())
		if err != nil {
			return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
		}
		return n.DeliverReminders(ctx, ids)
	})
	outbox := asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		ids, err := notify.ParsePayload(t.Payload())
		if err != nil {
			return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
		}
		retried, _ := asynq.GetRetryCount(ctx)
		maxRetry, _ := asynq.GetMaxRetry(ctx)
		return n.HandleOutbox(ctx, t.Type(), ids[0], retried >= maxRetry)
	})
	return map[string]asynq.Handler{
		notify.TaskRemind:   reminder,
		notify.TaskEscalate: reminder,
		notify.TaskAnnual:   reminder,
		notify.TaskSend:     outbox,
		notify.TaskEmail:    outbox,
		notify.TaskSMS:      outbox,
	}
}

// NotifySettings tune the scheduler's notify jobs.
type NotifySettings struct {
	// RelayInterval: how often due reminders and outbox rows are queued.
	RelayInterval time.Duration
	// RelayBatch: rows per relay transaction; a full batch is followed by
	// the next at once.
	RelayBatch int
	// TaskBatch: reminders per task (1: one task per reminder).
	TaskBatch int
	// Lookahead: reminders are queued this long before they are due.
	Lookahead time.Duration
	// SweepInterval: how often queued-but-undone rows are looked for.
	SweepInterval time.Duration
	// StaleAfter: a row queued this long ago and not done is queued again.
	StaleAfter time.Duration
	// AnnualInterval: how often the annual report reminders are planned.
	AnnualInterval time.Duration
}

// NotifyJobs are the scheduler leader's duties for reminders: the relay,
// the sweeper and the annual report planner.
func NotifyJobs(n *notify.Service, enq notify.Enqueuer, s NotifySettings) []Job {
	if s.AnnualInterval <= 0 {
		s.AnnualInterval = 15 * time.Minute
	}
	drain := func(ctx context.Context, steps ...func(context.Context) (int, error)) error {
		for ctx.Err() == nil {
			full := false
			for _, step := range steps {
				k, err := step(ctx)
				if err != nil {
					return err
				}
				full = full || k >= s.RelayBatch
			}
			if !full {
				return nil
			}
		}
		return nil
	}
	return []Job{
		{Name: "notify-relay", Every: s.RelayInterval, Run: func(ctx context.Context) error {
			return drain(ctx,
				func(ctx context.Context) (int, error) {
					return n.RelayReminders(ctx, enq, notify.RelayOptions{Limit: s.RelayBatch, PerTask: s.TaskBatch, Lookahead: s.Lookahead})
				},
				func(ctx context.Context) (int, error) { return n.RelayOutbox(ctx, enq, s.RelayBatch) })
		}},
		{Name: "notify-sweep", Every: s.SweepInterval, Run: func(ctx context.Context) error {
			return drain(ctx,
				func(ctx context.Context) (int, error) { return n.SweepReminders(ctx, enq, s.StaleAfter, s.RelayBatch) },
				func(ctx context.Context) (int, error) { return n.SweepOutbox(ctx, enq, s.StaleAfter, s.RelayBatch) })
		}},
		{Name: "annual-report", Every: s.AnnualInterval, Run: func(ctx context.Context) error {
			_, err := n.PlanAnnualReports(ctx)
			return err
		}},
	}
}

// Backoff is exponential retry backoff with jitter: base, 2×base, 4×base
// ... capped at max, each ±20%.
func Backoff(base, max time.Duration) asynq.RetryDelayFunc {
	return func(n int, _ error, _ *asynq.Task) time.Duration {
		d := base
		for i := 0; i < n && d < max; i++ {
			d *= 2
		}
		d = min(d, max)
		jitter := time.Duration(float64(d) * (rand.Float64()*0.4 - 0.2))
		return d + jitter
	}
}
