package cases_test

import (
	"slices"
	"testing"

	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// TestCaseService_Scoping checks who sees which case, through Get, Access
// and List, and that a case outside the scope is not found for actions
// too.
func TestCaseService_Scoping(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou := fx.org("gulou")
	director := fx.as("director.gulou")

	bySME := fx.submit("sme1", intake(gulou))
	byClerk := fx.submit("clerk.gulou", intake(gulou))
	court := intake(gulou)
	court.Source = domain.SourceCourtDelegated
	byCourt := fx.submit("liaison.gulou-court", court)
	elsewhere := fx.submit("clerk.cangshan", intake(fx.org("cangshan")))

	c, err := fx.svc.Accept(director, byClerk.ID, cases.AcceptInput{Version: byClerk.Version, ConsentAt: hourAgo()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.svc.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{fx.userID("mediator1.gulou")}}); err != nil {
		t.Fatal(err)
	}

	all := []int64{bySME.ID, byClerk.ID, byCourt.ID, elsewhere.ID}
	tests := []struct {
		who  string
		sees []int64
		// handling is the case the viewer handles, if any.
		handling int64
		party    int64
	}{
		{who: "director.gulou", sees: []int64{bySME.ID, byClerk.ID, byCourt.ID}, handling: bySME.ID},
		{who: "clerk.gulou", sees: []int64{bySME.ID, byClerk.ID, byCourt.ID}, handling: byCourt.ID},
		{who: "director.cangshan", sees: []int64{elsewhere.ID}, handling: elsewhere.ID},
		{who: "director.city", sees: all, handling: elsewhere.ID},
		{who: "mediator1.gulou", sees: []int64{byClerk.ID}, handling: byClerk.ID},
		{who: "mediator2.gulou", sees: nil},
		{who: "sme1", sees: []int64{bySME.ID}, party: bySME.ID},
		{who: "sme2", sees: nil},
		{who: "liaison.gulou-court", sees: []int64{byCourt.ID}},
		{who: "liaison.mawei-court", sees: nil},
		{who: "assistance.fz", sees: nil},
		{who: "leader", sees: all},
		{who: "admin", sees: nil},
		{who: "customs.fz", sees: nil},
		{who: "association.fz-software", sees: nil},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			fx := fx.with(t)
			ctx := fx.as(tt.who)
			for _, id := range all {
				want := slices.Contains(tt.sees, id)
				v, err := fx.svc.Get(ctx, id)
				acc, aerr := fx.svc.Access(ctx, id)
				if !want {
					wantCode(t, err, domain.ENOTFOUND)
					wantCode(t, aerr, domain.ENOTFOUND)
					continue
				}
				if err != nil || aerr != nil {
					t.Fatalf("case %d: get %v, access %v", id, err, aerr)
				}
				if v.Access != acc {
					t.Errorf("case %d: view access %+v, Access %+v", id, v.Access, acc)
				}
				if acc.CaseID != id || acc.OrgID != v.OrgID || acc.Status != v.Status {
					t.Errorf("case %d: access %+v", id, acc)
				}
				if id == tt.handling && (!acc.Handling || !acc.SeesPersonalData || !acc.SeesConfidential) {
					t.Errorf("case %d: not handling: %+v", id, acc)
				}
				if id == tt.party && (!acc.Party || acc.Handling || acc.SeesPersonalData || !acc.SeesConfidential) {
					t.Errorf("case %d: not a party: %+v", id, acc)
				}
				if id != tt.handling && id != tt.party && tt.handling == 0 && tt.party == 0 && (acc.Handling || acc.Party) {
					t.Errorf("case %d: unexpected access %+v", id, acc)
				}
			}
			items, next, err := fx.svc.List(ctx, cases.ListFilter{})
			// No case scope at all: refused. Customs reads cases through
			// referrals, an association its consenting members' cases:
			// their lists are empty until there are such cases.
			if len(tt.sees) == 0 && tt.who == "admin" {
				wantCode(t, err, domain.EFORBIDDEN)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, it := range items {
				got = append(got, it.ID)
			}
			want := slices.Clone(tt.sees)
			slices.Sort(want)
			slices.Reverse(want)
			if !slices.Equal(got, want) || next != "" {
				t.Errorf("list = %v (next %q), want %v", got, next, want)
			}
		})
	}

	t.Run("an invisible case is not found for actions", func(t *testing.T) {
		fx := fx.with(t)
		_, err := fx.svc.Accept(fx.as("director.cangshan"), bySME.ID, cases.AcceptInput{Version: 1, ConsentAt: hourAgo()})
		wantCode(t, err, domain.ENOTFOUND)
		_, err = fx.svc.Withdraw(fx.as("sme2"), bySME.ID, cases.ReasonInput{Version: 1, Reason: "x"})
		wantCode(t, err, domain.ENOTFOUND)
		_, err = fx.svc.Withdraw(fx.as("admin"), bySME.ID, cases.ReasonInput{Version: 1, Reason: "x"})
		wantCode(t, err, domain.ENOTFOUND)
		_, err = fx.svc.Get(fx.as("director.gulou"), 987654)
		wantCode(t, err, domain.ENOTFOUND)
	})
	t.Run("the supervising director reads but does not act", func(t *testing.T) {
		fx := fx.with(t)
		_, err := fx.svc.Accept(fx.as("director.city"), bySME.ID, cases.AcceptInput{Version: 1, ConsentAt: hourAgo()})
		wantCode(t, err, domain.EFORBIDDEN)
	})
	t.Run("unauthenticated", func(t *testing.T) {
		fx := fx.with(t)
		_, err := fx.svc.Get(t.Context(), bySME.ID)
		wantCode(t, err, domain.EUNAUTHORIZED)
		_, _, err = fx.svc.List(t.Context(), cases.ListFilter{})
		wantCode(t, err, domain.EUNAUTHORIZED)
	})
}

func TestCaseService_Mediators(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	gulou := fx.org("gulou")
	for _, who := range []string{"director.gulou", "clerk.gulou", "director.city"} {
		us, err := fx.svc.Mediators(fx.as(who), gulou)
		if err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		var names []string
		for _, u := range us {
			names = append(names, u.Username)
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"mediator1.gulou", "mediator2.gulou"}) {
			t.Errorf("%s: mediators = %v", who, names)
		}
	}
	for _, who := range []string{"director.cangshan", "mediator1.gulou", "sme1", "leader", "admin"} {
		_, err := fx.svc.Mediators(fx.as(who), gulou)
		wantCode(t, err, domain.ENOTFOUND)
	}
	fx.exec("UPDATE users SET active = false WHERE username = 'mediator2.gulou'")
	us, err := fx.svc.Mediators(fx.as("director.gulou"), gulou)
	if err != nil || len(us) != 1 || us[0].Username != "mediator1.gulou" {
		t.Errorf("after disabling mediator2: %+v %v", us, err)
	}
}
