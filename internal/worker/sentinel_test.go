package worker_test

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ipmediate/ipmediate/internal/notify/notifytest"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// sentinelHarness is a harness whose every Redis connection (the
// workers', the test's) finds the master through real sentinels.
func sentinelHarness(t *testing.T) (*harness, *testenv.Sentinels) {
	t.Helper()
	h := newHarness(t)
	s := testenv.StartSentinels(t)
	h.failover = &redis.FailoverOptions{MasterName: testenv.SentinelMaster, SentinelAddrs: s.Addrs}
	h.rdb = h.openRedis(t)
	return h, s
}

// TestFault_SentinelFailoverMidDrain: while two workers drain 2,000 due
// reminders, Sentinel promotes the replica (SENTINEL FAILOVER) and the
// old master becomes its replica. The workers follow the new master;
// every reminder is delivered exactly once (the deliveries are counted in
// PostgreSQL, which stays the source of truth: tasks the old master took
// with it are queued again by the sweeper, and a reminder already sent is
// not sent again).
func TestFault_SentinelFailoverMidDrain(t *testing.T) {
	h, s := sentinelHarness(t)
	const total = 2000
	h.f.DueReminders(t, total, h.clk.Now().Add(-time.Second))
	for i := 0; i < 2; i++ {
		h.start(nodeOptions{concurrency: 4, staleAfter: 2 * time.Second, taskBatch: 10})
	}
	waitUntil(t, 120*time.Second, "the drain under way", func() bool { return notifytest.Count(t, h.db).Sent >= total/10 })
	old := s.Failover()
	atFailover := notifytest.Count(t, h.db).Sent
	if atFailover >= total {
		t.Fatalf("the drain ended before the failover (%d sent): the test proves nothing", atFailover)
	}
	now := s.WaitNewMaster(old, 30*time.Second)
	t.Logf("failover %s -> %s with %d of %d sent", old, now, atFailover, total)
	h.waitDelivered(total, 180*time.Second)
	// Nothing arrives twice later (a task the old master still held, a
	// retry): the database says each reminder is sent.
	time.Sleep(2 * time.Second)
	h.assertOnce(total)
}

// TestFault_SentinelMasterKilledMidDrain: as above, but the master
// process is killed (SIGKILL, no persistence): the sentinels notice it is
// down and promote the replica. Every reminder is delivered exactly once.
func TestFault_SentinelMasterKilledMidDrain(t *testing.T) {
	h, s := sentinelHarness(t)
	const total = 2000
	h.f.DueReminders(t, total, h.clk.Now().Add(-time.Second))
	for i := 0; i < 2; i++ {
		h.start(nodeOptions{concurrency: 4, staleAfter: 2 * time.Second, taskBatch: 10})
	}
	waitUntil(t, 120*time.Second, "the drain under way", func() bool { return notifytest.Count(t, h.db).Sent >= total/10 })
	old := s.Master()
	s.Kill(old)
	atKill := notifytest.Count(t, h.db).Sent
	if atKill >= total {
		t.Fatalf("the drain ended before the master was killed (%d sent): the test proves nothing", atKill)
	}
	now := s.WaitNewMaster(old, 60*time.Second)
	t.Logf("master %s killed, %s promoted, with %d of %d sent", old, now, atKill, total)
	h.waitDelivered(total, 180*time.Second)
	time.Sleep(2 * time.Second)
	h.assertOnce(total)
}
