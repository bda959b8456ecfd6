package browsertest_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/browsertest"
)

// TestBrowser_HomeLanguageSwitch opens the home page in Chromium, checks it
// is Chinese, clicks the language switch, checks it is English and keeps a
// screenshot of each as artefacts.
func TestBrowser_HomeLanguageSwitch(t *testing.T) {
	r := apptest.Start(t)
	ctx := browsertest.New(t, 60*time.Second)

	if err := chromedp.Do(ctx,
		chromedp.Navigate(r.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("h1")),
	); err != nil {
		t.Fatal(err)
	}
	lang, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
	if err != nil {
		t.Fatal(err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	if lang.Value != "zh-CN" || !strings.Contains(heading, "知识产权纠纷调解") {
		t.Fatalf("default page: lang=%q h1=%q", lang.Value, heading)
	}
	zh := browsertest.Screenshot(t, ctx, "home-zh-CN")

	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("lang-switch")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] h1`)),
	); err != nil {
		t.Fatal(err)
	}
	heading, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(heading, "IP dispute mediation") {
		t.Fatalf("after switch h1=%q", heading)
	}
	en := browsertest.Screenshot(t, ctx, "home-en")

	a, _ := os.ReadFile(zh)
	b, _ := os.ReadFile(en)
	if len(a) < 1000 || len(b) < 1000 || bytes.Equal(a, b) {
		t.Errorf("screenshots look wrong: %d and %d bytes, equal=%v", len(a), len(b), bytes.Equal(a, b))
	}
}
