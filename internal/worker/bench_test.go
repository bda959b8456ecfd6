package worker_test

import (
	"os"
	"strconv"
	"testing"
	"time"
)

// BenchmarkDrain100k: 100,000 reminders fall due at the same instant
// while the workers run. It reports the drain time (from the due instant
// to the last reminder sent) and the reminder lag (sent_at - send_at:
// worst, median, 99th percentile); the target is a worst lag under 10 s.
// One run is one drain:
//
//	go test -run '^$' -bench Drain100k -benchtime 1x ./internal/worker/
//
// The reminders fall due IPM_BENCH_NOTICE seconds (20) after the workers
// start, as planned reminders do; with the default lookahead (30 s) the
// relay queues them before they are due. IPM_BENCH_NOTICE=0 makes them
// due at once, unannounced. IPM_BENCH_REMINDERS (100000),
// IPM_BENCH_WORKERS (processes, 1), IPM_BENCH_CONCURRENCY (tasks at once
// per process, 10, the default), IPM_BENCH_TASK_BATCH (reminders per
// task, 100, the default) and IPM_BENCH_LOOKAHEAD (seconds, 30) change the load.
func BenchmarkDrain100k(b *testing.B) {
	total := envInt("IPM_BENCH_REMINDERS", 100000)
	workers := envInt("IPM_BENCH_WORKERS", 1)
	concurrency := envInt("IPM_BENCH_CONCURRENCY", 10)
	taskBatch := envInt("IPM_BENCH_TASK_BATCH", 100)
	notice := time.Duration(envIntZero("IPM_BENCH_NOTICE", 20)) * time.Second
	lookahead := time.Duration(envIntZero("IPM_BENCH_LOOKAHEAD", 30)) * time.Second
	for range b.N {
		b.StopTimer()
		h := newHarness(b)
		due := h.clk.Now().Add(time.Hour)
		h.f.DueReminders(b, total, due)
		for range workers {
			h.start(nodeOptions{concurrency: concurrency, staleAfter: 2 * time.Minute, quiet: true, relayInterval: time.Second,
				taskBatch: taskBatch, lookahead: lookahead})
		}
		// Everything is in place; the reminders fall due after the notice.
		due = h.clk.Now().Add(notice)
		if err := h.db.Exec(`UPDATE reminders SET send_at = ?`, due).Error; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		// Polled on the relay's and sweeper's partial indexes, so the
		// watching costs the database next to nothing; the figures come
		// from the rows' own timestamps.
		waitUntil(b, 10*time.Minute, "drained", func() bool {
			var left bool
			h.db.Raw(`SELECT EXISTS (SELECT 1 FROM reminders WHERE status = 'pending')
	OR EXISTS (SELECT 1 FROM reminders WHERE status = 'enqueued')`).Scan(&left)
			return !left
		})
		b.StopTimer()
		var r struct {
			Drain, Queued, Worst, P50, P99 float64
		}
		if err := h.db.Raw(`SELECT
	extract(epoch FROM max(sent_at) - min(send_at)) AS drain,
	extract(epoch FROM max(enqueued_at) - min(send_at)) AS queued,
	extract(epoch FROM max(sent_at - send_at)) AS worst,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM sent_at - send_at)) AS p50,
	percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM sent_at - send_at)) AS p99
FROM reminders`).Scan(&r).Error; err != nil {
			b.Fatal(err)
		}
		h.assertOnce(total)
		b.ReportMetric(r.Drain, "drain_s")
		b.ReportMetric(r.Queued, "queued_s")
		b.ReportMetric(r.Worst, "worst_lag_s")
		b.ReportMetric(r.P50, "p50_lag_s")
		b.ReportMetric(r.P99, "p99_lag_s")
		b.ReportMetric(float64(total)/r.Drain, "reminders/s")
		b.Logf("%d reminders due %v after start, %d worker(s) x %d, %d per task, lookahead %v: all queued %.1f s after the due time, "+
			"drained %.1f s after it; lag worst %.1f s, p50 %.1f s, p99 %.1f s",
			total, notice, workers, concurrency, taskBatch, lookahead, r.Queued, r.Drain, r.Worst, r.P50, r.P99)
	}
}

// envIntZero is envInt that accepts 0.
func envIntZero(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v >= 0 {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
