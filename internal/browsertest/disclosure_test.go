package browsertest_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/browsertest"
	"github.com/ipmediate/ipmediate/internal/config"
)

// TestBrowser_CaseFilesFollowThePolicy walks a county case with files as
// the two roles that see it without working it: the leadership office,
// which the policy gives no document:read, is told the files are not
// listed for it (rather than "none") and finds no link to one; the city
// committee's director, who supervises the county, reads the files but is
// offered no upload form.
func TestBrowser_CaseFilesFollowThePolicy(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemoCases(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	var caseID int64
	if err := r.App.DB.Raw(`SELECT c.id FROM cases c JOIN orgs o ON o.id = c.org_id
WHERE o.code = 'gulou' AND c.status = 'mediating' ORDER BY c.id LIMIT 1`).Scan(&caseID).Error; err != nil || caseID == 0 {
		t.Fatalf("a Gulou demo case in mediation: %d, %v", caseID, err)
	}
	page := r.URL + "/cases/" + strconv.FormatInt(caseID, 10)

	// The committee's clerk attaches a file through the case page.
	file := filepath.Join(t.TempDir(), "证据清单.txt")
	if err := os.WriteFile(file, []byte("证据清单：购买公证书一份。\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	clerk := browsertest.New(t, 60*time.Second)
	login(t, clerk, r.URL, "clerk.gulou")
	if err := chromedp.Do(clerk,
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.ID("doc-file")),
		chromedp.SetUploadFiles(chromedp.ID("doc-file"), []string{file}),
		markStale(),
		chromedp.Submit(chromedp.ID("doc-file")),
		waitFresh(),
	); err != nil {
		t.Fatalf("upload: %v", err)
	}
	if body := text(t, clerk); !strings.Contains(body, "证据清单.txt") {
		t.Fatalf("the clerk's upload is not listed:\n%s", body)
	}

	t.Run("leader", func(t *testing.T) {
		ctx := browsertest.New(t, 60*time.Second)
		login(t, ctx, r.URL, "leader")
		if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		body := text(t, ctx)
		if !strings.Contains(body, "您的角色无权查看本案的文件") {
			t.Errorf("the leader's case page does not say the files are not listed for it:\n%s", body)
		}
		links, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelectorAll('a[href^="/documents/"]').length`))
		if err != nil {
			t.Fatal(err)
		}
		if links != 0 {
			t.Errorf("the leader is shown %v links to case files", links)
		}
		browsertest.Screenshot(t, ctx, "case-files-leader")
	})

	t.Run("director.city", func(t *testing.T) {
		ctx := browsertest.New(t, 60*time.Second)
		login(t, ctx, r.URL, "director.city")
		if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		counts, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[document.querySelectorAll('a[href^="/documents/"]').length, document.querySelectorAll('form[action$="/documents"]').length]`))
		if err != nil {
			t.Fatal(err)
		}
		if counts[0] == 0 {
			t.Errorf("the supervising director does not see the case's files")
		}
		if counts[1] != 0 {
			t.Errorf("the supervising director is offered an upload form on a county case")
		}
		browsertest.Screenshot(t, ctx, "case-files-director-city")
	})
}
