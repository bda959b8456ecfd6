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
	"github.com/ipmediate/ipmediate/internal/notice"
	"github.com/ipmediate/ipmediate/internal/party"
	"github.com/ipmediate/ipmediate/internal/service"
)

// TestBrowser_PartyConsentsSignsAndRates: the respondent opens its
// personal link in Chromium, receives a code through a real SMS gateway
// (an httptest server), signs in and consents to mediation; the director
// then finds the answer on the case page and the consent time proposed
// in the accept form. The committee mediates and serves the draft
// agreement; the respondent finds it served in its view, signs it there
// with a fresh code and, once the case is closed, rates the mediation.
func TestBrowser_PartyConsentsSignsAndRates(t *testing.T) {
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

	// The committee accepts, assigns, the mediator draws up the agreement
	// and the clerk serves it on the respondent (services: the staff's
	// pages have browser tests of their own).
	director, med := apptest.As(t, a, "director.gulou"), apptest.As(t, a, "mediator1.gulou")
	m1 := apptest.Scalar[int64](t, a, "SELECT id FROM users WHERE username = 'mediator1.gulou'")
	version := func() int {
		t.Helper()
		c, err := a.Cases.Get(director, cv.ID)
		if err != nil {
			t.Fatal(err)
		}
		return c.Version
	}
	must := func(what string, _ domain.Case, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	c, err := a.Cases.Accept(director, cv.ID, cases.AcceptInput{Version: version(), ConsentAt: at})
	must("accept", c, err)
	c, err = a.Cases.Assign(director, cv.ID, cases.AssignInput{Version: version(), MediatorIDs: []int64{m1}})
	must("assign", c, err)
	c, err = a.Cases.Declare(med, cv.ID, cases.DeclareInput{Version: version(), NoConflict: true, Statement: "与双方无利害关系"})
	must("declare", c, err)
	c, err = a.Cases.Settle(med, cv.ID, cases.AgreementInput{Version: version(), Facts: "被申请人在网店销售假冒申请人注册商标的茶叶。",
		DisputedMatters: "是否侵权及赔偿数额。", Responsibilities: "被申请人承担侵权责任。", Terms: "被申请人下架商品并赔偿一万元。",
		PerformanceMethod: "银行转账", PerformanceDue: "2030-01-31", AmountFen: 1_000_000})
	must("settle", c, err)
	if _, err := a.Served.Serve(clerk, cv.ID, service.ServeInput{Doc: notice.DocAgreement, PartyID: resp}); err != nil {
		t.Fatalf("serve the agreement: %v", err)
	}

	// The respondent finds the agreement served, asks for a signing
	// code and signs with it.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(r.URL+"/p/case"),
		chromedp.WaitVisible(chromedp.ID("party-served")),
		chromedp.WaitVisible(chromedp.ID("party-sign")),
	); err != nil {
		t.Fatalf("the party's view with the agreement: %v", err)
	}
	if s := text(t, ctx); !strings.Contains(s, "调解协议书") || !strings.Contains(s, "被申请人下架商品并赔偿一万元。") {
		t.Errorf("the view does not show the agreement served and its terms: %q", s)
	}
	if err := chromedp.Do(ctx,
		markStale(),
		chromedp.Click(chromedp.ID("party-sign-code")),
		waitFresh(),
		chromedp.WaitVisible(chromedp.ID("party-sign-sent")),
	); err != nil {
		t.Fatalf("ask for a signing code: %v", err)
	}
	signCode := last(regexp.MustCompile(`签署调解协议，验证码为(\d{6})`))
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("party-sign-code-input"), signCode),
		chromedp.Click(chromedp.ID("party-sign-agree")),
		markStale(),
		chromedp.Click(chromedp.ID("party-sign-submit")),
		waitFresh(),
		chromedp.WaitVisible(chromedp.ID("party-sign-done")),
	); err != nil {
		t.Fatalf("sign the agreement: %v", err)
	}
	browsertest.Screenshot(t, ctx, "party-signed")
	// The director's session in the same browser stays off the party's page.
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	if name := apptest.Scalar[string](t, a, "SELECT display_name FROM users WHERE username = 'director.gulou'"); strings.Contains(body, name) {
		t.Errorf("the party's page shows the staff session's user %s", name)
	}
	var so struct {
		Method      string
		PhoneMasked string
		TextSha256  string `gorm:"column:text_sha256"`
	}
	if err := a.DB.Raw(`SELECT method, phone_masked, text_sha256 FROM agreement_signoffs WHERE party_id = ? AND voided_at IS NULL`, resp).
		Scan(&so).Error; err != nil || so.Method != "sms_electronic" || so.PhoneMasked != "139****5678" || len(so.TextSha256) != 64 {
		t.Fatalf("the party's signature: %+v %v", so, err)
	}

	// The other signatures and the seal make the agreement effective;
	// the case is closed once performed; the respondent rates it.
	applicant := apptest.Scalar[int64](t, a, "SELECT id FROM case_parties WHERE case_id = ? AND role = 'applicant'", cv.ID)
	now := a.Clock.Now()
	c, err = a.Cases.Signoff(med, cv.ID, cases.SignoffInput{Version: version(), SignerKind: "party", PartyID: applicant, Method: "handwritten", SignedAt: now})
	must("applicant signs", c, err)
	c, err = a.Cases.Signoff(med, cv.ID, cases.SignoffInput{Version: version(), SignerKind: "mediator", UserID: m1, Method: "handwritten", SignedAt: now})
	must("mediator signs", c, err)
	c, err = a.Cases.Signoff(clerk, cv.ID, cases.SignoffInput{Version: version(), SignerKind: "seal", Method: "seal", SignedAt: now})
	must("seal", c, err)
	if c.Status != domain.StatusSettled {
		t.Fatalf("after every signature: %s", c.Status)
	}
	c, err = a.Cases.Close(director, cv.ID, cases.CloseInput{Version: version(), Note: "被申请人已按协议付款。"})
	must("close", c, err)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(r.URL+"/p/case"),
		chromedp.WaitVisible(chromedp.ID("party-feedback")),
		chromedp.SetValue(chromedp.ID("fb-service"), "5"),
		chromedp.SetValue(chromedp.ID("fb-fairness"), "4"),
		chromedp.SetValue(chromedp.ID("fb-timeliness"), "5"),
		chromedp.SendKeys(chromedp.ID("fb-comment"), "调解员耐心细致。"),
		markStale(),
		chromedp.Submit(chromedp.ID("fb-comment")),
		waitFresh(),
	); err != nil {
		t.Fatalf("rate the mediation: %v", err)
	}
	if s := text(t, ctx); !strings.Contains(s, "您已对本案作出评价") {
		t.Errorf("the rating is not shown as done: %q", s)
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM case_feedback WHERE case_id = ? AND party_id = ? AND fairness = 4", cv.ID, resp); n != 1 {
		t.Errorf("the rating is not recorded: %d", n)
	}

	// The respondent signs out, then signs in by phone (registering its
	// account) and finds the case in its list, in words, and opens it.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(r.URL+"/p/account"),
		chromedp.WaitVisible(chromedp.ID("account-phone")),
		chromedp.SendKeys(chromedp.ID("account-phone"), "139 1234 5678"),
		markStale(),
		chromedp.Submit(chromedp.ID("account-phone")),
		waitFresh(),
		chromedp.WaitVisible(chromedp.ID("account-code")),
	); err != nil {
		t.Fatalf("ask for an account code: %v", err)
	}
	accountCode := last(regexp.MustCompile(`验证码为(\d{6})`))
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("account-code"), accountCode),
		markStale(),
		chromedp.Submit(chromedp.ID("account-code")),
		waitFresh(),
		chromedp.WaitVisible(chromedp.ID("party-account-cases")),
	); err != nil {
		t.Fatalf("sign in by phone: %v", err)
	}
	number := apptest.Scalar[string](t, a, "SELECT number FROM cases WHERE id = ?", cv.ID)
	s := text(t, ctx)
	for _, want := range []string{"139****5678", number, "被申请人：陈某某", "已结案"} {
		if !strings.Contains(s, want) {
			t.Errorf("the account's list lacks %q: %q", want, s)
		}
	}
	browsertest.Screenshot(t, ctx, "party-account")
	if err := chromedp.Do(ctx,
		markStale(),
		chromedp.Click(chromedp.CSS(`#party-account-cases form[action="/p/account/open"] button`)),
		waitFresh(),
		chromedp.WaitVisible(chromedp.ID("party-feedback")),
	); err != nil {
		t.Fatalf("open the case from the account: %v", err)
	}
	if s := text(t, ctx); !strings.Contains(s, number) {
		t.Errorf("the opened view does not name the case: %q", s)
	}
}
