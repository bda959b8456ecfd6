package notify_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/google/go-cmp/cmp"

	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
	"github.com/ipmediate/ipmediate/internal/notify/notifytest"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// recorder is an Enqueuer that keeps what it is given.
type recorder struct {
	mu    sync.Mutex
	tasks map[string]string // task id -> type
	fail  error
}

func (r *recorder) Enqueue(_ context.Context, typ, taskID string, _ []byte, _ time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	if r.tasks == nil {
		r.tasks = map[string]string{}
	}
	r.tasks[taskID] = typ
	return nil
}

func reminderStatus(t *testing.T, db *gorm.DB, id int64) (status, reason string) {
	t.Helper()
	if err := db.Raw(`SELECT status, cancel_reason FROM reminders WHERE id = ?`, id).Row().Scan(&status, &reason); err != nil {
		t.Fatal(err)
	}
	return status, reason
}

func firstReminder(t *testing.T, db *gorm.DB, deadlineID int64, stage string) int64 {
	t.Helper()
	var id int64
	if err := db.Raw(`SELECT id FROM reminders WHERE deadline_id = ? AND stage = ? ORDER BY id LIMIT 1`, deadlineID, stage).Scan(&id).Error; err != nil || id == 0 {
		t.Fatalf("reminder %s of deadline %d: %v", stage, deadlineID, err)
	}
	return id
}

// TestDeliverReminder_RechecksTheDatabase: whatever the queue says, the
// handler delivers only what the database still wants delivered, once.
func TestDeliverReminder_RechecksTheDatabase(t *testing.T) {
	bj := notifytest.Beijing
	due := notifytest.EndOf(2026, 3, 2)
	tests := []struct {
		desc   string
		stage  string
		change string    // SQL run before delivery; ? is the deadline id
		at     time.Time // the clock at delivery
		want   string    // status after
		reason string    // cancel reason
		again  bool      // deliver twice
	}{
		{desc: "due: delivered", stage: "due_day", at: bj(2026, 3, 2, 9, 1), want: "sent"},
		{desc: "delivered twice: one notification", stage: "due_day", at: bj(2026, 3, 2, 9, 1), want: "sent", again: true},
		{desc: "deadline met meanwhile", stage: "due_day", at: bj(2026, 3, 2, 9, 1),
			change: `UPDATE deadlines SET status = 'met', closed_at = now() WHERE id = ?`, want: "cancelled", reason: "deadline_closed"},
		{desc: "deadline moved but not replanned", stage: "due_day", at: bj(2026, 3, 2, 9, 1),
			change: `UPDATE deadlines SET due_at = due_at + interval '5 days' WHERE id = ?`, want: "cancelled", reason: "superseded"},
		{desc: "a reminder before the due time, late: dropped", stage: "before_1wd", at: bj(2026, 3, 3, 8, 0), want: "cancelled", reason: "too_late"},
		{desc: "the escalation after the due time: delivered", stage: "overdue_escalation", at: bj(2026, 3, 3, 8, 0), want: "sent"},
		{desc: "the escalation of a missed deadline: dropped", stage: "overdue_escalation", at: bj(2026, 3, 3, 8, 0),
			change: `UPDATE deadlines SET status = 'missed', closed_at = now() WHERE id = ?`, want: "cancelled", reason: "deadline_closed"},
		{desc: "recipient disabled", stage: "due_day", at: bj(2026, 3, 2, 9, 1),
			change: `UPDATE users SET active = false WHERE id = (SELECT responsible_user_id FROM deadlines WHERE id = ?)`, want: "cancelled", reason: "recipient_inactive"},
		{desc: "too early: back to the relay", stage: "due_day", at: bj(2026, 3, 2, 8, 0), want: "pending"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			db := testenv.DB(t)
			f := notifytest.NewFixture(t, db)
			clk := clock.Fixed(bj(2026, 2, 20, 10, 0))
			s := notifytest.NewService(t, db, notifytest.Options(t, clk.Now))
			id := f.Deadline(t, "委派调解期限", due, f.Mediator)
			plan(t, s, db, id)
			rid := firstReminder(t, db, id, tt.stage)
			if err := db.Exec(`UPDATE reminders SET status = 'enqueued', enqueued_at = now() WHERE id = ?`, rid).Error; err != nil {
				t.Fatal(err)
			}
			if tt.change != "" {
				if err := db.Exec(tt.change, id).Error; err != nil {
					t.Fatal(err)
				}
			}
			notifytest.MoveTo(t, clk, tt.at)
			runs := 1
			if tt.again {
				runs = 2
			}
			for range runs {
				if err := s.DeliverReminder(context.Background(), rid); err != nil {
					t.Fatal(err)
				}
			}
			status, reason := reminderStatus(t, db, rid)
			if status != tt.want || reason != tt.reason {
				t.Errorf("reminder = %s (%s), want %s (%s)", status, reason, tt.want, tt.reason)
			}
			var notes, inapp int64
			key := fmt.Sprintf("reminder:%d", rid)
			if err := db.Raw(`SELECT count(*) FROM notifications WHERE dedup_key = ?`, key).Scan(&notes).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Raw(`SELECT count(*) FROM deliveries d JOIN notifications n ON n.id = d.notification_id
WHERE n.dedup_key = ? AND d.channel = 'inapp' AND d.status = 'ok'`, key).Scan(&inapp).Error; err != nil {
				t.Fatal(err)
			}
			wantNotes := int64(0)
			if tt.want == "sent" {
				wantNotes = 1
			}
			if notes != wantNotes || inapp != wantNotes {
				t.Errorf("%d notifications, %d in-app deliveries, want %d", notes, inapp, wantNotes)
			}
		})
	}
}

// TestDeliverReminder_CrashBeforeCommitLeavesNothing: a handler that dies
// inside its transaction writes nothing; the retry delivers once.
func TestDeliverReminder_CrashBeforeCommitLeavesNothing(t *testing.T) {
	db := testenv.DB(t)
	f := notifytest.NewFixture(t, db)
	clk := clock.Fixed(testenv.Instant)
	s := notifytest.NewService(t, db, notifytest.Options(t, clk.Now))
	first, _ := f.DueReminders(t, 1, clk.Now().Add(-time.Minute))
	crash := errors.New("worker died")
	notify.SetBeforeCommit(s, func(context.Context, string, int64) error { return crash })
	if err := s.DeliverReminder(context.Background(), first); !errors.Is(err, crash) {
		t.Fatalf("want the crash, got %v", err)
	}
	if c := notifytest.Count(t, db); c.Sent != 0 || c.Notifications != 0 {
		t.Fatalf("a crashed delivery left %+v", c)
	}
	notify.SetBeforeCommit(s, nil)
	for range 2 {
		if err := s.DeliverReminder(context.Background(), first); err != nil {
			t.Fatal(err)
		}
	}
	if c := notifytest.Count(t, db); c.Sent != 1 || c.Notifications != 1 || c.Duplicates != 0 {
		t.Errorf("after the retry: %+v", c)
	}
}

// TestRelayAndSweep: the relay queues what is due, in tasks of at most
// perTask reminders with deterministic ids, and marks it; the sweeper
// queues again what stayed undone, under the same task ids; a failed
// enqueue leaves the rows for the next run.
func TestRelayAndSweep(t *testing.T) {
	db := testenv.DB(t)
	f := notifytest.NewFixture(t, db)
	clk := clock.Fixed(testenv.Instant)
	s := notifytest.NewService(t, db, notifytest.Options(t, clk.Now))
	ctx := context.Background()
	first, last := f.DueReminders(t, 5, clk.Now().Add(-time.Second))
	f.DueReminders(t, 3, clk.Now().Add(time.Hour)) // not due

	down := &recorder{fail: errors.New("redis is down")}
	if n, err := s.RelayReminders(ctx, down, notify.RelayOptions{Limit: 100, PerTask: 2}); err == nil || n != 0 {
		t.Fatalf("relay with Redis down: %d, %v", n, err)
	}
	if c := notifytest.Count(t, db); c.Pending != 8 {
		t.Fatalf("after a failed relay: %+v", c)
	}
	rec := &recorder{}
	n, err := s.RelayReminders(ctx, rec, notify.RelayOptions{Limit: 3, PerTask: 2})
	if err != nil || n != 3 {
		t.Fatalf("relay batch: %d, %v", n, err)
	}
	if n, _ = s.RelayReminders(ctx, rec, notify.RelayOptions{Limit: 100, PerTask: 2}); n != 2 {
		t.Fatalf("second batch: %d", n)
	}
	if n, _ = s.RelayReminders(ctx, rec, notify.RelayOptions{Limit: 100, PerTask: 2}); n != 0 {
		t.Fatalf("nothing left due, relayed %d", n)
	}
	want := map[string]string{
		notify.ReminderTaskID([]int64{first, first + 1}):     notify.TaskRemind,
		notify.ReminderTaskID([]int64{first + 2}):            notify.TaskRemind,
		notify.ReminderTaskID([]int64{first + 3, first + 4}): notify.TaskRemind,
	}
	if diff := cmp.Diff(want, rec.tasks); diff != "" || last != first+4 {
		t.Fatalf("tasks (-want +got):\n%s", diff)
	}
	if id := notify.ReminderTaskID([]int64{7}); id != "remind:7" {
		t.Errorf("a task of one reminder is %q, want remind:7", id)
	}
	// Redis loses everything; the sweeper brings back only rows queued
	// longer ago than the stale limit, not the delivered one, each under
	// its old task id.
	if err := s.DeliverReminder(ctx, first); err != nil {
		t.Fatal(err)
	}
	rec = &recorder{}
	if n, _ := s.SweepReminders(ctx, rec, time.Minute, 100); n != 0 {
		t.Fatalf("swept %d fresh rows", n)
	}
	notifytest.MoveTo(t, clk, clk.Now().Add(2*time.Minute))
	if n, _ := s.SweepReminders(ctx, rec, time.Minute, 100); n != 4 || len(rec.tasks) != 3 {
		t.Fatalf("swept %d in %v, want the 4 undelivered in their 3 tasks", n, rec.tasks)
	}
	for id := range rec.tasks {
		if _, ok := want[id]; !ok {
			t.Errorf("swept under a new task id %s", id)
		}
	}
	if n, _ := s.SweepReminders(ctx, rec, time.Minute, 100); n != 0 {
		t.Fatalf("a sweep right after another swept %d", n)
	}
}

// TestDeliverReminders_Batch delivers a batch in one transaction, each
// reminder judged on its own.
func TestDeliverReminders_Batch(t *testing.T) {
	db := testenv.DB(t)
	f := notifytest.NewFixture(t, db)
	clk := clock.Fixed(testenv.Instant)
	s := notifytest.NewService(t, db, notifytest.Options(t, clk.Now))
	first, last := f.DueReminders(t, 4, clk.Now().Add(-time.Second))
	if err := db.Exec(`UPDATE deadlines SET status = 'cancelled', closed_at = now()
WHERE id = (SELECT deadline_id FROM reminders WHERE id = ?)`, first+1).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.DeliverReminder(context.Background(), first+2); err != nil {
		t.Fatal(err)
	}
	ids := []int64{last, first, first + 1, first + 2, 999999}
	if err := s.DeliverReminders(context.Background(), ids); err != nil {
		t.Fatal(err)
	}
	c := notifytest.Count(t, db)
	if c.Sent != 3 || c.Notifications != 3 || c.Duplicates != 0 {
		t.Errorf("after the batch: %+v", c)
	}
	if st, reason := reminderStatus(t, db, first+1); st != "cancelled" || reason != "deadline_closed" {
		t.Errorf("reminder of the cancelled deadline: %s %s", st, reason)
	}
}

func TestPlanAnnualReports_OncePerYear(t *testing.T) {
	db := testenv.DB(t)
	f := notifytest.NewFixture(t, db)
	office := f.Org(t, "leadership_office")
	leader := f.User(t, "leader", office)
	other := f.Org(t, "mediation_committee")
	otherDirector := f.User(t, "director", other)
	court := f.Org(t, "court")
	f.User(t, "court_liaison", court) // courts owe no report
	disabled := f.User(t, "director", other)
	if err := db.Exec(`UPDATE users SET active = false WHERE id = ?`, disabled).Error; err != nil {
		t.Fatal(err)
	}
	bj := notifytest.Beijing
	clk := clock.Fixed(bj(2026, 11, 30, 10, 0))
	s := notifytest.NewService(t, db, notifytest.Options(t, clk.Now))
	ctx := context.Background()
	if n, err := s.PlanAnnualReports(ctx); err != nil || n != 0 {
		t.Fatalf("before 1 December: %d, %v", n, err)
	}
	notifytest.MoveTo(t, clk, bj(2026, 12, 5, 10, 0))
	n, err := s.PlanAnnualReports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 3 recipients (two directors, the leader) x (announcement + 3 stages).
	if n != 12 {
		t.Errorf("planned %d, want 12", n)
	}
	var rows []struct {
		RecipientUserID int64
		Stage           string
		SendAt          time.Time
	}
	db.Raw(`SELECT recipient_user_id, stage, send_at FROM reminders WHERE topic = 'report:annual' ORDER BY recipient_user_id, send_at`).Scan(&rows)
	wantAt := map[string]time.Time{
		"annual_open": clk.Now(), "before_3wd": bj(2026, 12, 16, 9, 0), "before_1wd": bj(2026, 12, 18, 9, 0), "due_day": bj(2026, 12, 20, 9, 0),
	}
	who := map[int64]bool{}
	for _, r := range rows {
		who[r.RecipientUserID] = true
		if !r.SendAt.Equal(wantAt[r.Stage]) {
			t.Errorf("%s at %v, want %v", r.Stage, r.SendAt, wantAt[r.Stage])
		}
	}
	if !who[f.Director] || !who[otherDirector] || !who[leader] || len(who) != 3 {
		t.Errorf("recipients %v", who)
	}
	if n, _ := s.PlanAnnualReports(ctx); n != 0 {
		t.Errorf("planned again: %d", n)
	}
	// Delivered: the announcement reads as such.
	var open int64
	db.Raw(`SELECT id FROM reminders WHERE topic = 'report:annual' AND stage = 'annual_open' AND recipient_user_id = ?`, f.Director).Scan(&open)
	if err := s.DeliverReminder(ctx, open); err != nil {
		t.Fatal(err)
	}
	var kind string
	if err := db.Raw(`SELECT kind FROM notifications WHERE dedup_key = ?`, fmt.Sprintf("reminder:%d", open)).Scan(&kind).Error; err != nil {
		t.Fatal(err)
	}
	if kind != "annual_report_open" {
		t.Errorf("kind = %q", kind)
	}
	notifytest.MoveTo(t, clk, bj(2026, 12, 21, 0, 0))
	if n, _ := s.PlanAnnualReports(ctx); n != 0 {
		t.Errorf("after the due day: %d", n)
	}
}

// TestPlanAnnualReports_Window holds the annual-report window to its
// boundaries on a fixed clock: it opens on 1 December (not on 30
// November), is open until 20 December 24:00 and closed from then on, and
// a new year opens a window of its own with reminders keyed by its year.
func TestPlanAnnualReports_Window(t *testing.T) {
	bj := notifytest.Beijing
	sec := func(t time.Time) time.Time { return t.Add(-time.Second) }
	for _, tt := range []struct {
		desc string
		at   time.Time
		want bool // whether reminders are planned
	}{
		{"30 November, last second", sec(bj(2026, 12, 1, 0, 0)), false},
		{"1 December, first second", bj(2026, 12, 1, 0, 0), true},
		{"20 December, last second", sec(notifytest.EndOf(2026, 12, 20)), true},
		{"20 December 24:00", notifytest.EndOf(2026, 12, 20), false},
		{"21 December", bj(2026, 12, 21, 10, 0), false},
		{"31 December, last second", sec(bj(2027, 1, 1, 0, 0)), false},
		{"1 January", bj(2027, 1, 1, 0, 0), false},
		{"1 December of the next year", bj(2027, 12, 1, 9, 0), true},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			db := testenv.DB(t)
			f := notifytest.NewFixture(t, db)
			s := notifytest.NewService(t, db, notifytest.Options(t, clock.Fixed(tt.at).Now))
			n, err := s.PlanAnnualReports(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := n > 0; got != tt.want {
				t.Fatalf("at %s planned %d reminders, want planned = %v", tt.at.Format(time.RFC3339), n, tt.want)
			}
			if !tt.want {
				return
			}
			// Every reminder is for the due day of the clock's own year.
			var years []int
			db.Raw(`SELECT DISTINCT extract(year FROM due_at AT TIME ZONE 'Asia/Shanghai')::int FROM reminders
WHERE topic = 'report:annual' AND recipient_user_id = ?`, f.Director).Scan(&years)
			if len(years) != 1 || years[0] != tt.at.Year() {
				t.Errorf("reminders due in years %v, want %d", years, tt.at.Year())
			}
		})
	}
}

func TestInbox_OwnRowsOnly(t *testing.T) {
	db := testenv.DB(t)
	f := notifytest.NewFixture(t, db)
	clk := clock.Fixed(testenv.Instant)
	s := notifytest.NewService(t, db, notifytest.Options(t, clk.Now))
	ctx := context.Background()
	for i := range 3 {
		if err := db.Exec(`INSERT INTO notifications (user_id, kind, dedup_key) VALUES (?, 'deadline_set', ?)`, f.Mediator, fmt.Sprint(i)).Error; err != nil {
			t.Fatal(err)
		}
	}
	var foreign int64
	db.Raw(`INSERT INTO notifications (user_id, kind, dedup_key) VALUES (?, 'deadline_set', 'x') RETURNING id`, f.Director).Scan(&foreign)
	as := domain.WithActor(ctx, &domain.Actor{UserID: f.Mediator})
	if _, _, err := s.Inbox(ctx, notify.InboxFilter{}); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Errorf("anonymous inbox: %v", err)
	}
	page, next, err := s.Inbox(as, notify.InboxFilter{Limit: 2})
	if err != nil || len(page) != 2 || next == "" {
		t.Fatalf("page 1: %d %q %v", len(page), next, err)
	}
	rest, next2, err := s.Inbox(as, notify.InboxFilter{Limit: 2, Cursor: next})
	if err != nil || len(rest) != 1 || next2 != "" || rest[0].ID >= page[1].ID {
		t.Fatalf("page 2: %+v %q %v", rest, next2, err)
	}
	if n, _ := s.UnreadCount(as); n != 3 {
		t.Errorf("unread = %d", n)
	}
	if err := s.MarkRead(as, foreign); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("marking another user's notification: %v, want not found", err)
	}
	if err := s.MarkRead(as, page[0].ID); err != nil {
		t.Fatal(err)
	}
	if unread, _, _ := s.Inbox(as, notify.InboxFilter{UnreadOnly: true}); len(unread) != 2 {
		t.Errorf("unread after one read: %d", len(unread))
	}
	if n, err := s.MarkAllRead(as); err != nil || n != 2 {
		t.Errorf("mark all: %d %v", n, err)
	}
	if n, _ := s.UnreadCount(as); n != 0 {
		t.Errorf("unread = %d", n)
	}
}
