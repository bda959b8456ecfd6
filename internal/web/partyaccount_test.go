package web_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/apptest"
)

func init() {
	moreRows = append(moreRows, partyAccountRows)
	for _, r := range []string{"GET /p/account", "POST /p/account/code", "POST /p/account/signin", "POST /p/account/open", "POST /p/account/signout"} {
		publicRoutes[r] = true
	}
}

// partyAccountRows: the account pages answer every staff role as an
// anonymous visitor: a bad phone is 422 naming it, opening a case
// without an account 401.
func partyAccountRows() []mxRow {
	all := func(st int) map[string]int { return map[string]int{"*": st} }
	return []mxRow{
		{route: "GET /p/account", req: func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: "/p/account"} }, own: all(200)},
		{route: "POST /p/account/code", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/p/account/code", form: url.Values{"phone": {"12345"}}}
		}, own: all(422)},
		{route: "POST /p/account/signin", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/p/account/signin", form: url.Values{"phone": {"12345"}, "code": {"123456"}}}
		}, own: all(422)},
		{route: "POST /p/account/open", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/p/account/open", form: url.Values{"party_id": {"1"}}}
		}, own: all(401)},
		{route: "POST /p/account/signout", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/p/account/signout", form: url.Values{}}
		}, own: all(200)},
	}
}

// TestPartyView_AccountByPhone: a natural person signs in at /p/account
// with its phone and a code (a bad phone is 422 naming the field, a
// wrong code 422 naming the code), sees its case in words with the
// committee and its role, opens it into its party view, and the staff's
// links page shows the link as opened from the account. Signing out ends
// both sessions.
func TestPartyView_AccountByPhone(t *testing.T) {
	f := newPartyViewCase(t)
	a := f.r.App
	jar, _ := cookiejar.New(nil)
	p := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, body := webGet(t, p, f.r.URL+"/p/account")
	if res.StatusCode != 200 || !strings.Contains(body, "我的调解案件") || !strings.Contains(body, `action="/p/account/code"`) {
		t.Fatalf("the account page: %d", res.StatusCode)
	}
	res, body = submitPage(t, p, f.r.URL, "/p/account", "/p/account/code", url.Values{"phone": {"1391234"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请输入有效的 11 位手机号码") {
		t.Fatalf("a bad phone: %d", res.StatusCode)
	}
	res, body = submitPage(t, p, f.r.URL, "/p/account", "/p/account/code", url.Values{"phone": {"139 1234 5678"}})
	if res.StatusCode != 200 || !strings.Contains(body, "验证码已发送") || !strings.Contains(body, `action="/p/account/signin"`) {
		t.Fatalf("send a code: %d", res.StatusCode)
	}
	code := f.box.last(t, "13912345678", regexp.MustCompile(`验证码为(\d{6})`))
	res, body = submitPage(t, p, f.r.URL, "/p/account", "/p/account/signin", url.Values{"phone": {"13912345678"}, "code": {"000000"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "验证码不正确或已失效") {
		t.Fatalf("a wrong code: %d", res.StatusCode)
	}
	// submitPage follows the redirect to /p/account.
	res, body = submitPage(t, p, f.r.URL, "/p/account", "/p/account/signin", url.Values{"phone": {"13912345678"}, "code": {code}})
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/p/account" {
		t.Fatalf("sign in: %d %s", res.StatusCode, res.Request.URL)
	}
	number := apptest.Scalar[string](t, a, "SELECT COALESCE(NULLIF(number, ''), registration_number) FROM cases WHERE id = ?", f.caseID)
	for _, want := range []string{"139****5678", number, "鼓楼", "被申请人：陈某某", "已受理", `action="/p/account/open"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the list lacks %q", want)
		}
	}
	if strings.Contains(body, "accepted") || strings.Contains(body, "respondent") || strings.Contains(body, "13912345678") {
		t.Error("the list shows codes or the whole phone")
	}
	res, body = submitPage(t, p, f.r.URL, "/p/account", "/p/account/open", url.Values{"party_id": {ids(f.resp)}})
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/p/case" || !strings.Contains(body, number) {
		t.Fatalf("open: %d %s", res.StatusCode, res.Request.URL)
	}
	// Another party of the case is not the person's.
	appl := apptest.Scalar[int64](t, a, "SELECT id FROM case_parties WHERE case_id = ? AND role = 'applicant'", f.caseID)
	if res, _ = submitPage(t, p, f.r.URL, "/p/account", "/p/account/open", url.Values{"party_id": {ids(appl)}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("opening another party: %d", res.StatusCode)
	}
	clerk := webLogin(t, f.r, "clerk.gulou", "demo-pass-2026")
	if _, body = webGet(t, clerk, f.r.URL+"/cases/"+ids(f.caseID)+"/party-access"); !strings.Contains(body, "当事人以手机号登录后自行开启") {
		t.Error("the staff do not see the link opened from the account")
	}
	res, body = submitPage(t, p, f.r.URL, "/p/account", "/p/account/signout", url.Values{})
	if res.StatusCode != 200 || !strings.Contains(body, "已退出登录") {
		t.Fatalf("sign out: %d", res.StatusCode)
	}
	if res, _ = webGet(t, p, f.r.URL+"/p/case"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the party session after signing out: %d", res.StatusCode)
	}
	if _, body = webGet(t, p, f.r.URL+"/p/account"); strings.Contains(body, "139****5678") {
		t.Error("the account session after signing out")
	}
}
