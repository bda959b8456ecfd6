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

// login signs in through the login form and waits for "my work".
func login(t *testing.T, ctx context.Context, base, username string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), "demo-pass-2026"),
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
	if !strings.HasSuffix(loc, "/work") {
		t.Fatalf("after login as %s the browser is at %s, want /work", username, loc)
	}
}

// TestBrowser_EachRoleSeesItsOwnWork signs in as several demo roles and
// checks what the navigation and "my work" offer each of them.
func TestBrowser_EachRoleSeesItsOwnWork(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	tests := []struct {
		user     string
		sees     []string // text the page must show
		notSees  []string // text it must not show
		headings int      // "my work" sections at least
	}{
		{user: "admin", sees: []string{"机构管理", "审计日志", "用户管理", "系统管理员"}},
		{user: "director.gulou", sees: []string{"用户管理", "调委会主任", "鼓楼区知识产权纠纷调解委员会", "管理本委员会的调解员和书记员"}, notSees: []string{"机构管理", "审计日志"}},
		{user: "mediator1.gulou", sees: []string{"调解员", "申报回避"}, notSees: []string{"用户管理", "机构管理", "审计日志"}},
		{user: "liaison.gulou-court", sees: []string{"法院诉调对接联络员", "福州市鼓楼区人民法院"}, notSees: []string{"用户管理"}},
		{user: "sme1", sees: []string{"申请人（企业）", "福州闽光软件科技有限公司"}, notSees: []string{"用户管理"}},
		{user: "leader", sees: []string{"领导小组办公室"}, notSees: []string{"用户管理", "审计日志"}},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			ctx := browsertest.New(t, 60*time.Second)
			login(t, ctx, r.URL, tt.user)
			text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.sees {
				if !strings.Contains(text, s) {
					t.Errorf("%s does not see %q on their first page", tt.user, s)
				}
			}
			for _, s := range tt.notSees {
				if strings.Contains(text, s) {
					t.Errorf("%s must not see %q", tt.user, s)
				}
			}
			browsertest.Screenshot(t, ctx, "work-"+tt.user)
		})
	}
}

// TestBrowser_DirectorAddsMediator: a director adds a mediator to their
// committee through the form, sees a field error first for a weak
// password, and then the new user's page.
func TestBrowser_DirectorAddsMediator(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo())
	ctx := browsertest.New(t, 60*time.Second)
	login(t, ctx, r.URL, "director.gulou")
	fill := func(pw string) error {
		return chromedp.Do(ctx,
			chromedp.Navigate(r.URL+"/users"),
			chromedp.WaitVisible(chromedp.ID("display_name")),
			chromedp.SetValue(chromedp.ID("username"), "mediator3.gulou"),
			chromedp.SetValue(chromedp.ID("display_name"), "陈新"),
			chromedp.SetValue(chromedp.ID("role"), "mediator"),
			chromedp.SetValue(chromedp.ID("password"), pw),
			markStale(),
			chromedp.Submit(chromedp.ID("password")),
			waitFresh(),
		)
	}
	if err := fill("short"); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "密码至少需要 10 个字符") {
		t.Fatalf("weak password not explained beside the field:\n%s", text)
	}
	browsertest.Screenshot(t, ctx, "director-user-form-error")
	if err := fill("a-good-password-2026"); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "陈新") || !strings.Contains(title, "mediator3.gulou") {
		t.Fatalf("expected the new user's page, got %q", title)
	}
	text, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(text, "鼓楼区知识产权纠纷调解委员会") || !strings.Contains(text, "已保存") {
		t.Errorf("new user page lacks the grant or the flash:\n%s", text)
	}
	browsertest.Screenshot(t, ctx, "director-user-created")
}
