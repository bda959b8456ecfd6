package web_test

import (
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/config"
)

func init() { moreRows = append(moreRows, registerRows) }

// registerRows: a committee's director, clerk and mediators and the
// leadership office read a register; nobody else (403).
func registerRows() []mxRow {
	return []mxRow{
		{route: "GET /mediators", req: func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: "/mediators"} },
			own: map[string]int{"anon": 303, "leader": 200, "director": 200, "clerk": 200, "mediator": 200, "*": 403}},
	}
}

// TestRegisterPage_InWords: the register page shows the committee's
// mediators and their specialties in words, to its clerk; the leadership
// office picks a committee; an enterprise has no register.
func TestRegisterPage_InWords(t *testing.T) {
	t.Parallel()
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	a := r.App
	gulou := apptest.Scalar[int64](t, a, "SELECT id FROM orgs WHERE code = 'gulou'")
	m1 := apptest.Scalar[int64](t, a, "SELECT id FROM users WHERE username = 'mediator1.gulou'")
	if err := a.DB.Exec(`INSERT INTO mediator_profiles (org_id, user_id, specialties, updated_at) VALUES (?, ?, '{patent,trade_secret}', now())`,
		gulou, m1).Error; err != nil {
		t.Fatal(err)
	}
	clerk := webLogin(t, r, "clerk.gulou", demoPassword)
	_, page := webGet(t, clerk, r.URL+"/mediators")
	for _, want := range []string{"调解员名册", "专利、商业秘密", `data-mediator="`} {
		if !strings.Contains(page, want) {
			t.Errorf("clerk's register lacks %q", want)
		}
	}
	if strings.Contains(page, "trade_secret") {
		t.Error("the register shows a code")
	}
	_, work := webGet(t, clerk, r.URL+"/work")
	if !strings.Contains(work, `href="/mediators"`) {
		t.Error("no navigation link to the register")
	}
	leader := webLogin(t, r, "leader", demoPassword)
	_, lp := webGet(t, leader, r.URL+"/mediators")
	if !strings.Contains(lp, `name="org"`) {
		t.Error("the leadership office cannot pick a committee")
	}
}
