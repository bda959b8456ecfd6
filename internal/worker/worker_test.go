package worker_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ipmediate/ipmediate/internal/testenv"
	"github.com/ipmediate/ipmediate/internal/worker"
)

// TestWorker_OneSchedulerLeader runs two workers on one database: only one
// runs the scheduler's jobs, and the other takes over when it stops.
func TestWorker_OneSchedulerLeader(t *testing.T) {
	db := testenv.DB(t)
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })

	var runs [2]atomic.Int64
	var cancels [2]context.CancelFunc
	var done [2]chan struct{}
	for i := range 2 {
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i], done[i] = cancel, make(chan struct{})
		w := worker.New(worker.Deps{
			DB: db, Redis: rdb, Logger: testenv.Logger(t), Concurrency: 1, LeaderRetry: 50 * time.Millisecond,
			Jobs: []worker.Job{{Name: "count", Every: 20 * time.Millisecond, Run: func(context.Context) error {
				runs[i].Add(1)
				return nil
			}}},
		})
		go func() {
			defer close(done[i])
			if err := w.Run(ctx); err != nil {
				t.Errorf("worker %d: %v", i, err)
			}
		}()
	}
	t.Cleanup(func() {
		for i := range 2 {
			cancels[i]()
			<-done[i]
		}
	})

	leader := waitFor(t, func() int {
		for i := range 2 {
			if runs[i].Load() > 0 {
				return i
			}
		}
		return -1
	})
	follower := 1 - leader
	time.Sleep(300 * time.Millisecond)
	if n := runs[follower].Load(); n != 0 {
		t.Fatalf("both workers ran the scheduler: follower ran %d times", n)
	}
	cancels[leader]()
	<-done[leader]
	if got := waitFor(t, func() int {
		if runs[follower].Load() > 0 {
			return follower
		}
		return -1
	}); got != follower {
		t.Fatalf("follower %d did not take over", follower)
	}
}

func waitFor(t *testing.T, f func() int) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if v := f(); v >= 0 {
			return v
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("condition not reached within 10s")
	return -1
}
