package browsertest_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/browsertest"
	"github.com/ipmediate/ipmediate/internal/config"
)

var (
	// latinWord is an English word in running text (4 letters or more;
	// short ones are abbreviations such as IP, PDF).
	latinWord = regexp.MustCompile(`\b[A-Za-z]{4,}\b`)
	// rawCode is an internal code such as software_copyright or auth.login.
	rawCode = regexp.MustCompile(`\b[a-z]+(?:_[a-z]+)+\b|\b(?:auth|case|referral|assistance)\.[a-z_]+\b`)
)

// TestBrowser_EveryRoleWalksItsNavigation signs in as a demo account of
// each of the twelve roles in Chromium and opens every link of its
// navigation: each page loads (no error page), reads in Chinese (no
// English words in its main text, no raw codes), and is kept as a
// screenshot.
func TestBrowser_EveryRoleWalksItsNavigation(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	roles := []string{"admin", "leader", "sme1", "director.city", "clerk.gulou", "mediator1.gulou", "liaison.gulou-court",
		"arbitration.fz", "customs.fz", "enforcement.fz-amr", "assistance.fz", "association.fz-software"}
	// Pages whose main text is data a sysadmin reads as it is stored
	// (usernames, addresses) or a third-party screen.
	dataPages := map[string]bool{"/audit": true, "/admin/queues": true, "/users": true, "/orgs": true}
	for _, user := range roles {
		t.Run(user, func(t *testing.T) {
			ctx := browsertest.New(t, 120*time.Second)
			login(t, ctx, r.URL, user)
			links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
				`Array.from(document.querySelectorAll("header nav a")).map(a => a.getAttribute("href")).filter(h => h && h.startsWith("/"))`))
			if err != nil {
				t.Fatal(err)
			}
			if len(links) < 2 {
				t.Fatalf("%s has %d navigation links", user, len(links))
			}
			for _, href := range links {
				if href == "/admin/queues" || strings.HasPrefix(href, "/lang") {
					continue // the job queue monitor (a third-party screen); the switch to English
				}
				if err := chromedp.Do(ctx, chromedp.Navigate(r.URL+href), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
					t.Errorf("%s: %s: %v", user, href, err)
					continue
				}
				page, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](
					`({lang: document.documentElement.lang, error: document.querySelector(".error-page") ? "1" : "",
					   text: document.querySelector("main").innerText})`))
				if err != nil {
					t.Fatal(err)
				}
				if page["lang"] != "zh-CN" || page["error"] != "" {
					t.Errorf("%s: %s is an error page or not in Chinese (lang %q)", user, href, page["lang"])
				}
				if !dataPages[strings.SplitN(href, "?", 2)[0]] {
					if w := latinWord.FindString(page["text"]); w != "" {
						t.Errorf("%s: %s shows the English word %q", user, href, w)
					}
					if code := rawCode.FindString(page["text"]); code != "" {
						t.Errorf("%s: %s shows the raw code %q", user, href, code)
					}
				}
				browsertest.Screenshot(t, ctx, "nav-"+user+strings.NewReplacer("/", "-", "?", "-", "=", "-", "&", "-").Replace(href))
			}
		})
	}
}
