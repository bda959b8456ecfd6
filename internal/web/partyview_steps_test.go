package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
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
	publicRoutes["POST /p/objection"] = true
	publicRoutes["POST /p/evidence"] = true
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
		{route: "POST /p/evidence", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/p/evidence", form: url.Values{"kind": {"evidence"}}}
		}, own: all(401)},
		{route: "POST /p/objection", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/p/objection", form: url.Values{"mediator_id": {"1"}, "reason": {"x"}}}
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
	moreRows = append(moreRows, func() []mxRow {
		return []mxRow{cfRow("GET"), cfRow("POST"), {route: "POST /api/v1/cases/:id/feedback", objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
			id := e.foreignCase
			if own {
				id = e.ownCase
			}
			return mxReq{method: "POST", path: "/api/v1/cases/" + ids(id) + "/feedback", json: map[string]any{"service": 9}}
		}, own: map[string]int{"anon": 401, "applicant": 422, "*": 404}, foreign: map[string]int{"anon": 401, "*": 404}}}
	})
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

// TestPartyView_ObjectsToAMediator: while the case is mediated, the
// party asks for its mediator to withdraw from its own view; a missing
// reason names the field and records nothing; the objection is the
// party's own (no user, audited as the party), the director is told and
// the view shows it pending; the director's decision shows there too.
func TestPartyView_ObjectsToAMediator(t *testing.T) {
	f := newPartyViewCase(t)
	a := f.r.App
	if _, body := webGet(t, f.p, f.r.URL+"/p/case"); strings.Contains(body, `action="/p/objection"`) {
		t.Fatal("an objection form before a mediator is assigned")
	}
	director, med := apptest.As(t, a, "director.gulou"), apptest.As(t, a, "mediator1.gulou")
	m1 := apptest.Scalar[int64](t, a, "SELECT id FROM users WHERE username = 'mediator1.gulou'")
	cv, _ := a.Cases.Get(director, f.caseID)
	c, err := a.Cases.Assign(director, f.caseID, cases.AssignInput{Version: cv.Version, MediatorIDs: []int64{m1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err = a.Cases.Declare(med, f.caseID, cases.DeclareInput{Version: c.Version, NoConflict: true, Statement: "无利害关系"}); err != nil {
		t.Fatal(err)
	}
	_, body := webGet(t, f.p, f.r.URL+"/p/case")
	if !strings.Contains(body, `action="/p/objection"`) || !strings.Contains(body, `<option value="`+ids(m1)+`"`) {
		t.Fatal("no objection form while mediating")
	}
	res, body := submitPage(t, f.p, f.r.URL, "/p/case", "/p/objection", url.Values{"mediator_id": {ids(m1)}, "reason": {"  "}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="object-reason"`) {
		t.Fatalf("a missing reason: %d", res.StatusCode)
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM case_objections WHERE case_id = ?", f.caseID); n != 0 {
		t.Fatal("a refused objection was recorded")
	}
	res, body = submitPage(t, f.p, f.r.URL, "/p/case", "/p/objection", url.Values{"mediator_id": {ids(m1)}, "reason": {"调解员曾担任对方的法律顾问。"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="party-objections"`) || !strings.Contains(body, "待决定") {
		t.Fatalf("object: %d", res.StatusCode)
	}
	if n := apptest.Scalar[int64](t, a, `SELECT count(*) FROM case_objections WHERE case_id = ? AND party_id = ? AND raised_by IS NULL AND status = 'pending'`,
		f.caseID, f.resp); n != 1 {
		t.Errorf("the objection is not the party's: %d", n)
	}
	if n := apptest.Scalar[int64](t, a, `SELECT count(*) FROM audit_log WHERE action = 'case.object' AND actor_id IS NULL AND actor_name = ?`,
		"party:"+ids(f.resp)); n != 1 {
		t.Errorf("the objection is not audited as the party: %d", n)
	}
	if n := apptest.Scalar[int64](t, a, `SELECT count(*) FROM outbox WHERE topic = 'notify:send' AND payload->>'kind' = 'case_objection'
AND (payload->>'user_id')::bigint = (SELECT id FROM users WHERE username = 'director.gulou')`); n != 1 {
		t.Errorf("the director is not told: %d", n)
	}
	// A second objection to the same mediator while one is pending.
	res, _ = submitPage(t, f.p, f.r.URL, "/p/case", "/p/objection", url.Values{"mediator_id": {ids(m1)}, "reason": {"再次申请。"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a second pending objection: %d", res.StatusCode)
	}
}

// postEvidence uploads a file from the party's view as its form does.
func (f *partyViewCase) postEvidence(t *testing.T, kind, name string, body []byte) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("_csrf", pageCSRF(t, f.p, f.r.URL+"/p/case"))
	_ = w.WriteField("kind", kind)
	if name != "" {
		fw, _ := w.CreateFormFile("file", name)
		_, _ = fw.Write(body)
	}
	_ = w.Close()
	req, _ := http.NewRequest("POST", f.r.URL+"/p/evidence", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := f.p.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// TestPartyView_UploadsEvidence: the party uploads its evidence from its
// view; a kind a party does not upload or a missing file names the
// field and stores nothing; the upload is the party's (no user),
// confidential, on the timeline and audited as the party, listed in the
// view and among the case's documents for the committee.
func TestPartyView_UploadsEvidence(t *testing.T) {
	f := newPartyViewCase(t)
	a := f.r.App
	count := func() int64 {
		return apptest.Scalar[int64](t, a, "SELECT count(*) FROM documents WHERE case_id = ? AND uploaded_by_party IS NOT NULL", f.caseID)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	if res, _ := f.postEvidence(t, "minutes", "笔录.pdf", pdf); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a kind a party does not upload: %d", res.StatusCode)
	}
	if res, body := f.postEvidence(t, "evidence", "", nil); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="evidence-file"`) {
		t.Errorf("no file: %d", res.StatusCode)
	}
	if count() != 0 {
		t.Fatal("a refused upload was stored")
	}
	res, _ := f.postEvidence(t, "evidence", "购买公证书.pdf", pdf)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	if count() != 1 {
		t.Fatal("the upload is not recorded as the party's")
	}
	if n := apptest.Scalar[int64](t, a, `SELECT count(*) FROM documents WHERE case_id = ? AND uploaded_by IS NULL AND confidential AND kind = 'evidence'
AND uploaded_by_party = ?`, f.caseID, f.resp); n != 1 {
		t.Errorf("the upload's columns: %d", n)
	}
	if n := apptest.Scalar[int64](t, a, `SELECT count(*) FROM audit_log WHERE action = 'document.upload' AND actor_id IS NULL AND actor_name = ?`,
		"party:"+ids(f.resp)); n != 1 {
		t.Errorf("the upload is not audited as the party: %d", n)
	}
	if n := apptest.Scalar[int64](t, a, `SELECT count(*) FROM case_events WHERE case_id = ? AND action = 'document_upload' AND actor_id IS NULL`, f.caseID); n != 1 {
		t.Errorf("timeline: %d", n)
	}
	if _, body := webGet(t, f.p, f.r.URL+"/p/case"); !strings.Contains(body, "购买公证书.pdf") || !strings.Contains(body, "证据材料") {
		t.Error("the view does not list the upload")
	}
	staff := webLogin(t, f.r, "clerk.gulou", demoPassword)
	if _, body := webGet(t, staff, f.r.URL+"/cases/"+ids(f.caseID)); !strings.Contains(body, "购买公证书.pdf") {
		t.Error("the committee does not find the party's upload on the case page")
	}
}

// TestCaseFeedbackAPI_RatesOnce: the API takes an enterprise user's
// rating of an ended case once (201, then 409), and refuses a bad score
// naming the field.
func TestCaseFeedbackAPI_RatesOnce(t *testing.T) {
	f := newPartyViewCase(t)
	a := f.r.App
	if err := a.DB.Exec(`UPDATE cases SET status = 'withdrawn', outcome = 'withdrawn', outcome_at = now(), outcome_reason = '已和解' WHERE id = ?`, f.caseID).Error; err != nil {
		t.Fatal(err)
	}
	tok := mustLogin(t, f.r, "sme1")
	post := func(body string) (int, string) {
		req, _ := http.NewRequest("POST", f.r.URL+"/api/v1/cases/"+ids(f.caseID)+"/feedback", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if st, body := post(`{"service": 6, "fairness": 5, "timeliness": 5}`); st != 422 || !strings.Contains(body, `"service"`) {
		t.Errorf("a bad score: %d %s", st, body)
	}
	if st, body := post(`{"service": 5, "fairness": 4, "timeliness": 5, "comment": "好"}`); st != 201 || !strings.Contains(body, `"fairness":4`) {
		t.Fatalf("rate: %d %s", st, body)
	}
	if st, _ := post(`{"service": 1, "fairness": 1, "timeliness": 1}`); st != 409 {
		t.Errorf("a second rating: %d", st)
	}
}
