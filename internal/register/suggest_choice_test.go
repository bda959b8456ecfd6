package register_test

import (
	"slices"
	"testing"

	"github.com/ipmediate/ipmediate/internal/domain"
)

// TestSuggest_ChosenMediatorFirst: the mediator a party chose (its
// latest choice, party_mediator_choices) is ranked first and marked
// with the party's name, before a better specialty match.
func TestSuggest_ChosenMediatorFirst(t *testing.T) {
	t.Parallel()
	fx := newFixture(t)
	c := fx.fileCase(domain.RightInvention)
	m1, m2 := fx.user("mediator1.gulou"), fx.user("mediator2.gulou")
	fx.exec(`UPDATE mediator_profiles SET specialties = '{}' WHERE user_id = ?`, m2)
	var resp struct {
		ID   int64
		Name string
	}
	if err := fx.app.DB.Raw("SELECT id, name FROM case_parties WHERE case_id = ? AND role = 'respondent'", c).Scan(&resp).Error; err != nil {
		t.Fatal(err)
	}
	fx.exec(`INSERT INTO party_access (case_id, party_id, token_hash, created_at, expires_at)
VALUES (?, ?, repeat('a', 64), now(), now() + interval '1 day')`, c, resp.ID)
	access := fx.scalar("SELECT id FROM party_access WHERE case_id = ?", c)
	fx.exec(`INSERT INTO party_mediator_choices (case_id, party_id, access_id, mediator_id, created_at) VALUES (?, ?, ?, ?, now())`, c, resp.ID, access, m2)
	s, err := fx.svc.Suggest(fx.as("director.gulou"), c)
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 2 || s[0].UserID != m2 || !s[0].Chosen() || !slices.Equal(s[0].ChosenBy, []string{resp.Name}) || s[1].UserID != m1 || s[1].Chosen() {
		t.Fatalf("chosen first: %+v", s)
	}
	// Leaving it to the committee afterwards: nobody is marked.
	fx.exec(`INSERT INTO party_mediator_choices (case_id, party_id, access_id, mediator_id, created_at) VALUES (?, ?, ?, NULL, now() + interval '1 minute')`, c, resp.ID, access)
	if s, err = fx.svc.Suggest(fx.as("director.gulou"), c); err != nil || s[0].Chosen() || s[1].Chosen() {
		t.Fatalf("after leaving it to the committee: %+v %v", s, err)
	}
}
