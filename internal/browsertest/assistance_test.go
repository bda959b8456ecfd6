package browsertest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/browsertest"
	"github.com/ipmediate/ipmediate/internal/config"
)

// fitsPhone fails the test when the current page is wider than the phone
// screen it is shown on (content that only a sideways scroll reveals).
func fitsPhone(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	w, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != 2 || w[0] > w[1]+1 {
		browsertest.Screenshot(t, ctx, "assistance-too-wide")
		t.Errorf("%s is %d px wide on a %d px phone screen", what, w[0], w[1])
	}
}

// TestBrowser_AssistanceFromRegistrationToCase is the SME's walk through
// rights-protection assistance: an enterprise registers itself on a phone,
// applies for assistance at the 5·18 fair, the assistance officer asks for
// materials, the SME uploads a certificate and answers, the officer
// approves a plan with mediation and opens a case at the Gulou committee,
// whose director then finds it in the queue; the SME sees its application
// turned into that case.
func TestBrowser_AssistanceFromRegistrationToCase(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))

	sme := browsertest.New(t, 120*time.Second)
	if err := chromedp.Do(sme, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(sme,
		chromedp.Navigate(r.URL+"/register"),
		chromedp.WaitVisible(chromedp.ID("enterprise_name")),
		chromedp.SetValue(chromedp.ID("enterprise_name"), "福州海丝茶具有限公司"),
		chromedp.SetValue(chromedp.ID("credit_code"), "914403001922038216"),
		chromedp.SetValue(chromedp.ID("contact_name"), "陈海丝"),
		chromedp.SetValue(chromedp.ID("phone"), "13912345678"),
		chromedp.SetValue(chromedp.ID("username"), "sme-haisi"),
		chromedp.SetValue(chromedp.ID("password"), "a-long-password-2026"),
		chromedp.SetValue(chromedp.ID("password2"), "a-long-password-2026"),
		markStale(),
		chromedp.Submit(chromedp.ID("password2")),
		waitFresh(),
	); err != nil {
		t.Fatal(err)
	}
	if body := text(t, sme); !strings.Contains(body, "申请维权援助") {
		t.Fatalf("after registering the SME's first page should offer assistance:\n%s", body)
	}

	// Apply, on a phone.
	if err := chromedp.Do(sme,
		chromedp.Navigate(r.URL+"/assistance/new"),
		chromedp.WaitVisible(chromedp.ID("narrative")),
	); err != nil {
		t.Fatal(err)
	}
	fitsPhone(t, sme, "the application form")
	if err := chromedp.Do(sme,
		chromedp.SetValue(chromedp.CSS(`[name="rights[0].kind"]`), "trademark"),
		chromedp.SetValue(chromedp.CSS(`[name="rights[0].number"]`), "第12345678号"),
		chromedp.SetValue(chromedp.CSS(`[name="rights[0].title"]`), "海丝"),
		chromedp.SetValue(chromedp.ID("narrative"), "在5·18海交会上发现展商展出仿冒我司“海丝”注册商标的茶具。"),
		chromedp.SetValue(chromedp.ID("respondent_name"), "厦门某茶具有限公司"),
		chromedp.Click(chromedp.CSS(`input[name="place_kind"][value="exhibition"]`)),
		chromedp.SetValue(chromedp.ID("exhibition_code"), "fair-518"),
		chromedp.SetValue(chromedp.ID("place"), "3号馆 A-12"),
		chromedp.Click(chromedp.CSS(`input[name="help_wanted"][value="mediation"]`)),
		chromedp.Click(chromedp.CSS(`input[name="help_wanted"][value="exhibition_response"]`)),
		chromedp.SetValue(chromedp.ID("contact_phone"), "13912345678"),
		markStale(),
		chromedp.Submit(chromedp.ID("narrative")),
		waitFresh(),
	); err != nil {
		browsertest.Screenshot(t, sme, "assistance-apply-failed")
		t.Fatal(err)
	}
	appURL, err := chromedp.Run(sme, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	appURL = strings.TrimPrefix(appURL, r.URL)
	if body := text(t, sme); !strings.Contains(body, "已提交") || !strings.Contains(body, "榕知援字第0001号") {
		t.Fatalf("after applying the SME should see its application:\n%s", body)
	}
	fitsPhone(t, sme, "the application page")
	browsertest.Screenshot(t, sme, "assistance-1-applied")

	// The officer finds it in the queue and asks for the certificate.
	officer := browsertest.New(t, 120*time.Second)
	login(t, officer, r.URL, "assistance.fz")
	if err := chromedp.Do(officer, chromedp.Navigate(r.URL+"/assistance"), chromedp.WaitVisible(chromedp.ID("new"))); err != nil {
		t.Fatal(err)
	}
	if body := text(t, officer); !strings.Contains(body, "福州海丝茶具有限公司") {
		t.Fatalf("the officer's queue lacks the new application:\n%s", body)
	}
	browsertest.Screenshot(t, officer, "assistance-0-officer-queue")
	submitAction(t, officer, r.URL, appURL, "request-materials", map[string]string{"message": "请补充商标注册证复印件。"})
	if body := text(t, officer); !strings.Contains(body, "待补正") {
		t.Fatalf("after the request the application should wait for materials:\n%s", body)
	}

	// The SME uploads the certificate and answers.
	cert := filepath.Join(t.TempDir(), "商标注册证.txt")
	if err := os.WriteFile(cert, []byte("第12345678号商标注册证（海丝）"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(sme,
		chromedp.Navigate(r.URL+appURL),
		chromedp.WaitVisible(chromedp.ID("upload-form")),
		chromedp.SetValue(chromedp.ID("doc-kind"), "right_certificate"),
		chromedp.SetUploadFiles(chromedp.ID("doc-file"), []string{cert}),
		markStale(),
		chromedp.Submit(chromedp.ID("doc-file")),
		waitFresh(),
	); err != nil {
		browsertest.Screenshot(t, sme, "assistance-upload-failed")
		t.Fatal(err)
	}
	if body := text(t, sme); !strings.Contains(body, "请补充商标注册证复印件") || !strings.Contains(body, "商标注册证.txt") {
		t.Fatalf("the SME should see the request and its upload:\n%s", body)
	}
	submitAction(t, sme, r.URL, appURL, "answer", map[string]string{"answer": "已上传商标注册证。"})
	if body := text(t, sme); !strings.Contains(body, "审查中") {
		t.Fatalf("after answering the application should be under review:\n%s", body)
	}
	browsertest.Screenshot(t, sme, "assistance-2-answered")

	// The officer approves a plan (mediation, as asked) and opens the case.
	submitAction(t, officer, r.URL, appURL, "approve", map[string]string{"plan_note": "由鼓楼区调委会调解。"})
	if body := text(t, officer); !strings.Contains(body, "已批准") || !strings.Contains(body, "援助方案") {
		t.Fatalf("after approval the plan should show:\n%s", body)
	}
	var gulou int64
	if err := r.App.DB.Raw("SELECT id FROM orgs WHERE code = 'gulou'").Scan(&gulou).Error; err != nil {
		t.Fatal(err)
	}
	submitAction(t, officer, r.URL, appURL, "open-case", map[string]string{"org_id": fmt.Sprint(gulou)})
	body := text(t, officer)
	if !strings.Contains(body, "鼓知调登字第0001号") || !strings.Contains(body, "维权援助中心转介") || !strings.Contains(body, "福州海丝茶具有限公司") {
		t.Fatalf("opening the case should lead to it:\n%s", body)
	}
	browsertest.Screenshot(t, officer, "assistance-3-case-opened")

	// The committee sees it in its queue.
	director := browsertest.New(t, 60*time.Second)
	login(t, director, r.URL, "director.gulou")
	if err := chromedp.Do(director, chromedp.Navigate(r.URL+"/cases"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	if body := text(t, director); !strings.Contains(body, "鼓知调登字第0001号") || !strings.Contains(body, "福州海丝茶具有限公司") {
		t.Fatalf("director.gulou does not see the case:\n%s", body)
	}

	// The SME watches its application turn into the case.
	if err := chromedp.Do(sme, chromedp.Navigate(r.URL+appURL), chromedp.WaitVisible(chromedp.ID("results"))); err != nil {
		t.Fatal(err)
	}
	if body := text(t, sme); !strings.Contains(body, "鼓知调登字第0001号") || !strings.Contains(body, "已批准") || !strings.Contains(body, "转调解委员会立案") {
		t.Fatalf("the SME should see the case its application led to:\n%s", body)
	}
	fitsPhone(t, sme, "the application page with its result")
	if err := chromedp.Do(sme, chromedp.Navigate(r.URL+"/work"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	if body := text(t, sme); !strings.Contains(body, "榕知援字第0001号") || !strings.Contains(body, "1 件调解案件") {
		t.Fatalf("the SME's first page should list the application and its case:\n%s", body)
	}
	browsertest.Screenshot(t, sme, "assistance-4-sme-sees-case")

	// At the 6·18 fair the SME lodges a complaint on the fast track; the
	// worker's rules refer it to the assistance centre, whose officer
	// sees the referral with the rule that produced it.
	if err := chromedp.Do(sme,
		chromedp.Navigate(r.URL+"/assistance/exhibition"),
		chromedp.WaitVisible(chromedp.ID("summary")),
		chromedp.SetValue(chromedp.ID("exhibition_code"), "fair-618"),
		chromedp.SetValue(chromedp.ID("booth"), "5号馆 B-08"),
		chromedp.SetValue(chromedp.ID("org_id"), fmt.Sprint(gulou)),
		chromedp.SetValue(chromedp.ID("summary"), "展商展示仿冒我司“海丝”商标的茶具。"),
		chromedp.SetValue(chromedp.ID("respondent_name"), "泉州某茶具有限公司"),
		chromedp.SetValue(chromedp.CSS(`[name="rights[0].kind"]`), "trademark"),
		chromedp.SetValue(chromedp.CSS(`[name="rights[0].number"]`), "12345678"),
		markStale(),
		chromedp.Submit(chromedp.ID("summary")),
		waitFresh(),
	); err != nil {
		browsertest.Screenshot(t, sme, "assistance-exhibition-failed")
		t.Fatal(err)
	}
	if body := text(t, sme); !strings.Contains(body, "鼓知调登字第0002号") || !strings.Contains(body, "展会投诉") || !strings.Contains(body, "24") {
		t.Fatalf("the complaint should lead to its case with the 24-hour deadline:\n%s", body)
	}
	if n, err := r.App.Assistance.RunReferralRules(context.Background()); err != nil || n != 1 {
		t.Fatalf("referral rules: %d %v", n, err)
	}
	if err := chromedp.Do(officer, chromedp.Navigate(r.URL+"/assistance"), chromedp.WaitVisible(chromedp.ID("referrals"))); err != nil {
		t.Fatal(err)
	}
	if body := text(t, officer); !strings.Contains(body, "鼓知调登字第0002号") || !strings.Contains(body, "触发规则：展会投诉") {
		t.Fatalf("the officer should see the produced referral with its rule:\n%s", body)
	}
	browsertest.Screenshot(t, officer, "assistance-5-produced-referral")
}
