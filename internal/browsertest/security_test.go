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

// tryLogin submits the login form and returns the page's main text and
// where the browser ended.
func tryLogin(t *testing.T, ctx context.Context, base, username, password string) (string, string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), password),
		markStale(),
		chromedp.Submit(chromedp.ID("password")),
		waitFresh(),
	); err != nil {
		t.Fatalf("login as %s: %v", username, err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return text(t, ctx), loc
}

// TestBrowser_LockoutExplainedAndLifted walks the lockout as its two
// people meet it: the user is told on the login page that repeated
// failures lock the account and whom to ask; the administrator finds the
// locked account on the user list, lifts the lock on its page, and the
// user signs in again.
func TestBrowser_LockoutExplainedAndLifted(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) {
		c.Security.LoginRatePerMinute = 1000
		c.Security.LoginMaxFailures = 3
		c.Security.LockoutDuration = 30 * time.Minute
	}))
	const user = "mediator2.gulou"

	userCtx := browsertest.New(t, 90*time.Second)
	page, _ := tryLogin(t, userCtx, r.URL, user, "wrong-password-1")
	if !strings.Contains(page, "连续 3 次登录失败后，账户将被锁定 30 分钟") || !strings.Contains(page, "联系系统管理员") {
		t.Fatalf("the login page does not explain the lockout:\n%s", page)
	}
	for i := 0; i < 2; i++ {
		tryLogin(t, userCtx, r.URL, user, "wrong-password-2")
	}
	page, loc := tryLogin(t, userCtx, r.URL, user, "demo-pass-2026")
	if strings.HasSuffix(loc, "/work") {
		t.Fatalf("a locked account signed in with the right password")
	}
	if !strings.Contains(page, "账户将被锁定") {
		t.Errorf("the refusal does not repeat the lockout notice:\n%s", page)
	}
	browsertest.Screenshot(t, userCtx, "login-locked")

	adminCtx := browsertest.New(t, 90*time.Second)
	login(t, adminCtx, r.URL, "admin")
	if err := chromedp.Do(adminCtx, chromedp.Navigate(r.URL+"/users"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	list := text(t, adminCtx)
	if !strings.Contains(list, "已锁定至") {
		t.Fatalf("the user list does not show the locked account:\n%s", list)
	}
	browsertest.Screenshot(t, adminCtx, "users-locked")
	// The locked badge's row links to the user's page, where the lock is
	// lifted.
	if _, err := chromedp.Run(adminCtx, chromedp.Evaluate[any](`location.href = document.querySelector('span[id^="locked-"]').closest("tr").querySelector("a").href; true`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(adminCtx,
		chromedp.WaitVisible(chromedp.ID("user-locked")),
		markStale(),
		chromedp.Click(chromedp.CSS(`form[action$="/unlock"] button`)),
		waitFresh(),
	); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	after := text(t, adminCtx)
	if strings.Contains(after, "已锁定至") {
		t.Errorf("the user page still shows the lock after unlocking:\n%s", after)
	}
	browsertest.Screenshot(t, adminCtx, "user-unlocked")

	login(t, userCtx, r.URL, user)
}

// TestBrowser_RefusedInputIsExplained: a control character that reaches
// the server in a query (as a pasted search term would) gets the refusal
// page in Chinese, naming the field, saving nothing, with a way back.
func TestBrowser_RefusedInputIsExplained(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	ctx := browsertest.New(t, 60*time.Second)
	login(t, ctx, r.URL, "clerk.gulou")
	if err := chromedp.Do(ctx, chromedp.Navigate(r.URL+"/cases?q=%E8%BD%AF%00"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	page := text(t, ctx)
	for _, want := range []string{"输入无效", "未保存任何内容", "搜索词", "返回上一页"} {
		if !strings.Contains(page, want) {
			t.Errorf("refusal page lacks %q:\n%s", want, page)
		}
	}
	// The navigation is the user's own: the page is part of the site.
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "退出") {
		t.Errorf("the refusal page lost the signed-in navigation:\n%s", body)
	}
	browsertest.Screenshot(t, ctx, "input-refused")
}

// TestBrowser_RegisterTakenUsernameIsNeutral: registering with a name
// that exists is answered beside the field with a neutral message that
// does not confirm the account.
func TestBrowser_RegisterTakenUsernameIsNeutral(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo())
	ctx := browsertest.New(t, 60*time.Second)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(r.URL+"/register"),
		chromedp.WaitVisible(chromedp.ID("enterprise_name")),
		chromedp.SetValue(chromedp.ID("enterprise_name"), "福州榕树测试科技有限公司"),
		chromedp.SetValue(chromedp.ID("credit_code"), "914403001922038216"),
		chromedp.SetValue(chromedp.ID("contact_name"), "林测试"),
		chromedp.SetValue(chromedp.ID("phone"), "13905910000"),
		chromedp.SetValue(chromedp.ID("username"), "sme1"),
		chromedp.SetValue(chromedp.ID("password"), "a-good-password-2026"),
		chromedp.SetValue(chromedp.ID("password2"), "a-good-password-2026"),
		markStale(),
		chromedp.Submit(chromedp.ID("password2")),
		waitFresh(),
	); err != nil {
		t.Fatal(err)
	}
	page := text(t, ctx)
	if !strings.Contains(page, "此用户名不可用，请换一个。") {
		t.Errorf("no neutral answer beside the username:\n%s", page)
	}
	if strings.Contains(page, "已存在") || strings.Contains(page, "已被注册") {
		t.Errorf("the answer confirms the account exists:\n%s", page)
	}
	browsertest.Screenshot(t, ctx, "register-username-unavailable")
}
