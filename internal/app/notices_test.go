package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notify"
	"github.com/ipmediate/ipmediate/internal/notify/notifytest"
)

// TestNotices_NameTheirCase: two cases with the same kind of deadline,
// the same mediator and the same due time give two reminders that read
// differently, each naming its own case number and dispute, in both
// languages, and linking to its own case.
func TestNotices_NameTheirCase(t *testing.T) {
	a := apptest.New(t, apptest.WithTimeTravel())
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
	var gulou, mediator int64
	a.DB.Raw("SELECT id FROM orgs WHERE code = 'gulou'").Scan(&gulou)
	a.DB.Raw("SELECT id FROM users WHERE username = 'mediator1.gulou'").Scan(&mediator)

	first := fileAndAssign(t, a, as, gulou, mediator)
	second := fileAndAssign(t, a, as, gulou, mediator)
	if first.Number == "" || first.Number == second.Number {
		t.Fatalf("case numbers %q and %q", first.Number, second.Number)
	}
	var ids []int64
	a.DB.Raw(`SELECT r.id FROM reminders r JOIN deadlines d ON d.id = r.deadline_id
WHERE d.case_id IN (?, ?) AND d.kind = 'mediation' AND r.recipient_user_id = ? AND r.status <> 'cancelled'
ORDER BY r.send_at, r.id LIMIT 2`, first.ID, second.ID, mediator).Scan(&ids)
	if len(ids) != 2 {
		t.Fatalf("first reminders of the two cases: %v", ids)
	}
	var sendAt struct{ Latest int64 }
	a.DB.Raw("SELECT extract(epoch FROM max(send_at))::bigint AS latest FROM reminders WHERE id IN ?", ids).Scan(&sendAt)
	if ahead := sendAt.Latest - a.Clock.Now().Unix(); ahead > 0 {
		if _, err := a.Clock.Advance(time.Duration(ahead+1) * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Notify.DeliverReminders(context.Background(), ids); err != nil {
		t.Fatal(err)
	}
	inbox, _, err := a.Notify.Inbox(as("mediator1.gulou"), notify.InboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	texts := notifytest.Texts(t)
	byLink := map[string]notify.Notification{}
	for _, n := range inbox {
		if n.Kind == "deadline_remind" {
			byLink[n.Link] = n
		}
	}
	for _, lang := range []string{"zh-CN", "en"} {
		var titles []string
		for _, c := range []domain.Case{first, second} {
			n, ok := byLink["/cases/"+strconv.FormatInt(c.ID, 10)]
			if !ok {
				t.Fatalf("no reminder links to case %d; inbox %+v", c.ID, inbox)
			}
			title, body := notify.Render(texts, lang, n.Kind, n.Params)
			if !strings.Contains(title, c.Number) {
				t.Errorf("%s: the reminder of case %s reads %q, without its number", lang, c.Number, title)
			}
			dispute := texts.T(lang, "dispute."+string(c.DisputeType), nil)
			if !strings.Contains(title, dispute) {
				t.Errorf("%s: the reminder %q does not name the dispute (%s)", lang, title, dispute)
			}
			titles = append(titles, title+"\n"+body)
		}
		if titles[0] == titles[1] {
			t.Fatalf("%s: two reminders about two cases read the same: %q", lang, titles[0])
		}
	}
	// The notices carry the demo clock's time, like the pages.
	var created struct{ At int64 }
	a.DB.Raw("SELECT extract(epoch FROM max(created_at))::bigint AS at FROM notifications WHERE user_id = ?", mediator).Scan(&created)
	if d := created.At - a.Clock.Now().Unix(); d > 5 || d < -5 {
		t.Fatalf("notification created at %d, the demo clock says %d", created.At, a.Clock.Now().Unix())
	}
}

// TestNotices_WhatLandsOnTheDesk: a new case tells the committee's
// director and clerks (not the clerk who filed it), an assignment the
// mediator, an objection the director; each notice names its case and
// links to it.
func TestNotices_WhatLandsOnTheDesk(t *testing.T) {
	a := apptest.New(t, apptest.WithTimeTravel())
	user := func(username string) int64 {
		var id int64
		a.DB.Raw("SELECT id FROM users WHERE username = ?", username).Scan(&id)
		return id
	}
	as := func(username string) context.Context {
		t.Helper()
		actor, err := a.Identity.Actor(context.Background(), user(username))
		if err != nil {
			t.Fatalf("actor %s: %v", username, err)
		}
		return domain.WithActor(context.Background(), actor)
	}
	deliver := func() {
		t.Helper()
		var ids []int64
		a.DB.Raw("SELECT id FROM outbox WHERE topic = ? ORDER BY id", notify.TaskSend).Scan(&ids)
		for _, id := range ids {
			if err := a.Notify.DeliverMessage(context.Background(), id); err != nil {
				t.Fatal(err)
			}
		}
	}
	texts := notifytest.Texts(t)
	noticeOf := func(username, kind string, c domain.Case) string {
		t.Helper()
		deliver()
		inbox, _, err := a.Notify.Inbox(as(username), notify.InboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range inbox {
			if n.Kind == kind && n.Link == "/cases/"+strconv.FormatInt(c.ID, 10) {
				title, _ := notify.Render(texts, "zh-CN", n.Kind, n.Params)
				return title
			}
		}
		return ""
	}
	var gulou int64
	a.DB.Raw("SELECT id FROM orgs WHERE code = 'gulou'").Scan(&gulou)
	c := fileAndAssign(t, a, as, gulou, user("mediator1.gulou"))

	var reg string
	a.DB.Raw("SELECT registration_number FROM cases WHERE id = ?", c.ID).Scan(&reg)
	if title := noticeOf("director.gulou", "case_filed", c); !strings.Contains(title, reg) || !strings.Contains(title, "商标") {
		t.Errorf("the director's notice of the new case reads %q, want the registration number %s and the dispute", title, reg)
	}
	if title := noticeOf("clerk.gulou", "case_filed", c); title != "" {
		t.Errorf("the clerk who filed the case is told about it: %q", title)
	}
	if title := noticeOf("mediator1.gulou", "case_assigned", c); !strings.Contains(title, c.Number) {
		t.Errorf("the mediator's assignment notice reads %q, want case %s", title, c.Number)
	}
	if title := noticeOf("mediator2.gulou", "case_assigned", c); title != "" {
		t.Errorf("a mediator not assigned is told: %q", title)
	}

	var party int64
	a.DB.Raw("SELECT id FROM case_parties WHERE case_id = ? AND role = 'respondent'", c.ID).Scan(&party)
	if _, err := a.Cases.Object(as("clerk.gulou"), c.ID, cases.ObjectInput{Version: c.Version, MediatorID: user("mediator1.gulou"),
		PartyID: party, Reason: "调解员与申请人有业务往来"}); err != nil {
		t.Fatal(err)
	}
	if title := noticeOf("director.gulou", "case_objection", c); !strings.Contains(title, c.Number) {
		t.Errorf("the director's objection notice reads %q, want case %s", title, c.Number)
	}
}
