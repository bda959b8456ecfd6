package cases_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/deadline"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// TestReassign: the city committee's director moves a county committee's
// case to another county committee. The case keeps its number, the old
// committee loses sight of it, the new one works it, its open deadlines
// go along, and the move is on the timeline and in the audit log.
func TestReassign(t *testing.T) {
	fx := newFixture(t)
	gulou, cangshan := fx.org("gulou"), fx.org("cangshan")
	c := fx.submit("clerk.gulou", intake(gulou))

	// An open deadline of the case (as an exhibition complaint's first
	// response would be) is the committee's to meet.
	err := fx.db.Transaction(func(tx *gorm.DB) error {
		_, err := fx.app.Deadlines.OpenTx(fx.as("clerk.gulou"), tx, deadline.Spec{Subject: deadline.CaseSubject(c.ID),
			OrgID: gulou, CaseID: &c.ID, Kind: "first_response", RuleID: "exhibition.first_response", Event: caseClock.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	city := fx.as("director.city")
	targets, err := fx.svc.ReassignTargets(city, gulou)
	if err != nil {
		t.Fatal(err)
	}
	var targetIDs []int64
	for _, o := range targets {
		targetIDs = append(targetIDs, o.ID)
	}
	if !slices.Contains(targetIDs, cangshan) || !slices.Contains(targetIDs, fx.org("city")) || slices.Contains(targetIDs, gulou) {
		t.Fatalf("targets = %v, want the city and the other county committees without gulou", targetIDs)
	}
	if got, _ := fx.svc.ReassignTargets(fx.as("director.gulou"), gulou); len(got) != 0 {
		t.Fatalf("a county director has targets %v", got)
	}

	moved, err := fx.svc.Reassign(city, c.ID, cases.ReassignInput{Version: c.Version, OrgID: cangshan, Reason: "鼓楼调委会调解员均与当事人存在利害关系"})
	if err != nil {
		t.Fatal(err)
	}
	if moved.OrgID != cangshan || moved.Number != c.Number || moved.RegistrationNumber != c.RegistrationNumber || moved.RegistrationNumber == "" ||
		moved.Status != domain.StatusSubmitted || moved.Version != c.Version+1 {
		t.Fatalf("moved = org %d number %s status %s version %d; want org %d, number %s, submitted, version %d",
			moved.OrgID, moved.Number, moved.Status, moved.Version, cangshan, c.Number, c.Version+1)
	}
	if n := fx.count("SELECT count(*) FROM deadlines WHERE case_id = ? AND status = 'open' AND org_id = ?", c.ID, cangshan); n != 1 {
		t.Fatalf("open deadlines handed to cangshan = %d, want 1", n)
	}
	if acts := fx.eventActions(c.ID); acts[len(acts)-1] != "reassign" {
		t.Fatalf("timeline = %v, want it to end with reassign", acts)
	}
	if acts := fx.auditActions(c.ID); acts[len(acts)-1] != "case.reassign" {
		t.Fatalf("audit = %v, want it to end with case.reassign", acts)
	}
	var detail string
	fx.db.Raw("SELECT detail::text FROM case_events WHERE case_id = ? AND action = 'reassign'", c.ID).Scan(&detail)
	for _, want := range []string{`"org_id": ` + strconv.FormatInt(gulou, 10), `"org_id": ` + strconv.FormatInt(cangshan, 10), "利害关系", "仓山"} {
		if !strings.Contains(detail, want) {
			t.Errorf("event detail %s lacks %s", detail, want)
		}
	}

	// The old committee no longer sees the case; the new one works it.
	_, err = fx.svc.Get(fx.as("director.gulou"), c.ID)
	wantCode(t, err, domain.ENOTFOUND)
	if _, err := fx.svc.Accept(fx.as("director.cangshan"), c.ID, cases.AcceptInput{Version: moved.Version, ConsentAt: hourAgo()}); err != nil {
		t.Fatalf("cangshan accepts the moved case: %v", err)
	}
}

// TestReassign_Refusals: only a supervising director moves a case, only
// between the committees they supervise, only before mediation starts,
// and a refused move changes nothing.
func TestReassign_Refusals(t *testing.T) {
	fx := newFixture(t)
	gulou, cangshan := fx.org("gulou"), fx.org("cangshan")
	c := fx.submit("clerk.gulou", intake(gulou))
	city := fx.as("director.city")

	cases_ := []struct {
		name, as string
		in       cases.ReassignInput
		code     string
		fields   []string
		message  string
	}{
		{"county director", "director.gulou", cases.ReassignInput{OrgID: cangshan, Reason: "x"}, domain.EFORBIDDEN, nil, ""},
		{"clerk", "clerk.gulou", cases.ReassignInput{OrgID: cangshan, Reason: "x"}, domain.EFORBIDDEN, nil, ""},
		{"other county's director", "director.cangshan", cases.ReassignInput{OrgID: cangshan, Reason: "x"}, domain.ENOTFOUND, nil, ""},
		{"no target, no reason", "director.city", cases.ReassignInput{}, domain.EINVALID, []string{"org_id", "reason"}, ""},
		{"same committee", "director.city", cases.ReassignInput{OrgID: gulou, Reason: "x"}, domain.EINVALID, []string{"org_id"}, "validation.reassign_same"},
		{"a court", "director.city", cases.ReassignInput{OrgID: fx.org("gulou-court"), Reason: "x"}, domain.EINVALID, []string{"org_id"}, "validation.reassign_target"},
		{"unknown org", "director.city", cases.ReassignInput{OrgID: 1 << 40, Reason: "x"}, domain.EINVALID, []string{"org_id"}, "validation.reassign_target"},
	}
	for _, tc := range cases_ {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Version = c.Version
			_, err := fx.svc.Reassign(fx.as(tc.as), c.ID, tc.in)
			wantCode(t, err, tc.code)
			if tc.fields != nil && !slices.Equal(fieldNames(err), tc.fields) {
				t.Fatalf("fields = %v, want %v", fieldNames(err), tc.fields)
			}
			if tc.message != "" && fieldMessage(err, "org_id") != tc.message {
				t.Fatalf("org_id message = %q, want %q", fieldMessage(err, "org_id"), tc.message)
			}
		})
	}
	if v := fx.version(c.ID); v != c.Version {
		t.Fatalf("refused moves changed the case: version %d, want %d", v, c.Version)
	}
	if n := fx.count("SELECT count(*) FROM cases WHERE id = ? AND org_id = ?", c.ID, gulou); n != 1 {
		t.Fatal("refused moves changed the committee")
	}

	// A stale version is a conflict.
	_, err := fx.svc.Reassign(city, c.ID, cases.ReassignInput{Version: c.Version + 5, OrgID: cangshan, Reason: "x"})
	wantCode(t, err, domain.ECONFLICT)

	// Once mediators work the case it stays with its committee.
	director := fx.as("director.gulou")
	c, err = fx.svc.Accept(director, c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: hourAgo()})
	if err != nil {
		t.Fatal(err)
	}
	c, err = fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{fx.userID("mediator1.gulou")}})
	if err != nil {
		t.Fatal(err)
	}
	de := wantCode(t, func() error {
		_, err := fx.svc.Reassign(city, c.ID, cases.ReassignInput{Version: c.Version, OrgID: cangshan, Reason: "x"})
		return err
	}(), domain.ECONFLICT)
	if slices.Contains(de.Allowed, string(domain.ActionReassign)) {
		t.Fatalf("allowed = %v lists reassign for a mediating case", de.Allowed)
	}
}
