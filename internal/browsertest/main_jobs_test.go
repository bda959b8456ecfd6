package browsertest_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/browsertest"
	"github.com/ipmediate/ipmediate/internal/config"
)

// fullPhone is an unmasked mainland mobile number.
var fullPhone = regexp.MustCompile(`1[3-9]\d{9}`)

// TestBrowser_EachRoleDoesItsMainJob walks, in Chromium on the demo data,
// the main job of each role that the longer walks (case_flow, court
// round trip, assistance) do not already do: a receiving body signs for
// the referral in its inbox and sees only what was disclosed; the
// leadership office reads its overview and follows a deadline it
// oversees to its case; an enterprise finds its cases on its first page and its own phone
// unmasked; the association reads the deadline of its annual report; the
// system administrator finds a login in the audit trail by name; a clerk
// switches a party row between organisation and person and sees that
// kind's fields.
func TestBrowser_EachRoleDoesItsMainJob(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemoCases(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	do := func(t *testing.T, ctx context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			browsertest.Screenshot(t, ctx, "job-failed-"+name)
			t.Fatalf("%s: %v", name, err)
		}
	}
	eval := func(t *testing.T, ctx context.Context, js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}

	for _, user := range []string{"customs.fz", "arbitration.fz", "enforcement.fz-amr"} {
		t.Run("receive/"+user, func(t *testing.T) {
			ctx := browsertest.New(t, 120*time.Second)
			login(t, ctx, r.URL, user)
			do(t, ctx, "inbox", chromedp.Navigate(r.URL+"/referrals?box=inbox"), chromedp.WaitVisible(chromedp.ID("referral-list")))
			// The first referral still waiting for its signature.
			href := eval(t, ctx, `(Array.from(document.querySelectorAll("#referral-list tbody tr")).find(tr => tr.textContent.includes("待签收")) || {querySelector: () => null}).querySelector("a")?.getAttribute("href") || ""`)
			if href == "" {
				t.Fatalf("%s has nothing to sign for in its inbox:\n%s", user, text(t, ctx))
			}
			do(t, ctx, "open", chromedp.Navigate(r.URL+href), chromedp.WaitVisible(chromedp.ID("referral-receive")))
			before := text(t, ctx)
			do(t, ctx, "receive", markStale(), chromedp.Click(chromedp.ID("referral-receive")), waitFresh())
			after := text(t, ctx)
			if !strings.Contains(before, "待签收") || !strings.Contains(after, "已签收") {
				t.Errorf("%s: signing for %s did not change 待签收 to 已签收:\n%s", user, href, after)
			}
			// The case behind it shows what was disclosed, never the
			// committee's internal record or its mediation countdown.
			if caseHref := eval(t, ctx, `document.getElementById("referral-case")?.getAttribute("href") || ""`); caseHref != "" {
				do(t, ctx, "case", chromedp.Navigate(r.URL+caseHref), chromedp.WaitVisible(chromedp.CSS("main h1")))
				headings := eval(t, ctx, `Array.from(document.querySelectorAll("main h2, main dt")).map(h => h.innerText).join("|")`)
				for _, hidden := range []string{"办理记录", "调解记录", "调解期限"} {
					if strings.Contains(headings, hidden) {
						t.Errorf("%s sees %s on the case %s: %s", user, hidden, caseHref, headings)
					}
				}
				if eval(t, ctx, `document.getElementById("disclosed-only") ? "1" : ""`) == "" {
					t.Errorf("%s is not told it reads %s through a referral", user, caseHref)
				}
				if !strings.Contains(headings, "纠纷事实") && !strings.Contains(headings, "当事人") {
					t.Errorf("%s does not see the disclosed summary of %s: %s", user, caseHref, headings)
				}
			}
			browsertest.Screenshot(t, ctx, "job-"+user+"-received")
		})
	}

	t.Run("leader", func(t *testing.T) {
		ctx := browsertest.New(t, 120*time.Second)
		login(t, ctx, r.URL, "leader")
		// The overview, then a deadline it oversees, followed to its case.
		if body := text(t, ctx); !strings.Contains(body, "年度概况") || !strings.Contains(body, "合计") {
			t.Errorf("the leadership office's first page lacks the overview:\n%s", body)
		}
		link := eval(t, ctx, `document.querySelector("#work-urgent a[href^='/cases/']")?.getAttribute("href") || ""`)
		if link == "" {
			t.Fatalf("the leadership office's urgent deadlines link to no case:\n%s", text(t, ctx))
		}
		do(t, ctx, "case", chromedp.Navigate(r.URL+link), chromedp.WaitVisible(chromedp.CSS("main h1")))
		if body := text(t, ctx); !strings.Contains(body, "知调") || !strings.Contains(body, "法定期限") {
			t.Errorf("the case %s does not show its number and deadlines to the leadership office:\n%s", link, body)
		}
		browsertest.Screenshot(t, ctx, "job-leader-case")
	})

	t.Run("sme", func(t *testing.T) {
		ctx := browsertest.New(t, 120*time.Second)
		login(t, ctx, r.URL, "sme1")
		href := eval(t, ctx, `document.querySelector("#work-cases")?.nextElementSibling?.querySelector("a.case-ref")?.getAttribute("href") || ""`)
		if !strings.HasPrefix(href, "/cases/") {
			t.Fatalf("the enterprise's first page lists no case:\n%s", text(t, ctx))
		}
		do(t, ctx, "case", chromedp.Navigate(r.URL+href), chromedp.WaitVisible(chromedp.CSS("main h1")))
		// Its own party row shows its phone in full; the other side's is masked.
		var own string
		r.App.DB.Raw("SELECT name FROM orgs WHERE code = 'ent-sme1'").Scan(&own)
		rows := eval(t, ctx, `Array.from(document.querySelectorAll("main tr")).filter(tr => tr.textContent.includes(`+strconv.Quote(own)+`)).map(tr => tr.innerText).join("\n")`)
		if !fullPhone.MatchString(rows) {
			t.Errorf("the enterprise's own party row (%s) does not show its phone in full:\n%s", own, rows)
		}
		browsertest.Screenshot(t, ctx, "job-sme-case")
	})

	t.Run("association", func(t *testing.T) {
		ctx := browsertest.New(t, 120*time.Second)
		login(t, ctx, r.URL, "association.fz-software")
		do(t, ctx, "deadlines", chromedp.Navigate(r.URL+"/deadlines"), chromedp.WaitVisible(chromedp.ID("calculator")))
		if body := text(t, ctx); !strings.Contains(body, "年度工作") {
			t.Errorf("the association's deadlines lack its annual report:\n%s", body)
		}
		browsertest.Screenshot(t, ctx, "job-association-deadlines")
	})

	t.Run("admin", func(t *testing.T) {
		ctx := browsertest.New(t, 120*time.Second)
		login(t, ctx, r.URL, "admin")
		do(t, ctx, "audit", chromedp.Navigate(r.URL+"/audit?actor=admin"), chromedp.WaitVisible(chromedp.CSS("main h1")))
		if body := text(t, ctx); !strings.Contains(body, "登录") {
			t.Errorf("the audit trail does not show the administrator's login in words:\n%s", body)
		}
		browsertest.Screenshot(t, ctx, "job-admin-audit")
	})

	t.Run("clerk-party-kind", func(t *testing.T) {
		ctx := browsertest.New(t, 120*time.Second)
		login(t, ctx, r.URL, "clerk.gulou")
		do(t, ctx, "intake", chromedp.Navigate(r.URL+"/cases/new"), chromedp.WaitVisible(chromedp.CSS(`[id="parties[0].kind"]`)))
		shown := func(field string) bool {
			return eval(t, ctx, `String(document.getElementById("parties[0].`+field+`").closest("[data-for]").checkVisibility())`) == "true"
		}
		do(t, ctx, "organisation", chromedp.SetValue(chromedp.CSS(`[id="parties[0].kind"]`), "organisation"))
		if !shown("credit_code") || shown("id_number") {
			t.Error("an organisation's row shows a person's fields or hides its credit code")
		}
		do(t, ctx, "person", chromedp.SetValue(chromedp.CSS(`[id="parties[0].kind"]`), "person"))
		if shown("credit_code") || !shown("id_number") {
			t.Error("a person's row shows an organisation's fields or hides the identity number")
		}
		browsertest.Screenshot(t, ctx, "job-clerk-person-row")
	})
}
