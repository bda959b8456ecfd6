package app

import (
	"context"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// TestQuickRedis_SentinelBounded: the quick client through Sentinel (the
// login throttle's, the queue monitor's check) answers while a master is
// there, and gives up within its bound, not go-redis's seconds, while the
// master hangs (SIGSTOP) or no sentinel answers.
func TestQuickRedis_SentinelBounded(t *testing.T) {
	s := testenv.StartSentinels(t)
	const wait = 200 * time.Millisecond
	limit := 1500 * time.Millisecond // the bound, with room for a loaded machine
	rc, err := newRedisConn(config.Redis{URL: "redis://" + testenv.UnusedAddr(t) + "/0",
		Sentinel: config.Sentinel{MasterName: testenv.SentinelMaster, Addrs: s.Addrs}})
	if err != nil {
		t.Fatal(err)
	}
	if rc.checkName() != "redis (sentinel "+testenv.SentinelMaster+")" {
		t.Errorf("check name %q", rc.checkName())
	}
	quick := rc.quick(wait)
	defer quick.Close()
	if err := quick.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("ping through Sentinel: %v", err)
	}

	s.Pause()
	start := time.Now()
	err = quick.Ping(context.Background()).Err()
	took := time.Since(start)
	s.Resume()
	if err == nil || took > limit {
		t.Errorf("ping while the master hangs: err %v after %v, want an error within %v", err, took, limit)
	}

	none, err := newRedisConn(config.Redis{URL: "redis://127.0.0.1:6379/0",
		Sentinel: config.Sentinel{MasterName: testenv.SentinelMaster, Addrs: []string{testenv.UnusedAddr(t), testenv.UnusedAddr(t)}}})
	if err != nil {
		t.Fatal(err)
	}
	q := none.quick(wait)
	defer q.Close()
	start = time.Now()
	err = q.Ping(context.Background()).Err()
	if took := time.Since(start); err == nil || took > limit {
		t.Errorf("ping with no sentinel answering: err %v after %v, want an error within %v", err, took, limit)
	}

	plain, err := newRedisConn(config.Redis{URL: "redis://127.0.0.1:6379/0"})
	if err != nil {
		t.Fatal(err)
	}
	if plain.checkName() != "redis" || plain.failover != nil {
		t.Errorf("without Sentinel: check %q, failover %v", plain.checkName(), plain.failover)
	}
}
