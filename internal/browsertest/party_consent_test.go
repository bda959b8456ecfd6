package browsertest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/browsertest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/party"
)

// TestBrowser_PartyConsentsThroughItsLink: the respondent opens its
// personal link in Chromium, receives a code through a real SMS gateway
// (an httptest server), signs in and consents to mediation; the director
// then finds the answer on the case page and the consent time proposed
// in the accept form.
func TestBrowser_PartyConsentsThroughItsLink(t *testing.T) {
	var mu sync.Mutex
	var sms []string
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ To, Text string }
		b, _ := io.ReadAll(r.Body)
		if json.Unmarshal(b, &m) != nil {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		mu.Lock()
		sms = append(sms, m.Text)
		mu.Unlock()
	}))
	t.Cleanup(gw.Close)
	last := func(re *regexp.Regexp) string {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		for i := len(sms) - 1; i >= 0; i-- {
			if m := re.FindStringSubmatch(sms[i]); m != nil {
				return m[len(m)-1]
			}
		}
		t.Fatalf("no SMS matches %s", re)
		return ""
	}
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.SMS.GatewayURL = gw.URL }))
	a := r.App
	clerk := apptest.As(t, a, "clerk.gulou")
	cv, err := a.Cases.Submit(clerk, cases.IntakeInput{OrgID: apptest.Scalar[int64](t, a, "SELECT id FROM orgs WHERE code = 'gulou'"),
		Source: domain.SourceDirect, DisputeType: "trademark_infringement", Summary: "被申请人在网店销售假冒申请人注册商标的茶叶。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: "91350100MA34A1B2CU"},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "陈某某", IDNumber: "11010519491231002X", Phone: "13912345678"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	resp := apptest.Scalar[int64](t, a, "SELECT id FROM case_parties WHERE case_id = ? AND role = 'respondent'", cv.ID)
	if _, err := a.Party.Issue(clerk, cv.ID, party.IssueInput{PartyID: resp}); err != nil {
		t.Fatal(err)
	}
	token := last(regexp.MustCompile(`/p/([0-9a-f]{64})`))

	ctx := browsertest.New(t, 90*time.Second)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(r.URL+"/p/"+token),
		chromedp.WaitVisible(chromedp.ID("party-masked-phone")),
		markStale(),
		chromedp.Click(chromedp.CSS(`form[action$="/code"] button`)),
		waitFresh(),
		chromedp.WaitVisible(chromedp.ID("party-code")),
	); err != nil {
		t.Fatalf("ask for a code: %v", err)
	}
	code := last(regexp.MustCompile(`(\d{6})`))
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("party-code"), code),
		markStale(),
		chromedp.Submit(chromedp.ID("party-code")),
		waitFresh(),
		chromedp.WaitVisible(chromedp.ID("party-consent")),
		chromedp.Click(chromedp.CSS(`input[name="decision"][value="consent"]`)),
		chromedp.SendKeys(chromedp.ID("consent-note"), "同意由委员会调解"),
		markStale(),
		chromedp.Click(chromedp.ID("party-consent-submit")),
		waitFresh(),
		chromedp.WaitVisible(chromedp.ID("party-consent-current")),
	); err != nil {
		t.Fatalf("sign in and consent: %v", err)
	}
	if s := text(t, ctx); !strings.Contains(s, "同意调解") {
		t.Errorf("the view does not show the answer: %q", s)
	}
	browsertest.Screenshot(t, ctx, "party-consent")
	var at time.Time
	if err := a.DB.Raw("SELECT created_at FROM party_consents WHERE case_id = ? AND party_id = ? AND decision = 'consent'", cv.ID, resp).
		Scan(&at).Error; err != nil || at.IsZero() {
		t.Fatalf("no consent recorded: %v", err)
	}

	login(t, ctx, r.URL, "director.gulou")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(r.URL+"/cases/"+strconv.FormatInt(cv.ID, 10)),
		chromedp.WaitVisible(chromedp.ID("party-consents")),
	); err != nil {
		t.Fatalf("the director's case page: %v", err)
	}
	v, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("consent_at"), "value"))
	if err != nil {
		t.Fatal(err)
	}
	if want := at.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04"); v.Value != want {
		t.Errorf("the accept form proposes %q, want %q", v.Value, want)
	}
}
