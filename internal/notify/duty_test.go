package notify_test

import (
	"context"
	"time"

	"testing"

	"github.com/ipmediate/ipmediate/internal/clock"
	"github.com/ipmediate/ipmediate/internal/notify"
	"github.com/ipmediate/ipmediate/internal/notify/notifytest"
	"github.com/ipmediate/ipmediate/internal/testenv"
)

// TestPlanTx_ByDuty: an information deadline (the parties' window to
// apply for judicial confirmation) is reminded to nobody and never
// escalates, and the responsible mediator is not told it is theirs; a
// soft one is reminded to the responsible user and never escalates; an
// organisation's own deadline escalates to its director as before.
func TestPlanTx_ByDuty(t *testing.T) {
	db := testenv.DB(t)
	f := notifytest.NewFixture(t, db)
	clk := clock.Fixed(notifytest.Beijing(2026, 2, 20, 10, 0))
	s := notifytest.NewService(t, db, notifytest.Options(t, clk.Now))
	due := notifytest.EndOf(2026, 3, 2)
	withDuty := func(duty string) int64 {
		id := f.Deadline(t, "期限 "+duty, due, f.Mediator)
		if err := db.Exec(`UPDATE deadlines SET duty = ? WHERE id = ?`, duty, id).Error; err != nil {
			t.Fatal(err)
		}
		return id
	}
	info, soft, own := withDuty("information"), withDuty("soft"), withDuty("organisation")
	for _, id := range []int64{info, soft, own} {
		plan(t, s, db, id)
	}
	if got := planned(t, db, info); len(got) != 0 {
		t.Errorf("information deadline: reminders planned %+v, want none", got)
	}
	// A soft deadline reminds the mediator at each stage and, once it has
	// passed, asks the mediator (never the director) to follow it up.
	var softStages, softFollowUps, softToDirector int
	for _, r := range planned(t, db, soft) {
		switch {
		case r.Recipient != f.Mediator:
			softToDirector++
		case r.Topic == notify.TaskEscalate:
			softFollowUps++
		default:
			softStages++
		}
	}
	if softStages != 3 || softFollowUps != 1 || softToDirector != 0 {
		t.Errorf("soft deadline: %d stage reminders and %d follow-ups to the mediator, %d to others; want 3, 1 and 0",
			softStages, softFollowUps, softToDirector)
	}
	var escalated bool
	for _, r := range planned(t, db, own) {
		escalated = escalated || (r.Topic == notify.TaskEscalate && r.Recipient == f.Director)
	}
	if !escalated {
		t.Error("the organisation's own deadline no longer escalates to the director")
	}
	// Only the soft and the organisation's deadlines told the mediator.
	if kinds := outboxKinds(t, db); len(kinds) != 2 {
		t.Errorf("messages %v, want deadline_set for the soft and the own deadline only", kinds)
	}
	// After the due time, the soft deadline's follow-up reaches the
	// mediator as a follow-up, not as an overdue escalation.
	var followUp int64
	if err := db.Raw(`SELECT id FROM reminders WHERE deadline_id = ? AND topic = ?`, soft, notify.TaskEscalate).Scan(&followUp).Error; err != nil || followUp == 0 {
		t.Fatalf("no follow-up reminder: %v", err)
	}
	if err := clk.AdvanceTo(due.Add(2 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeliverReminder(context.Background(), followUp); err != nil {
		t.Fatal(err)
	}
	var got []struct {
		UserID int64
		Kind   string
	}
	if err := db.Raw(`SELECT user_id, kind FROM notifications WHERE kind IN ('deadline_followup', 'deadline_escalate')`).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Kind != "deadline_followup" || got[0].UserID != f.Mediator {
		t.Errorf("after the due time: %+v, want one deadline_followup to the mediator", got)
	}
}
