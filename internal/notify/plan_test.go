package notify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
	"github.com/ipmediate/ipmediate/internal/notify/notifytest"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// plannedRow is a reminder as the tests compare it.
type plannedRow struct {
	Stage     string
	Topic     string
	SendAt    time.Time
	Recipient int64
	Status    string
	Reason    string
}

func planned(t *testing.T, db *gorm.DB, deadlineID int64) []plannedRow {
	t.Helper()
	var rows []struct {
		Stage           string
		Topic           string
		SendAt          time.Time
		RecipientUserID int64
		Status          string
		CancelReason    string
	}
	if err := db.Raw(`SELECT stage, topic, send_at, recipient_user_id, status, cancel_reason FROM reminders
WHERE deadline_id = ? ORDER BY send_at, recipient_user_id, id`, deadlineID).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := make([]plannedRow, len(rows))
	for i, r := range rows {
		out[i] = plannedRow{r.Stage, r.Topic, r.SendAt.UTC(), r.RecipientUserID, r.Status, r.CancelReason}
	}
	return out
}

func outboxKinds(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	var kinds []string
	if err := db.Raw(`SELECT payload->>'kind' FROM outbox WHERE topic = 'notify:send' ORDER BY id`).Scan(&kinds).Error; err != nil {
		t.Fatal(err)
	}
	return kinds
}

func plan(t *testing.T, s *notify.Service, db *gorm.DB, id int64) {
	t.Helper()
	if err := db.Transaction(func(tx *gorm.DB) error { return s.PlanTx(context.Background(), tx, id) }); err != nil {
		t.Fatal(err)
	}
}

func TestPlanTx_StagesEscalationMoveAndClose(t *testing.T) {
	db := testenv.DB(t)
	f := notifytest.NewFixture(t, db)
	bj := notifytest.Beijing
	clk := clock.Fixed(bj(2026, 2, 20, 10, 0))
	s := notifytest.NewService(t, db, notifytest.Options(t, clk.Now))
	due := notifytest.EndOf(2026, 3, 2)
	id := f.Deadline(t, "委派调解期限", due, f.Mediator)

	plan(t, s, db, id)
	want := []plannedRow{
		{"before_3wd", notify.TaskRemind, bj(2026, 2, 26, 9, 0).UTC(), f.Mediator, "pending", ""},
		{"before_1wd", notify.TaskRemind, bj(2026, 2, 28, 9, 0).UTC(), f.Mediator, "pending", ""},
		{"due_day", notify.TaskRemind, bj(2026, 3, 2, 9, 0).UTC(), f.Mediator, "pending", ""},
		{"overdue_escalation", notify.TaskEscalate, due.UTC(), f.Director, "pending", ""},
	}
	if diff := cmp.Diff(want, planned(t, db, id)); diff != "" {
		t.Fatalf("plan (-want +got):\n%s", diff)
	}
	plan(t, s, db, id) // idempotent
	if diff := cmp.Diff(want, planned(t, db, id)); diff != "" {
		t.Fatalf("planning again changed the plan (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"deadline_set"}, outboxKinds(t, db)); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}

	// Extended to 10 March: the old reminders are superseded, new ones
	// planned, the responsible mediator told.
	newDue := notifytest.EndOf(2026, 3, 10)
	if err := db.Exec(`UPDATE deadlines SET due_at = ? WHERE id = ?`, newDue, id).Error; err != nil {
		t.Fatal(err)
	}
	plan(t, s, db, id)
	got := planned(t, db, id)
	var pending, superseded int
	for _, r := range got {
		switch {
		case r.Status == "pending":
			pending++
		case r.Status == "cancelled" && r.Reason == "superseded":
			superseded++
		}
	}
	if pending != 4 || superseded != 4 {
		t.Errorf("after the move: %d pending, %d superseded, want 4 and 4: %+v", pending, superseded, got)
	}
	if diff := cmp.Diff([]string{"deadline_set", "deadline_moved"}, outboxKinds(t, db)); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}

	// Handed to the other mediator: the first one's reminders are
	// superseded, the new one is told.
	other := f.User(t, "mediator", f.OrgID)
	if err := db.Exec(`UPDATE deadlines SET responsible_user_id = ? WHERE id = ?`, other, id).Error; err != nil {
		t.Fatal(err)
	}
	plan(t, s, db, id)
	var mine, theirs int
	for _, r := range planned(t, db, id) {
		switch {
		case r.Status == "pending" && r.Recipient == other:
			theirs++
		case r.Status == "pending" && r.Recipient == f.Mediator:
			mine++
		}
	}
	if mine != 0 || theirs != 3 {
		t.Errorf("after the hand-over: %d pending for the first mediator, %d for the new one, want 0 and 3", mine, theirs)
	}
	if diff := cmp.Diff([]string{"deadline_set", "deadline_moved", "deadline_set"}, outboxKinds(t, db)); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}

	// Met: nothing more goes out.
	if err := db.Exec(`UPDATE deadlines SET status = 'met', closed_at = now() WHERE id = ?`, id).Error; err != nil {
		t.Fatal(err)
	}
	plan(t, s, db, id)
	for _, r := range planned(t, db, id) {
		if r.Status != "cancelled" {
			t.Errorf("a reminder of a met deadline is still %s: %+v", r.Status, r)
		}
	}
}

func TestPlanTx_NoResponsibleGoesToDirectors(t *testing.T) {
	db := testenv.DB(t)
	f := notifytest.NewFixture(t, db)
	second := f.User(t, "director", f.OrgID)
	clk := clock.Fixed(notifytest.Beijing(2026, 2, 20, 10, 0))
	s := notifytest.NewService(t, db, notifytest.Options(t, clk.Now))
	id := f.Deadline(t, "期限", notifytest.EndOf(2026, 3, 2), 0)
	plan(t, s, db, id)
	got := planned(t, db, id)
	if len(got) != 8 {
		t.Fatalf("want 4 stages x 2 directors, got %+v", got)
	}
	for _, r := range got {
		if r.Recipient != f.Director && r.Recipient != second {
			t.Errorf("reminder to %d, want a director: %+v", r.Recipient, r)
		}
	}
	if kinds := outboxKinds(t, db); len(kinds) != 0 {
		t.Errorf("without a responsible user nobody is told the deadline was set: %v", kinds)
	}
}

func TestPlanTx_PlannedLateSendsOnceAtOnce(t *testing.T) {
	db := testenv.DB(t)
	f := notifytest.NewFixture(t, db)
	now := notifytest.Beijing(2026, 3, 2, 12, 0) // every stage of a deadline ending today has passed
	s := notifytest.NewService(t, db, notifytest.Options(t, clock.Fixed(now).Now))
	id := f.Deadline(t, "当天到期", notifytest.EndOf(2026, 3, 2), f.Mediator)
	plan(t, s, db, id)
	got := planned(t, db, id)
	if len(got) != 2 || got[0].Stage != "due_day" || !got[0].SendAt.Equal(now.UTC()) || got[1].Stage != "overdue_escalation" {
		t.Errorf("plan = %+v, want the due-day reminder now and the escalation", got)
	}
}

func TestPlanTx_RollsBackWithTheChange(t *testing.T) {
	db := testenv.DB(t)
	f := notifytest.NewFixture(t, db)
	s := notifytest.NewService(t, db, notifytest.Options(t, clock.Fixed(notifytest.Beijing(2026, 2, 20, 10, 0)).Now))
	id := f.Deadline(t, "期限", notifytest.EndOf(2026, 3, 2), f.Mediator)
	errBusiness := errors.New("the business change failed")
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := s.PlanTx(context.Background(), tx, id); err != nil {
			return err
		}
		return errBusiness
	})
	if !errors.Is(err, errBusiness) {
		t.Fatal(err)
	}
	if got := planned(t, db, id); len(got) != 0 {
		t.Errorf("reminders outlived the rolled-back change: %+v", got)
	}
	if kinds := outboxKinds(t, db); len(kinds) != 0 {
		t.Errorf("outbox rows outlived the rolled-back change: %v", kinds)
	}
	if err := s.PlanTx(context.Background(), nil, 999999); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("unknown deadline: %v, want not found", err)
	}
}
