package worker_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/database"
	"github.com/ipmediate/ipmediate/internal/notify"
	"github.com/ipmediate/ipmediate/internal/notify/notifytest"
	"github.com/ipmediate/ipmediate/internal/testenv"
	"github.com/ipmediate/ipmediate/internal/worker"
)

// harness is one database and one Redis database shared by the worker
// "processes" of a test, each with its own connections, as separate
// processes would have.
type harness struct {
	t        testing.TB
	dbURL    string
	redisURL string
	db       *gorm.DB      // the test's own connection
	rdb      *redis.Client // the test's own connection
	f        *notifytest.Fixture
	// clk is the clock every worker "process" of the test reads: started
	// at testenv.Instant, never the wall clock's date.
	clk *clock.Clock
	// failover, when set, makes every Redis connection of the test find
	// the master through Sentinel instead of redisURL.
	failover *redis.FailoverOptions
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	h := &harness{t: t, dbURL: testenv.DatabaseURL(t), redisURL: testenv.RedisURL(t), clk: testenv.Clock()}
	h.db = h.openDB(t, 10)
	h.rdb = h.openRedis(t)
	h.f = notifytest.NewFixture(t, h.db)
	return h
}

func (h *harness) openDB(t testing.TB, conns int) *gorm.DB {
	t.Helper()
	db, err := database.Open(context.Background(), config.Database{URL: h.dbURL, MaxOpenConns: conns, MaxIdleConns: conns,
		ConnMaxLifetime: time.Hour, SlowQuery: time.Minute}, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			_ = s.Close()
		}
	})
	return db
}

func (h *harness) openRedis(t testing.TB) *redis.Client {
	t.Helper()
	if h.failover != nil {
		o := *h.failover
		c := redis.NewFailoverClient(&o)
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	opts, err := redis.ParseURL(h.redisURL)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// nodeOptions shape one worker process.
type nodeOptions struct {
	concurrency int
	staleAfter  time.Duration
	maxRetry    int
	// notify edits the notify options (channels).
	notify func(*notify.Options)
	// wrap edits the task handlers (fault injection).
	wrap func(map[string]asynq.Handler)
	// noJobs leaves out the scheduler (relay, sweeper).
	noJobs          bool
	shutdownTimeout time.Duration
	// quiet discards the logs (benchmarks).
	quiet bool
	// relayInterval overrides the relay's 50ms.
	relayInterval time.Duration
	// taskBatch is how many reminders a task carries (default 1).
	taskBatch int
	// lookahead queues reminders this long before they are due.
	lookahead time.Duration
	// relayBatch is how many rows a relay transaction claims (1000).
	relayBatch int
}

// node is one running worker process.
type node struct {
	n      *notify.Service
	enq    *worker.Enqueuer
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

func (h *harness) start(o nodeOptions) *node {
	t := h.t
	t.Helper()
	if o.concurrency == 0 {
		o.concurrency = 4
	}
	if o.staleAfter == 0 {
		o.staleAfter = time.Second
	}
	if o.maxRetry == 0 {
		o.maxRetry = 3
	}
	if o.relayInterval == 0 {
		o.relayInterval = 50 * time.Millisecond
	}
	if o.relayBatch == 0 {
		o.relayBatch = 1000
	}
	log := testenv.Logger(t)
	if o.quiet {
		log = slog.New(slog.DiscardHandler)
	}
	db := h.openDB(t, o.concurrency+4)
	rdb := h.openRedis(t)
	opts := notifytest.Options(t, h.clk.Now)
	opts.Log = log
	if o.notify != nil {
		o.notify(&opts)
	}
	n := notifytest.NewService(t, db, opts)
	enq := h.enqueuer(rdb, o.maxRetry)
	handlers := worker.NotifyHandlers(n)
	if o.wrap != nil {
		o.wrap(handlers)
	}
	var jobs []worker.Job
	if !o.noJobs {
		jobs = worker.NotifyJobs(n, enq, worker.NotifySettings{RelayInterval: o.relayInterval, RelayBatch: o.relayBatch, TaskBatch: o.taskBatch, Lookahead: o.lookahead,
			SweepInterval: 200 * time.Millisecond, StaleAfter: o.staleAfter})
	}
	w := worker.New(worker.Deps{DB: db, Redis: rdb, Logger: log, Concurrency: o.concurrency,
		Handlers: handlers, Jobs: jobs, LeaderRetry: 100 * time.Millisecond, PollInterval: 50 * time.Millisecond,
		RetryDelay: worker.Backoff(50*time.Millisecond, 200*time.Millisecond), ShutdownTimeout: o.shutdownTimeout})
	ctx, cancel := context.WithCancel(context.Background())
	nd := &node{n: n, enq: enq, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(nd.done)
		if err := w.Run(ctx); err != nil {
			t.Errorf("worker: %v", err)
		}
	}()
	t.Cleanup(nd.stop)
	return nd
}

// enqueuer queues tasks scheduled on the test's clock.
func (h *harness) enqueuer(rdb *redis.Client, maxRetry int) *worker.Enqueuer {
	return worker.NewEnqueuer(rdb, maxRetry).WithClock(h.clk.Now)
}

// relay is a notify service on the test's clock, for relaying by hand.
func (h *harness) relay() *notify.Service {
	return notifytest.NewService(h.t, h.db, notifytest.Options(h.t, h.clk.Now))
}

// stop ends the node as SIGTERM would: tasks still running after the
// shutdown timeout are pushed back to the queue.
func (nd *node) stop() {
	nd.once.Do(func() {
		nd.cancel()
		<-nd.done
	})
}

// waitUntil polls cond until it holds, up to timeout.
func waitUntil(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %v", what, timeout)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// waitDelivered waits until total reminders are sent and checks that
// each has exactly one notification.
func (h *harness) waitDelivered(total int, timeout time.Duration) {
	h.t.Helper()
	var c notifytest.Tally
	waitUntil(h.t, timeout, fmt.Sprintf("%d reminders delivered", total), func() bool {
		c = notifytest.Count(h.t, h.db)
		return c.Sent >= total
	})
	h.assertOnce(total)
}

func (h *harness) assertOnce(total int) {
	h.t.Helper()
	c := notifytest.Count(h.t, h.db)
	if c.Reminders != total || c.Sent != total || c.Notifications != total || c.Duplicates != 0 {
		h.t.Fatalf("want %d reminders each delivered exactly once, got %+v", total, c)
	}
}

// queued is how many tasks wait in Redis.
func (h *harness) queued() int {
	info, err := asynq.NewInspectorFromRedisClient(h.rdb).GetQueueInfo(worker.QueueDefault)
	if err != nil {
		return 0
	}
	return info.Pending
}

// TestFault_RedisFlushedWhilePending: Redis loses its data (FLUSHDB, as a
// restart without persistence) after the reminders were queued, and again
// while they are being delivered. Every reminder is still delivered,
// exactly once.
func TestFault_RedisFlushedWhilePending(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const total = 300
	h.f.DueReminders(t, total, h.clk.Now().Add(-time.Second))

	// The relay queues them all; then Redis forgets.
	relay := h.relay()
	if n, err := relay.RelayReminders(context.Background(), h.enqueuer(h.rdb, 3), notify.RelayOptions{Limit: 1000, PerTask: 10}); err != nil || n != total {
		t.Fatalf("relay: %d, %v", n, err)
	}
	if q := h.queued(); q != total/10 {
		t.Fatalf("%d tasks queued, want %d", q, total/10)
	}
	if err := h.rdb.FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	if q := h.queued(); q != 0 {
		t.Fatalf("%d tasks survived the flush", q)
	}

	// A worker starts on the empty Redis: the sweeper finds the reminders
	// queued and never sent. Halfway, Redis is flushed again.
	h.start(nodeOptions{concurrency: 4, staleAfter: 500 * time.Millisecond, taskBatch: 10})
	waitUntil(t, 30*time.Second, "half delivered", func() bool { return notifytest.Count(t, h.db).Sent >= total/2 })
	if err := h.rdb.FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	h.waitDelivered(total, 60*time.Second)
	// Nothing more arrives later: the sweeper leaves sent reminders alone.
	time.Sleep(time.Second)
	h.assertOnce(total)
}

// TestFault_WorkerKilledMidTask stops a worker while a delivery is inside
// its transaction, and another right after its commit but before the
// queue heard of it. Each reminder is delivered once.
func TestFault_WorkerKilledMidTask(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	relay := h.relay()
	enq := h.enqueuer(h.rdb, 3)
	inTx, _ := h.f.DueReminders(t, 1, h.clk.Now().Add(-time.Second))
	afterCommit, _ := h.f.DueReminders(t, 1, h.clk.Now().Add(-time.Second))
	if n, err := relay.RelayReminders(ctx, enq, notify.RelayOptions{Limit: 10, PerTask: 1}); err != nil || n != 2 {
		t.Fatalf("relay: %d %v", n, err)
	}

	// Hold the reminder's notification key in an open transaction: the
	// handler, having locked the reminder and begun writing, waits on it.
	blocker := h.db.Begin()
	if err := blocker.Exec(`INSERT INTO notifications (user_id, kind, dedup_key) VALUES (?, 'deadline_remind', ?)`,
		h.f.Mediator, fmt.Sprintf("reminder:%d", inTx)).Error; err != nil {
		t.Fatal(err)
	}
	var committed atomic.Bool
	victim := h.start(nodeOptions{concurrency: 2, staleAfter: time.Minute, shutdownTimeout: 300 * time.Millisecond,
		wrap: func(hs map[string]asynq.Handler) {
			inner := hs[notify.TaskRemind]
			hs[notify.TaskRemind] = asynq.HandlerFunc(func(ctx context.Context, task *asynq.Task) error {
				ids, _ := notify.ParsePayload(task.Payload())
				if err := inner.ProcessTask(ctx, task); err != nil || ids[0] != afterCommit {
					return err
				}
				// Committed; now die before acknowledging.
				committed.Store(true)
				<-ctx.Done()
				return ctx.Err()
			})
		}})
	waitUntil(t, 20*time.Second, "one delivery waiting inside its transaction, one committed", func() bool {
		var waiting int
		h.db.Raw(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
		return waiting > 0 && committed.Load()
	})
	victim.stop()
	if err := blocker.Rollback().Error; err != nil {
		t.Fatal(err)
	}
	if c := notifytest.Count(t, h.db); c.Sent != 1 {
		t.Fatalf("after the kill: %+v, want only the committed one sent", c)
	}
	// Another worker finishes the job from what the queue kept.
	h.start(nodeOptions{concurrency: 2})
	h.waitDelivered(2, 30*time.Second)
	var attempts []int
	h.db.Raw(`SELECT attempts FROM reminders ORDER BY id`).Scan(&attempts)
	if len(attempts) != 2 || attempts[0] != 1 || attempts[1] != 1 {
		t.Errorf("attempts = %v: each reminder's sending transaction committed once", attempts)
	}
}

// TestFault_ThreeWorkers runs three worker processes on one database and
// Redis, each also relaying and sweeping on its own besides the elected
// leader (as if leadership failed): nothing is delivered twice.
func TestFault_ThreeWorkers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	now := h.clk.Now()
	h.f.DueReminders(t, 600, now.Add(-time.Second))
	h.f.DueReminders(t, 300, now.Add(1500*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	var rogues sync.WaitGroup
	for range 3 {
		nd := h.start(nodeOptions{concurrency: 6, staleAfter: 300 * time.Millisecond, taskBatch: 7})
		rogues.Add(1)
		go func() {
			defer rogues.Done()
			for ctx.Err() == nil {
				_, _ = nd.n.RelayReminders(ctx, nd.enq, notify.RelayOptions{Limit: 50, PerTask: 3})
				_, _ = nd.n.SweepReminders(ctx, nd.enq, 300*time.Millisecond, 50)
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	h.waitDelivered(900, 90*time.Second)
	time.Sleep(time.Second)
	cancel()
	rogues.Wait()
	h.assertOnce(900)
}

// TestFault_WorkerProcessKilled kills a real worker process (SIGKILL)
// while one delivery waits inside its transaction and another has
// committed but not been acknowledged. asynq recovers the two tasks when
// their leases expire (about a minute); each reminder is delivered once.
func TestFault_WorkerProcessKilled(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	inTx, _ := h.f.DueReminders(t, 1, h.clk.Now().Add(-time.Second))
	afterCommit, _ := h.f.DueReminders(t, 1, h.clk.Now().Add(-time.Second))
	relay := h.relay()
	if n, err := relay.RelayReminders(context.Background(), h.enqueuer(h.rdb, 3), notify.RelayOptions{Limit: 10, PerTask: 1}); err != nil || n != 2 {
		t.Fatalf("relay: %d %v", n, err)
	}
	blocker := h.db.Begin()
	if err := blocker.Exec(`INSERT INTO notifications (user_id, kind, dedup_key) VALUES (?, 'deadline_remind', ?)`,
		h.f.Mediator, fmt.Sprintf("reminder:%d", inTx)).Error; err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWorkerProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "IPM_HELPER_WORKER=1", "IPM_HELPER_DB_URL="+h.dbURL, "IPM_HELPER_REDIS_URL="+h.redisURL,
		fmt.Sprintf("IPM_HELPER_HANG_AFTER=%d", afterCommit), "IPM_HELPER_NOW="+h.clk.Now().Format(time.RFC3339Nano))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitUntil(t, 30*time.Second, "the worker process mid-task", func() bool {
		var waiting int
		h.db.Raw(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
		return waiting > 0 && notifytest.Count(t, h.db).Sent == 1
	})
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if err := blocker.Rollback().Error; err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	h.start(nodeOptions{concurrency: 2, staleAfter: time.Second})
	h.waitDelivered(2, 150*time.Second)
	t.Logf("delivered %v after the kill (asynq lease recovery)", time.Since(start).Round(time.Second))
}

// TestHelperWorkerProcess is the worker process of
// TestFault_WorkerProcessKilled; it does nothing in a normal run.
func TestHelperWorkerProcess(t *testing.T) {
	if os.Getenv("IPM_HELPER_WORKER") != "1" {
		return
	}
	now, err := time.Parse(time.RFC3339Nano, os.Getenv("IPM_HELPER_NOW"))
	if err != nil {
		t.Fatalf("IPM_HELPER_NOW: %v", err)
	}
	h := &harness{t: t, dbURL: os.Getenv("IPM_HELPER_DB_URL"), redisURL: os.Getenv("IPM_HELPER_REDIS_URL"), clk: clock.At(now)}
	var hangAfter int64
	fmt.Sscan(os.Getenv("IPM_HELPER_HANG_AFTER"), &hangAfter)
	h.start(nodeOptions{concurrency: 2, noJobs: true, wrap: func(hs map[string]asynq.Handler) {
		inner := hs[notify.TaskRemind]
		hs[notify.TaskRemind] = asynq.HandlerFunc(func(ctx context.Context, task *asynq.Task) error {
			ids, _ := notify.ParsePayload(task.Payload())
			if err := inner.ProcessTask(ctx, task); err != nil || ids[0] != hangAfter {
				return err
			}
			select {} // committed; hang until killed
		})
	}})
	select {} // until killed
}
