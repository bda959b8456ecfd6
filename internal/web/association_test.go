package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ipmediate/ipmediate/internal/apptest"
	"github.com/ipmediate/ipmediate/internal/association"
	"github.com/ipmediate/ipmediate/internal/config"
	"github.com/ipmediate/ipmediate/internal/domain"
)

func init() { moreRows = append(moreRows, associationRows) }

// mxMembership holds the memberships of the authorization matrix: the
// demo association lists ent-sme1 (own for its applicant) and ent-sme2
// (foreign), neither consenting, so that no case row changes.
type mxMembership struct{ own, foreign int64 }

var mxMembershipObjects mxObjects[*mxMembership]

func mxMemberships(e *mxEnv) *mxMembership {
	return mxMembershipObjects.get(e, func() *mxMembership {
		act, err := e.a.Identity.Actor(context.Background(), e.users["association.fz-software"])
		if err != nil {
			e.t.Fatal(err)
		}
		ctx := domain.WithActor(context.Background(), act)
		add := func(org string) int64 {
			var code string
			e.a.DB.Raw("SELECT credit_code FROM orgs WHERE code = ?", org).Scan(&code)
			m, err := e.a.Associations.Add(ctx, association.AddInput{CreditCode: code})
			if err != nil {
				e.t.Fatal(err)
			}
			return m.ID
		}
		m := &mxMembership{own: add("ent-sme1"), foreign: add("ent-sme2")}
		return m
	})
}

// associationRows: the association's pages are its staff's alone (404
// for anyone else, as pages that are not theirs; their steps 403); the
// memberships page is an enterprise's. The steps on a membership that
// does not exist are 404 for whoever may take them.
func associationRows() []mxRow {
	get := func(p string) func(*mxEnv, mxActor, bool) mxReq {
		return func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "GET", path: p} }
	}
	post := func(p string, v url.Values) func(*mxEnv, mxActor, bool) mxReq {
		return func(*mxEnv, mxActor, bool) mxReq { return mxReq{method: "POST", path: p, form: v} }
	}
	staffPage := map[string]int{"anon": 303, "association_staff": 200, "*": 404}
	member := func(e *mxEnv, own bool) int64 {
		if own {
			return mxMemberships(e).own
		}
		return mxMemberships(e).foreign
	}
	return []mxRow{
		{route: "GET /association", req: get("/association"), own: staffPage},
		{route: "GET /association/members", req: get("/association/members"), own: staffPage},
		{route: "POST /association/members", req: post("/association/members", url.Values{"credit_code": {""}}),
			own: map[string]int{"anon": 303, "association_staff": 422, "*": 403}},
		// Without a version: refused naming it, after the permission.
		{route: "POST /association/members/:id/remove", req: func(e *mxEnv, _ mxActor, _ bool) mxReq {
			return mxReq{method: "POST", path: fmt.Sprintf("/association/members/%d/remove", member(e, true)), form: url.Values{}}
		}, own: map[string]int{"anon": 303, "association_staff": 422, "*": 403}},
		{route: "GET /association/file", req: get("/association/file"), own: staffPage},
		{route: "POST /association/file", req: post("/association/file", url.Values{"case.summary": {""}}),
			own: map[string]int{"anon": 303, "association_staff": 422, "*": 403}},
		{route: "GET /memberships", req: get("/memberships"), own: map[string]int{"anon": 303, "applicant": 200, "*": 404}},
		{route: "POST /memberships/:id/:action", objects: true, req: func(e *mxEnv, _ mxActor, own bool) mxReq {
			return mxReq{method: "POST", path: fmt.Sprintf("/memberships/%d/consent", member(e, own)), form: url.Values{}}
		}, own: map[string]int{"anon": 303, "applicant": 422, "*": 403}, foreign: map[string]int{"anon": 303, "applicant": 404, "*": 403}},
	}
}

// TestAssociation_Pages: the association's staff add the two demo SMEs
// as members (a bad credit code is refused naming the field); sme1
// grants its consent on its memberships page; the association's first
// page then counts sme1's open matters and not sme2's; the staff file a
// case for sme1 through the form and land on the case, which sme1 finds
// named in its inbox; sme1 withdraws and the association's case page is
// a 404 at once. sme2, a member without consent, cannot be filed for.
func TestAssociation_Pages(t *testing.T) {
	r := apptest.Start(t, apptest.WithDemo(), apptest.WithConfig(func(c *config.Config) { c.Security.LoginRatePerMinute = 1000 }))
	code := func(org string) string {
		var s string
		r.App.DB.Raw("SELECT credit_code FROM orgs WHERE code = ?", org).Scan(&s)
		return s
	}
	id := func(q string, args ...any) int64 {
		var n int64
		r.App.DB.Raw(q, args...).Scan(&n)
		return n
	}
	post := func(c *http.Client, page, u string, v url.Values) (*http.Response, string) {
		return submitPage(t, c, r.URL, page, u, v)
	}
	staff := webLogin(t, r, "association.fz-software", demoPassword)
	if _, work := webGet(t, staff, r.URL+"/work"); !strings.Contains(work, `href="/association"`) {
		t.Error("the association's staff are not shown their page")
	}
	resp, page := post(staff, "/association/members", "/association/members", url.Values{"credit_code": {"123"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "统一社会信用代码无效") {
		t.Fatalf("a bad credit code (%d)", resp.StatusCode)
	}
	for _, org := range []string{"ent-sme1", "ent-sme2"} {
		resp, page = post(staff, "/association/members", "/association/members", url.Values{"credit_code": {code(org)}, "since": {"2025-01-15"}})
		if resp.StatusCode != 200 || !strings.Contains(page, code(org)) {
			t.Fatalf("add %s (%d)", org, resp.StatusCode)
		}
	}

	sme := webLogin(t, r, "sme1", demoPassword)
	_, mine := webGet(t, sme, r.URL+"/memberships")
	if !strings.Contains(mine, "福州市软件行业协会") || !strings.Contains(mine, "未授权") {
		t.Fatalf("the enterprise's memberships page:\n%s", mine)
	}
	m := regexp.MustCompile(`(?s)action="(/memberships/(\d+)/consent)"[^>]*>.*?name="version" value="(\d+)"`).FindStringSubmatch(mine)
	if m == nil {
		t.Fatal("no consent form on the memberships page")
	}
	resp, mine = post(sme, "/memberships", m[1], url.Values{"version": {m[3]}})
	if resp.StatusCode != 200 || !strings.Contains(mine, "已授权") || !strings.Contains(mine, "/withdraw") {
		t.Fatalf("consent (%d)", resp.StatusCode)
	}

	// The staff file for sme1 through the form; sme2 has not consented
	// and is not offered.
	_, form := webGet(t, staff, r.URL+"/association/file")
	if !strings.Contains(form, fmt.Sprintf(`value="%d"`, id("SELECT id FROM orgs WHERE code = 'ent-sme1'"))) ||
		strings.Contains(form, "福州榕城茶业有限公司") {
		t.Error("the filing form does not offer exactly the consenting member")
	}
	filing := url.Values{"member_org_id": {fmt.Sprint(id("SELECT id FROM orgs WHERE code = 'ent-sme2'"))},
		"org_id": {fmt.Sprint(id("SELECT id FROM orgs WHERE code = 'gulou'"))}, "case.dispute_type": {"copyright_infringement"},
		"case.summary": {"被申请人未经许可复制、销售会员企业开发的软件。"}, "case.claims": {"停止侵权。"},
		"case.parties[0].role": {"applicant"}, "case.parties[1].role": {"respondent"}, "case.parties[1].kind": {"organisation"},
		"case.parties[1].name": {"福州某网络科技有限公司"}, "case.parties[2].role": {"third_party"},
		"case.rights[0].kind": {"software_copyright"}, "case.rights[0].number": {"2021SR0123456"}, "case.rights[0].title": {"闽光同步软件"}}
	resp, page = post(staff, "/association/file", "/association/file", filing)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "该企业不是本协会会员，或未授权本协会查看其案件") {
		t.Fatalf("filing for a member without consent (%d)", resp.StatusCode)
	}
	filing.Set("member_org_id", fmt.Sprint(id("SELECT id FROM orgs WHERE code = 'ent-sme1'")))
	resp, page = post(staff, "/association/file", "/association/file", filing)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Request.URL.Path, "/cases/") || !strings.Contains(page, "福州闽光软件科技有限公司") {
		t.Fatalf("filing for a consenting member (%d): %s\n%s", resp.StatusCode, resp.Request.URL.Path, page)
	}
	caseURL := resp.Request.URL.Path
	if strings.Contains(page, `action="`+caseURL+`/`) {
		t.Error("the association is offered a step on the member's case")
	}
	ref := ""
	r.App.DB.Raw("SELECT registration_number FROM cases WHERE id = ?", strings.TrimPrefix(caseURL, "/cases/")).Scan(&ref)
	deliverAll(t, r.App)
	if _, inbox := webGet(t, sme, r.URL+"/inbox"); !strings.Contains(inbox, ref) || !strings.Contains(inbox, "福州市软件行业协会 已代本企业申请调解") {
		t.Errorf("the member's inbox does not name the case %s", ref)
	}
	if _, home := webGet(t, staff, r.URL+"/association"); !strings.Contains(home, `<a href="/cases">1</a>`) {
		t.Errorf("the first page does not count the consenting member's open case:\n%s", home)
	}

	// The staff apply for rights assistance for the consenting member
	// through the assistance form, which offers that member only; the
	// member is the applicant.
	sme1ID := fmt.Sprint(id("SELECT id FROM orgs WHERE code = 'ent-sme1'"))
	if _, apply := webGet(t, staff, r.URL+"/assistance/new"); !strings.Contains(apply, `id="assistance-member"`) ||
		!strings.Contains(apply, `value="`+sme1ID+`"`) || strings.Contains(apply, "福州榕城茶业有限公司") {
		t.Error("the assistance form does not offer exactly the consenting member")
	}
	application := url.Values{"applicant_org_id": {sme1ID}, "rights[0].kind": {"trademark"}, "rights[0].number": {"12345678"},
		"rights[0].title": {"闽光"}, "narrative": {"会员企业的注册商标在电商平台上被仿冒。"}, "place_kind": {"online"},
		"place": {"某电商平台店铺"}, "help_wanted": {"consultation"}, "contact_name": {"翁志远"}, "contact_phone": {"13800138000"}}
	resp, _ = post(staff, "/assistance/new", "/assistance", application)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Request.URL.Path, "/assistance/") {
		t.Fatalf("applying for a consenting member (%d): %s", resp.StatusCode, resp.Request.URL.Path)
	}
	if n := id("SELECT count(*) FROM assistance_applications WHERE applicant_org_id = ?", sme1ID); n != 1 {
		t.Errorf("%d applications of the member", n)
	}

	// Withdrawn: the association's next read of the case is a 404, and
	// the open matters are no longer counted or linked.
	_, mine = webGet(t, sme, r.URL+"/memberships")
	m = regexp.MustCompile(`(?s)action="(/memberships/\d+/withdraw)"[^>]*>.*?name="version" value="(\d+)"`).FindStringSubmatch(mine)
	if m == nil {
		t.Fatal("no withdrawal form")
	}
	if resp, _ = post(sme, "/memberships", m[1], url.Values{"version": {m[2]}}); resp.StatusCode != 200 {
		t.Fatalf("withdraw (%d)", resp.StatusCode)
	}
	if resp, _ := webGet(t, staff, r.URL+caseURL); resp.StatusCode != http.StatusNotFound {
		t.Errorf("after withdrawal the association reads the case (%d)", resp.StatusCode)
	}
	if _, home := webGet(t, staff, r.URL+"/association"); strings.Contains(home, `<a href="/cases">1</a>`) {
		t.Error("after withdrawal the first page still links the member's cases")
	}
	// The other enterprise never sees the case; a mediator has no
	// association page.
	sme2 := webLogin(t, r, "sme2", demoPassword)
	if resp, _ := webGet(t, sme2, r.URL+caseURL); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another enterprise reads the case (%d)", resp.StatusCode)
	}
	med := webLogin(t, r, "mediator1.gulou", demoPassword)
	if resp, _ := webGet(t, med, r.URL+"/association"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a mediator opens the association's page (%d)", resp.StatusCode)
	}
}
