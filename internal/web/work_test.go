package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
)

// TestWork_UrgentDeadlines: "my work" lists a mediator's deadline once it
// is due within 3 working days, and marks it overdue after its due time;
// a month ahead it is not there yet.
func TestWork_UrgentDeadlines(t *testing.T) {
	r := apptest.Start(t, apptest.WithTimeTravel(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	as := func(user string) context.Context {
		a, err := r.App.Identity.Actor(context.Background(), userID(t, r, user))
		if err != nil {
			t.Fatal(err)
		}
		return domain.WithActor(context.Background(), a)
	}
	c, err := r.App.Cases.Submit(as("clerk.gulou"), cases.IntakeInput{OrgID: orgID(t, r, "gulou"), Source: domain.SourceDirect,
		DisputeType: domain.DisputeCopyright, Summary: "被申请人在网店销售盗版图书。", Claims: "停止销售。",
		Parties: []cases.PartyInput{{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "海峡书局有限公司"},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "王某"}}})
	if err != nil {
		t.Fatal(err)
	}
	director := as("director.gulou")
	if c, err = r.App.Cases.Accept(director, c.ID, cases.AcceptInput{Version: c.Version, ConsentAt: r.App.Clock.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if c, err = r.App.Cases.Assign(director, c.ID, cases.AssignInput{Version: c.Version, MediatorIDs: []int64{userID(t, r, "mediator1.gulou")}}); err != nil {
		t.Fatal(err)
	}
	mediator := webLogin(t, r, "mediator1.gulou", "demo-pass-2026")
	urgent := func() string {
		t.Helper()
		_, body := webGet(t, mediator, r.URL+"/work")
		start := strings.Index(body, `id="work-urgent"`)
		if start < 0 {
			t.Fatalf("no urgent-deadlines section on /work:\n%s", body)
		}
		end := strings.Index(body[start:], "</section>")
		return body[start : start+end]
	}
	if s := urgent(); strings.Contains(s, c.Number) || !strings.Contains(s, "目前没有") {
		t.Fatalf("a month before the due date the case is already urgent:\n%s", s)
	}
	// Two calendar days before the last day is within 3 working days
	// whatever the weekday.
	ahead := c.MediationDueAt.Add(-48*time.Hour - time.Hour).Sub(r.App.Clock.Now())
	if _, err := r.App.Clock.Advance(ahead); err != nil {
		t.Fatal(err)
	}
	if s := urgent(); !strings.Contains(s, c.Number) || strings.Contains(s, "已超期") {
		t.Fatalf("two days before the due date the case is not listed as due soon:\n%s", s)
	}
	if _, err := r.App.Clock.Advance(50 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if s := urgent(); !strings.Contains(s, c.Number) || !strings.Contains(s, "已超期") {
		t.Fatalf("after the due time the case is not listed as overdue:\n%s", s)
	}
}

// TestWork_Headline: the leadership office's "my work" opens with the
// year's numbers of every committee; a mediator's has none.
func TestWork_Headline(t *testing.T) {
	r := startDemo(t)
	_, body := webGet(t, webLogin(t, r, "leader", "demo-pass-2026"), r.URL+"/work")
	if !strings.Contains(body, `id="work-headline"`) || !strings.Contains(body, "鼓楼区知识产权纠纷调解委员会") || !strings.Contains(body, "调解成功率") {
		t.Fatalf("the leader's work page lacks the headline numbers")
	}
	_, body = webGet(t, webLogin(t, r, "mediator1.gulou", "demo-pass-2026"), r.URL+"/work")
	if strings.Contains(body, `id="work-headline"`) {
		t.Fatalf("a mediator's work page shows the headline numbers")
	}
}

// TestWork_FiguresLinkToTheirCases: on the demo data every figure of the
// leadership office's and the city director's headline is a link to a
// case list with exactly as many rows as the figure says, and the cases
// in progress include those filed in an earlier year.
func TestWork_FiguresLinkToTheirCases(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemoCases(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	for _, user := range []string{"leader", "director.city"} {
		c := webLogin(t, r, user, demoPassword)
		_, body := webGet(t, c, r.URL+"/work")
		if n, nonzero := checkFigures(t, r, c, user+" /work", body); n != 4*8 || nonzero < 8 {
			t.Fatalf("%s: %d linked figures (%d not zero), want 4 for each of 8 committees", user, n, nonzero)
		}
	}
	// A case filed last year and still in mediation counts as in progress.
	var gulou, n int64
	r.App.DB.Raw("SELECT id FROM orgs WHERE code = 'gulou'").Scan(&gulou)
	r.App.DB.Raw(`SELECT count(*) FROM cases WHERE org_id = ? AND status IN ('submitted', 'accepted', 'mediating', 'agreement_draft')`, gulou).Scan(&n)
	if err := r.App.DB.Exec(`UPDATE cases SET created_at = created_at - interval '1 year' WHERE id = (SELECT id FROM cases WHERE org_id = ? AND status = 'mediating' LIMIT 1)`, gulou).Error; err != nil {
		t.Fatal(err)
	}
	_, body := webGet(t, webLogin(t, r, "leader", demoPassword), r.URL+"/work")
	want := fmt.Sprintf(`<a class="figure" href="/cases?org_id=%d&amp;status=submitted%%2Caccepted%%2Cmediating%%2Cagreement_draft">%d</a>`, gulou, n)
	if !strings.Contains(body, want) {
		t.Errorf("gulou's cases in progress lost the one filed last year: want %s", want)
	}
}

var (
	figureLink = regexp.MustCompile(`<a class="figure" href="([^"]+)">(\d+)</a>`)
	// listRow is a row of a case list or of a referral list.
	listRow = regexp.MustCompile(`class="case-ref" href="/cases/\d+"|<td><a href="/referrals/\d+">|<tr data-deadline="\d+"|data-application="\d+"|<tr data-credit="\d+"`)
)

// checkFigures opens the link of every figure on page and checks that its
// case or referral list has as many rows as the figure says; it returns
// how many figures there were and how many were not zero (a comparison of
// zeros says little, so the callers check there are enough).
func checkFigures(t *testing.T, r *apptest.Running, c *http.Client, what, page string) (n, nonzero int) {
	t.Helper()
	figures := figureLink.FindAllStringSubmatch(page, -1)
	for _, f := range figures {
		link := html.UnescapeString(f[1])
		want, _ := strconv.Atoi(f[2])
		resp, list := webGet(t, c, r.URL+link+"&limit=200")
		if got := len(listRow.FindAllString(list, -1)); resp.StatusCode != 200 || got != want {
			t.Errorf("%s: %s lists %d rows (%d), the figure says %d", what, link, got, resp.StatusCode, want)
		}
		if want > 0 {
			nonzero++
		}
	}
	return len(figures), nonzero
}
