package cases_test

import (
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/cases"
)

// TestCaseService_CreditFlagVisibility: a case whose respondent has a
// final credit record is flagged for the handling committee's director
// and clerks only; the filing enterprise (the other party) and the
// mediator see neither the flag nor the intake event that names the
// records, in the case, its parties, the list and action results.
func TestCaseService_CreditFlagVisibility(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	fx.exec(`INSERT INTO credit_records (subject_kind, name, id_number_hash, finding, source, decided_on, display_until)
VALUES ('person', '张小三', ?, '故意侵犯专利权', 'court', '2024-05-01', DATE '2099-12-31')`, fx.app.PII.Hash(respondentID))
	c := fx.submit("sme1", intake(fx.org("gulou")))
	if c.RepeatInfringer {
		t.Error("the filing enterprise is told of the flag at intake")
	}
	if fx.count("SELECT count(*) FROM cases WHERE id = ? AND repeat_infringer", c.ID) != 1 {
		t.Fatal("the case is not flagged")
	}
	director := fx.as("director.gulou")
	c, err := fx.svc.Accept(director, c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: hourAgo()})
	if err != nil {
		t.Fatal(err)
	}
	if !c.RepeatInfringer {
		t.Error("the director's action result hides the flag")
	}
	if c, err = fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{fx.userID("mediator1.gulou")}}); err != nil {
		t.Fatal(err)
	}
	c, err = fx.svc.Declare(fx.as("mediator1.gulou"), c.ID, cases.DeclareInput{Version: c.Version, NoConflict: true, Statement: "无利害关系"})
	if err != nil {
		t.Fatal(err)
	}
	if c.RepeatInfringer {
		t.Error("the mediator's action result shows the flag")
	}

	for _, tt := range []struct {
		who  string
		sees bool
	}{{"director.gulou", true}, {"clerk.gulou", true}, {"mediator1.gulou", false}, {"sme1", false}} {
		t.Run(tt.who, func(t *testing.T) {
			fx := fx.with(t)
			v, err := fx.svc.Get(fx.as(tt.who), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			flagged := v.RepeatInfringer
			for _, p := range v.Parties {
				flagged = flagged || p.RepeatInfringer
			}
			event := false
			for _, e := range v.Events {
				event = event || e.Action == "repeat_infringer"
			}
			if flagged != tt.sees || event != tt.sees {
				t.Errorf("case or party flag %v, intake event %v; want %v", flagged, event, tt.sees)
			}
			items, _, err := fx.svc.List(fx.as(tt.who), cases.ListFilter{From: caseClock.Now().Add(-time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, it := range items {
				if it.ID == c.ID {
					found = true
					if it.RepeatInfringer != tt.sees {
						t.Errorf("list flag %v, want %v", it.RepeatInfringer, tt.sees)
					}
				}
			}
			if !found {
				t.Error("the case is not in the list")
			}
		})
	}
}
