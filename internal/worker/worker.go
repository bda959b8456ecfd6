// Package worker runs ipmediate's background work on asynq: the task
// server, and a scheduler of which exactly one runs among all worker
// processes (leadership by a PostgreSQL advisory lock). Task types are named
// "area:action"; payloads carry ids, not objects; handlers are idempotent.
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"
)

// Queue names, by urgency.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueLow      = "low"
)

// schedulerLockKey is the advisory-lock key that elects the scheduler
// leader; it is an arbitrary constant shared by every worker process.
const schedulerLockKey int64 = 0x69706d6564696174 // "ipmediat"

// Job is one periodic duty of the scheduler leader.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

// Deps are the worker's dependencies.
type Deps struct {
	DB          *gorm.DB
	Redis       *redis.Client
	Logger      *slog.Logger
	Concurrency int
	// Handlers maps task types to handlers; later capabilities add theirs.
	Handlers map[string]asynq.Handler
	// Jobs are run periodically by the elected scheduler leader.
	Jobs []Job
	// LeaderRetry is how often a follower tries to become leader.
	// Default 5s.
	LeaderRetry time.Duration
	// RetryDelay is the backoff between retries of a failed task.
	// Default asynq's (exponential, from seconds to hours).
	RetryDelay asynq.RetryDelayFunc
	// PollInterval is how often an idle server looks for new tasks.
	// Default 1s (asynq's).
	PollInterval time.Duration
	// ShutdownTimeout is how long Run lets in-flight tasks finish when ctx
	// ends; unfinished ones go back to the queue. Default 10s.
	ShutdownTimeout time.Duration
}

// Worker is the asynq server plus the leader-elected scheduler.
type Worker struct {
	d Deps
}

// New returns a Worker.
func New(d Deps) *Worker {
	if d.LeaderRetry <= 0 {
		d.LeaderRetry = 5 * time.Second
	}
	if d.ShutdownTimeout <= 0 {
		d.ShutdownTimeout = 10 * time.Second
	}
	return &Worker{d: d}
}

// Run processes tasks and, while this process holds leadership, runs the
// scheduler's jobs, until ctx is cancelled. In-flight tasks are given
// asynq's shutdown timeout to finish.
func (w *Worker) Run(ctx context.Context) error {
	mux := asynq.NewServeMux()
	for typ, h := range w.d.Handlers {
		mux.Handle(typ, h)
	}
	srv := asynq.NewServerFromRedisClient(w.d.Redis, asynq.Config{
		Concurrency:       w.d.Concurrency,
		Queues:            map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1},
		Logger:            slogAdapter{w.d.Logger},
		ShutdownTimeout:   w.d.ShutdownTimeout,
		RetryDelayFunc:    w.d.RetryDelay,
		TaskCheckInterval: w.d.PollInterval,
		// Scheduled tasks (reminders queued ahead of their send time) and
		// retries become runnable within a second, not asynq's five.
		DelayedTaskCheckInterval: time.Second,
	})
	if err := srv.Start(mux); err != nil {
		return fmt.Errorf("start asynq server: %w", err)
	}
	w.d.Logger.Info("worker started", "concurrency", w.d.Concurrency)
	leaderDone := make(chan struct{})
	go func() {
		defer close(leaderDone)
		w.leadWhenPossible(ctx)
	}()
	<-ctx.Done()
	srv.Shutdown()
	<-leaderDone
	w.d.Logger.Info("worker stopped")
	return nil
}

// leadWhenPossible tries to take the scheduler lock; the process that
// holds it runs the jobs. The lock lives on one dedicated connection, so it
// is released automatically if the process dies.
func (w *Worker) leadWhenPossible(ctx context.Context) {
	sqlDB, err := w.d.DB.DB()
	if err != nil {
		w.d.Logger.Error("scheduler: no database", "err", err)
		return
	}
	for {
		conn, err := sqlDB.Conn(ctx)
		if err == nil {
			var got bool
			err = conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", schedulerLockKey).Scan(&got)
			if err == nil && got {
				w.d.Logger.Info("scheduler: this process is the leader")
				w.runJobs(ctx)
				unlockCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				_, _ = conn.ExecContext(unlockCtx, "SELECT pg_advisory_unlock($1)", schedulerLockKey)
				cancel()
			}
			_ = conn.Close()
		}
		if err != nil && ctx.Err() == nil {
			w.d.Logger.Warn("scheduler: leader election failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(w.d.LeaderRetry):
		}
	}
}

// runJobs runs each job on its own ticker until ctx ends.
func (w *Worker) runJobs(ctx context.Context) {
	done := make(chan struct{}, len(w.d.Jobs))
	for _, j := range w.d.Jobs {
		go func(j Job) {
			defer func() { done <- struct{}{} }()
			t := time.NewTicker(j.Every)
			defer t.Stop()
			for {
				if err := j.Run(ctx); err != nil && ctx.Err() == nil {
					w.d.Logger.Error("scheduler job failed", "job", j.Name, "err", err)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}(j)
	}
	<-ctx.Done()
	for range w.d.Jobs {
		<-done
	}
}

// slogAdapter lets asynq log through slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...), "component", "asynq") }
func (a slogAdapter) Info(args ...any)  { a.l.Info(fmt.Sprint(args...), "component", "asynq") }
func (a slogAdapter) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...), "component", "asynq") }
func (a slogAdapter) Error(args ...any) { a.l.Error(fmt.Sprint(args...), "component", "asynq") }
func (a slogAdapter) Fatal(args ...any) {
	a.l.Error(fmt.Sprint(args...), "component", "asynq", "fatal", true)
}
