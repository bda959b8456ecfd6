package browsertest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/browsertest"
	"github.com/ipmediate/ipmediate/internal/config"
)

// text returns the visible text of the page's main element.
func text(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// markStale flags the current document so that waitFresh can tell when
// the browser has loaded the next one.
func markStale() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Run(ctx, chromedp.Evaluate[any](`document.body.dataset.stale = "1"; true`))
		return err
	})
}

// waitFresh waits for a newly loaded page.
func waitFresh() chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS("body:not([data-stale]) main h1"))
}

// submitAction opens an action's form on the case page, fills it with
// set, runs the scripts in checks (to tick boxes), and submits it;
// confirm() dialogs are accepted.
func submitAction(t *testing.T, ctx context.Context, base, caseURL, action string, set map[string]string, checks ...string) {
	t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + caseURL),
		chromedp.WaitVisible(chromedp.CSS("#actions")),
		// Open every action (no-JS <details>), accept confirmations.
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[any](`document.querySelectorAll("details.action").forEach(d => d.open = true); window.confirm = () => true; true`))
			return err
		}),
	}
	form := `form[action$="/` + action + `"]`
	for k, v := range set {
		steps = append(steps, chromedp.SetValue(chromedp.CSS(form+` [name="`+k+`"]`), v))
	}
	for _, js := range checks {
		js := js
		steps = append(steps, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
			return err
		}))
	}
	steps = append(steps, markStale(), chromedp.Submit(chromedp.CSS(form+` button[type="submit"]`)), waitFresh())
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		browsertest.Screenshot(t, ctx, "failed-"+action)
		t.Fatalf("%s: %v", action, err)
	}
	if body := text(t, ctx); strings.Contains(body, "请更正下列标红的项目") || strings.Contains(body, "不允许") {
		t.Fatalf("%s was refused:\n%s", action, body)
	}
}

// TestBrowser_CaseFromIntakeToAgreement is the newcomer's walk through
// issue 4: clerk.gulou registers a case in the browser, director.gulou
// accepts and assigns it, mediator1.gulou declares, logs a session and
// records the agreement with every sign-off, clerk.gulou seals it, and the
// printable agreement shows every element People's Mediation Law art. 29
// requires.
func TestBrowser_CaseFromIntakeToAgreement(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))

	clerk := browsertest.New(t, 90*time.Second)
	login(t, clerk, r.URL, "clerk.gulou")
	if err := chromedp.Do(clerk,
		chromedp.Navigate(r.URL+"/cases/new"),
		chromedp.WaitVisible(chromedp.ID("summary")),
		chromedp.SetValue(chromedp.ID("dispute_type"), "trademark_infringement"),
		chromedp.SetValue(chromedp.ID("claim_amount"), "50000.00"),
		chromedp.SetValue(chromedp.ID("summary"), "被申请人在其茶叶店销售使用申请人注册商标“榕城”的茉莉花茶。"),
		chromedp.SetValue(chromedp.ID("claims"), "停止销售侵权商品，赔偿损失五万元。"),
		chromedp.SetValue(chromedp.CSS(`[name="parties[0].name"]`), "福州榕城茶业有限公司"),
		chromedp.SetValue(chromedp.CSS(`[name="parties[0].credit_code"]`), "91350102MA2YK7Q8DR"),
		chromedp.SetValue(chromedp.CSS(`[name="parties[2].kind"]`), "person"),
		chromedp.SetValue(chromedp.CSS(`[name="parties[2].name"]`), "林某"),
		chromedp.SetValue(chromedp.CSS(`[name="parties[2].id_number"]`), "11010519491231002X"),
		chromedp.SetValue(chromedp.CSS(`[name="parties[2].phone"]`), "13912345678"),
		chromedp.SetValue(chromedp.CSS(`[name="rights[0].kind"]`), "trademark"),
		chromedp.SetValue(chromedp.CSS(`[name="rights[0].number"]`), "第12345678号"),
		chromedp.SetValue(chromedp.CSS(`[name="rights[0].title"]`), "榕城"),
		markStale(),
		chromedp.Submit(chromedp.ID("summary")),
		waitFresh(),
	); err != nil {
		t.Fatal(err)
	}
	caseURL, err := chromedp.Run(clerk, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	caseURL = strings.TrimPrefix(caseURL, r.URL)
	if body := text(t, clerk); !strings.Contains(body, "鼓知调登字第0001号") || !strings.Contains(body, "待受理") {
		t.Fatalf("after intake the clerk should see the new case:\n%s", body)
	}
	browsertest.Screenshot(t, clerk, "case-flow-1-submitted")

	director := browsertest.New(t, 90*time.Second)
	login(t, director, r.URL, "director.gulou")
	// Every time sent is on the app's clock, not the wall clock.
	beijing := time.FixedZone("CST", 8*3600)
	now := r.App.Clock.Now
	submitAction(t, director, r.URL, caseURL, "accept", map[string]string{"consent_at": now().Add(-time.Hour).In(beijing).Format("2006-01-02T15:04")})
	submitAction(t, director, r.URL, caseURL, "assign", nil,
		`Array.from(document.querySelectorAll('input[name="mediator_ids"]')).filter(i => i.parentElement.textContent.includes("mediator1.gulou")).forEach(i => i.checked = true); true`)
	if body := text(t, director); !strings.Contains(body, "调解中") {
		t.Fatalf("after assigning the case should be mediating:\n%s", body)
	}

	mediator := browsertest.New(t, 90*time.Second)
	login(t, mediator, r.URL, "mediator1.gulou")
	submitAction(t, mediator, r.URL, caseURL, "declare", map[string]string{"statement": "与双方当事人无利害关系"})
	submitAction(t, mediator, r.URL, caseURL, "sessions", map[string]string{
		"held_at": now().Add(-2 * time.Hour).In(beijing).Format("2006-01-02T15:04"), "place": "鼓楼区调委会调解室",
		"attendees": "双方当事人", "minutes": "双方同意以赔偿三万元了结纠纷。"})
	submitAction(t, mediator, r.URL, caseURL, "settle", map[string]string{
		"facts": "被申请人在其茶叶店销售带有“榕城”商标的茉莉花茶。", "disputed_matters": "是否构成商标侵权及赔偿数额。",
		"responsibilities": "被申请人承担停止侵权和赔偿责任。", "terms": "被申请人于十日内赔偿申请人人民币三万元，并销毁库存侵权商品。",
		"performance_method": "银行转账至申请人账户", "performance_due": now().In(beijing).AddDate(0, 0, 10).Format("2006-01-02"),
		"amount": "30,000"})
	signedAt := now().Add(-30 * time.Minute).In(beijing).Format("2006-01-02T15:04")
	if err := chromedp.Do(mediator, chromedp.Navigate(r.URL+caseURL), chromedp.WaitVisible(chromedp.CSS("#actions"))); err != nil {
		t.Fatal(err)
	}
	signers, err := chromedp.Run(mediator, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#signer option')).map(o => o.value).filter(v => v != "seal")`))
	if err != nil || len(signers) != 3 {
		t.Fatalf("signer options (two parties and the mediator): %v %v", signers, err)
	}
	for _, o := range signers {
		submitAction(t, mediator, r.URL, caseURL, "signoff", map[string]string{"signer": o, "method": "handwritten", "signed_at": signedAt})
	}
	submitAction(t, clerk, r.URL, caseURL, "signoff", map[string]string{"signer": "seal", "method": "seal", "signed_at": signedAt})
	body := text(t, clerk)
	if !strings.Contains(body, "已生效") || !strings.Contains(body, "¥30,000.00") {
		t.Fatalf("after every sign-off and the seal the agreement must be in effect, with its amount:\n%s", body)
	}
	browsertest.Screenshot(t, clerk, "case-flow-2-agreement-effective")

	if err := chromedp.Do(clerk, chromedp.Navigate(r.URL+caseURL+"/print/agreement"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	doc, err := chromedp.Run(clerk, chromedp.Text(chromedp.CSS("article")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"人民调解协议书", "鼓知调字第0001号",
		"当事人基本情况", "福州榕城茶业有限公司", "91350102MA2YK7Q8DR", "林某", // the parties' basic details
		"纠纷主要事实", "争议事项", "各方当事人的责任", // facts, matters in dispute, responsibilities
		"当事人达成调解协议的内容", "三万元", // the agreed terms
		"履行方式、期限", "银行转账", // how and by when
		"人民调解员（签名）", "（印章）", "已于", // signatures, seal, effect
		"三十日内共同向人民法院申请司法确认",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the printable agreement lacks %q", want)
		}
	}
	browsertest.Screenshot(t, clerk, "case-flow-3-agreement-print")
}
