package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/app"
	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// TestApp_TimeTravel_RemindersThenEscalation is the deadlines capability
// end to end on a demo system: a case accepted and assigned today gets its
// mediation deadline from the direct-mediation rule, counted from the
// acceptance; moving the demo clock to each
// reminder's time brings the reminder to the mediator's inbox, and past
// the due time the escalation to the director - each exactly once, also
// after Redis was flushed in between (the sweeper queues the lost tasks
// again; the database says what was sent).
func TestApp_TimeTravel_RemindersThenEscalation(t *testing.T) {
	a := apptest.New(t, apptest.WithTimeTravel(), apptest.WithConfig(func(c *config.Config) {
		c.Reminders.Stages = []string{"before_3wd", "before_1wd", "due_day"}
		c.Reminders.EscalateAfter = 0
		c.Reminders.RelayInterval = 100 * time.Millisecond
		c.Reminders.Lookahead = 2 * time.Second
		c.Reminders.SweepInterval = 200 * time.Millisecond
		c.Reminders.StaleAfter = time.Second
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

	as := func(username string) context.Context {
		t.Helper()
		var id int64
		a.DB.Raw("SELECT id FROM users WHERE username = ?", username).Scan(&id)
		actor, err := a.Identity.Actor(context.Background(), id)
		if err != nil {
			t.Fatalf("actor %s: %v", username, err)
		}
		return domain.WithActor(context.Background(), actor)
	}
	userID := func(username string) int64 {
		var id int64
		a.DB.Raw("SELECT id FROM users WHERE username = ?", username).Scan(&id)
		return id
	}
	var gulou int64
	a.DB.Raw("SELECT id FROM orgs WHERE code = 'gulou'").Scan(&gulou)

	c := fileAndAssign(t, a, as, gulou, userID("mediator1.gulou"))
	var d struct {
		ID      int64
		RuleID  string
		EventAt time.Time
		DueAt   time.Time
	}
	a.DB.Raw("SELECT id, rule_id, event_at, due_at FROM deadlines WHERE case_id = ? AND kind = 'mediation'", c.ID).Scan(&d)
	if d.RuleID != "mediation.direct" {
		t.Fatalf("mediation deadline rule = %q, want mediation.direct", d.RuleID)
	}
	// A direct case's period runs from the committee's acceptance, not
	// from the assignment of mediators (docs/law.md §2).
	if c.AcceptedAt == nil || !d.EventAt.Equal(*c.AcceptedAt) {
		t.Fatalf("the mediation period starts at %v, the acceptance was at %v", d.EventAt, c.AcceptedAt)
	}
	want, err := a.Deadlines.Calculate("mediation.direct", d.EventAt)
	if err != nil {
		t.Fatal(err)
	}
	if !d.DueAt.Equal(want.Due) {
		t.Fatalf("mediation due %v, the calculator says %v", d.DueAt, want.Due)
	}

	type reminder struct {
		ID        int64
		Stage     string
		SendAt    time.Time
		Recipient int64 `gorm:"column:recipient_user_id"`
	}
	var plan []reminder
	a.DB.Raw("SELECT id, stage, send_at, recipient_user_id FROM reminders WHERE deadline_id = ? AND status <> 'cancelled' ORDER BY send_at, id", d.ID).Scan(&plan)
	var stages []string
	for _, r := range plan {
		stages = append(stages, r.Stage)
	}
	if fmt.Sprint(stages) != "[before_3wd before_1wd due_day overdue_escalation]" {
		t.Fatalf("planned stages %v", stages)
	}
	if plan[0].Recipient != userID("mediator1.gulou") || plan[3].Recipient != userID("director.gulou") {
		t.Fatalf("recipients %v: the reminders go to the mediator, the escalation to the director", plan)
	}

	for i, r := range plan {
		if i == 2 {
			// Just before the due-day reminder: the relay queues it (it
			// is within the lookahead), then Redis loses everything it
			// was holding. The database still says "queued, not sent".
			if _, err := a.Clock.Advance(r.SendAt.Sub(a.Clock.Now()) - 1500*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 10*time.Second, "the due-day reminder queued", func() bool {
				var st string
				a.DB.Raw("SELECT status FROM reminders WHERE id = ?", r.ID).Scan(&st)
				return st == "enqueued"
			})
			if err := a.Redis.FlushDB(context.Background()).Err(); err != nil {
				t.Fatal(err)
			}
		}
		if ahead := r.SendAt.Sub(a.Clock.Now()); ahead > 0 {
			if _, err := a.Clock.Advance(ahead + time.Second); err != nil {
				t.Fatal(err)
			}
		}
		key := fmt.Sprintf("reminder:%d", r.ID)
		waitFor(t, 30*time.Second, "the "+r.Stage+" notification", func() bool {
			var n int
			a.DB.Raw("SELECT count(*) FROM notifications WHERE dedup_key = ? AND user_id = ?", key, r.Recipient).Scan(&n)
			return n == 1
		})
	}
	// Let the sweeper and any duplicate task run, then count: one
	// notification per reminder, nothing else about this deadline.
	time.Sleep(2 * time.Second)
	var rows []struct {
		DedupKey string
		UserID   int64
		N        int
	}
	a.DB.Raw(`SELECT dedup_key, user_id, count(*) AS n FROM notifications
WHERE dedup_key IN (SELECT 'reminder:' || id FROM reminders WHERE deadline_id = ?) GROUP BY 1, 2`, d.ID).Scan(&rows)
	if len(rows) != len(plan) {
		t.Fatalf("notifications %v, want one for each of the %d reminders", rows, len(plan))
	}
	for _, r := range rows {
		if r.N != 1 {
			t.Errorf("%s to user %d delivered %d times", r.DedupKey, r.UserID, r.N)
		}
	}
	var sent int
	a.DB.Raw("SELECT count(*) FROM reminders WHERE deadline_id = ? AND status = 'sent'", d.ID).Scan(&sent)
	if sent != len(plan) {
		t.Fatalf("%d reminders sent, want %d", sent, len(plan))
	}
}

// fileAndAssign files a direct case at committee org as its clerk, and
// has the director accept it and assign mediator.
func fileAndAssign(t *testing.T, a *app.App, as func(string) context.Context, org, mediator int64) domain.Case {
	t.Helper()
	in := cases.IntakeInput{OrgID: org, Source: domain.SourceDirect, DisputeType: domain.DisputeTrademark,
		Summary: "被申请人在其门店销售假冒申请人注册商标的茶叶。", Claims: "停止侵权，赔偿损失。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州榕城茶业有限公司"},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "林某"},
		},
		Rights: []cases.RightInput{{Kind: domain.RightTrademark, Number: "第12345678号", Title: "榕城"}},
	}
	c, err := a.Cases.Submit(as("clerk.gulou"), in)
	if err != nil {
		t.Fatal(err)
	}
	if c, err = a.Cases.Accept(as("director.gulou"), c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: a.Clock.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if c, err = a.Cases.Assign(as("director.gulou"), c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{mediator}}); err != nil {
		t.Fatal(err)
	}
	return c
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not arrive within %v", what, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
