package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/notify/notifytest"
	"github.com/ipmediate/ipmediate/internal/testenv"
	"github.com/ipmediate/ipmediate/internal/worker"
)

// readyz is the answer of /readyz.
type readyz struct {
	Status string            `json:"status"`
	Down   []string          `json:"down"`
	Checks map[string]string `json:"checks"`
}

func getReady(t *testing.T, url string) (int, readyz) {
	t.Helper()
	resp, body := get(t, apptest.Client(), url+"/readyz")
	var r readyz
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("readyz %d: %v: %s", resp.StatusCode, err, body)
	}
	return resp.StatusCode, r
}

// withSentinel points the app at the sentinels' master under name.
// redis.url's host is a port where nothing listens: everything that
// works went through Sentinel.
func withSentinel(t *testing.T, s *testenv.Sentinels, name string) apptest.Option {
	return apptest.WithConfig(func(c *config.Config) {
		c.Redis.URL = "redis://" + testenv.UnusedAddr(t) + "/0"
		c.Redis.Sentinel = config.Sentinel{MasterName: name, Addrs: s.Addrs}
	})
}

// TestApp_Sentinel_RunsJobsAndIsReady: the app configured with the
// sentinels (and a redis.url host where nothing listens) is ready, names
// the master it checked, and its worker delivers due reminders through
// the master Sentinel found, each once.
func TestApp_Sentinel_RunsJobsAndIsReady(t *testing.T) {
	s := testenv.StartSentinels(t)
	r := apptest.Start(t, withSentinel(t, s, testenv.SentinelMaster), apptest.WithConfig(func(c *config.Config) {
		c.Reminders.RelayInterval = 100 * time.Millisecond
	}))
	code, ready := getReady(t, r.URL)
	name := "redis (sentinel " + testenv.SentinelMaster + ")"
	if code != http.StatusOK || ready.Checks[name] != "ok" || ready.Checks["postgres"] != "ok" {
		t.Fatalf("readyz: %d %+v, want 200 with %q ok", code, ready, name)
	}
	if _, plain := ready.Checks["redis"]; plain {
		t.Errorf("readyz names plain redis through Sentinel: %+v", ready.Checks)
	}

	const total = 50
	a := r.App
	notifytest.NewFixture(t, a.DB).DueReminders(t, total, a.Clock.Now().Add(-time.Second))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.RunWorker(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	var c notifytest.Tally
	for c = notifytest.Count(t, a.DB); c.Sent < total; c = notifytest.Count(t, a.DB) {
		if time.Now().After(deadline) {
			t.Fatalf("reminders not delivered through Sentinel within a minute: %+v", c)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if c.Sent != total || c.Notifications != total || c.Duplicates != 0 {
		t.Fatalf("want %d reminders each delivered once, got %+v", total, c)
	}
	// The tasks went through the master Sentinel names.
	master := s.Master()
	if processed := masterProcessed(t, a.Redis); processed == 0 {
		t.Errorf("the master at %s processed no task", master)
	}
}

// masterProcessed is how many tasks asynq counted as processed today in
// the default queue, read through the given client.
func masterProcessed(t *testing.T, rdb *redis.Client) int {
	t.Helper()
	info, err := asynq.NewInspectorFromRedisClient(rdb).GetQueueInfo(worker.QueueDefault)
	if err != nil {
		t.Fatalf("queue info: %v", err)
	}
	return info.Processed
}

// TestApp_Sentinel_NoMasterIsNotReady: sentinels that answer but know no
// usable master make /readyz answer 503 naming the master. First the
// configured name is one the sentinels do not monitor; then the master and
// its replica stop answering (SIGSTOP) while tasks wait in the queue. Once
// they answer again the app is ready and the waiting tasks are all there.
func TestApp_Sentinel_NoMasterIsNotReady(t *testing.T) {
	s := testenv.StartSentinels(t)

	unknown := apptest.Start(t, withSentinel(t, s, "nosuchmaster"))
	code, ready := getReady(t, unknown.URL)
	if code != http.StatusServiceUnavailable || len(ready.Down) != 1 || ready.Down[0] != "redis (sentinel nosuchmaster)" ||
		ready.Checks["postgres"] != "ok" {
		t.Fatalf("unknown master: want 503 naming redis (sentinel nosuchmaster) only, got %d %+v", code, ready)
	}

	r := apptest.Start(t, withSentinel(t, s, testenv.SentinelMaster))
	name := "redis (sentinel " + testenv.SentinelMaster + ")"
	if code, ready := getReady(t, r.URL); code != http.StatusOK || ready.Checks[name] != "ok" {
		t.Fatalf("readyz before the outage: %d %+v", code, ready)
	}
	// Tasks wait in the queue (no worker runs in this test).
	client := asynq.NewClientFromRedisClient(r.App.Redis)
	const waiting = 5
	for i := 0; i < waiting; i++ {
		if _, err := client.Enqueue(asynq.NewTask("sentinel:probe", []byte{byte(i)}), asynq.Queue(worker.QueueDefault)); err != nil {
			t.Fatalf("enqueue: %v", err)
		}
	}
	pending := func() int {
		info, err := asynq.NewInspectorFromRedisClient(r.App.Redis).GetQueueInfo(worker.QueueDefault)
		if err != nil {
			return -1
		}
		return info.Pending
	}
	if p := pending(); p != waiting {
		t.Fatalf("%d tasks pending, want %d", p, waiting)
	}
	// Let the replica catch up, so that whichever node is master after
	// the outage holds the tasks.
	time.Sleep(500 * time.Millisecond)

	s.Pause()
	code, ready = getReady(t, r.URL)
	if code != http.StatusServiceUnavailable || len(ready.Down) != 1 || ready.Down[0] != name {
		s.Resume()
		t.Fatalf("master and replica stopped: want 503 naming %s, got %d %+v", name, code, ready)
	}
	s.Resume()

	deadline := time.Now().Add(60 * time.Second)
	for {
		code, ready = getReady(t, r.URL)
		if code == http.StatusOK && ready.Checks[name] == "ok" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within a minute after the master came back: %d %+v", code, ready)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if p := pending(); p != waiting {
		t.Errorf("after the outage %d tasks pending, want the %d queued before", p, waiting)
	}
}
