package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/register"
)

func init() {
	moreRows = append(moreRows, partySignRows)
	publicRoutes["POST /p/sign/code"] = true
	publicRoutes["POST /p/sign"] = true
}

// partySignRows: a staff session stands for no party, so the signing
// steps answer every staff role 401.
func partySignRows() []mxRow {
	all := func(st int) map[string]int { return map[string]int{"*": st} }
	return []mxRow{
		{route: "POST /p/sign/code", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/p/sign/code", form: url.Values{}}
		}, own: all(401)},
		{route: "POST /p/sign", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/p/sign", form: url.Values{"code": {"123456"}, "text_sha256": {strings.Repeat("0", 64)}}}
		}, own: all(401)},
	}
}

// draft takes the party view's accepted case to agreement_draft.
func (f *partyViewCase) draft(t *testing.T) {
	t.Helper()
	a := f.r.App
	director, med := apptest.As(t, a, "director.gulou"), apptest.As(t, a, "mediator1.gulou")
	cv, err := a.Cases.Get(director, f.caseID)
	if err != nil {
		t.Fatal(err)
	}
	m1 := apptest.Scalar[int64](t, a, "SELECT id FROM users WHERE username = 'mediator1.gulou'")
	c, err := a.Cases.Assign(director, f.caseID, cases.AssignInput{Version: cv.Version, MediatorIDs: []int64{m1}})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = a.Cases.Declare(med, f.caseID, cases.DeclareInput{Version: c.Version, NoConflict: true, Statement: "无利害关系"}); err != nil {
		t.Fatal(err)
	}
	if _, err = a.Cases.Settle(med, f.caseID, cases.AgreementInput{Version: c.Version, Facts: "被申请人在网店销售假冒商标的茶叶。",
		DisputedMatters: "是否侵权及赔偿数额。", Responsibilities: "被申请人承担侵权责任。", Terms: "被申请人下架商品并赔偿一万元。",
		PerformanceMethod: "银行转账", PerformanceDue: "2030-01-31", AmountFen: 1_000_000}); err != nil {
		t.Fatal(err)
	}
}

// TestPartyView_SignAgreement: the party reads the draft in its view,
// asks for a signing code, is refused with a wrong one (the form stays,
// naming the field), signs with the right one and then sees its
// signature instead of the form; the case page names the method in
// words with the masked phone.
func TestPartyView_SignAgreement(t *testing.T) {
	f := newPartyViewCase(t)
	a := f.r.App
	if _, body := webGet(t, f.p, f.r.URL+"/p/case"); strings.Contains(body, `id="party-sign"`) {
		t.Fatal("a signing section before there is an agreement")
	}
	f.draft(t)
	_, body := webGet(t, f.p, f.r.URL+"/p/case")
	if !strings.Contains(body, "被申请人下架商品并赔偿一万元。") || !strings.Contains(body, `action="/p/sign/code"`) || !strings.Contains(body, "139****5678") {
		t.Fatalf("the draft and the signing form are not shown:\n%s", body)
	}
	digest := regexp.MustCompile(`name="text_sha256" value="([0-9a-f]{64})"`).FindStringSubmatch(body)
	if digest == nil {
		t.Fatal("no digest in the signing form")
	}
	res, body := submitPage(t, f.p, f.r.URL, "/p/case", "/p/sign/code", url.Values{})
	if res.StatusCode != 200 || !strings.Contains(body, `id="party-sign-sent"`) {
		t.Fatalf("ask for a signing code: %d", res.StatusCode)
	}
	code := f.box.last(t, "13912345678", regexp.MustCompile(`签署调解协议，验证码为(\d{6})`))
	wrong := "000000"
	if code == wrong {
		wrong = "000001"
	}
	res, body = submitPage(t, f.p, f.r.URL, "/p/case", "/p/sign", url.Values{"code": {wrong}, "text_sha256": {digest[1]}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "验证码不正确") || !strings.Contains(body, `action="/p/sign"`) {
		t.Errorf("a wrong code: %d", res.StatusCode)
	}
	res, body = submitPage(t, f.p, f.r.URL, "/p/case", "/p/sign", url.Values{"code": {code}, "text_sha256": {digest[1]}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="party-sign-done"`) {
		t.Fatalf("sign: %d\n%s", res.StatusCode, body)
	}
	_, body = webGet(t, f.p, f.r.URL+"/p/case")
	if !strings.Contains(body, `id="party-sign-done"`) || strings.Contains(body, `action="/p/sign"`) || !strings.Contains(body, "短信验证电子签名") {
		t.Error("the view does not show the signature")
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM agreement_signoffs WHERE method = 'sms_electronic' AND ip <> '' AND party_id = ?", f.resp); n != 1 {
		t.Errorf("%d party signatures recorded", n)
	}
	staff := webLogin(t, f.r, "director.gulou", demoPassword)
	if _, body = webGet(t, staff, f.r.URL+"/cases/"+ids(f.caseID)); !strings.Contains(body, "短信验证电子签名") || !strings.Contains(body, "139****5678") {
		t.Error("the case page does not say how the party signed")
	}
}

// cfRow is a row of the rating page of a case by a user of a party
// enterprise: sme1 is a party of the own case (not ended: the page says
// so, a rating is refused by validation first); nobody else speaks for a
// party of it.
func cfRow(method string) mxRow {
	return mxRow{route: method + " /cases/:id/feedback", objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
		id := e.foreignCase
		if own {
			id = e.ownCase
		}
		r := mxReq{method: method, path: "/cases/" + ids(id) + "/feedback"}
		if method == "POST" {
			r.form = url.Values{"service": {"9"}}
		}
		return r
	}, own: map[string]int{"anon": 303, "applicant": map[string]int{"GET": 200, "POST": 422}[method], "*": 404},
		foreign: map[string]int{"anon": 303, "*": 404}}
}

func init() {
	moreRows = append(moreRows, func() []mxRow { return []mxRow{cfRow("GET"), cfRow("POST")} })
}

// TestCaseFeedback_EnterpriseUserRates: closing a settled case invites
// the users of its party enterprise to rate it (inbox, linking the
// page); the page takes the rating once, as the enterprise's party.
func TestCaseFeedback_EnterpriseUserRates(t *testing.T) {
	f := newPartyViewCase(t)
	a := f.r.App
	sme := webLogin(t, f.r, "sme1", demoPassword)
	page := "/cases/" + ids(f.caseID) + "/feedback"
	if _, body := webGet(t, sme, f.r.URL+page); !strings.Contains(body, `id="case-feedback-not-yet"`) {
		t.Fatal("the page does not say the case has not ended")
	}
	if n := apptest.Told(t, a, "sme1", register.NoticeFeedbackInvite, page); n != 0 {
		t.Fatalf("invited before the end: %d", n)
	}
	f.draft(t)
	director, med, clerk := apptest.As(t, a, "director.gulou"), apptest.As(t, a, "mediator1.gulou"), apptest.As(t, a, "clerk.gulou")
	m1 := apptest.Scalar[int64](t, a, "SELECT id FROM users WHERE username = 'mediator1.gulou'")
	version := func() int {
		cv, err := a.Cases.Get(director, f.caseID)
		if err != nil {
			t.Fatal(err)
		}
		return cv.Version
	}
	now := a.Clock.Now()
	var applicant int64
	a.DB.Raw("SELECT id FROM case_parties WHERE case_id = ? AND role = 'applicant'", f.caseID).Scan(&applicant)
	for _, step := range []struct {
		ctx context.Context
		in  cases.SignoffInput
	}{
		{med, cases.SignoffInput{SignerKind: "party", PartyID: applicant, Method: "handwritten"}},
		{med, cases.SignoffInput{SignerKind: "party", PartyID: f.resp, Method: "handwritten"}},
		{med, cases.SignoffInput{SignerKind: "mediator", UserID: m1, Method: "handwritten"}},
		{clerk, cases.SignoffInput{SignerKind: "seal", Method: "seal"}},
	} {
		step.in.Version, step.in.SignedAt = version(), now
		if _, err := a.Cases.Signoff(step.ctx, f.caseID, step.in); err != nil {
			t.Fatal(err)
		}
	}
	if n := apptest.Told(t, a, "sme1", register.NoticeFeedbackInvite, page); n != 0 {
		t.Fatalf("invited at settlement, before the case ended: %d", n)
	}
	if _, err := a.Cases.Close(director, f.caseID, cases.CloseInput{Version: version(), Note: "已履行。"}); err != nil {
		t.Fatal(err)
	}
	if n := apptest.Told(t, a, "sme1", register.NoticeFeedbackInvite, page); n != 1 {
		t.Fatalf("the enterprise's user is not invited on close: %d", n)
	}
	res, body := submitPage(t, sme, f.r.URL, page, page, url.Values{"service": {"5"}, "fairness": {""}, "timeliness": {"4"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="fb-fairness"`) {
		t.Fatalf("a missing score: %d", res.StatusCode)
	}
	res, body = submitPage(t, sme, f.r.URL, page, page, url.Values{"service": {"5"}, "fairness": {"4"}, "timeliness": {"4"}, "comment": {"高效。"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "您已对本案作出评价") {
		t.Fatalf("rate: %d", res.StatusCode)
	}
	if n := apptest.Scalar[int64](t, a, `SELECT count(*) FROM case_feedback WHERE case_id = ? AND party_id = ? AND user_id IS NOT NULL AND access_id IS NULL`,
		f.caseID, applicant); n != 1 {
		t.Errorf("the rating is not the enterprise party's: %d", n)
	}
	res, _ = submitPage(t, sme, f.r.URL, page, page, url.Values{"service": {"1"}, "fairness": {"1"}, "timeliness": {"1"}})
	if res.StatusCode != http.StatusConflict {
		t.Errorf("a second rating: %d", res.StatusCode)
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM case_feedback WHERE case_id = ?", f.caseID); n != 1 {
		t.Errorf("%d ratings after a second post", n)
	}
}
