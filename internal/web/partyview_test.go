package web_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/cases"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
	"github.com/ipmediate/ipmediate/internal/notice"
	"github.com/ipmediate/ipmediate/internal/party"
	"github.com/ipmediate/ipmediate/internal/service"
)

func init() {
	moreRows = append(moreRows, partyViewRows)
	// The party's own pages are reached through its link's session, not
	// a staff login.
	publicRoutes["GET /p/served/:id"] = true
	publicRoutes["POST /p/feedback"] = true
}

// partyViewRows: a staff session stands for no party, so the party's
// pages answer every staff role 401 (sign in through your link).
func partyViewRows() []mxRow {
	all := func(st int) map[string]int { return map[string]int{"*": st} }
	return []mxRow{
		{route: "GET /p/served/:id", req: func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: "/p/served/1"} }, own: all(401)},
		{route: "POST /p/feedback", req: func(*mxEnv, mxActor, bool) mxReq {
			return mxReq{method: "POST", path: "/p/feedback", form: url.Values{"service": {"5"}, "fairness": {"5"}, "timeliness": {"5"}}}
		}, own: all(401)},
	}
}

// partyViewCase is an accepted case whose respondent (a person with a
// phone) is signed in through its personal link.
type partyViewCase struct {
	r      *apptest.Running
	box    *smsBox
	caseID int64
	resp   int64
	p      *http.Client
}

func newPartyViewCase(t *testing.T, opts ...apptest.Option) *partyViewCase {
	t.Helper()
	box := &smsBox{}
	gw := box.serve(t)
	r := apptest.Start(t, append([]apptest.Option{apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) {
		c.Security.LoginRatePerMinute = 1000
		c.SMS.GatewayURL = gw
	})}, opts...)...)
	a := r.App
	org := apptest.Scalar[int64](t, a, "SELECT id FROM orgs WHERE code = 'gulou'")
	cv, err := a.Cases.Submit(apptest.As(t, a, "sme1"), teaIntake(org))
	if err != nil {
		t.Fatal(err, domain.InvalidFields(err))
	}
	if _, err = a.Cases.Accept(apptest.As(t, a, "director.gulou"), cv.ID, cases.AcceptInput{Version: cv.Version,
		ConsentAt: a.Clock.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	resp := apptest.Scalar[int64](t, a, "SELECT id FROM case_parties WHERE case_id = ? AND role = 'respondent'", cv.ID)
	if _, err := a.Party.Issue(apptest.As(t, a, "clerk.gulou"), cv.ID, party.IssueInput{PartyID: resp}); err != nil {
		t.Fatal(err)
	}
	token := box.last(t, "13912345678", regexp.MustCompile(`/p/([0-9a-f]{64})`))
	jar, _ := cookiejar.New(nil)
	p := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	link := "/p/" + token
	if res, _ := submitPage(t, p, r.URL, link, link+"/code", url.Values{}); res.StatusCode != 200 {
		t.Fatalf("send a code: %d", res.StatusCode)
	}
	code := box.last(t, "13912345678", regexp.MustCompile(`(\d{6})`))
	if res, _ := submitPage(t, p, r.URL, link, link+"/signin", url.Values{"code": {code}}); res.StatusCode != 200 {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	return &partyViewCase{r: r, box: box, caseID: cv.ID, resp: resp, p: p}
}

// TestPartyView_ServedDocuments: the party's view lists the documents
// served on it in words; opening one hands it the PDF and marks it
// opened (audited as the party); a record served on the other party is
// not found.
func TestPartyView_ServedDocuments(t *testing.T) {
	f := newPartyViewCase(t)
	a := f.r.App
	_, body := webGet(t, f.p, f.r.URL+"/p/case")
	if !strings.Contains(body, "向您送达的文书") || !strings.Contains(body, "尚无向您送达的文书") {
		t.Fatal("no served section before any service")
	}
	rs, err := a.Served.Serve(apptest.As(t, a, "clerk.gulou"), f.caseID, service.ServeInput{Doc: notice.DocAcceptance})
	if err != nil || len(rs) != 2 {
		t.Fatalf("serve: %v %d", err, len(rs))
	}
	var mine, theirs int64
	for _, r := range rs {
		if r.PartyID == f.resp {
			mine = r.ID
		} else {
			theirs = r.ID
		}
	}
	// The party has a live link: it is told by SMS, naming the case and
	// the notice, with its view's address and no token; the gateway
	// accepted it, so the notice is delivered.
	number := apptest.Scalar[string](t, a, "SELECT COALESCE(NULLIF(number, ''), registration_number) FROM cases WHERE id = ?", f.caseID)
	sms := f.box.last(t, "13912345678", regexp.MustCompile(`(.*受理通知书已向您送达.*)`))
	if !strings.Contains(sms, number) || !strings.Contains(sms, f.r.App.Config.HTTP.BaseURL+"/p/case") || regexp.MustCompile(`[0-9a-f]{64}`).MatchString(sms) {
		t.Errorf("the SMS telling of the service: %q", sms)
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM service_records WHERE id = ? AND delivered_at IS NOT NULL", mine); n != 1 {
		t.Error("the notice told by SMS is not recorded delivered")
	}
	_, body = webGet(t, f.p, f.r.URL+"/p/case")
	if !strings.Contains(body, `href="/p/served/`+ids(mine)+`"`) || !strings.Contains(body, "受理通知书") || strings.Contains(body, `/p/served/`+ids(theirs)+`"`) {
		t.Fatal("the served section does not list the party's own notice, in words")
	}
	if strings.Contains(body, "已查阅") {
		t.Error("opened before it was opened")
	}
	res, pdfBody := webGet(t, f.p, f.r.URL+"/p/served/"+ids(mine))
	if res.StatusCode != 200 || !strings.HasPrefix(pdfBody, "%PDF") {
		t.Fatalf("open: %d", res.StatusCode)
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM service_records WHERE id = ? AND opened_at IS NOT NULL AND opened_access_id IS NOT NULL", mine); n != 1 {
		t.Error("not marked opened through the link")
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM audit_log WHERE action = 'service.opened' AND actor_id IS NULL AND actor_name = ?", "party:"+ids(f.resp)); n != 1 {
		t.Errorf("%d audit rows for the party's opening, want 1", n)
	}
	if _, body = webGet(t, f.p, f.r.URL+"/p/case"); !strings.Contains(body, "已查阅") {
		t.Error("the view does not show the notice opened")
	}
	if res, _ = webGet(t, f.p, f.r.URL+"/p/served/"+ids(theirs)); res.StatusCode != http.StatusNotFound {
		t.Errorf("the other party's record: %d", res.StatusCode)
	}
	if res, _ = webGet(t, apptest.Client(), f.r.URL+"/p/served/"+ids(mine)); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a party session: %d", res.StatusCode)
	}
}

// TestPartyView_FollowUps: the follow-up visits of the case are shown to
// the party, the result in words; none, no section.
func TestPartyView_FollowUps(t *testing.T) {
	f := newPartyViewCase(t)
	a := f.r.App
	if _, body := webGet(t, f.p, f.r.URL+"/p/case"); strings.Contains(body, "协议履行回访") {
		t.Error("a follow-up section without follow-ups")
	}
	for _, q := range []string{
		`INSERT INTO case_agreements (case_id, facts, disputed_matters, responsibilities, terms, performance_method, effective_at) VALUES (?, '事实', '争议', '责任', '停止侵权', '一次付清', now())`,
		`INSERT INTO case_performance (case_id, agreement_id, result, performed_on, note, recorded_at) SELECT case_id, id, 'partly', '2026-06-01', '已支付首期款项', now() FROM case_agreements WHERE case_id = ?`,
	} {
		if err := a.DB.Exec(q, f.caseID).Error; err != nil {
			t.Fatal(err)
		}
	}
	_, body := webGet(t, f.p, f.r.URL+"/p/case")
	if !strings.Contains(body, "协议履行回访") || !strings.Contains(body, "2026-06-01") || !strings.Contains(body, "已支付首期款项") || strings.Contains(body, "partly") {
		t.Error("the follow-up is not shown in words")
	}
}

// TestPartyView_Feedback: once its case has ended the party rates it in
// its view: a bad score is refused naming the field and records nothing;
// a good rating with a complaint about the case's mediator is recorded
// as the party (its access), then shown as done; a second rating is 409
// in words.
func TestPartyView_Feedback(t *testing.T) {
	f := newPartyViewCase(t)
	a := f.r.App
	if _, body := webGet(t, f.p, f.r.URL+"/p/case"); strings.Contains(body, "评价本次调解") {
		t.Error("feedback asked for before the case ended")
	}
	m1 := apptest.Scalar[int64](t, a, "SELECT id FROM users WHERE username = 'mediator1.gulou'")
	for _, q := range []string{
		`UPDATE cases SET status = 'closed', outcome = 'settled', outcome_at = now(), closed_at = now(), closing_note = '已履行' WHERE id = ?`,
		`INSERT INTO case_mediators (case_id, user_id, assigned_at, declared_at, declaration) SELECT ?, id, now(), now(), '无利害关系' FROM users WHERE username = 'mediator1.gulou'`,
	} {
		if err := a.DB.Exec(q, f.caseID).Error; err != nil {
			t.Fatal(err)
		}
	}
	_, body := webGet(t, f.p, f.r.URL+"/p/case")
	if !strings.Contains(body, "评价本次调解") || !strings.Contains(body, `action="/p/feedback"`) || !strings.Contains(body, `<option value="`+ids(m1)+`"`) {
		t.Fatal("no feedback form on the ended case")
	}
	res, body := submitPage(t, f.p, f.r.URL, "/p/case", "/p/feedback", url.Values{"service": {"9"}, "fairness": {"5"}, "timeliness": {"4"}})
	if res.StatusCode != 422 || !strings.Contains(body, "格式不正确") {
		t.Errorf("a bad score: %d", res.StatusCode)
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM case_feedback WHERE case_id = ?", f.caseID); n != 0 {
		t.Fatal("a refused rating was recorded")
	}
	res, body = submitPage(t, f.p, f.r.URL, "/p/case", "/p/feedback", url.Values{"service": {"4"}, "fairness": {"5"}, "timeliness": {"3"},
		"comment": {"调解员耐心细致。"}, "mediator_id": {ids(m1)}, "statement": {"第二次调解时迟到半小时。\n未提前告知。"}})
	if res.StatusCode != 200 || !strings.Contains(body, "您已对本案作出评价") {
		t.Fatalf("rate: %d", res.StatusCode)
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM case_feedback WHERE case_id = ? AND party_id = ? AND service = 4 AND access_id IS NOT NULL AND user_id IS NULL", f.caseID, f.resp); n != 1 {
		t.Error("the rating is not recorded as the party's")
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM mediator_complaints WHERE mediator_id = ?", m1); n != 1 {
		t.Error("the complaint is not recorded")
	}
	if n := apptest.Scalar[int64](t, a, "SELECT count(*) FROM audit_log WHERE action = 'case.feedback' AND actor_id IS NULL AND actor_name = ?", "party:"+ids(f.resp)); n != 1 {
		t.Errorf("%d audit rows for the party's rating, want 1", n)
	}
	if _, body = webGet(t, f.p, f.r.URL+"/p/case"); !strings.Contains(body, "您已对本案作出评价") || strings.Contains(body, `action="/p/feedback"`) {
		t.Error("the rating is not shown as done")
	}
	res, body = submitPage(t, f.p, f.r.URL, "/p/case", "/p/feedback", url.Values{"service": {"1"}, "fairness": {"1"}, "timeliness": {"1"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "您已经提交过评价") {
		t.Errorf("a second rating: %d", res.StatusCode)
	}
}

// teaIntake is the trademark dispute the party view's tests and the case
// page benchmark file with committee org: an enterprise applicant and a
// natural person respondent with a phone, and one trademark.
func teaIntake(org int64) cases.IntakeInput {
	return cases.IntakeInput{OrgID: org, Source: domain.SourceDirect,
		DisputeType: domain.DisputeTrademark, Summary: "被申请人在网店销售假冒申请人注册商标的茶叶。", Claims: "停止侵权。",
		Parties: []cases.PartyInput{
			{Role: domain.PartyApplicant, Kind: domain.PartyOrganisation, Name: "福州闽光软件科技有限公司", CreditCode: "91350100MA34A1B2CU"},
			{Role: domain.PartyRespondent, Kind: domain.PartyPerson, Name: "陈某某", IDNumber: "11010519491231002X", Phone: "13912345678"},
		},
		Rights: []cases.RightInput{{Kind: domain.RightTrademark, Number: "12345678", Title: "闽光"}}}
}
