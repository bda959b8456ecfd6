package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/party"
)

func init() { moreRows = append(moreRows, partyRows) }

// mxPartyLinks holds a link of the matrix's own case, issued to its
// respondent and revoked at once, so that revoking it again is 409 for
// every caller whatever the order.
var mxPartyLinks mxObjects[*int64]

func mxRevokedLink(e *mxEnv) int64 {
	return *mxPartyLinks.get(e, func() *int64 {
		ctx := apptest.As(e.t, e.a, "clerk.gulou")
		resp := apptest.Scalar[int64](e.t, e.a, "SELECT id FROM case_parties WHERE case_id = ? AND role = 'respondent' LIMIT 1", e.ownCase)
		out, err := e.a.Party.Issue(ctx, e.ownCase, party.IssueInput{PartyID: resp})
		if err != nil {
			e.t.Fatal(err)
		}
		if err := e.a.Party.Revoke(ctx, e.ownCase, out.Access.ID); err != nil {
			e.t.Fatal(err)
		}
		return &out.Access.ID
	})
}

// partyRows: the staff who work the case (its committee's director and
// clerk, the assigned mediator) manage the parties' links; those who only
// read the case get 403, the rest 404. The party pages answer every staff
// role as an anonymous visitor: a staff session opens no party page, and
// an unknown link is 404 for everyone.
func partyRows() []mxRow {
	caseID := func(e *mxEnv, own bool) string {
		if own {
			return ids(e.ownCase)
		}
		return ids(e.foreignCase)
	}
	want := func(ok int, own bool) map[string]int {
		vis := caseVisibleForeign
		if own {
			vis = caseVisibleOwn
		}
		m := visibleWant(vis, 303, 403)
		if own {
			m["director"], m["clerk"], m["mediator"] = ok, ok, ok
		}
		return m
	}
	token := strings.Repeat("0a", 32)
	all := func(st int) map[string]int { return map[string]int{"*": st} }
	return []mxRow{
		{route: "GET /cases/:id/party-access", objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
			return mxReq{method: "GET", path: "/cases/" + caseID(e, own) + "/party-access"}
		}, own: want(200, true), foreign: want(200, false)},
		{route: "POST /cases/:id/party-access", objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
			return mxReq{method: "POST", path: "/cases/" + caseID(e, own) + "/party-access", form: url.Values{"party": {"0"}}}
		}, own: want(422, true), foreign: want(422, false)},
		{route: "POST /cases/:id/party-access/:aid/revoke", objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
			return mxReq{method: "POST", path: "/cases/" + caseID(e, own) + "/party-access/" + ids(mxRevokedLink(e)) + "/revoke", form: url.Values{}}
		}, own: want(409, true), foreign: want(409, false)},
		{route: "GET /p/case", req: func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: "/p/case"} }, own: all(401)},
		{route: "POST /p/consent", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/p/consent", form: url.Values{"decision": {"consent"}}}
		}, own: all(401)},
		{route: "POST /p/signout", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/p/signout", form: url.Values{}}
		}, own: all(200)},
		{route: "GET /p/:token", req: func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: "/p/" + token} }, own: all(404)},
		{route: "POST /p/:token/code", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/p/" + token + "/code", form: url.Values{}}
		}, own: all(404)},
		{route: "POST /p/:token/signin", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/p/" + token + "/signin", form: url.Values{"code": {"123456"}}}
		}, own: all(404)},
	}
}

// smsBox is a real HTTP server configured as the SMS gateway.
type smsBox struct {
	mu   sync.Mutex
	msgs []struct{ To, Text string }
}

func (b *smsBox) serve(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ To, Text string }
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &m)
		b.mu.Lock()
		b.msgs = append(b.msgs, m)
		b.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func (b *smsBox) last(t *testing.T, to string, re *regexp.Regexp) string {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := len(b.msgs) - 1; i >= 0; i-- {
		if b.msgs[i].To == to {
			if m := re.FindStringSubmatch(b.msgs[i].Text); m != nil {
				return m[len(m)-1]
			}
		}
	}
	t.Fatalf("no SMS to %s matching %s", to, re)
	return ""
}

// TestParty_Pages: the clerk issues the respondent's link from the case
// page; the respondent opens it (case number, masked phone), gets a code,
// signs in with a wrong and then the right code, and reads its case in
// Chinese and in English; its cookie opens no staff page and the staff
// cookie no party page; revoking the link ends the session and the link
// answers a page in words (410).
func TestParty_Pages(t *testing.T) {
	box := &smsBox{}
	gw := box.serve(t)
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) {
		c.Security.LoginRatePerMinute = 1000
		c.SMS.GatewayURL = gw
	}))
	a := r.App
	org := apptest.Scalar[int64](t, a, "SELECT id FROM orgs WHERE code = 'gulou'")
	cv, err := a.Cases.Submit(apptest.As(t, a, "clerk.gulou"), cases.IntakeInput{OrgID: org, Source: domain.SourceDirect,
		DisputeType: "trademark_infringement", Summary: "被申请人在网店销售假冒申请人注册商标的茶叶。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: "91350100MA34A1B2CU"},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "陈某某", IDNumber: "11010519491231002X", Phone: "13912345678"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	resp := apptest.Scalar[int64](t, a, "SELECT id FROM case_parties WHERE case_id = ? AND role = 'respondent'", cv.ID)
	casePage := "/cases/" + ids(cv.ID)

	clerk := webLogin(t, r, "clerk.gulou", demoPassword)
	if _, body := webGet(t, clerk, r.URL+casePage); !strings.Contains(body, `href="`+casePage+`/party-access"`) {
		t.Error("the case page does not link to the parties' links")
	}
	res, body := submitPage(t, clerk, r.URL, casePage+"/party-access", casePage+"/party-access", url.Values{"party": {"999999"}})
	if res.StatusCode != 422 || !strings.Contains(body, "请选择本案的当事人") {
		t.Errorf("a party of no case: %d", res.StatusCode)
	}
	res, body = submitPage(t, clerk, r.URL, casePage+"/party-access", casePage+"/party-access", url.Values{"party": {ids(resp)}})
	if res.StatusCode != 200 || !strings.Contains(body, "139****5678") || !strings.Contains(body, `id="party-link"`) {
		t.Fatalf("issue: %d", res.StatusCode)
	}
	token := box.last(t, "13912345678", regexp.MustCompile(`/p/([0-9a-f]{64})`))

	jar, _ := cookiejar.New(nil)
	p := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	link := "/p/" + token
	res, body = webGet(t, p, r.URL+link)
	if res.StatusCode != 200 || !strings.Contains(body, "139****5678") || !strings.Contains(body, cv.RegistrationNumber) {
		t.Fatalf("the link's page: %d", res.StatusCode)
	}
	if res, _ = submitPage(t, p, r.URL, link, link+"/code", url.Values{}); res.StatusCode != 200 {
		t.Fatalf("send a code: %d", res.StatusCode)
	}
	code := box.last(t, "13912345678", regexp.MustCompile(`(\d{6})`))
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	res, body = submitPage(t, p, r.URL, link, link+"/signin", url.Values{"code": {wrong}})
	if res.StatusCode != 422 || !strings.Contains(body, "验证码不正确") {
		t.Errorf("a wrong code: %d", res.StatusCode)
	}
	res, body = submitPage(t, p, r.URL, link, link+"/signin", url.Values{"code": {code}})
	if res.StatusCode != 200 || !strings.Contains(body, "陈某某") || !strings.Contains(body, "商标侵权") || !strings.Contains(body, "福州闽光软件科技有限公司") {
		t.Fatalf("the party's view: %d", res.StatusCode)
	}
	if strings.Contains(body, "11010519491231002X") || strings.Contains(body, "13912345678") {
		t.Error("the view shows personal data it does not need")
	}
	var partyCookie *http.Cookie
	for _, c := range jar.Cookies(mustURL(t, r.URL+"/p/case")) {
		if c.Name == "ipm_party" {
			partyCookie = c
		}
	}
	if partyCookie == nil {
		t.Fatal("no party cookie")
	}
	if res, _ = webGet(t, p, r.URL+casePage); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the party cookie opens a staff page: %d", res.StatusCode)
	}
	if res, _ = webGet(t, clerk, r.URL+"/p/case"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the staff cookie opens the party's view: %d", res.StatusCode)
	}
	// Consent or refusal from the party's view: a missing answer names
	// the field and writes nothing; a refusal is shown to the director
	// above the actions; a consent after it counts and becomes the accept
	// form's default consent time.
	res, body = submitPage(t, p, r.URL, "/p/case", "/p/consent", url.Values{"note": {"考虑中"}})
	if res.StatusCode != 422 || !strings.Contains(body, "请选择是否同意调解") {
		t.Errorf("no decision: %d", res.StatusCode)
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM party_consents"); n != 0 {
		t.Errorf("a refused answer wrote %d rows", n)
	}
	res, body = submitPage(t, p, r.URL, "/p/case", "/p/consent", url.Values{"decision": {"refuse"}, "note": {"希望直接起诉"}})
	if res.StatusCode != 200 || !strings.Contains(body, `id="party-consent-current"`) || !strings.Contains(body, "不同意调解") {
		t.Errorf("refuse: %d", res.StatusCode)
	}
	director := webLogin(t, r, "director.gulou", demoPassword)
	if _, body = webGet(t, director, r.URL+casePage); !strings.Contains(body, `id="party-refusal-`+ids(resp)+`"`) || !strings.Contains(body, "希望直接起诉") {
		t.Error("the director's case page does not show the refusal")
	}
	res, body = submitPage(t, p, r.URL, "/p/case", "/p/consent", url.Values{"decision": {"consent"}})
	if res.StatusCode != 200 || !strings.Contains(body, "此前的答复") {
		t.Errorf("consent: %d", res.StatusCode)
	}
	at := apptest.Scalar[time.Time](t, a, "SELECT max(created_at) FROM party_consents WHERE decision = 'consent'")
	_, body = webGet(t, director, r.URL+casePage)
	if strings.Contains(body, `id="party-refusal-`) {
		t.Error("a refusal withdrawn is still shown as the party's answer")
	}
	if want := `name="consent_at" type="datetime-local" required value="` + at.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04") + `"`; !strings.Contains(body, want) {
		t.Errorf("the accept form does not propose the consent time (%s)", want)
	}
	// English through the usual switch.
	jar.SetCookies(mustURL(t, r.URL), []*http.Cookie{{Name: "lang", Value: "en", Path: "/"}})
	if _, body = webGet(t, p, r.URL+"/p/case"); !strings.Contains(body, "Trademark") {
		t.Error("no English view")
	}

	aid := apptest.Scalar[int64](t, a, "SELECT id FROM party_access WHERE case_id = ?", cv.ID)
	if res, body = submitPage(t, clerk, r.URL, casePage+"/party-access", casePage+"/party-access/"+ids(aid)+"/revoke", url.Values{}); res.StatusCode != 200 || !strings.Contains(body, "已撤销") {
		t.Errorf("revoke: %d", res.StatusCode)
	}
	if res, _ = webGet(t, p, r.URL+"/p/case"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a session of a revoked link: %d", res.StatusCode)
	}
	jar.SetCookies(mustURL(t, r.URL), []*http.Cookie{{Name: "lang", Value: "zh-CN", Path: "/"}})
	if res, body = webGet(t, p, r.URL+link); res.StatusCode != http.StatusGone || !strings.Contains(body, "链接已失效") {
		t.Errorf("a revoked link: %d", res.StatusCode)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
