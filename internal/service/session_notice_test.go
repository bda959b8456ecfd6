package service_test

import (
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notice"
	"github.com/ipmediate/ipmediate/internal/service"
)

// TestService_SessionNoticeServed: once the mediator sets the next
// session, the session notice (调解通知书) is served on every party like
// the other notices; before that it does not print.
func TestService_SessionNoticeServed(t *testing.T) {
	fx := newFixture(t)
	v := fx.acceptedCase()
	director, med := fx.as("director.gulou"), fx.as("mediator1.gulou")
	m1 := fx.scalar("SELECT id FROM users WHERE username = 'mediator1.gulou'")
	c, err := fx.app.Cases.Assign(director, v.ID, cases.AssignInput{Version: v.Version, MediatorIDs: []int64{m1}})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = fx.app.Cases.Declare(med, v.ID, cases.DeclareInput{Version: c.Version, NoConflict: true, Statement: "无利害关系"}); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.Serve(fx.as("clerk.gulou"), v.ID, service.ServeInput{Doc: notice.DocSession}); codeOf(err) != domain.ENOTFOUND {
		t.Fatalf("a session notice without a next session: %v", err)
	}
	now := fx.app.Clock.Now()
	next := now.Add(72 * time.Hour)
	if _, err = fx.app.Cases.LogSession(med, v.ID, cases.SessionInput{Version: c.Version, HeldAt: now.Add(-time.Hour),
		Mode: domain.ModeInPerson, Place: "鼓楼区调委会调解室", Minutes: "双方陈述意见。", NextSessionAt: &next}); err != nil {
		t.Fatal(err)
	}
	rs := fx.serve("clerk.gulou", v.ID, notice.DocSession)
	if len(rs) != 2 {
		t.Fatalf("served on %d parties, want 2", len(rs))
	}
	if n := fx.scalar("SELECT count(*) FROM service_records WHERE case_id = ? AND doc = 'session'", v.ID); n != 2 {
		t.Errorf("%d session notice records", n)
	}
}
