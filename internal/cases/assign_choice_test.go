package cases_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// choose records, as internal/party does, party's choice of mediator
// (0: leave it to the committee) on case caseID.
func (fx *fixture) choose(caseID, partyID, mediator int64) {
	fx.t.Helper()
	var access int64
	if err := fx.db.Raw(`INSERT INTO party_access (case_id, party_id, token_hash, created_at, expires_at)
VALUES (?, ?, md5(random()::text) || md5(random()::text), now(), now() + interval '30 days') RETURNING id`, caseID, partyID).Scan(&access).Error; err != nil {
		fx.t.Fatal(err)
	}
	var m any
	if mediator > 0 {
		m = mediator
	}
	fx.exec(`INSERT INTO party_mediator_choices (case_id, party_id, access_id, mediator_id, note, created_at)
VALUES (?, ?, ?, ?, '', clock_timestamp())`, caseID, partyID, access, m)
}

// TestAssign_OverridingAPartysChoiceNeedsAReason: when a party's latest
// choice names a mediator the first assignment leaves out, the director
// gives a reason (EINVALID naming "reason" otherwise, nothing written);
// with one the assignment goes through and the reason is on the
// timeline. A party that later leaves it to the committee, or an
// assignment including the chosen mediator, needs none.
func TestAssign_OverridingAPartysChoiceNeedsAReason(t *testing.T) {
	fx := newFixture(t)
	director := fx.as("director.gulou")
	m1, m2 := fx.userID("mediator1.gulou"), fx.userID("mediator2.gulou")
	accepted := func() domain.Case {
		c := fx.submit("sme1", intake(fx.org("gulou")))
		c, err := fx.svc.Accept(director, c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: hourAgo()})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	c := accepted()
	ps := fx.partyIDs(c.ID)
	fx.choose(c.ID, ps[1], m1)
	_, err := fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m2}})
	wantCode(t, err, domain.EINVALID)
	if m := fieldMessage(err, "reason"); m != "validation.assign_reason_choice" {
		t.Fatalf("without a reason: %v (%q)", err, m)
	}
	if n := fx.count("SELECT count(*) FROM case_mediators WHERE case_id = ?", c.ID); n != 0 {
		t.Fatal("a refused assignment assigned")
	}
	if _, err := fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m2}, Reason: "  "}); code(err) != domain.EINVALID {
		t.Errorf("a blank reason: %v", err)
	}
	reason := "调解员一近期案件较多，改由调解员二承办。"
	if _, err := fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m2}, Reason: reason}); err != nil {
		t.Fatal(err)
	}
	if n := fx.count(`SELECT count(*) FROM case_events WHERE case_id = ? AND action = 'assign' AND detail->>'reason' = ?
		AND detail->'chosen_not_assigned' @> to_jsonb(?::bigint)`, c.ID, reason, m1); n != 1 {
		t.Error("the reason and the chosen mediator are not on the assign event")
	}

	// Assigning the chosen mediator needs no reason.
	c = accepted()
	ps = fx.partyIDs(c.ID)
	fx.choose(c.ID, ps[1], m1)
	fx.choose(c.ID, ps[0], 0)
	if _, err := fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m1, m2}}); err != nil {
		t.Errorf("the chosen one assigned: %v", err)
	}

	// Only the latest choice counts: a party that then leaves it to the
	// committee asks no reason.
	c = accepted()
	ps = fx.partyIDs(c.ID)
	fx.choose(c.ID, ps[1], m1)
	fx.choose(c.ID, ps[1], 0)
	if _, err := fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m2}}); err != nil {
		t.Errorf("left to the committee: %v", err)
	}

	// An over-long reason is refused naming the field.
	c = accepted()
	if _, err := fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m2}, Reason: strings.Repeat("长", 20001)}); fieldMessage(err, "reason") == "" {
		t.Errorf("an over-long reason: %v", err)
	}
}

// TestAssign_LaterAssignmentAlsoAnswersTheChoice: a mediating case that
// lost its mediator is staffed again by a later assignment. A chosen
// mediator passed over at the first assignment (with a reason) asks for
// a reason again when passed over again; a chosen mediator who was on the
// case and withdrew does not.
func TestAssign_LaterAssignmentAlsoAnswersTheChoice(t *testing.T) {
	fx := newFixture(t)
	director := fx.as("director.gulou")
	m1, m2, m3 := fx.userID("mediator1.gulou"), fx.userID("mediator2.gulou"), fx.userID("mediator1.cangshan")
	// A third mediator of gulou: the cangshan mediator also serves there.
	fx.exec(`INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) VALUES ('g', ?, 'mediator', ?, '', '', '')`,
		fmt.Sprintf("user:%d", m3), fmt.Sprintf("org:%d", fx.org("gulou")))
	accepted := func() domain.Case {
		c := fx.submit("sme1", intake(fx.org("gulou")))
		c, err := fx.svc.Accept(director, c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: hourAgo()})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	withdraw := func(c domain.Case, who string) domain.Case {
		t.Helper()
		c, err := fx.svc.Declare(fx.as(who), c.ID, cases.DeclareInput{Version: c.Version, Statement: "本人与被申请人存在利害关系"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	// Passed over twice: a reason each time.
	c := accepted()
	fx.choose(c.ID, fx.partyIDs(c.ID)[1], m1)
	c, err := fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m2}, Reason: "调解员一正在休假"})
	if err != nil {
		t.Fatal(err)
	}
	c = withdraw(c, "mediator2.gulou")
	_, err = fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m3}})
	wantCode(t, err, domain.EINVALID)
	if m := fieldMessage(err, "reason"); m != "validation.assign_reason_choice" {
		t.Fatalf("restaffing past the chosen mediator without a reason: %v (%q)", err, m)
	}
	if n := fx.count("SELECT count(*) FROM case_mediators WHERE case_id = ? AND user_id = ?", c.ID, m3); n != 0 {
		t.Fatal("a refused assignment assigned")
	}
	reason := "调解员一仍在休假，改由调解员三承办。"
	if _, err = fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m3}, Reason: reason}); err != nil {
		t.Fatal(err)
	}
	if n := fx.count(`SELECT count(*) FROM case_events WHERE case_id = ? AND action = 'assign' AND detail->>'reason' = ?
		AND (detail->>'reassignment')::boolean AND detail->'chosen_not_assigned' @> to_jsonb(?::bigint)`, c.ID, reason, m1); n != 1 {
		t.Error("the later assignment's reason and the chosen mediator are not on its event")
	}

	// The chosen mediator was assigned and withdrew: no reason asked.
	c = accepted()
	fx.choose(c.ID, fx.partyIDs(c.ID)[1], m1)
	if c, err = fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m1}}); err != nil {
		t.Fatal(err)
	}
	c = withdraw(c, "mediator1.gulou")
	if _, err = fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{m2}}); err != nil {
		t.Errorf("restaffing after the chosen mediator withdrew: %v", err)
	}
}
