package browsertest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/browsertest"
	"github.com/ipmediate/ipmediate/internal/config"
)

// TestBrowser_CourtRoundTrip is the court docking walk of issue 5, in the
// browser as the demo users of both sides: liaison.gulou-court delegates a
// dispute (委派调解); director.gulou finds it in the referral inbox,
// accepts it (the case is filed as the court sent it), accepts the case
// and assigns it; mediator1.gulou settles it and the agreement takes
// effect; the court sees the result without anyone typing it again; the
// committee applies for judicial confirmation from the case page, and the
// court records acceptance, the decision and its 民特 ruling number.
func TestBrowser_CourtRoundTrip(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	var gulou, court int64
	r.App.DB.Raw("SELECT id FROM orgs WHERE code = 'gulou'").Scan(&gulou)
	r.App.DB.Raw("SELECT id FROM orgs WHERE code = 'gulou-court'").Scan(&court)
	beijing := time.FixedZone("CST", 8*3600)
	run := func(ctx context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			browsertest.Screenshot(t, ctx, "court-failed-"+name)
			t.Fatalf("%s: %v", name, err)
		}
	}
	location := func(ctx context.Context) string {
		t.Helper()
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimPrefix(loc, r.URL)
	}

	// 1. The court delegates.
	liaison := browsertest.New(t, 120*time.Second)
	login(t, liaison, r.URL, "liaison.gulou-court")
	if body := text(t, liaison); !strings.Contains(body, "转介与诉调对接") {
		t.Fatalf("the liaison's work page does not lead to the referrals:\n%s", body)
	}
	run(liaison, "delegate",
		chromedp.Navigate(r.URL+"/referrals"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/referrals/new?kind=court_delegation"]`)),
		markStale(),
		chromedp.Click(chromedp.CSS(`a[href="/referrals/new?kind=court_delegation"]`)),
		waitFresh(),
		chromedp.SetValue(chromedp.ID("receiver"), fmt.Sprint(gulou)),
		chromedp.SetValue(chromedp.ID("f-pfn"), "（2026）闽0102民诉前调300号"),
		chromedp.SetValue(chromedp.ID("c-type"), "trademark_infringement"),
		chromedp.SetValue(chromedp.ID("c-summary"), "原告诉称被告在其茶叶店销售使用原告注册商标“榕城”的茉莉花茶，立案前经双方同意委派调解。"),
		chromedp.SetValue(chromedp.ID("c-claims"), "停止侵权，赔偿损失五万元。"),
		chromedp.SetValue(chromedp.ID("c-amount"), "50000"),
		chromedp.SetValue(chromedp.ID("p0-name"), "福州榕城茶业有限公司"),
		chromedp.SetValue(chromedp.ID("p0-cc"), "91350102MA2YK7Q8DR"),
		chromedp.SetValue(chromedp.ID("p1-kind"), "person"),
		chromedp.SetValue(chromedp.ID("p1-name"), "林某"),
		chromedp.SetValue(chromedp.ID("p1-id"), "11010519491231002X"),
		chromedp.SetValue(chromedp.ID("p1-phone"), "13912345678"),
		chromedp.SetValue(chromedp.ID("r0-kind"), "trademark"),
		chromedp.SetValue(chromedp.ID("r0-number"), "第12345678号"),
		chromedp.SetValue(chromedp.ID("r0-title"), "榕城"),
		markStale(),
		chromedp.Submit(chromedp.ID("referral-send")),
		waitFresh(),
	)
	refURL := location(liaison)
	if body := text(t, liaison); !strings.HasPrefix(refURL, "/referrals/") || !strings.Contains(body, "待签收") ||
		!strings.Contains(body, "（2026）闽0102民诉前调300号") || strings.Contains(body, "11010519491231002X") {
		t.Fatalf("after sending the court should see its delegation, identity numbers hidden (%s):\n%s", refURL, body)
	}
	browsertest.Screenshot(t, liaison, "court-1-delegated")

	// 2. The committee accepts: the case is filed from the delegation.
	director := browsertest.New(t, 120*time.Second)
	login(t, director, r.URL, "director.gulou")
	if body := text(t, director); !strings.Contains(body, "（2026）闽0102民诉前调300号") {
		t.Fatalf("the director's work page does not show the new delegation:\n%s", body)
	}
	run(director, "inbox", chromedp.Navigate(r.URL+"/referrals"), chromedp.WaitVisible(chromedp.ID("referrals-new")))
	if body := text(t, director); !strings.Contains(body, "新收到") || !strings.Contains(body, "（2026）闽0102民诉前调300号") {
		t.Fatalf("the delegation is not in the director's inbox:\n%s", body)
	}
	submitAction(t, director, r.URL, refURL, "accept", nil)
	if body := text(t, director); !strings.Contains(body, "办理中") {
		t.Fatalf("after accepting the referral should be in progress:\n%s", body)
	}
	run(director, "open case", markStale(), chromedp.Click(chromedp.ID("referral-case")), waitFresh())
	caseURL := location(director)
	if body := text(t, director); !strings.Contains(body, "鼓知调登字第0001号") || !strings.Contains(body, "委派调解") ||
		!strings.Contains(body, "（2026）闽0102民诉前调300号") || !strings.Contains(body, "林某") || !strings.Contains(body, "11010519491231002X") {
		t.Fatalf("the filed case should carry what the court sent:\n%s", body)
	}
	submitAction(t, director, r.URL, caseURL, "accept", map[string]string{"consent_at": r.App.Clock.Now().Add(-time.Hour).In(beijing).Format("2006-01-02T15:04")})
	submitAction(t, director, r.URL, caseURL, "assign", nil,
		`Array.from(document.querySelectorAll('input[name="mediator_ids"]')).filter(i => i.parentElement.textContent.includes("mediator1.gulou")).forEach(i => i.checked = true); true`)
	if body := text(t, director); !strings.Contains(body, "调解中") || !strings.Contains(body, "委派调解期限") {
		t.Fatalf("after assignment the delegated mediation period should run:\n%s", body)
	}
	browsertest.Screenshot(t, director, "court-2-assigned")

	// 3. The mediator settles; the agreement takes effect.
	mediator := browsertest.New(t, 120*time.Second)
	login(t, mediator, r.URL, "mediator1.gulou")
	submitAction(t, mediator, r.URL, caseURL, "declare", map[string]string{"statement": "与双方当事人无利害关系"})
	submitAction(t, mediator, r.URL, caseURL, "settle", map[string]string{
		"facts": "被告在其茶叶店销售带有“榕城”商标的茉莉花茶。", "disputed_matters": "是否构成商标侵权及赔偿数额。",
		"responsibilities": "被告承担停止侵权和赔偿责任。", "terms": "被告于十日内赔偿原告人民币三万元。",
		"performance_method": "银行转账", "performance_due": r.App.Clock.Now().In(beijing).AddDate(0, 0, 10).Format("2006-01-02")})
	signedAt := r.App.Clock.Now().Add(-30 * time.Minute).In(beijing).Format("2006-01-02T15:04")
	run(mediator, "signers", chromedp.Navigate(r.URL+caseURL), chromedp.WaitVisible(chromedp.CSS("#actions")))
	signers, err := chromedp.Run(mediator, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#signer option')).map(o => o.value).filter(v => v != "seal")`))
	if err != nil || len(signers) != 3 {
		t.Fatalf("signer options: %v %v", signers, err)
	}
	for _, o := range signers {
		submitAction(t, mediator, r.URL, caseURL, "signoff", map[string]string{"signer": o, "method": "handwritten", "signed_at": signedAt})
	}
	submitAction(t, director, r.URL, caseURL, "signoff", map[string]string{"signer": "seal", "method": "seal", "signed_at": signedAt})
	if body := text(t, director); !strings.Contains(body, "已生效") {
		t.Fatalf("the agreement should be in effect:\n%s", body)
	}

	// 4. The court sees the result without anyone typing it.
	run(liaison, "result", chromedp.Navigate(r.URL+refURL), chromedp.WaitVisible(chromedp.ID("referral-result")))
	body := text(t, liaison)
	for _, want := range []string{"已办结", "调解成功", "鼓知调字第0001号", "调解协议生效时间"} {
		if !strings.Contains(body, want) {
			t.Errorf("the court's referral page lacks %q:\n%s", want, body)
		}
	}
	run(liaison, "court reads case", markStale(), chromedp.Click(chromedp.ID("referral-case")), waitFresh())
	if body := text(t, liaison); !strings.Contains(body, "被告于十日内赔偿原告人民币三万元") || strings.Contains(body, "11010519491231002X") {
		t.Errorf("the court should read the agreement, identity numbers masked:\n%s", body)
	}
	browsertest.Screenshot(t, liaison, "court-3-result")

	// 5. 司法确认: the committee applies from the case page, the court
	// accepts and decides.
	run(director, "confirmation form",
		chromedp.Navigate(r.URL+caseURL),
		chromedp.WaitVisible(chromedp.CSS(`#referrals a[href*="kind=judicial_confirmation"]`)),
		markStale(),
		chromedp.Click(chromedp.CSS(`#referrals a[href*="kind=judicial_confirmation"]`)),
		waitFresh(),
		chromedp.SetValue(chromedp.ID("receiver"), fmt.Sprint(court)),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[any](`document.querySelector('[name="fields.joint_application"]').checked = true; true`))
			return err
		}),
		markStale(),
		chromedp.Submit(chromedp.ID("referral-send")),
		waitFresh(),
	)
	jcURL := location(director)
	if body := text(t, director); !strings.Contains(body, "待签收") || !strings.Contains(body, "人民法院决定是否受理司法确认申请的期限") {
		t.Fatalf("the application should be sent with the court's 3 days to accept (%s):\n%s", jcURL, body)
	}
	run(liaison, "work", chromedp.Navigate(r.URL+"/work"), chromedp.WaitVisible(chromedp.ID("work-referrals")))
	if body := text(t, liaison); !strings.Contains(body, "司法确认申请") {
		t.Fatalf("the confirmation request is not on the court's work page:\n%s", body)
	}
	submitAction(t, liaison, r.URL, jcURL, "accept", nil)
	if body := text(t, liaison); !strings.Contains(body, "人民法院作出是否确认决定的期限") {
		t.Fatalf("accepting should start the 15 days to decide:\n%s", body)
	}
	submitAction(t, liaison, r.URL, jcURL, "complete", map[string]string{"result.decision": "confirmed", "result.ruling_number": "（2026）闽0102民特8号"})
	body = text(t, liaison)
	for _, want := range []string{"已办结", "确认有效", "（2026）闽0102民特8号"} {
		if !strings.Contains(body, want) {
			t.Errorf("the confirmation page lacks %q:\n%s", want, body)
		}
	}
	browsertest.Screenshot(t, liaison, "court-4-confirmed")
	run(director, "timeline", chromedp.Navigate(r.URL+caseURL), chromedp.WaitVisible(chromedp.CSS("ol.timeline")))
	if body := text(t, director); !strings.Contains(body, "转介已办结") {
		t.Errorf("the case timeline does not show the referral's result:\n%s", body)
	}
}
