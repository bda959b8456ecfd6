package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/notify"
)

// TestApp_WorkerDeliversMessages runs the app's worker (as `worker` and
// `serve --with-worker` do): a message written to the outbox reaches the
// user's inbox through the relay, the queue and the handler.
func TestApp_WorkerDeliversMessages(t *testing.T) {
	a := apptest.New(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) {
		c.Reminders.RelayInterval = 100 * time.Millisecond
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.RunWorker(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
	})
	var user int64
	if err := a.DB.Raw("SELECT id FROM users WHERE username = 'director.gulou'").Scan(&user).Error; err != nil || user == 0 {
		t.Fatalf("demo director: %v", err)
	}
	if err := a.Notify.SendTx(context.Background(), nil, notify.Message{UserID: user, Kind: "deadline_set",
		Params: map[string]any{"Title": "测试", "Due": "2026-03-02 24:00"}, DedupKey: "app-test"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		a.DB.Raw("SELECT count(*) FROM notifications WHERE dedup_key = 'app-test' AND user_id = ?", user).Scan(&n)
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the message did not reach the inbox within 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestApp_DemoCasesHaveReminders: the demo cases' open deadlines get their
// reminders at seed time (the seeder works the cases on a clock of its
// own), and seeding again plans nothing twice.
func TestApp_DemoCasesHaveReminders(t *testing.T) {
	a := apptest.New(t, apptest.WithDemoCases())
	var open, without, before int
	// A window shown for information only (the parties' time to apply for
	// judicial confirmation) reminds nobody by design (docs/law.md §1).
	a.DB.Raw("SELECT count(*) FROM deadlines WHERE status = 'open' AND duty <> 'information'").Scan(&open)
	a.DB.Raw(`SELECT count(*) FROM deadlines d WHERE d.status = 'open' AND d.duty <> 'information'
AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.deadline_id = d.id)`).Scan(&without)
	if open == 0 || without != 0 {
		var which []string
		a.DB.Raw(`SELECT d.kind || '/' || d.duty || '/' || d.subject_type FROM deadlines d WHERE d.status = 'open' AND d.duty <> 'information'
AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.deadline_id = d.id)`).Scan(&which)
		t.Fatalf("%d of %d open demo deadlines have no reminders: %v", without, open, which)
	}
	a.DB.Raw("SELECT count(*) FROM reminders").Scan(&before)
	if _, err := a.SeedWithCases(context.Background()); err != nil {
		t.Fatal(err)
	}
	var after int
	a.DB.Raw("SELECT count(*) FROM reminders").Scan(&after)
	if after != before {
		t.Fatalf("a second seed changed the reminders: %d -> %d", before, after)
	}
}
