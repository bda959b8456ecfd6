package worker_test

import (
	"context"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/notify"
	"github.com/ipmediate/ipmediate/internal/notify/notifytest"
	"github.com/ipmediate/ipmediate/internal/worker"
)

func TestProbe(t *testing.T) {
	h := newHarness(t)
	h.f.DueReminders(t, 100000, time.Now().Add(-time.Second))
	db := h.openDB(t, 4)
	n := notifytest.NewService(t, db, notifytest.Options(t, nil))
	enq := worker.NewEnqueuer(h.rdb, 3)
	start := time.Now()
	moved := 0
	for i := 0; ; i++ {
		s := time.Now()
		k, err := n.RelayReminders(context.Background(), enq, notify.RelayOptions{Limit: 1000, PerTask: 50})
		if err != nil {
			t.Fatal(err)
		}
		if i%20 == 0 {
			t.Logf("batch %d: %v", i, time.Since(s))
		}
		moved += k
		if k == 0 {
			break
		}
	}
	t.Logf("relay %d in %v", moved, time.Since(start))
}
