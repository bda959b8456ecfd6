package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// TestAssignForm_ShowsSuggestionsInWords: the director's assign form
// ranks the committee's mediators by the register, the one declaring the
// case's specialty first, with the reason in words.
func TestAssignForm_ShowsSuggestionsInWords(t *testing.T) {
	t.Parallel()
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	a := r.App
	gulou := apptest.Scalar[int64](t, a, "SELECT id FROM orgs WHERE code = 'gulou'")
	m2 := apptest.Scalar[int64](t, a, "SELECT id FROM users WHERE username = 'mediator2.gulou'")
	if err := a.DB.Exec(`INSERT INTO mediator_profiles (org_id, user_id, specialties, updated_at) VALUES (?, ?, '{trademark}', now())`,
		gulou, m2).Error; err != nil {
		t.Fatal(err)
	}
	cs, err := a.Cases.Submit(apptest.As(t, a, "sme1"), cases.IntakeInput{OrgID: gulou, Source: domain.SourceDirect,
		DisputeType: domain.DisputeTrademark, Summary: "被申请人在同类商品上使用近似商标。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: "91350100MA34A1B2CU", IsSME: true},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "张小三"}},
		Rights: []cases.RightInput{{Kind: domain.RightTrademark, Number: "12345678", Title: "闽光", Holder: "福州闽光软件科技有限公司"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Cases.Accept(apptest.As(t, a, "director.gulou"), cs.ID, cases.AcceptInput{Version: cs.Version, ConsentAt: a.Clock.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	dir := webLogin(t, r, "director.gulou", demoPassword)
	_, page := webGet(t, dir, r.URL+"/cases/"+itoa(cs.ID))
	i := strings.Index(page, `id="assign-suggestions"`)
	if i < 0 {
		t.Fatalf("no suggestions on the assign form:\n%s", page)
	}
	list := page[i:]
	list = list[:strings.Index(list, "</ol>")]
	first := strings.Index(list, `data-suggest="`+itoa(m2)+`"`)
	if first < 0 || strings.Count(list[:first], "data-suggest=") != 0 {
		t.Errorf("the mediator declaring trademarks is not ranked first:\n%s", list)
	}
	if !strings.Contains(list, "专长：商标；在办 0 件") {
		t.Errorf("the reason is not in words:\n%s", list)
	}
	if strings.Contains(list, "trademark") {
		t.Error("the suggestions show a code")
	}
	// The clerk does not assign and sees no suggestions.
	clerk := webLogin(t, r, "clerk.gulou", demoPassword)
	if _, cp := webGet(t, clerk, r.URL+"/cases/"+itoa(cs.ID)); strings.Contains(cp, `id="assign-suggestions"`) {
		t.Error("the clerk sees the assignment suggestions")
	}
}
